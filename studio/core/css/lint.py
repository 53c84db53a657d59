"""Stylesheet diagnostics: syntax, safety and lint rules, computed per top-level chunk.

The text is split into top-level chunks (:mod:`studio.core.css.source`); each chunk is parsed with tinycss2 on
its own and analysed into chunk-relative facts that depend only on its text, so they can be cached by text
(:class:`~studio.core.css.incremental.IncrementalLinter` does). Cross-rule checks (``undefined-variable``) and
disk checks (``missing-asset``) run when the facts are merged.

Two walks look at every chunk, both iterative so no nesting depth can overflow the stack:

- a token walk over every component value, which the safety rules rely on (URLs, ``expression()``,
  ``behavior``), and which also collects syntax errors and ``var()`` uses;
- a structural walk (``parse_blocks_contents`` on each block) for declarations: unknown properties, values,
  duplicates, empty rules.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tinycss2

from studio.core.css import safety
from studio.core.css.declarations import (
    ANIMATION_KEYWORDS,
    generic_for,
    is_universal,
    shorthand_resets,
)
from studio.core.css.grammar import GENERIC_FAMILIES, UNRESOLVED, Grammar, grammar, significant
from studio.core.css.media import check_media_prelude
from studio.core.css.properties import (
    COLOR_PROPERTIES,
    DESCRIPTOR_AT_RULES,
    GLOBAL_KEYWORDS,
    KNOWN_PROPERTIES,
    LEGACY_SCRIPT_PROPERTIES,
    LENGTH_PROPERTIES,
    LENGTH_UNITS,
    MATH_FUNCTIONS,
    STYLE_AT_RULES,
    is_vendor_prefixed,
)
from studio.core.css.resolve import VarResolver
from studio.core.css.safety import UrlPolicy
from studio.core.css.selectors import check_selector
from studio.core.css.source import Chunk, line_col, normalize_newlines, split_chunks
from studio.core.css.values import color_problem, flat_serialize, length_problem
from studio.core.diagnostics import Diagnostic, Fix, Severity, TextEdit
from studio.core.limits import MAX_CSS_BYTES, InputTooLargeError, read_limited

MAX_STYLESHEET_BYTES = MAX_CSS_BYTES

SYNTAX = "syntax"
ENCODING = "encoding"
UNKNOWN_PROPERTY = "unknown-property"
INVALID_VALUE = "invalid-value"
UNDEFINED_VARIABLE = "undefined-variable"
DUPLICATE_DECLARATION = "duplicate-declaration"
EMPTY_RULE = "empty-rule"
MISSING_ASSET = "missing-asset"
SHORTHAND_OVERRIDE = "shorthand-override"
EXTRA_SEMICOLON = "extra-semicolon"
IMPORT_AFTER_RULES = "import-after-rules"
KEYFRAMES_IMPORTANT = "keyframes-important"
UNKNOWN_AT_RULE = "unknown-at-rule"
UNDEFINED_KEYFRAMES = "undefined-keyframes"
UNUSED_KEYFRAMES = "unused-keyframes"
FONT_FAMILY_NO_GENERIC = "font-family-no-generic"
CALC_OPERATOR_SPACING = "calc-operator-spacing"
DOUBLE_SLASH_COMMENT = "double-slash-comment"

_ERROR = Severity.ERROR
_WARNING = Severity.WARNING
_HINT = Severity.HINT
_INSIGNIFICANT = frozenset({"whitespace", "comment"})
_BLOCKS = frozenset({"() block", "[] block", "{} block"})
_IMAGE_SET_FUNCTIONS = frozenset({
    "image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade",
})
_URL_FUNCTIONS = frozenset({"url", "src"})
# Function names the token walk must look at; every other function is only descended into.
_SPECIAL_FUNCTIONS = _IMAGE_SET_FUNCTIONS | _URL_FUNCTIONS | {"var", "expression"}
# Units and token kinds every browser has long understood: a later declaration made only of these cannot be
# a fallback for an older browser, so it simply overrides the earlier one.
_CLASSIC_UNITS = frozenset({"px", "em", "%", "pt", "pc", "cm", "mm", "in", "ex", "s", "ms", "deg"})
LENGTH_UNITS_AND_PERCENT = LENGTH_UNITS | {"s", "ms", "deg", "rad", "turn", "grad", "fr"}
_PROPERTY_NAMES = sorted(name for name in KNOWN_PROPERTIES if not name.startswith("-"))
_MAX_SUGGESTIONS_PER_CHUNK = 20
_KEYFRAMES = frozenset({"keyframes", "-webkit-keyframes", "-moz-keyframes", "-o-keyframes", "-ms-keyframes"})
_ANIMATION_PROPERTIES = frozenset({
    "animation", "-webkit-animation", "animation-name", "-webkit-animation-name"})
# At-rules browsers know that the W3C list leaves out (legacy, or defined outside CSS specs).
_EXTRA_AT_RULES = frozenset({"document", "viewport", "nest"})
# At-rules allowed before @import.
_IMPORT_PREAMBLE = frozenset({"charset", "import", "layer"})
# Descriptors of @page that share a name with a property of another syntax.
_PAGE_DESCRIPTORS = frozenset({"size", "marks", "bleed", "page-orientation"})
_UNIT_WITH_OPERATOR = re.compile(r"([a-zA-Z]+)([-+])([0-9.])")
_IMPORTANT_TAIL = re.compile(r"!\s*important\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LintOptions:
    """How to judge a stylesheet.

    Attributes:
        allowed_origins: remote origins the author trusts (``https://fonts.googleapis.com``); loads from them
            are warnings, not errors. Matching is exact on scheme, host and port.
        asset_root: the theme folder; relative ``url()`` must stay inside it, and a missing file is a warning.
    """

    allowed_origins: tuple[str, ...] = ()
    asset_root: Path | None = None


@dataclass(frozen=True)
class LintResult:
    """All diagnostics for one stylesheet, sorted by position."""

    diagnostics: tuple[Diagnostic, ...]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def has_syntax_errors(self) -> bool:
        """True when the sheet does not parse cleanly: the preview then keeps its last good render."""
        return any(d.rule == SYNTAX for d in self.diagnostics)


# A chunk-relative finding: (line, column, severity, rule, message, fix in chunk-relative positions).
Finding = tuple[int, int, Severity, str, str, Fix | None]
# A name at a chunk-relative position: (name, line, column).
Located = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class ChunkFacts:
    """What one chunk says, in chunk-relative positions; a pure function of the chunk's text and options.

    Attributes:
        findings: diagnostics local to the chunk.
        defined: custom property names the chunk defines (declarations and ``@property``).
        uses: ``var()`` uses without fallback, as (name, line, column).
        used_names: the names in ``uses``, for a quick set difference.
        assets: relative URLs inside the theme, as (line, column, decoded path, URL as written).
        keyframes_defined: ``@keyframes`` names the chunk defines, where.
        keyframes_used: animation names the chunk's ``animation``/``animation-name`` use, where.
        mentioned: identifiers in custom property values (an animation name may travel through one).
        definitions: custom property declarations, as (name, value tokens).
        var_values: values judged only once their var() are resolved, as (property, value tokens, line,
            column).
        import_at: where an ``@import`` stands that no other rule of this chunk precedes.
        blocks_imports: True when the chunk holds a rule after which ``@import`` is ignored.
    """

    findings: tuple[Finding, ...]
    defined: frozenset[str]
    uses: tuple[tuple[str, int, int], ...]
    used_names: frozenset[str]
    assets: tuple[tuple[int, int, str, str], ...]
    keyframes_defined: tuple[Located, ...] = ()
    keyframes_used: tuple[Located, ...] = ()
    mentioned: frozenset[str] = frozenset()
    import_at: tuple[int, int] | None = None
    blocks_imports: bool = False
    definitions: tuple[tuple[str, list[Any]], ...] = ()
    var_values: tuple[tuple[str, list[Any], int, int], ...] = ()


@dataclass(slots=True)
class _Collector:
    policy: UrlPolicy
    text: str
    grammar: Grammar
    findings: list[Finding] = field(default_factory=list)
    syntax_at: set[tuple[int, int]] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    uses: list[tuple[str, int, int]] = field(default_factory=list)
    assets: list[tuple[int, int, str, str]] = field(default_factory=list)
    # Where tinycss2 reports the parse error an IE star hack causes (its `;`, or its last token).
    hack_ends: set[tuple[int, int]] = field(default_factory=set)
    suggestions: int = 0
    keyframes_defined: list[Located] = field(default_factory=list)
    keyframes_used: list[Located] = field(default_factory=list)
    mentioned: set[str] = field(default_factory=set)
    definitions: list[tuple[str, list[Any]]] = field(default_factory=list)
    var_values: list[tuple[str, list[Any], int, int]] = field(default_factory=list)
    # Where `//` starts: the parse error it causes is reported as a double-slash comment instead.
    slashes: set[tuple[int, int]] = field(default_factory=set)
    _line_starts: list[int] | None = None

    def add(self, line: int, column: int, severity: Severity, rule: str, message: str,
            fix: Fix | None = None) -> None:
        self.findings.append((line, column, severity, rule, message, fix))

    def offset(self, line: int, column: int) -> int:
        """Chunk-relative offset of a 1-based (line, column) of this chunk."""
        starts = self._line_starts
        if starts is None:
            starts = [0]
            text = self.text
            at = text.find("\n")
            while at != -1:
                starts.append(at + 1)
                at = text.find("\n", at + 1)
            self._line_starts = starts
        return starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        self.offset(1, 1)  # builds the line table
        assert self._line_starts is not None
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def edit(self, start: int, end: int, text: str) -> TextEdit:
        return TextEdit(*self.position(start), *self.position(end), text)

    def syntax(self, line: int, column: int, message: str) -> None:
        if any(s_line == line and s_column <= column for s_line, s_column in self.slashes):
            return  # the declaration a `//` swallowed: reported as a double-slash comment
        if (line, column) not in self.syntax_at:
            self.syntax_at.add((line, column))
            self.add(line, column, _ERROR, SYNTAX, message)

    def parse_error(self, error: Any) -> None:
        if (error.source_line, error.source_column) in self.hack_ends:
            return  # an IE star hack, reported as a warning instead
        self.syntax(error.source_line, error.source_column, _syntax_message(error))

    def url(self, raw: str, token: Any, what: str, *, is_import: bool = False) -> None:
        finding = self.policy.check(raw, what, is_import=is_import)
        if finding.rule is not None:
            self.add(token.source_line, token.source_column, finding.severity, finding.rule, finding.message)
        elif finding.asset is not None:
            self.assets.append((token.source_line, token.source_column, finding.asset, raw))


def _syntax_message(error: Any) -> str:
    kind = error.kind
    message = error.message
    if kind == "bad-string":
        return "This string is not closed before the end of the line; add the closing quote."
    if kind == "eof-in-string":
        return "This string is not closed before the end of the file; add the closing quote."
    if kind == "bad-url":
        return "Malformed url(): quote the URL, or escape the spaces, quotes and parentheses in it."
    if kind == "eof-in-url":
        return "This url( is not closed before the end of the file; add ')'."
    if kind in ("}", ")", "]"):
        return f"Unmatched '{kind}': remove it or add the opening bracket it belongs to."
    if message.startswith("EOF reached"):
        return "This rule has no { } block: finish it or remove the stray text."
    if message.startswith("Stop token"):
        return "Expected a declaration ('property: value;') or a nested rule ('selector { ... }') here."
    if message.startswith("Expected ':'"):
        return "Expected ':' after the property name."
    if message.startswith("Expected <ident>"):
        return "Expected a property name here."
    if message.startswith("Declaration contains {}"):
        return "A declaration's value cannot contain a { } block here."
    return f"CSS syntax error: {message}"


def _next_significant(tokens: Sequence[Any], start: int) -> Any:
    for index in range(start, len(tokens)):
        if tokens[index].type not in _INSIGNIFICANT:
            return tokens[index]
    return None


def _previous_significant(tokens: Sequence[Any], start: int) -> Any:
    for index in range(start, -1, -1):
        if tokens[index].type not in _INSIGNIFICANT:
            return tokens[index]
    return None


def _scan_function(token: Any, name: str, out: _Collector) -> None:
    """The special functions: URLs, ``var()`` and IE ``expression()``."""
    args = token.arguments
    if name == "var":
        first = _next_significant(args, 0)
        has_fallback = any(arg.type == "literal" and arg.value == "," for arg in args)
        if first is not None and first.type == "ident" and first.value.startswith("--") and not has_fallback:
            out.uses.append((first.value, token.source_line, token.source_column))
    elif name in _URL_FUNCTIONS:
        first = _next_significant(args, 0)
        if first is not None and first.type == "string":
            out.url(first.value, token, f"{name}()")
    elif name in _IMAGE_SET_FUNCTIONS:
        for arg in args:
            if arg.type == "string":  # bare strings in image-set() are URLs
                out.url(arg.value, arg, f"{name}()")
    else:  # expression()
        out.add(token.source_line, token.source_column, _ERROR, safety.LEGACY_SCRIPT,
                "expression() runs script in old Internet Explorer; remove it and compute the value with "
                "calc() or var().")


def _scan_legacy_property(tokens: Sequence[Any], index: int, out: _Collector) -> None:
    """``behavior: url(x.htc)``, ``-moz-binding``, also behind IE's ``_`` and ``*`` hacks."""
    colon = _next_significant(tokens, index + 1)
    if colon is not None and colon.type == "literal" and colon.value == ":":
        token = tokens[index]
        out.add(token.source_line, token.source_column, _ERROR, safety.LEGACY_SCRIPT,
                f"The {token.value.lstrip('_')} property loads script in old browsers; remove it.")


def _scan_star_hack(tokens: Sequence[Any], index: int, out: _Collector) -> None:
    """``*zoom: 1`` (IE 7): a warning, and the parse error it causes is not reported."""
    before = _previous_significant(tokens, index - 1)
    at_item_start = before is None or before.type == "{} block" or (
        before.type == "literal" and before.value == ";")
    if not at_item_start:
        return
    name = tokens[index + 1] if index + 1 < len(tokens) else None
    if name is None or name.type != "ident":
        return
    colon = _next_significant(tokens, index + 2)
    if colon is None or colon.type != "literal" or colon.value != ":":
        return
    last = colon
    for position in range(index + 2, len(tokens)):  # no slicing: a block may hold thousands of hacks
        last = tokens[position]
        if last.type == "literal" and last.value == ";":
            break
    star = tokens[index]
    out.hack_ends.add((last.source_line, last.source_column))
    out.add(star.source_line, star.source_column, _WARNING, UNKNOWN_PROPERTY,
            f"'*{_clip(name.value)}' is an Internet Explorer 7 star hack that other browsers drop; "
            "remove it.")


def _scan_tokens(nodes: Sequence[Any], out: _Collector) -> None:
    """Visit every component value of the chunk once: safety, syntax errors, ``var()`` uses."""
    stack: list[Sequence[Any]] = []
    for node in nodes:
        kind = node.type
        if kind == "qualified-rule":
            stack.append(node.prelude)
            stack.append(node.content)
        elif kind == "at-rule":
            keyword = node.lower_at_keyword
            prelude = node.prelude
            if keyword == "import":
                prelude = _scan_import(prelude, out)
            elif keyword == "namespace":  # a namespace URI is a name, never fetched
                prelude = [token for token in prelude if token.type == "error"]
            elif keyword == "property":
                name = _next_significant(prelude, 0)
                if name is not None and name.type == "ident" and name.value.startswith("--"):
                    out.defined.add(name.value)
            stack.append(prelude)
            if node.content is not None:
                stack.append(node.content)
        elif kind == "error":
            out.parse_error(node)
    legacy = LEGACY_SCRIPT_PROPERTIES
    special = _SPECIAL_FUNCTIONS
    math = MATH_FUNCTIONS
    blocks = _BLOCKS
    while stack:
        tokens = stack.pop()
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "whitespace":
                continue
            if kind == "function":
                name = token.lower_name
                if name in special:
                    _scan_function(token, name, out)
                elif name in math:
                    _check_calc(token.arguments, out)
                stack.append(token.arguments)
            elif kind in blocks:
                stack.append(token.content)
            elif kind == "ident":
                if token.lower_value.lstrip("_") in legacy:
                    _scan_legacy_property(tokens, index, out)
            elif kind == "url":
                out.url(token.value, token, "url()")
            elif kind == "error":
                out.parse_error(token)
            elif kind == "literal":
                if token.value == "*":
                    _scan_star_hack(tokens, index, out)
                elif token.value == "/" and index + 1 < len(tokens):
                    _scan_double_slash(token, tokens[index + 1], out)
            elif kind == "at-keyword" and token.lower_value == "property":
                name = _next_significant(tokens, index + 1)
                if name is not None and name.type == "ident" and name.value.startswith("--"):
                    out.defined.add(name.value)


def _scan_double_slash(slash: Any, after: Any, out: _Collector) -> None:
    """``// comment``: not a comment in CSS; it swallows the next declaration or selector."""
    line, column = slash.source_line, slash.source_column
    if not (after.type == "literal" and after.value == "/" and after.source_line == line
            and after.source_column == column + 1):
        return
    if (line, column - 1) in out.slashes:
        return  # `///`: one finding
    out.slashes.add((line, column))
    out.add(line, column, _WARNING, DOUBLE_SLASH_COMMENT,
            "'//' does not start a comment in CSS: the browser drops the next declaration (or the next "
            "rule's selector) with it; write /* ... */ instead.")


def _signed(token: Any) -> bool:
    """A number, percentage or dimension written with a leading sign (``-10px``)."""
    return token.type in ("number", "percentage", "dimension") and token.representation[:1] in ("+", "-")


def _operand_end(token: Any) -> bool:
    return bool(token.type in ("number", "percentage", "dimension", "function", "() block", "ident"))


def _check_calc(args: Sequence[Any], out: _Collector) -> None:
    """``calc(100%-10px)``, ``calc(100% -10px)``, ``calc(1px+ 2px)``: ``+``/``-`` need a space each side."""
    stack = [args]
    while stack:
        tokens = stack.pop()
        previous: Any = None  # the previous significant token
        spaced = True  # whether whitespace separates it from the current token
        for token in tokens:
            kind = token.type
            if kind in _INSIGNIFICANT:
                spaced = True
                continue
            if kind == "() block":
                stack.append(token.content)
            if kind == "dimension":
                _check_unit_operator(token, out)
            if previous is not None and _operand_end(previous) and _signed(token):
                _calc_finding(token, out, space_before=not spaced)
            elif kind == "literal" and token.value in ("+", "-") and previous is not None:
                _calc_literal(token, tokens, spaced, out)
            previous, spaced = token, False


def _calc_finding(token: Any, out: _Collector, *, space_before: bool) -> None:
    """A signed number right after an operand: its sign is really the operator."""
    start = out.offset(token.source_line, token.source_column)
    sign = token.representation[0]
    edits = [out.edit(start, start + 1, f" {sign} " if space_before else f"{sign} ")]
    out.add(token.source_line, token.source_column, _WARNING, CALC_OPERATOR_SPACING,
            f"'{sign}' in a math function needs a space on each side; here '{_show_token(token)}' reads as "
            f"a signed number, so the whole declaration is ignored.",
            Fix(f"Put spaces around '{sign}'", tuple(edits)))


def _calc_literal(token: Any, tokens: Sequence[Any], spaced_before: bool, out: _Collector) -> None:
    index = next(i for i, t in enumerate(tokens) if t is token)
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    spaced_after = after is None or after.type in _INSIGNIFICANT
    if spaced_before and spaced_after:
        return
    start = out.offset(token.source_line, token.source_column)
    text = (" " if not spaced_before else "") + token.value + (" " if not spaced_after else "")
    out.add(token.source_line, token.source_column, _WARNING, CALC_OPERATOR_SPACING,
            f"'{token.value}' in a math function needs a space on each side, else the declaration is "
            "ignored.",
            Fix(f"Put spaces around '{token.value}'", (out.edit(start, start + 1, text),)))


def _check_unit_operator(token: Any, out: _Collector) -> None:
    """``100px-10px`` is one dimension with the unit ``px-10px``."""
    match = _UNIT_WITH_OPERATOR.match(token.unit)
    if match is None or match.group(1).lower() not in LENGTH_UNITS_AND_PERCENT:
        return
    sign = match.group(2)
    start = out.offset(token.source_line, token.source_column)
    start += len(token.representation) + len(match.group(1))
    if out.text[start : start + 1] != sign:
        return  # written with escapes: leave it alone
    out.add(token.source_line, token.source_column, _WARNING, CALC_OPERATOR_SPACING,
            f"'{token.representation}{token.unit}' reads as one number with the unit '{token.unit}'; put a "
            f"space on each side of '{sign}'.",
            Fix(f"Put spaces around '{sign}'", (out.edit(start, start + 1, f" {sign} "),)))


def _scan_import(prelude: list[Any], out: _Collector) -> list[Any]:
    """Check the target of ``@import``; returns the rest of the prelude for the token walk."""
    for index, token in enumerate(prelude):
        kind = token.type
        if kind in _INSIGNIFICANT:
            continue
        if kind in ("url", "string"):
            out.url(token.value, token, "@import", is_import=True)
            return prelude[index + 1 :]
        if kind == "function" and token.lower_name in _URL_FUNCTIONS:
            first = _next_significant(token.arguments, 0)
            if first is not None and first.type == "string":
                out.url(first.value, token, "@import", is_import=True)
                return prelude[index + 1 :]
        break
    return prelude


def _value_text(declaration: Any) -> str:
    return " ".join(flat_serialize(declaration.value).split())


def _declaration_span(out: _Collector, declaration: Any) -> tuple[int, int, int]:
    """Chunk offsets of a declaration: its start, the end of its value (before ``!important``) and its end
    (past the ``;`` when there is one)."""
    text = out.text
    start = out.offset(declaration.source_line, declaration.source_column)
    position = start
    depth = 0
    n = len(text)
    end = n
    while position < n:
        c = text[position]
        if c in "\"'":
            close = position + 1
            while close < n and text[close] != c and text[close] != "\n":
                close += 2 if text[close] == "\\" else 1
            position = close + 1
            continue
        if c == "/" and text.startswith("/*", position):
            close = text.find("*/", position + 2)
            position = n if close == -1 else close + 2
            continue
        if c == "\\":
            position += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "}":
            if depth == 0:
                end = position
                break
            depth -= 1
        elif c == ";" and depth == 0:
            end = position + 1
            break
        position += 1
    value_end = end - 1 if end > start and text[end - 1] == ";" else end
    body = _strip_trailing_comments(text[start:value_end])
    if declaration.important:
        body = _strip_trailing_comments(_IMPORTANT_TAIL.sub("", body))
    return start, start + len(body), end


def _strip_trailing_comments(text: str) -> str:
    text = text.rstrip()
    while text.endswith("*/"):
        opening = text.rfind("/*", 0, len(text) - 2)
        if opening == -1:
            break
        text = text[:opening].rstrip()
    return text


def _removal(out: _Collector, declaration: Any) -> TextEdit:
    """An edit removing a whole declaration, and its line when nothing else is on it."""
    start, _, end = _declaration_span(out, declaration)
    text = out.text
    line_start = text.rfind("\n", 0, start) + 1
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if not text[line_start:start].strip() and (after == len(text) or text[after] == "\n"):
        start, end = line_start, min(after + 1, len(text))
    else:
        end = after
    return out.edit(start, end, "")


def _check_duplicate(earlier: Any, later: Any, later_valid: bool, out: _Collector) -> None:
    """Report ``earlier`` when ``later`` (same property, same block) makes it dead."""
    if earlier.important and not later.important:
        return  # the earlier one wins; the later one is the dead one, but it may be a deliberate override
    name = _clip(later.name)
    fix = None
    if _value_text(earlier) == _value_text(later):
        message = f"{name} is declared twice in this block with the same value; remove one of them."
        fix = Fix(f"Remove the first {name} declaration", (_removal(out, earlier),))
    elif later.name.startswith("--"):
        message = (f"{name} is declared again in this block, so the earlier value is never used (custom "
                   "properties accept any value, so it cannot be a fallback); remove the earlier one.")
    elif later_valid and is_universal(later.value) and not _has_vendor(earlier.value) and not _extends(
            earlier.value, later.value):
        message = (f"{name} is declared again in this block and overrides the earlier value, which has no "
                   "fallback purpose; remove the earlier one.")
    else:
        return  # `display: -webkit-box; display: flex` and the like are deliberate fallbacks
    out.add(later.source_line, later.source_column, _WARNING, DUPLICATE_DECLARATION, message, fix)


def _extends(earlier: Sequence[Any], later: Sequence[Any]) -> bool:
    """``underline`` then ``underline dotted``: the later value adds to the earlier one, which stays as the
    fallback for browsers that reject the longer form."""
    before = [t.serialize() for t in significant(earlier)]
    after = [t.serialize() for t in significant(later)]
    return len(after) > len(before) and all(part in after for part in before)


def _has_vendor(value: Sequence[Any]) -> bool:
    for token in value:
        if token.type == "ident" and token.value.startswith("-") and not token.value.startswith("--"):
            return True
        if token.type == "function" and token.lower_name.startswith("-"):
            return True
    return False


def _clip(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "..."


def _unknown_property_message(name: str, out: _Collector) -> str:
    if name.startswith("_"):
        return (f"'{_clip(name)}' is an Internet Explorer 6 underscore hack that other browsers drop; "
                "remove it.")
    hint = ""
    if out.suggestions < _MAX_SUGGESTIONS_PER_CHUNK and len(name) <= 40:
        out.suggestions += 1
        close = difflib.get_close_matches(name.lower(), _PROPERTY_NAMES, n=1, cutoff=0.8)
        if close:
            hint = f" Did you mean '{close[0]}'?"
    return (f"Unknown property '{_clip(name)}': browsers ignore it; check the spelling, or use a vendor "
            f"prefix if it is vendor-specific.{hint}")


def _show_token(token: Any) -> str:
    text = flat_serialize([token], limit=41)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_declaration(declaration: Any, check_names: bool, out: _Collector, *, page: bool = False) -> bool:
    """Check one declaration's name and value; False when its value is invalid (the browser drops it)."""
    name = declaration.lower_name
    if name.startswith("--"):
        out.defined.add(declaration.name)
        for token in declaration.value:
            if token.type == "ident":
                out.mentioned.add(token.value)
        out.definitions.append((declaration.name, declaration.value))
        return True
    if not check_names:
        return True
    line = declaration.source_line
    column = declaration.source_column
    if name not in KNOWN_PROPERTIES and not is_vendor_prefixed(name):
        out.add(line, column, _WARNING, UNKNOWN_PROPERTY, _unknown_property_message(declaration.name, out))
        return False
    value = declaration.value
    if name in COLOR_PROPERTIES:
        problem = color_problem(name, value, line, column)
    elif name in LENGTH_PROPERTIES:
        problem = length_problem(name, value, line, column)
    else:
        problem = None
        for token in value:
            if token.type not in _INSIGNIFICANT:
                break
        else:
            out.add(line, column, _WARNING, INVALID_VALUE,
                    f"{_clip(declaration.name)} has no value; give it one or remove the declaration.")
            return False
    if problem is not None:
        out.add(problem.line, problem.column, _WARNING, INVALID_VALUE, problem.message)
        return False
    if name in _ANIMATION_PROPERTIES:
        _animation_names(name, value, out)
    elif name == "font-family":
        _check_generic_family(declaration, out)
    if page and name in _PAGE_DESCRIPTORS:
        return True
    mismatch = out.grammar.check(name, value)
    if mismatch is None:
        return True
    if mismatch is UNRESOLVED:
        out.var_values.append((name, value, line, column))
        return True
    token = mismatch.token
    syntax = mismatch.syntax if len(mismatch.syntax) <= 100 else mismatch.syntax[:97] + "..."
    out.add(token.source_line, token.source_column, _WARNING, INVALID_VALUE,
            f"'{_show_token(token)}' does not fit the syntax of {name}, so the browser ignores the "
            f"declaration; {name} takes: {syntax}")
    return False


def _animation_names(name: str, value: Sequence[Any], out: _Collector) -> None:
    tokens = significant(value)
    if any(t.type == "function" and t.lower_name in ("var", "env", "attr") for t in tokens):
        return
    shorthand = not name.endswith("-name")
    pick = True
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            pick = True
            continue
        if not pick:
            continue
        if token.type == "string" or (token.type == "ident" and (
                token.lower_value not in ANIMATION_KEYWORDS if shorthand
                else token.lower_value not in ("none", *GLOBAL_KEYWORDS))):
            out.keyframes_used.append((token.value, token.source_line, token.source_column))
            pick = False


def _check_generic_family(declaration: Any, out: _Collector) -> None:
    tokens = significant(declaration.value)
    if not tokens or any(t.type not in ("ident", "string", "literal") for t in tokens):
        return  # var(), or something invalid the grammar check reports
    if len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in GLOBAL_KEYWORDS:
        return
    families: list[str] = []
    current: list[str] = []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            families.append(" ".join(current))
            current = []
        elif token.type == "literal":
            return
        else:
            current.append(token.value)
    families.append(" ".join(current))
    if any(family.lower() in GENERIC_FAMILIES for family in families):
        return
    generic = generic_for(families)
    _, value_end, _ = _declaration_span(out, declaration)
    fix = Fix(f"Append the generic family {generic}", (out.edit(value_end, value_end, f", {generic}"),))
    out.add(declaration.source_line, declaration.source_column, _WARNING, FONT_FAMILY_NO_GENERIC,
            "This font-family list has no generic family, so where none of its fonts is available the "
            f"browser's default font is used; end it with one, e.g. '{generic}'.", fix)


def _check_shorthand(declaration: Any, seen: dict[str, Any], out: _Collector) -> None:
    resets = shorthand_resets(declaration.lower_name)
    if not resets:
        return
    for name, earlier in seen.items():
        if name in resets and not (earlier.important and not declaration.important):
            out.add(declaration.source_line, declaration.source_column, _WARNING, SHORTHAND_OVERRIDE,
                    f"{_clip(declaration.name)} resets {earlier.name}, set earlier in this block on line "
                    f"{earlier.source_line}, which therefore has no effect; move {earlier.name} after "
                    f"{_clip(declaration.name)} or remove it.")
            return


def _check_semicolons(content: Sequence[Any], out: _Collector) -> None:
    """``;;`` and a block starting with ``;``: an empty declaration."""
    previous_is_end = True
    for token in content:
        kind = token.type
        if kind in _INSIGNIFICANT:
            continue
        if kind == "literal" and token.value == ";":
            if previous_is_end:
                start = out.offset(token.source_line, token.source_column)
                out.add(token.source_line, token.source_column, _WARNING, EXTRA_SEMICOLON,
                        "An empty declaration (an extra ';'); remove it.",
                        Fix("Remove the extra ';'", (out.edit(start, start + 1, ""),)))
            previous_is_end = True
        else:
            previous_is_end = kind == "{} block"


def _check_at_rule(node: Any, out: _Collector) -> None:
    """Unknown at-rules, media queries and ``@keyframes`` names."""
    keyword = node.lower_at_keyword
    if keyword == "media":
        for line, column, rule, message in check_media_prelude(node.prelude, node, out.grammar):
            out.add(line, column, _WARNING, rule, message)
    elif keyword in _KEYFRAMES:
        name = _next_significant(node.prelude, 0)
        if name is not None and name.type in ("ident", "string"):
            out.keyframes_defined.append((name.value, name.source_line, name.source_column))
    elif "@" + keyword not in out.grammar.atrules and not keyword.startswith("-") and \
            keyword not in _EXTRA_AT_RULES:
        close = difflib.get_close_matches("@" + keyword, sorted(out.grammar.atrules), n=1, cutoff=0.75)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        out.add(node.source_line, node.source_column, _WARNING, UNKNOWN_AT_RULE,
                f"Unknown at-rule '@{_clip(node.at_keyword)}': browsers skip it with its block.{hint}")


def _child_checks_names(at_keyword: str, parent_checks_names: bool) -> bool:
    """Whether declarations inside this at-rule are ordinary properties (not descriptors)."""
    if at_keyword in DESCRIPTOR_AT_RULES:
        return False
    return parent_checks_names and at_keyword in STYLE_AT_RULES


def _walk_rules(nodes: Sequence[Any], out: _Collector) -> None:
    """Visit every rule and block: selectors, at-rules, declarations, duplicates, empty rules."""
    # (block content, rule node, whether declaration names are properties, is a style rule, in @keyframes)
    stack: list[tuple[list[Any], Any, bool, bool, bool]] = []
    for node in nodes:
        if node.type == "qualified-rule":
            stack.append((node.content, node, True, True, False))
        elif node.type == "at-rule":
            _check_at_rule(node, out)
            if node.content is not None:
                keyword = node.lower_at_keyword
                stack.append((node.content, node, _child_checks_names(keyword, True), False,
                              keyword in _KEYFRAMES))
    parse = tinycss2.parse_blocks_contents
    selectors = out.grammar
    while stack:
        content, rule, check_names, is_style_rule, in_keyframes = stack.pop()
        page = rule.type == "at-rule" and rule.lower_at_keyword == "page"
        if is_style_rule and not in_keyframes:
            for line, column, rule_id, message in check_selector(rule.prelude, selectors):
                out.add(line, column, _WARNING, rule_id, message)
        items = parse(content, skip_comments=True, skip_whitespace=True)
        if not items:
            if is_style_rule and not in_keyframes:  # an empty keyframe is harmless
                out.add(rule.source_line, rule.source_column, _WARNING, EMPTY_RULE,
                        "This rule is empty; add declarations or remove it.")
            continue
        _check_semicolons(content, out)
        seen: dict[str, Any] = {}
        valid: dict[str, bool] = {}
        for item in items:
            kind = item.type
            if kind == "declaration":
                if is_style_rule and in_keyframes and item.important:
                    out.add(item.source_line, item.source_column, _WARNING, KEYFRAMES_IMPORTANT,
                            "Browsers ignore a declaration marked !important inside @keyframes; remove it.",
                            Fix("Remove the ignored declaration", (_removal(out, item),)))
                    continue
                is_valid = _check_declaration(item, check_names, out, page=page)
                name = item.name if item.name.startswith("--") else item.lower_name
                if check_names:
                    _check_shorthand(item, seen, out)
                earlier = seen.get(name)
                if earlier is not None:
                    _check_duplicate(earlier, item, is_valid, out)
                seen[name] = item
                valid[name] = is_valid
            elif kind == "qualified-rule":
                stack.append((item.content, item, check_names, True, in_keyframes))
            elif kind == "at-rule":
                _check_at_rule(item, out)
                if item.content is not None:
                    keyword = item.lower_at_keyword
                    stack.append((item.content, item, _child_checks_names(keyword, check_names), False,
                                  keyword in _KEYFRAMES))
            elif kind == "error":
                out.parse_error(item)


def _import_order(nodes: Sequence[Any], out: _Collector) -> tuple[tuple[int, int] | None, bool]:
    """(where an @import stands before any other rule of the chunk, whether the chunk blocks later imports);
    an @import after another rule of the same chunk is reported here."""
    first_import: tuple[int, int] | None = None
    blocked = False
    for node in nodes:
        if node.type == "at-rule" and node.lower_at_keyword == "import":
            if blocked:
                out.add(node.source_line, node.source_column, _WARNING, IMPORT_AFTER_RULES, _IMPORT_MESSAGE)
            elif first_import is None:
                first_import = (node.source_line, node.source_column)
        elif node.type == "at-rule" and node.lower_at_keyword in _IMPORT_PREAMBLE and node.content is None:
            continue
        elif node.type != "error":
            blocked = True
    return first_import, blocked


_IMPORT_MESSAGE = ("Browsers ignore @import after other rules (only @charset and @layer statements may come "
                   "before it); move it to the top of the stylesheet.")


def analyze_chunk(text: str, policy: UrlPolicy) -> ChunkFacts:
    """Analyse one chunk of a stylesheet on its own, in positions relative to the chunk's start."""
    nodes = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    out = _Collector(policy, text, grammar())
    _scan_tokens(nodes, out)
    _walk_rules(nodes, out)
    import_at, blocks_imports = _import_order(nodes, out)
    return ChunkFacts(
        findings=tuple(out.findings),
        defined=frozenset(out.defined),
        uses=tuple(out.uses),
        used_names=frozenset(name for name, _, _ in out.uses),
        assets=tuple(out.assets),
        keyframes_defined=tuple(out.keyframes_defined),
        keyframes_used=tuple(out.keyframes_used),
        mentioned=frozenset(out.mentioned),
        import_at=import_at,
        blocks_imports=blocks_imports,
        definitions=tuple(out.definitions),
        var_values=tuple(out.var_values),
    )


def too_large(size: int) -> LintResult:
    mib = size / (1024 * 1024)
    return LintResult((Diagnostic(
        1, 1, _ERROR, safety.TOO_LARGE,
        f"The stylesheet is {mib:.1f} MiB; a published theme may be at most 5 MiB: remove unused rules or "
        "move large data: URIs into asset files.",
    ),))


def oversize(text: str) -> int | None:
    """UTF-8 size of ``text`` when it exceeds the limit, else None (without encoding a clearly small text)."""
    if len(text) * 4 <= MAX_STYLESHEET_BYTES:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > MAX_STYLESHEET_BYTES else None


def _unclosed_findings(chunk: Chunk, chunk_text: str) -> tuple[Finding, ...]:
    """Syntax errors for brackets and comments still open at the end of the text (tinycss2 accepts them)."""
    findings: list[Finding] = []
    if chunk.unclosed is not None:
        offset, opener = chunk.unclosed
        closer = {"{": "}", "(": ")", "[": "]"}[opener]
        findings.append((*line_col(chunk_text, offset), _ERROR, SYNTAX,
                         f"This '{opener}' is never closed; add the matching '{closer}'.", None))
    if chunk.open_comment is not None:
        findings.append((*line_col(chunk_text, chunk.open_comment), _ERROR, SYNTAX,
                         "This comment is never closed with '*/', so everything after it is ignored.", None))
    return tuple(findings)


def _abs(line: int, column: int, chunk_line: int, chunk_column: int) -> tuple[int, int]:
    return chunk_line + line - 1, (chunk_column + column - 1) if line == 1 else column


# A chunk's findings on values with var(), and what they depend on: (the chunk's facts, (line, column,
# message) findings, the names of every custom property consulted).
_Resolved = tuple[ChunkFacts, list[tuple[int, int, str]], frozenset[str]]


def _abs_fix(fix: Fix, chunk_line: int, chunk_column: int) -> Fix:
    edits = []
    for edit in fix.edits:
        start = _abs(edit.line, edit.column, chunk_line, chunk_column)
        end = _abs(edit.end_line, edit.end_column, chunk_line, chunk_column)
        edits.append(TextEdit(*start, *end, edit.text))
    return Fix(fix.description, tuple(edits))


def _keyframes_findings(pending: list[tuple[ChunkFacts, int, int]], mentioned: set[str]) -> list[Diagnostic]:
    """Animation names without ``@keyframes`` (warnings), and ``@keyframes`` nothing uses (hints)."""
    defined = {name for facts, _, _ in pending for name, _, _ in facts.keyframes_defined}
    used = {name for facts, _, _ in pending for name, _, _ in facts.keyframes_used}
    diagnostics = []
    for facts, c_line, c_column in pending:
        for name, f_line, f_column in facts.keyframes_used:
            if name not in defined:
                diagnostics.append(Diagnostic(
                    *_abs(f_line, f_column, c_line, c_column), _WARNING, UNDEFINED_KEYFRAMES,
                    f"No @keyframes {_clip(name)} is defined in this stylesheet, so this animation does "
                    "nothing; define it or fix the name (names are case-sensitive)."))
        for name, f_line, f_column in facts.keyframes_defined:
            if name not in used and name not in mentioned:
                diagnostics.append(Diagnostic(
                    *_abs(f_line, f_column, c_line, c_column), _HINT, UNUSED_KEYFRAMES,
                    f"@keyframes {_clip(name)} is not used by any animation in this stylesheet."))
    return diagnostics


class ChunkEngine:
    """Merges per-chunk facts into a :class:`LintResult`, caching facts by chunk text.

    ``lint_css`` uses a fresh engine; :class:`~studio.core.css.incremental.IncrementalLinter` keeps one, so
    both run exactly the same code and give exactly the same result.
    """

    def __init__(self, options: LintOptions) -> None:
        self._policy = UrlPolicy(options.allowed_origins)
        self._asset_root = options.asset_root
        self._cache: dict[str, ChunkFacts] = {}
        self._resolver = VarResolver(grammar())
        self._defining_key: tuple[int, ...] | None = None
        self._defining: list[ChunkFacts] = []
        self._resolved_by_facts: dict[int, _Resolved] = {}
        self._changed_names: set[str] = set()
        self.analyzed_chunks = 0  # how many chunks the last run had to parse (the rest came from the cache)

    def run(self, text: str, chunks: Sequence[Chunk]) -> LintResult:
        """Lint normalised ``text`` split into ``chunks``."""
        old_cache = self._cache
        cache: dict[str, ChunkFacts] = {}
        diagnostics: list[Diagnostic] = []
        defined: set[str] = set()
        pending_uses: list[tuple[ChunkFacts, int, int]] = []
        pending_assets: list[tuple[ChunkFacts, int, int]] = []
        line, column = 1, 1
        policy = self._policy
        analyzed = 0
        seen_rules = False
        defining: list[ChunkFacts] = []
        var_values: list[tuple[ChunkFacts, int, int]] = []
        keyframes: list[tuple[ChunkFacts, int, int]] = []
        mentioned: set[str] = set()
        for chunk in chunks:
            start, end = chunk.start, chunk.end
            chunk_text = text[start:end]
            facts = cache.get(chunk_text) or old_cache.get(chunk_text)
            if facts is None:
                facts = analyze_chunk(chunk_text, policy)
                analyzed += 1
            cache[chunk_text] = facts
            findings = facts.findings
            if not chunk.closed:
                unclosed = _unclosed_findings(chunk, chunk_text)
                if unclosed:  # say what is unclosed, instead of tinycss2's error at the same spot
                    taken = {(f[0], f[1]) for f in unclosed}
                    # The rule is still being typed: only its syntax and safety are judged.
                    findings = unclosed + tuple(
                        f for f in findings if (f[3] != SYNTAX or (f[0], f[1]) not in taken)
                        and (f[3] == SYNTAX or f[3].startswith("safety/")))
            for f_line, f_column, severity, rule, message, fix in findings:
                a_line, a_column = _abs(f_line, f_column, line, column)
                if fix is not None:
                    fix = _abs_fix(fix, line, column)
                diagnostics.append(Diagnostic(a_line, a_column, severity, rule, message, fix))
            if facts.import_at is not None and seen_rules:
                a_line, a_column = _abs(*facts.import_at, line, column)
                diagnostics.append(
                    Diagnostic(a_line, a_column, _WARNING, IMPORT_AFTER_RULES, _IMPORT_MESSAGE))
            seen_rules = seen_rules or facts.blocks_imports
            if facts.keyframes_defined or facts.keyframes_used:
                keyframes.append((facts, line, column))
            if facts.mentioned:
                mentioned |= facts.mentioned
            if facts.definitions:
                defining.append(facts)
            if facts.var_values:
                var_values.append((facts, line, column))
            if facts.defined:
                defined |= facts.defined
            if facts.uses:
                pending_uses.append((facts, line, column))
            if facts.assets:
                pending_assets.append((facts, line, column))
            newlines = text.count("\n", start, end)
            if newlines:
                line += newlines
                column = end - text.rfind("\n", start, end)
            else:
                column += end - start
        self._cache = cache
        self.analyzed_chunks = analyzed
        for facts, c_line, c_column in pending_uses:
            if facts.used_names <= defined:
                continue
            for name, f_line, f_column in facts.uses:
                if name not in defined:
                    a_line, a_column = _abs(f_line, f_column, c_line, c_column)
                    diagnostics.append(Diagnostic(
                        a_line, a_column, _WARNING, UNDEFINED_VARIABLE,
                        f"var({name}) uses a custom property defined nowhere in this stylesheet; "
                        f"define {name} or give a fallback: var({name}, ...).",
                    ))
        if keyframes:
            diagnostics.extend(_keyframes_findings(keyframes, mentioned))
        if var_values:
            self._begin_resolving(defining)
            diagnostics.extend(self._resolved_findings(var_values))
        if self._asset_root is not None:
            diagnostics.extend(self._missing_assets(pending_assets, self._asset_root))
        diagnostics.sort(key=lambda d: (d.line, d.column, d.rule, d.message))
        return LintResult(tuple(diagnostics))

    def _begin_resolving(self, defining: list[ChunkFacts]) -> None:
        """Collect every custom property's values, unless the chunks defining them are the last run's."""
        key = tuple(id(facts) for facts in defining)
        if key == self._defining_key:
            self._changed_names = set()
            return
        definitions: dict[str, list[list[Any]]] = {}
        for facts in defining:
            for name, value in facts.definitions:
                definitions.setdefault(name, []).append(value)
        self._defining_key = key
        self._defining = defining  # keeps the facts alive, so their ids stay theirs
        self._changed_names = self._resolver.begin(
            {name: tuple(lists) for name, lists in definitions.items()})

    def _resolved_findings(self, pending: list[tuple[ChunkFacts, int, int]]) -> list[Diagnostic]:
        """Values with var() that do not fit their property once the sheet's custom properties are put in."""
        diagnostics = []
        cache = self._resolved_by_facts
        changed = self._changed_names
        fresh: dict[int, _Resolved] = {}
        for facts, c_line, c_column in pending:
            cached = cache.get(id(facts))
            if cached is None or cached[0] is not facts or (changed and not changed.isdisjoint(cached[2])):
                cached = self._resolve_chunk(facts)  # new, or a custom property it uses changed
            fresh[id(facts)] = cached
            for f_line, f_column, message in cached[1]:
                diagnostics.append(Diagnostic(
                    *_abs(f_line, f_column, c_line, c_column), _WARNING, INVALID_VALUE, message))
        self._resolved_by_facts = fresh
        return diagnostics

    def _resolve_chunk(self, facts: ChunkFacts) -> _Resolved:
        found_in_chunk = []
        self._resolver.consulted = set()
        for prop, value, f_line, f_column in facts.var_values:
            found = self._resolver.check(prop, value)
            if found is None:
                continue
            mismatch, resolved = found
            shown = " ".join(resolved.split())
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            syntax = mismatch.syntax if len(mismatch.syntax) <= 100 else mismatch.syntax[:97] + "..."
            found_in_chunk.append((
                f_line, f_column,
                f"{prop} becomes '{shown}' once its var() are substituted, which does not fit its syntax, so "
                f"the browser treats it as unset; {prop} takes: {syntax}"))
        return facts, found_in_chunk, frozenset(self._resolver.consulted)

    @staticmethod
    def _missing_assets(pending: list[tuple[ChunkFacts, int, int]], root: Path) -> list[Diagnostic]:
        found: dict[str, bool] = {}
        diagnostics = []
        for facts, c_line, c_column in pending:
            for f_line, f_column, path, raw in facts.assets:
                exists = found.get(path)
                if exists is None:
                    try:
                        exists = (root / path).is_file()
                    except (OSError, ValueError):  # a NUL byte or an over-long name: no such asset
                        exists = False
                    found[path] = exists
                if not exists:
                    a_line, a_column = _abs(f_line, f_column, c_line, c_column)
                    diagnostics.append(Diagnostic(
                        a_line, a_column, _WARNING, MISSING_ASSET,
                        f"{safety.show_url(raw)} does not exist in the theme folder; add the file or fix "
                        "the path.",
                    ))
        return diagnostics


def lint_css(text: str, options: LintOptions = LintOptions()) -> LintResult:
    """Lint a stylesheet given as text."""
    size = oversize(text)
    if size is not None:
        return too_large(size)
    text = normalize_newlines(text)
    return ChunkEngine(options).run(text, split_chunks(text))


def _encoding_diagnostic(data: bytes, error: UnicodeDecodeError) -> Diagnostic:
    prefix = normalize_newlines(data[: error.start].decode("utf-8"))
    line, column = line_col(prefix, len(prefix))
    return Diagnostic(
        line, column, _ERROR, ENCODING,
        f"Invalid UTF-8 byte 0x{data[error.start]:02x}: save the stylesheet as UTF-8 (it is read with the "
        "bad bytes replaced).",
    )


def lint_bytes(data: bytes, options: LintOptions = LintOptions()) -> LintResult:
    """Lint a stylesheet given as bytes, which must be UTF-8 (a BOM is ignored)."""
    if len(data) > MAX_STYLESHEET_BYTES:
        return too_large(len(data))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        encoding = _encoding_diagnostic(data, error)
        result = lint_css(data.decode("utf-8", "replace"), options)
        merged = sorted((encoding, *result.diagnostics), key=lambda d: (d.line, d.column, d.rule, d.message))
        return LintResult(tuple(merged))
    return lint_css(text, options)


def lint_path(path: Path, options: LintOptions = LintOptions()) -> LintResult:
    """Lint a stylesheet file (an oversized one is one ``too-large`` error, and is not read whole).

    Raises:
        OSError: unreadable, or not a plain file (a named pipe, a device: ``InputLimitError``).
    """
    try:
        data = read_limited(path, MAX_STYLESHEET_BYTES, "a stylesheet")
    except InputTooLargeError as exc:
        return too_large(exc.size)
    return lint_bytes(data, options)
