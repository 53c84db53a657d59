"""Token inputs with their modifiers: a DTCG file, a DTCG resolver document, or a Tokens Studio export.

Each source lists its modifiers (a resolver's ``modifiers``, Tokens Studio's theme groups) and resolves an
input (``{"theme": "dark"}``) into tokens, following the Resolver module: sources merged in
``resolutionOrder``, the last occurrence of a token winning, aliases resolved only at the end.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.limits import InputLimitError, read_limited
from studio.core.tokens.dtcg import MAX_DEPTH, MAX_FILE_BYTES, ReadResult, load_json, read_dtcg
from studio.core.tokens.model import MISSING, Issue, TokenFileError, lookup, pointer
from studio.core.tokens.tokens_studio import looks_like_tokens_studio, read_tokens_studio


@dataclass
class Modifier:
    """A choice between alternative token values (``theme``: ``light`` | ``dark``)."""

    name: str
    contexts: list[str]
    default: str | None = None


@dataclass
class TokenSource:
    """Something that resolves modifier inputs into tokens.

    Attributes:
        kind: ``dtcg``, ``dtcg-resolver`` or ``tokens-studio``.
        modifiers: the choices an input must (or may, with a default) make.
        issues: problems found while loading (bad sets, references, modifiers): reported with every result.
    """

    kind: str
    label: str
    modifiers: list[Modifier] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    _layers: Callable[[dict[str, str]], list[dict[str, Any]]] = field(default=lambda _i: [], repr=False)

    def check_input(self, inputs: dict[str, str]) -> list[str]:
        """Errors in an input, as the Resolver module's input validation lists them (case-insensitive)."""
        errors = []
        by_name = {m.name.lower(): m for m in self.modifiers}
        for key, value in inputs.items():
            modifier = by_name.get(key.lower())
            if modifier is None:
                errors.append(
                    f"unknown modifier {key!r} (this file has: "
                    f"{', '.join(m.name for m in self.modifiers) or 'none'})"
                )
            elif value.lower() not in (c.lower() for c in modifier.contexts):
                errors.append(
                    f"invalid context {value!r} for modifier {modifier.name!r} "
                    f"({', '.join(modifier.contexts)})"
                )
        given = {k.lower() for k in inputs}
        errors.extend(
            f"missing modifier {m.name!r}: choose one of {', '.join(m.contexts)}"
            for m in self.modifiers
            if m.name.lower() not in given and m.default is None
        )
        return errors

    def normalise(self, inputs: dict[str, str]) -> dict[str, str]:
        """The input with every modifier named as the file names it, defaults filled in."""
        out: dict[str, str] = {}
        lowered = {k.lower(): v for k, v in inputs.items()}
        for m in self.modifiers:
            chosen = lowered.get(m.name.lower(), m.default)
            if chosen is not None:
                out[m.name] = next((c for c in m.contexts if c.lower() == chosen.lower()), chosen)
        return out

    def resolve(self, inputs: dict[str, str]) -> ReadResult:
        """The tokens for one input; invalid inputs come back as errors, not exceptions."""
        errors = self.check_input(inputs)
        if errors:
            return ReadResult(issues=[Issue("input", e) for e in errors])
        merged: dict[str, Any] = {}
        for layer in self._layers(self.normalise(inputs)):
            merge_tokens(merged, layer)
        reader = read_tokens_studio if self.kind == "tokens-studio" else read_dtcg
        result = reader(merged)
        result.issues[:0] = self.issues
        return result


def merge_tokens(into: dict[str, Any], layer: dict[str, Any]) -> None:
    """Deep-merge groups; a token (an object with ``$value`` or ``value``) replaces whatever was there."""
    stack = [(into, layer, 0)]
    while stack:
        target, source, depth = stack.pop()
        for key, value in source.items():
            existing = target.get(key)
            is_token = isinstance(value, dict) and ("$value" in value or "value" in value)
            if isinstance(value, dict) and isinstance(existing, dict) and not is_token and depth < MAX_DEPTH:
                stack.append((existing, value, depth + 1))
            else:
                target[key] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value


# --- opening files ---


def open_token_files(paths: list[Path]) -> TokenSource:
    """Open what a designer hands over: one or more files, or a Tokens Studio folder.

    Raises:
        TokenFileError: a file cannot be read or is not JSON.
    """
    if len(paths) == 1 and paths[0].is_dir():
        return _tokens_studio_folder(paths[0])
    docs = [(p, _read(p)) for p in paths]
    if len(docs) == 1 and isinstance(docs[0][1], dict) and "resolutionOrder" in docs[0][1]:
        return _resolver(docs[0][1], docs[0][0].parent, docs[0][0].name)
    names = {p.name for p, _ in docs}
    if "$themes.json" in names or "$metadata.json" in names:
        return _tokens_studio_files(docs)
    if len(docs) == 1 and looks_like_tokens_studio(docs[0][1]):
        return _tokens_studio_single(docs[0][1], docs[0][0].name)
    if any(looks_like_tokens_studio(d) for _, d in docs):
        return _tokens_studio_files(docs)
    label = ", ".join(p.name for p, _ in docs)
    issues = [Issue(p.name, "a token file must be a JSON object") for p, d in docs if not isinstance(d, dict)]
    layers = [d for _, d in docs if isinstance(d, dict)]
    return TokenSource("dtcg", label, [], issues, lambda _inputs: layers)


