"""A theme's custom properties as design tokens: DTCG, a DTCG resolver (schemes as contexts), Tokens Studio.

Every custom property of a token scope whose value a token type can express is exported, typed, with
``var()`` references kept as aliases; the rest are listed as skipped with the reason. Paths, descriptions and
``$extensions`` come from the theme's token metadata when an import wrote them, otherwise the path is the name
split at hyphens (``--color-primary-hover`` → ``color.primary.hover``; a name that is also a group becomes the
group's ``$root`` token).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from studio.core.css.tokens import index_tokens
from studio.core.tokens.apply import BASE, scheme_layout
from studio.core.tokens.css import NotExpressibleError, parse_css
from studio.core.tokens.meta import TokenMeta
from studio.core.tokens.model import ROOT, Token, alias_target
from studio.core.tokens.tokens_studio import to_tokens_studio
from studio.core.tokens.values import check_value

FORMATS = ("dtcg", "dtcg-resolver", "tokens-studio")
SCHEMA_FORMAT = "https://www.designtokens.org/schemas/2025.10/format.json"
SCHEMA_RESOLVER = "https://www.designtokens.org/schemas/2025.10/resolver.json"


@dataclass(frozen=True)
class Skipped:
    scheme: str
    name: str
    reason: str


@dataclass
class ThemeTokens:
    """A theme's tokens per scheme: ``base`` (what ``:root`` renders) and overrides for the other schemes."""

    base_scheme: str
    schemes: dict[str, dict[str, Token]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def resolved(self, scheme: str) -> dict[str, Token]:
        """All tokens as one scheme sees them: the base with that scheme's overrides."""
        out = dict(self.schemes.get(BASE, {}))
        if scheme not in (BASE, self.base_scheme):
            out.update(self.schemes.get(scheme, {}))
        return out


def theme_tokens(text: str, meta: TokenMeta | None = None, prefix: str | None = None) -> ThemeTokens:
    """Read the theme's custom properties back into tokens."""
    meta = meta or TokenMeta()
    prefix = meta.prefix if prefix is None else prefix
    definitions = index_tokens(text).definitions
    layout = scheme_layout(text, definitions)
    values: dict[str, dict[str, str]] = {}
    for d in definitions:
        if d.conditional:
            continue
        target = BASE if d.scheme is None or d.scheme == layout.base else d.scheme
        values.setdefault(target, {})[d.name] = d.value
    all_names = {n for v in values.values() for n in v}
    paths = _paths(all_names, meta, prefix)
    out = ThemeTokens(layout.base)
    for target in [BASE, *sorted(t for t in values if t != BASE)]:
        label = layout.label(target)
        out.schemes[target] = _tokens_of(
            values.get(target, {}), values.get(BASE, {}), paths, meta, label, out, out.schemes.get(BASE, {})
        )
    return out


def _paths(names: set[str], meta: TokenMeta, prefix: str) -> dict[str, tuple[str, ...]]:
    paths: dict[str, tuple[str, ...]] = {}
    for name, entry in meta.tokens.items():
        parts = entry.get("parts")
        if isinstance(parts, dict):
            if all(p in names for p in parts.values()) and meta.path_of(name):
                paths[name] = meta.path_of(name) or ()
        elif name in names and meta.path_of(name):
            paths[name] = meta.path_of(name) or ()
    lead = f"--{prefix}-" if prefix else "--"
    derived = {}
    for name in sorted(names - set(paths)):
        body = name[len(lead) :] if name.startswith(lead) else name[2:]
        derived[name] = tuple(p for p in body.split("-") if p) or (body,)
    given = set(paths.values())
    for name, path in derived.items():  # a derived name under a token from the metadata joins its words
        i = 1
        while i < len(path):
            if path[:i] in given:
                path = (*path[: i - 1], path[i - 1] + "-" + path[i], *path[i + 1 :])
            else:
                i += 1
        derived[name] = path
    groups = {p[:i] for p in (*derived.values(), *given) for i in range(1, len(p))}
    taken = set(given)
    for name, path in derived.items():
        if path in groups:
            path = (*path, ROOT)
        while path in taken:  # "--a-b" and "--a--b" both split to a.b
            path = (*path[:-1], path[-1] + "_")
        taken.add(path)
        paths[name] = path
    return paths


def _tokens_of(
    own: dict[str, str],
    base: dict[str, str],
    paths: dict[str, tuple[str, ...]],
    meta: TokenMeta,
    label: str,
    out: ThemeTokens,
    inherited: dict[str, Token],
) -> dict[str, Token]:
    visible = {**base, **own}
    dotted = {n: ".".join(p) for n, p in paths.items() if n in visible or n in meta.tokens}

    def path_of(name: str) -> str | None:
        return dotted.get(name)

    tokens: dict[str, Token] = {}
    consumed: set[str] = set()
    for name, entry in meta.tokens.items():  # typography: five sub-properties make one token
        parts = entry.get("parts")
        if not isinstance(parts, dict) or name not in paths or not any(p in own for p in parts.values()):
            continue
        typo: dict[str, Any] = {}
        try:
            for key, sub_type in (
                ("fontFamily", "fontFamily"),
                ("fontSize", "dimension"),
                ("fontWeight", "fontWeight"),
                ("letterSpacing", "dimension"),
                ("lineHeight", "number"),
            ):
                prop = parts[key]
                _, typo[key] = parse_css(visible[prop], sub_type, prop, path_of)
        except (NotExpressibleError, KeyError):
            continue
        consumed.update(parts.values())
        tokens[".".join(paths[name])] = _token(paths[name], "typography", typo, entry)
    for name, css in own.items():
        if name in consumed or name not in paths:
            continue
        entry = meta.tokens.get(name, {})
        lossy = (entry.get("lossy") or {}).get(label) if isinstance(entry.get("lossy"), dict) else None
        value: Any
        try:
            if isinstance(lossy, dict) and lossy.get("css") == css:
                token_type, value = str(entry.get("type")), lossy.get("value")
            else:
                token_type, value = parse_css(css, entry.get("type"), name, path_of)
        except NotExpressibleError as exc:
            out.skipped.append(Skipped(label, name, str(exc)))
            continue
        if (
            token_type == "color"
            and isinstance(value, dict)
            and entry.get("hex")
            and value.get("colorSpace") != "srgb"
        ):
            value["hex"] = entry["hex"]
        tokens[".".join(paths[name])] = _token(paths[name], token_type, value, entry)
    _type_aliases(tokens, out, label, inherited)
    return tokens


def _token(path: tuple[str, ...], token_type: str, value: Any, entry: dict[str, Any]) -> Token:
    return Token(
        path, token_type, value, entry.get("description"), entry.get("deprecated"), entry.get("extensions")
    )


def _type_aliases(
    tokens: dict[str, Token], out: ThemeTokens, label: str, inherited: dict[str, Token]
) -> None:
    """Whole-value aliases take their target's type; broken ones are skipped with the reason."""
    scope = {**inherited, **tokens}
    for dotted, token in list(tokens.items()):
        if token.type != "alias":
            continue
        seen = {dotted}
        target = alias_target(token.value)
        while target in scope and target not in seen and scope[target].type == "alias":
            seen.add(target)
            target = alias_target(scope[target].value)
        if target is None or target not in scope or target in seen:
            out.skipped.append(
                Skipped(label, _name_hint(token), "refers to a property that is not an exportable token")
            )
            del tokens[dotted]
        else:
            token.type = scope[target].type
    scope = {**inherited, **tokens}
    for dotted, token in list(tokens.items()):
        refs: list[tuple[str, str, str]] = []
        problems = check_value(token.type, token.value, dotted, refs)
        bad = [f"{{{t}}} is not a {ty} token" for t, ty, _ in refs if t not in scope or scope[t].type != ty]
        if problems or bad:
            out.skipped.append(Skipped(label, _name_hint(token), (problems[0][1] if problems else bad[0])))
            del tokens[dotted]


def _name_hint(token: Token) -> str:
    return "--" + "-".join(p for p in token.path if p != ROOT)


# --- documents ---


def dtcg_document(tokens: dict[str, Token], schema: bool = True) -> dict[str, Any]:
    """A DTCG document (nested groups) of tokens."""
    doc: dict[str, Any] = {"$schema": SCHEMA_FORMAT} if schema else {}
    for token in tokens.values():
        node = doc
        for part in token.path[:-1]:
            node = node.setdefault(part, {})
        entry: dict[str, Any] = {"$type": token.type, "$value": token.value}
        if token.description:
            entry["$description"] = token.description
        if token.deprecated is not None:
            entry["$deprecated"] = token.deprecated
        if token.extensions:
            entry["$extensions"] = token.extensions
        node[token.path[-1]] = entry
    return doc


def export_documents(themed: ThemeTokens, fmt: str, scheme: str | None = None) -> dict[str, Any]:
    """The files of an export: file name → JSON data (one file, or a Tokens Studio set per file)."""
    if fmt == "dtcg":
        return {"tokens.json": dtcg_document(themed.resolved(scheme or BASE))}
    alternates = [s for s in themed.schemes if s != BASE]
    if fmt == "dtcg-resolver":
        doc: dict[str, Any] = {
            "$schema": SCHEMA_RESOLVER,
            "version": "2025.10",
            "name": "Theme tokens",
            "sets": {"base": {"sources": [dtcg_document(themed.schemes.get(BASE, {}), schema=False)]}},
            "resolutionOrder": [{"$ref": "#/sets/base"}],
        }
        if alternates:
            contexts: dict[str, Any] = {themed.base_scheme: []}
            for alt in alternates:
                contexts[alt] = [dtcg_document(themed.schemes[alt], schema=False)]
            doc["modifiers"] = {
                "theme": {"description": "Colour scheme", "contexts": contexts, "default": themed.base_scheme}
            }
            doc["resolutionOrder"].append({"$ref": "#/modifiers/theme"})
        return {"tokens.resolver.json": doc}
    if fmt == "tokens-studio":
        files: dict[str, Any] = {}
        for target in [BASE, *alternates]:
            tree: dict[str, Any] = {}
            for token in themed.schemes[target].values():
                node = tree
                for part in token.path[:-1]:
                    node = node.setdefault(part, {})
                node[token.path[-1]] = to_tokens_studio(token)
            files[f"{target}.json"] = tree
        order = [BASE, *alternates]
        files["$metadata.json"] = {"tokenSetOrder": order}
        themes = [
            {
                "id": themed.base_scheme,
                "name": themed.base_scheme,
                "group": "theme",
                "selectedTokenSets": {BASE: "enabled"},
            }
        ]
        themes += [
            {"id": alt, "name": alt, "group": "theme", "selectedTokenSets": {BASE: "enabled", alt: "enabled"}}
            for alt in alternates
        ]
        files["$themes.json"] = themes
        return files
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def single_file(files: dict[str, Any]) -> dict[str, Any]:
    """The export as one JSON document (Tokens Studio's single-file shape keeps sets as top-level keys)."""
    if len(files) == 1:
        return dict(next(iter(files.values())))
    doc = {name.removesuffix(".json"): data for name, data in files.items() if not name.startswith("$")}
    doc["$themes"] = files["$themes.json"]
    doc["$metadata"] = files["$metadata.json"]
    return doc


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
