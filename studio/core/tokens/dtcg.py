"""Read a DTCG 2025.10 document: groups, inherited ``$type``, ``$root``, ``$extends``, aliases, validation.

Every problem becomes one :class:`Issue` with the JSON pointer of the offending place; nothing raises past
:func:`read_dtcg` except :class:`TokenFileError` for a file that is not a JSON object at all. Work is linear
in the size of the document (no recursion on data: deep nesting is reported, not followed).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from studio.core.tokens.model import (
    MISSING,
    ROOT,
    TYPES,
    Issue,
    Token,
    TokenFileError,
    alias_target,
    lookup,
    pointer,
)
from studio.core.tokens.values import check_value

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64  # group nesting; real token files stay under ten
_TOKEN_PROPS = frozenset({"$value", "$type", "$description", "$deprecated", "$extensions", "$schema"})
_GROUP_PROPS = frozenset(
    {"$type", "$description", "$deprecated", "$extensions", "$extends", "$schema", "$defs"}
)
_FORBIDDEN_NAME_CHARS = "{}."
_INVALID = object()  # a reference that resolves to something no token value can be


@dataclass
class ReadResult:
    """Tokens by dotted path (document order) and every issue found."""

    tokens: dict[str, Token] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def load_json(text: str | bytes, name: str = "") -> Any:
    """Parse JSON text with a size bound; deep nesting and syntax errors become :class:`TokenFileError`."""
    where = f"{name}: " if name else ""
    if len(text) > MAX_FILE_BYTES:
        raise TokenFileError(f"{where}file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        return json.loads(text)
    except RecursionError:
        raise TokenFileError(f"{where}JSON is nested too deeply to be a token file") from None
    except UnicodeDecodeError as exc:
        raise TokenFileError(f"{where}not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise TokenFileError(
            f"{where}not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def read_dtcg(doc: Any, source: str = "") -> ReadResult:
    """Read one DTCG document (already parsed JSON) into tokens and issues.

    Args:
        doc: the parsed document; anything but an object is one error.
        source: file name to prefix pointers with when several files are read together.
    """
    result = ReadResult()
    if not isinstance(doc, dict):
        result.issues.append(
            Issue(_where(source, ()), "a token file must be a JSON object of groups and tokens")
        )
        return result
    reader = _Reader(doc, source, result)
    reader.walk()
    reader.resolve_types()
    check_aliases(result)
    return result


def _where(source: str, parts: tuple[str, ...] | list[str]) -> str:
    return f"{source}{pointer(parts)}" if source else pointer(parts)


class _Reader:
    def __init__(self, doc: dict[str, Any], source: str, result: ReadResult) -> None:
        self.doc = doc
        self.source = source
        self.result = result
        self.untyped: list[Token] = []

    def issue(self, parts: tuple[str, ...] | list[str], message: str, severity: str = "error") -> None:
        self.result.issues.append(Issue(_where(self.source, parts), message, severity))  # type: ignore[arg-type]

    # --- walking groups without recursion ---

    def walk(self) -> None:
        # (node, json path, token path, inherited type, inherited deprecated, $extends chain)
        stack: list[tuple[dict[str, Any], tuple[str, ...], tuple[str, ...], str | None, Any, tuple[str, ...]]]
        stack = [(self.doc, (), (), None, None, ())]
        while stack:
            node, parts, path, inherited, deprecated, chain = stack.pop()
            if len(path) > MAX_DEPTH:
                self.issue(parts, f"groups are nested more than {MAX_DEPTH} levels deep; the rest is ignored")
                continue
            if "$extends" in node:
                merged = self.extend(node, parts, path, chain)
                if merged is None:
                    continue
                node, chain = merged
            group_type = node.get("$type", inherited)
            if "$type" in node and not self.valid_type(node["$type"], (*parts, "$type")):
                group_type = None
            group_deprecated = node.get("$deprecated", deprecated)
            children: list[
                tuple[dict[str, Any], tuple[str, ...], tuple[str, ...], str | None, Any, tuple[str, ...]]
            ]
            children = []
            for key, child in node.items():
                child_parts = (*parts, key)
                if key.startswith("$") and key != ROOT:
                    if key not in _GROUP_PROPS:
                        self.issue(child_parts, f"unknown group property {key!r}", "warning")
                    continue
                if key != ROOT and (any(c in key for c in _FORBIDDEN_NAME_CHARS) or not key):
                    self.issue(child_parts, "names must not be empty or contain '{', '}' or '.'")
                    continue
                if not isinstance(child, dict):
                    self.issue(child_parts, f"expected a token or group object, got {_kind(child)}")
                    continue
                child_path = (*path, key)
                if "$value" in child or ("$ref" in child and len(child) == 1):
                    self.token(child, child_parts, child_path, group_type, group_deprecated)
                elif key == ROOT:
                    self.issue(child_parts, "$root must be a token (an object with $value)")
                else:
                    children.append((child, child_parts, child_path, group_type, group_deprecated, chain))
            stack.extend(reversed(children))

    def extend(
        self, node: dict[str, Any], parts: tuple[str, ...], path: tuple[str, ...], chain: tuple[str, ...]
    ) -> tuple[dict[str, Any], tuple[str, ...]] | None:
        """The group with its ``$extends`` target deep-merged underneath (local keys win)."""
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "$extends"}
        current = node
        seen = (*chain, ".".join(path))
        while "$extends" in current:
            ref = current["$extends"]
            target_path = alias_target(ref) if isinstance(ref, str) else None
            if target_path is None:
                self.issue((*parts, "$extends"), '$extends must be a reference like "{group.name}"')
                return None
            if target_path in seen:
                self.issue((*parts, "$extends"), "circular $extends: " + " → ".join((*seen, target_path)))
                return None
            target = lookup(self.doc, target_path.split("."))
            if not isinstance(target, dict) or "$value" in target:
                self.issue(
                    (*parts, "$extends"), f"$extends refers to {{{target_path}}}, which is not a group"
                )
                return None
            seen = (*seen, target_path)
            merged = _deep_merge({k: v for k, v in target.items() if k != "$extends"}, merged)
            current = target
        return merged, seen

    def valid_type(self, value: Any, parts: tuple[str, ...]) -> bool:
        if not isinstance(value, str) or value not in TYPES:
            self.issue(parts, f"unknown $type {value!r}; expected one of {', '.join(sorted(TYPES))}")
            return False
        return True

    # --- tokens ---

    def token(
        self,
        node: dict[str, Any],
        parts: tuple[str, ...],
        path: tuple[str, ...],
        inherited: str | None,
        deprecated: Any,
    ) -> None:
        for key in node:
            if key.startswith("$") and key not in _TOKEN_PROPS and key != "$ref":
                self.issue((*parts, key), f"unknown token property {key!r}", "warning")
            elif not key.startswith("$"):
                self.issue(
                    (*parts, key), "a token (an object with $value) cannot also contain tokens or groups"
                )
                return
        if "$value" not in node:  # {"$ref": "#/colors/blue"}: an alias of a whole token
            value: Any = self.whole_token_ref(node["$ref"], (*parts, "$ref"))
            if value is None:
                return
        else:
            value = self.resolve_pointers(node["$value"], (*parts, "$value"))
            if value is _INVALID:
                return
        token_type = node.get("$type", inherited)
        if "$type" in node and not self.valid_type(node["$type"], (*parts, "$type")):
            return
        description = node.get("$description")
        if description is not None and not isinstance(description, str):
            self.issue((*parts, "$description"), "$description must be a string")
            description = None
        dep = node.get("$deprecated", deprecated)
        if dep is not None and not isinstance(dep, (bool, str)):
            self.issue((*parts, "$deprecated"), "$deprecated must be true, false or a string")
            dep = None
        extensions = node.get("$extensions")
        if extensions is not None and not isinstance(extensions, dict):
            self.issue((*parts, "$extensions"), "$extensions must be an object keyed by vendor")
            extensions = None
        token = Token(path, token_type or "", value, description, dep, extensions, _where(self.source, parts))
        dotted = token.dotted
        if dotted in self.result.tokens:
            self.issue(parts, f"{dotted} is defined twice")
        self.result.tokens[dotted] = token
        if token_type is None:
            self.untyped.append(token)

    def whole_token_ref(self, ref: Any, parts: tuple[str, ...]) -> str | None:
        target = self.pointer_parts(ref, parts)
        if target is None:
            return None
        node = lookup(self.doc, target)
        if not isinstance(node, dict) or "$value" not in node:
            self.issue(parts, f"{ref} does not point to a token")
            return None
        return "{" + ".".join(target) + "}"

    def pointer_parts(self, ref: Any, parts: tuple[str, ...]) -> list[str] | None:
        if not isinstance(ref, str) or not ref.startswith("#"):
            self.issue(parts, f"only same-document JSON pointers (#/...) are supported, got {ref!r}")
            return None
        body = ref[1:]
        if body and not body.startswith("/"):
            self.issue(parts, f"malformed JSON pointer {ref!r}")
            return None
        return [p.replace("~1", "/").replace("~0", "~") for p in body.split("/")[1:]] if body else []

    def resolve_pointers(self, value: Any, parts: tuple[str, ...], depth: int = 0) -> Any:
        """Replace ``{"$ref": "#/..."}``: a token's whole value becomes an alias, anything else a copy."""
        if _plain(value):
            return value
        if depth > MAX_DEPTH:
            self.issue(parts, "JSON pointers nest too deeply (a $ref cycle?)")
            return _INVALID
        if isinstance(value, dict):
            if "$ref" in value:
                target = self.pointer_parts(value["$ref"], (*parts, "$ref"))
                if target is None:
                    return _INVALID
                if len(target) >= 2 and target[-1] == "$value":
                    owner = lookup(self.doc, target[:-1])
                    if isinstance(owner, dict) and "$value" in owner:
                        return "{" + ".".join(target[:-1]) + "}"
                found = lookup(self.doc, target)
                if found is MISSING:
                    self.issue((*parts, "$ref"), f"{value['$ref']} points to nothing in this file")
                    return _INVALID
                return self.resolve_pointers(copy.deepcopy(found), parts, depth + 1)
            out: dict[str, Any] = {}
            for key, item in value.items():
                resolved = self.resolve_pointers(item, (*parts, key), depth + 1)
                if resolved is _INVALID:
                    return _INVALID
                out[key] = resolved
            return out
        if isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                resolved = self.resolve_pointers(item, (*parts, str(index)), depth + 1)
                if resolved is _INVALID:
                    return _INVALID
                items.append(resolved)
            return items
        return value

    def resolve_types(self) -> None:
        """Untyped tokens take the type of the token they alias (the spec's only other source of a type)."""
        tokens = self.result.tokens
        for token in self.untyped:
            seen = {token.dotted}
            target = alias_target(token.value)
            while target is not None and target in tokens and target not in seen:
                found = tokens[target]
                if found.type:
                    token.type = found.type
                    break
                seen.add(target)
                target = alias_target(found.value)
            if not token.type:
                message = "the token has no $type (none on it or its groups) and does not alias a typed token"
                if target is not None and target not in tokens:
                    message = f"references {{{target}}}, which does not exist"
                self.result.issues.append(Issue(token.where, message))
                del tokens[token.dotted]