def _read(path: Path) -> Any:
    try:
        data = read_limited(path, MAX_FILE_BYTES, "a token file")  # a plain file, bounded: never a pipe
    except InputLimitError as exc:
        raise TokenFileError(str(exc)) from None
    except OSError as exc:
        raise TokenFileError(f"{path}: {exc.strerror or exc}") from None
    return load_json(data, path.name)


# --- DTCG resolver ---


def _resolver(doc: dict[str, Any], base: Path, label: str) -> TokenSource:
    issues: list[Issue] = []
    version = doc.get("version")
    if version is not None and str(version) != "2025.10":
        issues.append(
            Issue(
                "#/version", f"resolver version {version!r} is not 2025.10; reading it as 2025.10", "warning"
            )
        )
    files: dict[Path, Any] = {}

    def err(where: str, message: str) -> None:
        issues.append(Issue(f"{label}{where}", message))

    def deref(ref: Any, where: str, allow_modifier: bool) -> Any:
        if not isinstance(ref, str):
            err(where, "$ref must be a string")
            return None
        file_part, _, fragment = ref.partition("#")
        if "://" in file_part:
            err(where, f"remote references are not supported: {ref}")
            return None
        target_doc: Any = doc
        if file_part:
            path = (base / file_part).resolve()
            if base.resolve() not in path.parents:
                err(where, f"{file_part} is outside the resolver's folder")
                return None
            if path not in files:
                try:
                    files[path] = _read(path)
                except TokenFileError as exc:
                    err(where, str(exc))
                    files[path] = None
            target_doc = files[path]
            if target_doc is None:
                return None
        parts = (
            [p.replace("~1", "/").replace("~0", "~") for p in fragment.lstrip("/").split("/") if p]
            if fragment
            else []
        )
        if not file_part and parts[:1] == ["resolutionOrder"]:
            err(where, "a reference must not point into resolutionOrder")
            return None
        if not file_part and parts[:1] == ["modifiers"] and not allow_modifier:
            err(where, "only resolutionOrder may reference a modifier")
            return None
        node = lookup(target_doc, parts)
        if node is MISSING:
            err(where, f"{ref} points to nothing")
            return None
        return node

    def sources_of(items: Any, where: str, depth: int = 0) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            err(where, "expected an array of token sources")
            return []
        out: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            here = f"{where}/{i}"
            if isinstance(item, dict) and "$ref" in item:
                target = deref(item["$ref"], here, allow_modifier=False)
                if target is None:
                    continue
                if isinstance(target, dict) and "sources" in target and depth < 8:  # a set
                    out.extend(sources_of(target["sources"], here, depth + 1))
                elif isinstance(target, dict):
                    extra = {k: v for k, v in item.items() if k != "$ref"}
                    out.append({**target, **extra})
                else:
                    err(here, f"{item['$ref']} is not a token document")
            elif isinstance(item, dict):
                out.append(item)
            else:
                err(here, 'a source must be an object of tokens or a {"$ref": ...}')
        return out

    order = doc.get("resolutionOrder")
    if not isinstance(order, list):
        err("#/resolutionOrder", "resolutionOrder must be an array")
        order = []
    steps: list[tuple[str, Any]] = []  # ("set", sources) or ("modifier", name)
    modifiers: list[Modifier] = []
    contexts_of: dict[str, dict[str, list[dict[str, Any]]]] = {}
    names_seen: set[str] = set()
    for i, item in enumerate(order):
        here = f"#/resolutionOrder/{i}"
        if not isinstance(item, dict):
            err(here, 'expected a set, a modifier or a {"$ref": ...}')
            continue
        if "$ref" in item:
            ref = item["$ref"]
            target = deref(ref, here, allow_modifier=True)
            if target is None:
                continue
            kind = "modifier" if isinstance(ref, str) and ref.startswith("#/modifiers/") else "set"
            name = str(ref).rsplit("/", 1)[-1]
        else:
            kind, raw_name, target = str(item.get("type")), item.get("name"), item
            if kind not in ("set", "modifier") or not isinstance(raw_name, str):
                err(here, 'an inline set or modifier needs "type" (set or modifier) and "name"')
                continue
            name = raw_name
            if name in names_seen:
                err(here, f"name {name!r} is used twice in resolutionOrder")
                continue
        names_seen.add(name)
        if not isinstance(target, dict):
            err(here, "expected an object")
            continue
        if kind == "set":
            steps.append(("set", sources_of(target.get("sources"), f"{here}/sources")))
            continue
        contexts = target.get("contexts", target.get("context"))  # the spec's own examples use both spellings
        if not isinstance(contexts, dict) or not contexts:
            err(here, f"modifier {name!r} must declare at least one context")
            continue
        if len(contexts) == 1:
            issues.append(Issue(f"{label}{here}", f"modifier {name!r} has only one context", "warning"))
        default = target.get("default")
        if default is not None and default not in contexts:
            err(f"{here}/default", f"default {default!r} is not one of the contexts of {name!r}")
            default = None
        contexts_of[name] = {c: sources_of(s, f"{here}/contexts/{c}") for c, s in contexts.items()}
        modifiers.append(Modifier(name, list(contexts), default))
        steps.append(("modifier", name))

    def layers(inputs: dict[str, str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for kind, payload in steps:
            if kind == "set":
                out.extend(payload)
            elif payload in inputs:
                out.extend(contexts_of[payload].get(inputs[payload], []))
        return out

    return TokenSource("dtcg-resolver", label, modifiers, issues, layers)


# --- Tokens Studio ---


def _tokens_studio_single(doc: dict[str, Any], label: str) -> TokenSource:
    sets = {k: v for k, v in doc.items() if not k.startswith("$") and isinstance(v, dict)}
    # A single-set export has tokens at the top level rather than sets.
    if sets and all(isinstance(v, dict) and "value" in v for v in sets.values()):
        sets = {"tokens": sets}
    return _tokens_studio(sets, doc.get("$metadata"), doc.get("$themes"), label)


def _tokens_studio_files(docs: list[tuple[Path, Any]]) -> TokenSource:
    sets, metadata, themes = _split_sets(docs, lambda path: path.stem)
    return _tokens_studio(sets, metadata, themes, ", ".join(p.name for p, _ in docs))


def _tokens_studio_folder(folder: Path) -> TokenSource:
    files = sorted(p for p in folder.rglob("*.json") if p.is_file())
    if not files:
        raise TokenFileError(f"{folder}: no .json files")
    docs = [(path, _read(path)) for path in files]

    def set_name(path: Path) -> str:  # relative to the folder, without .json ("global", "themes/dark")
        return path.relative_to(folder).with_suffix("").as_posix()

    sets, metadata, themes = _split_sets(docs, set_name)
    return _tokens_studio(sets, metadata, themes, folder.name)


def _split_sets(
    docs: list[tuple[Path, Any]], set_name: Callable[[Path], str]
) -> tuple[dict[str, Any], Any, Any]:
    """Token sets by name, and the ``$metadata.json`` / ``$themes.json`` documents (None when absent)."""
    sets: dict[str, Any] = {}
    metadata = themes = None
    for path, data in docs:
        if path.name == "$metadata.json":
            metadata = data
        elif path.name == "$themes.json":
            themes = data
        elif isinstance(data, dict):
            sets[set_name(path)] = data
    return sets, metadata, themes


def _tokens_studio(sets: dict[str, Any], metadata: Any, themes: Any, label: str) -> TokenSource:
    issues: list[Issue] = []
    order = list(sets)
    if isinstance(metadata, dict) and isinstance(metadata.get("tokenSetOrder"), list):
        listed = [s for s in metadata["tokenSetOrder"] if isinstance(s, str)]
        issues.extend(
            Issue("$metadata.json", f"set {s!r} in tokenSetOrder does not exist", "warning")
            for s in listed
            if s not in sets
        )
        order = [s for s in listed if s in sets] + [s for s in sets if s not in listed]
    groups: dict[str, dict[str, list[str]]] = {}
    if themes is not None and not isinstance(themes, list):
        issues.append(Issue("$themes.json", "$themes must be an array of themes"))
        themes = []
    for i, theme in enumerate(themes or []):
        if not isinstance(theme, dict) or not isinstance(theme.get("name"), str):
            issues.append(Issue(f"$themes.json{pointer([str(i)])}", "a theme needs a name"))
            continue
        selected = theme.get("selectedTokenSets") or {}
        if not isinstance(selected, dict):
            issues.append(
                Issue(f"$themes.json{pointer([str(i), 'selectedTokenSets'])}", "expected an object")
            )
            continue
        enabled = [s for s, status in selected.items() if status in ("enabled", "source")]
        for s in enabled:
            if s not in sets:
                issues.append(
                    Issue(
                        f"$themes.json{pointer([str(i), 'selectedTokenSets', s])}",
                        f"set {s!r} does not exist",
                        "warning",
                    )
                )
        group = str(theme["group"]) if isinstance(theme.get("group"), str) else "theme"
        groups.setdefault(group, {})[theme["name"]] = [s for s in enabled if s in sets]
    modifiers = [Modifier(g, list(c)) for g, c in groups.items()]
    themed = {s for contexts in groups.values() for chosen in contexts.values() for s in chosen}

    def layers(inputs: dict[str, str]) -> list[dict[str, Any]]:
        if not groups:  # no themes: every set, in set order
            return [sets[s] for s in order]
        wanted = set().union(*(groups[g].get(inputs.get(g, ""), []) for g in groups)) if inputs else set()
        # Sets no theme mentions are global; a themed set applies only when a chosen theme enables it.
        return [sets[s] for s in order if s in wanted or s not in themed]

    return TokenSource("tokens-studio", label, modifiers, issues, layers)


__all__ = ["MAX_DEPTH", "Modifier", "TokenSource", "merge_tokens", "open_token_files"]
