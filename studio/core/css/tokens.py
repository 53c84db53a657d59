"""The design-token index: custom properties in theme scopes, their values, var() resolution and edits.

A theme's tokens are the custom properties set on ``:root``/``html`` and on scheme scopes
(``[data-theme="dark"]``, ``.theme-dark``, ``@media (prefers-color-scheme: dark)``), also inside ``@layer``,
``@supports`` and CSS nesting. The index runs on every keystroke, so it does not tokenize the whole sheet:
a small bracket-aware scanner finds rule boundaries, and tinycss2 only tokenizes the preludes that might be
scopes and the blocks of rules that are. Positions are exact character offsets into the original text, so an
edit from the token panel rewrites the value and nothing else.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import tinycss2
from tinycss2.ast import (
    CurlyBracketsBlock,
    FunctionBlock,
    ParenthesesBlock,
    SquareBracketsBlock,
)

from studio.core.css.colors import RGBA, parse_color

Node = Any  # tinycss2 AST node (the package ships no type hints)

_MAX_DEPTH = 32  # var() chains deeper than this are treated as unresolvable


@dataclass(frozen=True, slots=True)
class TokenDefinition:
    """One custom-property declaration in a token scope.

    Attributes:
        name: the property name, e.g. ``--color-bg``.
        value: the value exactly as written, stripped of surrounding whitespace and comments, without
            ``!important``.
        scope: normalised context and selector, e.g. ``:root``, ``[data-theme="dark"]``,
            ``@media (prefers-color-scheme: dark) :root``.
        scheme: ``"light"`` or ``"dark"`` when the scope names one, else None.
        line: 1-based line of the property name.
        column: 1-based column (in characters) of the property name.
        value_start: offset of ``value`` in the source text.
        value_end: offset just past ``value``; ``text[value_start:value_end] == value``.
        conditional: True when the definition applies only under a condition other than the colour scheme
            (e.g. ``@media print``, ``[data-theme="ocean"]``); such definitions never answer
            ``TokenIndex.get``.
    """

    name: str
    value: str
    scope: str
    scheme: str | None
    line: int
    column: int
    value_start: int
    value_end: int
    conditional: bool = False


@dataclass
class TokenIndex:
    """All token definitions of one stylesheet, in source order, with lookups per colour scheme.

    Treat an index as immutable once built: lookups are cached.
    """

    definitions: list[TokenDefinition] = field(default_factory=list)
    _cache: dict[str | None, dict[str, TokenDefinition]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _cache_size: int = field(default=-1, init=False, repr=False, compare=False)

    def names(self) -> list[str]:
        """Unique token names in first-definition order."""
        return list(dict.fromkeys(d.name for d in self.definitions))

    def get(self, name: str, scheme: str | None = None) -> TokenDefinition | None:
        """The definition that applies for ``scheme``.

        The last unconditional definition scoped to that scheme wins; otherwise the last base
        (scheme-less, unconditional) one.
        """
        table = self._table()
        if scheme is not None:
            found = table.get(scheme, {}).get(name)
            if found is not None:
                return found
        return table.get(None, {}).get(name)

    def resolve(self, name: str, scheme: str | None = None) -> str | None:
        """The token's value with every ``var()`` substituted recursively.

        Fallbacks are used for undefined references; tokens in a reference cycle and chains deeper than
        a fixed limit resolve to None, as browsers make them invalid.
        """
        definition = self.get(name, scheme)
        if definition is None:
            return None
        if "var(" not in definition.value.lower():
            return definition.value
        try:
            nodes = self._resolve_nodes(name, scheme, ())
        except _CycleError:
            return None
        return None if nodes is None else tinycss2.serialize(nodes).strip()

    def resolved_color(self, name: str, scheme: str | None = None) -> RGBA | None:
        """The token's resolved value as an sRGB colour, or None when it is not a colour.

        ``light-dark()`` resolves for ``scheme`` (its second colour for ``"dark"``, else its first).
        """
        value = self.resolve(name, scheme)
        return None if value is None else parse_color(value, scheme)

    # --- internals ---

    def _table(self) -> dict[str | None, dict[str, TokenDefinition]]:
        if self._cache_size != len(self.definitions):
            table: dict[str | None, dict[str, TokenDefinition]] = {}
            for d in self.definitions:
                if not d.conditional:
                    table.setdefault(d.scheme, {})[d.name] = d
            self._cache, self._cache_size = table, len(self.definitions)
        return self._cache

    def _resolve_nodes(self, name: str, scheme: str | None, stack: tuple[str, ...]) -> list[Node] | None:
        if name in stack:
            raise _CycleError(stack[stack.index(name) :])
        if len(stack) >= _MAX_DEPTH:
            return None
        definition = self.get(name, scheme)
        if definition is None:
            return None
        nodes = tinycss2.parse_component_value_list(definition.value, skip_comments=True)
        return self._substitute(nodes, scheme, (*stack, name))

    def _substitute(self, nodes: list[Node], scheme: str | None, stack: tuple[str, ...]) -> list[Node] | None:
        out: list[Node] = []
        for node in nodes:
            if node.type == "function" and node.lower_name == "var":
                replacement = self._substitute_var(node, scheme, stack)
                if replacement is None:
                    return None
                out.extend(_strip_whitespace(replacement))
                continue
            children = _children(node)
            if children is None:
                out.append(node)
                continue
            substituted = self._substitute(children, scheme, stack)
            if substituted is None:
                return None
            out.append(_with_children(node, substituted))
        return out

    def _substitute_var(self, node: Node, scheme: str | None, stack: tuple[str, ...]) -> list[Node] | None:
        arguments = node.arguments
        comma = next((i for i, t in enumerate(arguments) if t.type == "literal" and t.value == ","), None)
        head = _significant(arguments if comma is None else arguments[:comma])
        if len(head) != 1 or head[0].type != "ident" or not head[0].value.startswith("--"):
            return None
        try:
            resolved = self._resolve_nodes(head[0].value, scheme, stack)
        except _CycleError as cycle:
            if stack[-1] in cycle.members:  # this property is itself in the cycle: invalid, fallback or not
                raise
            resolved = None
        if resolved is not None or comma is None:
            return resolved
        return self._substitute(arguments[comma + 1 :], scheme, stack)


class _CycleError(Exception):
    def __init__(self, members: tuple[str, ...]) -> None:
        super().__init__(members)
        self.members = members


def _significant(nodes: list[Node]) -> list[Node]:
    return [n for n in nodes if n.type not in ("whitespace", "comment")]


def _strip_whitespace(nodes: list[Node]) -> list[Node]:
    start, end = 0, len(nodes)
    while start < end and nodes[start].type in ("whitespace", "comment"):
        start += 1
    while end > start and nodes[end - 1].type in ("whitespace", "comment"):
        end -= 1
    return nodes[start:end]


def _children(node: Node) -> list[Node] | None:
    if node.type == "function":
        return list(node.arguments)
    if node.type in ("() block", "[] block", "{} block"):
        return list(node.content)
    return None


def _with_children(node: Node, children: list[Node]) -> Node:
    line, column = node.source_line, node.source_column
    if node.type == "function":
        return FunctionBlock(line, column, node.name, children)
    if node.type == "() block":
        return ParenthesesBlock(line, column, children)
    if node.type == "[] block":
        return SquareBracketsBlock(line, column, children)
    return CurlyBracketsBlock(line, column, children)


# --- editing and diffing ---


def rewrite_token_value(text: str, definition: TokenDefinition, new_value: str) -> str:
    """Replace exactly the definition's value span; every other character stays as it was.

    Raises:
        ValueError: the definition does not match ``text`` (it came from another version of the sheet).
    """
    start, end = definition.value_start, definition.value_end
    if not 0 <= start <= end <= len(text) or text[start:end] != definition.value:
        raise ValueError(f"{definition.name} at line {definition.line} does not match this text")
    return text[:start] + new_value + text[end:]


@dataclass(frozen=True, slots=True)
class TokenChange:
    """A token that was added, removed or given another value in one scope between two versions."""

    name: str
    scope: str
    kind: Literal["added", "removed", "changed"]
    old: str | None
    new: str | None


def custom_property_diff(old_text: str, new_text: str) -> list[TokenChange]:
    """Token changes from ``old_text`` to ``new_text``, keyed by (scope, name); a scope's last value counts.

    Changes come in the new sheet's order, then removals in the old sheet's order.
    """
    old = {(d.scope, d.name): d.value for d in index_tokens(old_text).definitions}
    new = {(d.scope, d.name): d.value for d in index_tokens(new_text).definitions}
    changes: list[TokenChange] = []
    for (scope, name), value in new.items():
        before = old.get((scope, name))
        if before is None:
            changes.append(TokenChange(name, scope, "added", None, value))
        elif before != value:
            changes.append(TokenChange(name, scope, "changed", before, value))
    changes.extend(
        TokenChange(name, scope, "removed", value, None)
        for (scope, name), value in old.items()
        if (scope, name) not in new
    )
    return changes


# --- indexing ---


def index_tokens(text: str) -> TokenIndex:
    """Index every custom property defined in a token scope of ``text``.

    Broken CSS (unclosed blocks, strings or comments; stray brackets) never raises: the scanner recovers the
    way CSS parsers do, and whatever still looks like a definition is indexed.
    """
    indexer = _Indexer(text)
    indexer.rule_list(0, len(text), ())
    return TokenIndex(indexer.definitions)


class _Compound(NamedTuple):
    """One scope selector, e.g. ``:root[data-theme="dark"]``, classified."""

    text: str
    base: bool  # only :root / html / :host (and neutral :not(...) parts)
    schemes: frozenset[str]
    conditional: bool  # names a theme that is not light or dark, or a bare [data-theme]


class _Context(NamedTuple):
    """An enclosing at-rule, e.g. ``@media (prefers-color-scheme: dark)``."""

    text: str
    scheme: str | None
    conditional: bool


class _Rule(NamedTuple):
    texts: tuple[str, ...]  # every selector of the list, normalised
    compounds: tuple[_Compound, ...]  # the ones that are token scopes


# Structural tokens for the scanner: comments, strings, escapes and unquoted url() are skipped whole so that
# the brackets and semicolons inside them do not count.
_STRUCTURE = re.compile(
    r"""/\*.*?(?:\*/|\Z)
      | "(?:[^"\\\n\r\f]|\\[\s\S])*"?
      | '(?:[^'\\\n\r\f]|\\[\s\S])*'?
      | \\[\s\S]
      | (?<![-\w\\])[uU][rR][lL]\(\s*(?!["'\s])[^)]*\)?
      | [{}()\[\];]""",
    re.S | re.X,
)
_CLOSERS = {"{": "}", "(": ")", "[": "]"}
_SKIP = re.compile(r"(?:\s|/\*.*?(?:\*/|\Z))*", re.S)
_NAME_CHARS = r"(?:[A-Za-z0-9_-]|[^\x00-\x7f]|\\(?:[0-9A-Fa-f]{1,6}\s?|[^\n\r\f0-9A-Fa-f]))"
_CUSTOM_NAME = re.compile(rf"--{_NAME_CHARS}+")
_CUSTOM_DECLARATION = re.compile(rf"(?:\s|/\*.*?\*/)*--{_NAME_CHARS}+(?:\s|/\*.*?\*/)*:", re.S)
_LINE_BREAK = re.compile(r"\r\n|[\r\n\f]")
_SCOPE_HINT = re.compile(r"root|html|host|theme|scheme|mode|dark|light|&", re.I)
_AT_NAME = re.compile(rf"@({_NAME_CHARS}+)")
_TRANSPARENT_AT_RULES = frozenset({"layer", "supports"})
_CONDITIONAL_AT_RULES = frozenset({"container"})
_NEUTRAL_MEDIA_WORDS = frozenset({"all", "screen", "only", "and"})
_WORD = re.compile(r"[a-z0-9]+")
_CSS_WHITESPACE = " \t\n\r\f"
_NEEDS_TOKENS = re.compile(r"/\*|!|\\")  # comments, !important or escapes need the tokenizer to trim
_ATTRIBUTE_OPERATORS = frozenset({"=", "~=", "|=", "^=", "$=", "*="})
# Words a theme class may consist of: `.dark`, `.theme-dark`, `.dark-mode`; `.btn-dark` is a component.
_THEME_CLASS_WORDS = frozenset({"theme", "mode", "scheme", "color", "colour", "is", "dark", "light"})


class _Segment(NamedTuple):
    start: int
    end: int  # the ';', the closing '}' or the region end
    brace: int  # the opening '{' at depth 0, or -1


def _segments(text: str, start: int, end: int) -> Iterator[_Segment]:
    """Split a region into statements and rules at bracket depth 0, the way tinycss2 nests brackets."""
    stack: list[str] = []
    seg_start, brace = start, -1
    for match in _STRUCTURE.finditer(text, start, end):
        pos = match.start()
        char = match.group()
        if len(char) != 1:
            continue
        if char in _CLOSERS:
            # A custom property's value may contain {}; it is part of the declaration, not a nested rule.
            opens_rule = char == "{" and not stack and brace < 0
            if opens_rule and not _CUSTOM_DECLARATION.match(text, seg_start, pos):
                brace = pos
            stack.append(_CLOSERS[char])
        elif char in ")]}":
            if stack and stack[-1] == char:
                stack.pop()
                if not stack and brace >= 0:
                    yield _Segment(seg_start, pos, brace)
                    seg_start, brace = pos + 1, -1
            # an unmatched closer is a parse error that CSS parsers skip
        elif char == ";" and not stack:
            yield _Segment(seg_start, pos, -1)
            seg_start = pos + 1
    if brace >= 0 or seg_start < end:
        yield _Segment(seg_start, end, brace)


class _Indexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.definitions: list[TokenDefinition] = []
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    # --- positions ---

    def offset(self, base: int, node: Node) -> int:
        """Offset in the text of a node tokenized from ``text[base:...]`` (tinycss2 gives line and column)."""
        line: int = node.source_line
        column: int = node.source_column
        if line == 1:
            return base + column - 1
        line_index = bisect.bisect_right(self.line_starts, base) - 1 + line - 1
        return self.line_starts[line_index] + column - 1

    def line_column(self, offset: int) -> tuple[int, int]:
        line_index = bisect.bisect_right(self.line_starts, offset) - 1
        return line_index + 1, offset - self.line_starts[line_index] + 1

    def skip(self, pos: int, end: int) -> int:
        """The first position at or after ``pos`` that is not whitespace or a comment."""
        match = _SKIP.match(self.text, pos, end)
        return match.end() if match else pos

    # --- walking ---

    def rule_list(self, start: int, end: int, contexts: tuple[_Context, ...]) -> None:
        """Walk a list of rules (the sheet, or an at-rule's block), descending only into token scopes."""
        text = self.text
        for segment in _segments(text, start, end):
            if segment.brace < 0:
                continue  # statement at-rules (@import, @layer a, b;) and junk
            prelude_start = self.skip(segment.start, segment.brace)
            if text.startswith("@", prelude_start):
                context = self.at_rule_context(prelude_start, segment.brace)
                if context is not None:
                    self.rule_list(segment.brace + 1, segment.end, (*contexts, context))
            elif _SCOPE_HINT.search(text, prelude_start, segment.brace):
                rule = self.scope_rule(prelude_start, segment.brace, None)
                if rule is not None:
                    self.block(segment.brace + 1, segment.end, contexts, rule)

    def block(self, start: int, end: int, contexts: tuple[_Context, ...], rule: _Rule) -> None:
        """Walk a scope rule's block: its custom properties, nested at-rules and nested ``&`` rules."""
        text = self.text
        for segment in _segments(text, start, end):
            head = self.skip(segment.start, segment.end if segment.brace < 0 else segment.brace)
            if segment.brace < 0:
                if text.startswith("--", head):
                    self.declaration(head, segment.end, contexts, rule)
            elif text.startswith("@", head):
                context = self.at_rule_context(head, segment.brace)
                if context is not None:
                    self.block(segment.brace + 1, segment.end, (*contexts, context), rule)
            else:
                nested = self.scope_rule(head, segment.brace, rule)
                if nested is not None:
                    self.block(segment.brace + 1, segment.end, contexts, nested)

    def declaration(self, start: int, end: int, contexts: tuple[_Context, ...], rule: _Rule) -> None:
        text = self.text
        name_match = _CUSTOM_NAME.match(text, start, end)
        if name_match is None:
            return
        colon = self.skip(name_match.end(), end)
        if colon >= end or text[colon] != ":":
            return
        value_start, value_end = self.value_span(colon + 1, end)
        raw_name = name_match.group()
        name = tinycss2.parse_component_value_list(raw_name)[0].value if "\\" in raw_name else raw_name
        line, column = self.line_column(start)
        scheme, conditional = _classify(rule, contexts)
        scope = " ".join([*(c.text for c in contexts), ", ".join(rule.texts)])
        value = text[value_start:value_end]
        self.definitions.append(
            TokenDefinition(name, value, scope, scheme, line, column, value_start, value_end, conditional)
        )

    def value_span(self, start: int, end: int) -> tuple[int, int]:
        """Span of the value in ``text[start:end]``, without whitespace, comments and ``!important``."""
        raw = self.text[start:end]
        if not _NEEDS_TOKENS.search(raw):  # the common case: only CSS whitespace to trim
            stripped = raw.lstrip(_CSS_WHITESPACE)
            value_start = end - len(stripped)
            return value_start, value_start + len(stripped.rstrip(_CSS_WHITESPACE))
        tokens = tinycss2.parse_component_value_list(raw)
        kept = _value_tokens(tokens)
        if kept is None:
            first = next((t for t in tokens if t.type != "whitespace"), None)
            value_start = end if first is None else self.offset(start, first)
            return value_start, value_start
        first_index, stop_index = kept
        value_end = end if stop_index == len(tokens) else self.offset(start, tokens[stop_index])
        return self.offset(start, tokens[first_index]), value_end

    # --- preludes ---

    def at_rule_context(self, start: int, end: int) -> _Context | None:
        """The context of a grouping at-rule worth descending into, or None (@font-face, @keyframes, ...)."""
        match = _AT_NAME.match(self.text, start, end)
        if match is None:
            return None
        name = match.group(1).lower()
        if name not in ("media", *_TRANSPARENT_AT_RULES, *_CONDITIONAL_AT_RULES):
            return None
        prelude = tinycss2.parse_component_value_list(self.text[match.end() : end], skip_comments=True)
        normalised = _normalise(prelude, in_parentheses=False)
        text = f"@{name} {normalised}" if normalised else f"@{name}"
        if name == "media":
            scheme, conditional = _media_scheme(prelude)
            return _Context(text, scheme, conditional)
        return _Context(text, None, name in _CONDITIONAL_AT_RULES)

    def scope_rule(self, start: int, end: int, parent: _Rule | None) -> _Rule | None:
        """Classify a selector list; None unless at least one selector is a token scope."""
        tokens = tinycss2.parse_component_value_list(self.text[start:end], skip_comments=True)
        texts: list[str] = []
        compounds: list[_Compound] = []
        for selector in _split_commas(tokens):
            selector = _strip_whitespace(selector)
            parts = _compound_parts(selector)
            if parts is None or (parts and parts[0] == _AMP) != (parent is not None):
                texts.append(_normalise(selector, in_parentheses=False))
                continue
            if parent is None:
                found = [_combine(parts)]
            else:
                found = [_combine([*_parts_of(p), *parts[1:]]) for p in parent.compounds]
            compounds.extend(found)
            texts.extend(c.text for c in found)
        return _Rule(tuple(texts), tuple(compounds)) if compounds else None


# A compound part: (kind, normalised text, scheme). Kinds: base (:root, html, :host), neutral (:not(...) of a
# theme marker), theme (scheme attribute or class), amp (the nesting selector).
_Part = tuple[str, str, str | None]
_AMP: _Part = ("amp", "&", None)


def _parts_of(compound: _Compound) -> list[_Part]:
    """Re-express an already classified compound as one part, for nesting (``&`` stands for it)."""
    if compound.base:
        return [("base", compound.text, None)]
    scheme = next(iter(compound.schemes)) if len(compound.schemes) == 1 else None
    kind = "theme-conditional" if compound.conditional or scheme is None else "theme"
    return [(kind, compound.text, scheme)]


def _combine(parts: list[_Part]) -> _Compound:
    schemes = frozenset(p[2] for p in parts if p[0] == "theme" and p[2] is not None)
    base = all(p[0] in ("base", "neutral") for p in parts) and any(p[0] == "base" for p in parts)
    conditional = any(p[0] == "theme-conditional" for p in parts) or len(schemes) > 1
    return _Compound("".join(p[1] for p in parts), base, schemes, conditional)


def _compound_parts(tokens: list[Node]) -> list[_Part] | None:
    """Parts of a single compound selector made only of scope markers, or None."""
    parts: list[_Part] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.type == "literal" and token.value == "&" and i == 0:
            parts.append(_AMP)
        elif token.type == "ident" and token.lower_value == "html" and i == 0:
            parts.append(("base", "html", None))
        elif token.type == "literal" and token.value == ":" and following is not None:
            if following.type == "ident" and following.lower_value in ("root", "host"):
                parts.append(("base", ":" + following.lower_value, None))
            elif following.type == "function" and following.lower_name == "not":
                inner = _compound_parts(_strip_whitespace(following.arguments))
                if not inner or any(p[0] not in ("theme", "theme-conditional") for p in inner):
                    return None
                parts.append(("neutral", ":not(" + "".join(p[1] for p in inner) + ")", None))
            else:
                return None
            i += 1
        elif token.type == "literal" and token.value == "." and following and following.type == "ident":
            part = _class_part(following.value)
            if part is None:
                return None
            parts.append(part)
            i += 1
        elif token.type == "[] block":
            part = _attribute_part(_significant(token.content))
            if part is None:
                return None
            parts.append(part)
        else:
            return None  # whitespace, combinators, other selectors: not a scope
        i += 1
    return parts or None


def _scheme_of(word_source: str) -> str | None:
    words = set(_WORD.findall(word_source.lower()))
    if "dark" in words and "light" not in words:
        return "dark"
    if "light" in words and "dark" not in words:
        return "light"
    return None


def _class_part(name: str) -> _Part | None:
    words = _WORD.findall(name.lower())
    text = "." + tinycss2.serializer.serialize_identifier(name)
    if "theme" in words:
        scheme = _scheme_of(name)
        return ("theme", text, scheme) if scheme else ("theme-conditional", text, None)
    if set(words) <= _THEME_CLASS_WORDS and (scheme := _scheme_of(name)) is not None:
        return ("theme", text, scheme)
    return None


def _attribute_part(tokens: list[Node]) -> _Part | None:
    if not tokens or tokens[0].type != "ident":
        return None
    name = tokens[0].lower_value
    if not ("theme" in name or "scheme" in name or name.endswith("mode")):
        return None
    if len(tokens) == 1:
        return ("theme-conditional", f"[{name}]", None)
    operator, value = tokens[1], tokens[2] if len(tokens) > 2 else None
    if operator.type != "literal" or operator.value not in _ATTRIBUTE_OPERATORS or value is None:
        return None
    if value.type not in ("ident", "string") or len(tokens) > 4:
        return None
    flag = f" {tokens[3].value}" if len(tokens) == 4 and tokens[3].type == "ident" else ""
    text = f'[{name}{operator.value}"{tinycss2.serializer.serialize_string_value(value.value)}"{flag}]'
    scheme = _scheme_of(value.value)
    return ("theme", text, scheme) if scheme is not None else ("theme-conditional", text, None)


def _split_commas(tokens: list[Node]) -> list[list[Node]]:
    groups: list[list[Node]] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return groups


def _normalise(tokens: list[Node], in_parentheses: bool) -> str:
    """Serialise a prelude with whitespace collapsed, and ``feature: value`` spacing inside parentheses."""
    out: list[str] = []
    pending_space = False
    for token in tokens:
        if token.type in ("whitespace", "comment"):
            pending_space = bool(out)
            continue
        if token.type == "literal" and token.value == ":" and in_parentheses:
            out.append(":")
            pending_space = True
            continue
        if pending_space:
            out.append(" ")
        pending_space = False
        if token.type == "() block":
            out.append("(" + _normalise(token.content, in_parentheses=True) + ")")
        elif token.type == "function":
            out.append(tinycss2.serializer.serialize_identifier(token.name) + "(")
            out.append(_normalise(token.arguments, in_parentheses=in_parentheses) + ")")
        else:
            out.append(token.serialize())
    return "".join(out).strip()


def _media_scheme(prelude: list[Node]) -> tuple[str | None, bool]:
    """(scheme, conditional) of a media query list: only ``prefers-color-scheme`` is not a condition."""
    queries = _split_commas(prelude)
    if len(queries) != 1:
        return None, True
    scheme: str | None = None
    for token in _significant(queries[0]):
        if token.type == "ident" and token.lower_value in _NEUTRAL_MEDIA_WORDS:
            continue
        feature = _significant(token.content) if token.type == "() block" else []
        if (
            len(feature) == 3
            and feature[0].type == "ident"
            and feature[0].lower_value == "prefers-color-scheme"
            and feature[1].type == "literal"
            and feature[1].value == ":"
            and feature[2].type == "ident"
            and feature[2].lower_value in ("light", "dark")
            and scheme is None
        ):
            scheme = feature[2].lower_value
            continue
        return None, True
    return scheme, False


def _classify(rule: _Rule, contexts: tuple[_Context, ...]) -> tuple[str | None, bool]:
    """(scheme, conditional) of a definition from its selectors and enclosing at-rules."""
    scheme: str | None = None
    conditional = False
    if not any(c.base for c in rule.compounds):
        schemes = {s for c in rule.compounds if not c.conditional for s in c.schemes}
        if len(schemes) == 1:
            scheme = schemes.pop()
        else:
            conditional = True
    for context in contexts:
        conditional = conditional or context.conditional
        if context.scheme is not None:
            if scheme is not None and scheme != context.scheme:
                conditional = True
            scheme = context.scheme
    return scheme, conditional


def _value_tokens(tokens: list[Node]) -> tuple[int, int] | None:
    """(first, stop) token indices of a declaration value without whitespace, comments and ``!important``."""
    stop = len(tokens)
    while stop and tokens[stop - 1].type in ("whitespace", "comment"):
        stop -= 1
    if stop and tokens[stop - 1].type == "ident" and tokens[stop - 1].lower_value == "important":
        bang = stop - 2
        while bang >= 0 and tokens[bang].type in ("whitespace", "comment"):
            bang -= 1
        if bang >= 0 and tokens[bang].type == "literal" and tokens[bang].value == "!":
            stop = bang
            while stop and tokens[stop - 1].type in ("whitespace", "comment"):
                stop -= 1
    first = 0
    while first < stop and tokens[first].type in ("whitespace", "comment"):
        first += 1
    return (first, stop) if first < stop else None