def _plain(value: Any) -> bool:
    """No ``$ref`` can be inside: a scalar, or a flat object/array of scalars and scalar arrays."""
    if isinstance(value, dict):
        if "$ref" in value:
            return False
        items: Any = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return True
    for item in items:
        if isinstance(item, dict) or (
            isinstance(item, list) and not all(not isinstance(i, (dict, list)) for i in item)
        ):
            return False
    return True




def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "$value" not in value:
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else "an object"


# --- values and aliases, shared with the Tokens Studio reader ---


def check_aliases(result: ReadResult) -> None:
    """Validate every value, then references: missing targets, wrong types, cycles; drop what is invalid."""
    tokens = result.tokens
    refs: dict[str, list[tuple[str, str, str]]] = {}
    bad: set[str] = set()
    for dotted, token in tokens.items():
        found: list[tuple[str, str, str]] = []
        problems = check_value(token.type, token.value, token.where + "/$value", found)
        for where, message in problems:
            result.issues.append(Issue(where, message))
        if problems:
            bad.add(dotted)
        refs[dotted] = found
    for dotted, found in refs.items():
        if dotted in bad:
            continue
        for target, expected, where in found:
            target_token = tokens.get(target)
            if target_token is None:
                result.issues.append(Issue(where, f"references {{{target}}}, which does not exist"))
                bad.add(dotted)
            elif expected and target_token.type != expected:
                result.issues.append(
                    Issue(
                        where,
                        f"references {{{target}}}, a {target_token.type} token, where a {expected} is needed",
                    )
                )
                bad.add(dotted)
    for cycle in _cycles({d: [t for t, _, _ in r if t in tokens] for d, r in refs.items()}):
        first = tokens[cycle[0]]
        result.issues.append(Issue(first.where, "alias cycle: " + " → ".join((*cycle, cycle[0]))))
        bad.update(cycle)
    # Whatever depends on an invalid token cannot be written either.
    dependents: dict[str, list[str]] = {}
    for dotted, found in refs.items():
        for target, _, _ in found:
            dependents.setdefault(target, []).append(dotted)
    queue = list(bad)
    while queue:
        for user in dependents.get(queue.pop(), ()):
            if user not in bad:
                bad.add(user)
                result.issues.append(Issue(tokens[user].where, "depends on a token that has an error"))
                queue.append(user)
    for dotted in bad:
        tokens.pop(dotted, None)


def _cycles(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Each reference cycle once (iterative DFS; members in reference order)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph.get(start, ())))]
        on_path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                yield on_path[on_path.index(child) :]
            elif not state.get(child):
                state[child] = 1
                on_path.append(child)
                stack.append((child, iter(graph.get(child, ()))))
