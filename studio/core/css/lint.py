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

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tinycss2

from studio.core.css import safety
from studio.core.css.properties import (
    COLOR_PROPERTIES,
    DESCRIPTOR_AT_RULES,
    KNOWN_PROPERTIES,
    LEGACY_SCRIPT_PROPERTIES,
    LENGTH_PROPERTIES,
    STYLE_AT_RULES,
    is_vendor_prefixed,
)
from studio.core.css.safety import UrlPolicy
from studio.core.css.source import Chunk, line_col, normalize_newlines, split_chunks
from studio.core.css.values import color_problem, flat_serialize, length_problem
from studio.core.diagnostics import Diagnostic, Severity
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

_ERROR = Severity.ERROR
_WARNING = Severity.WARNING
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
_PROPERTY_NAMES = sorted(name for name in KNOWN_PROPERTIES if not name.startswith("-"))
_MAX_SUGGESTIONS_PER_CHUNK = 20


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


# A chunk-relative finding: (line, column, severity, rule, message).
Finding = tuple[int, int, Severity, str, str]


@dataclass(frozen=True, slots=True)
class ChunkFacts:
    """What one chunk says, in chunk-relative positions; a pure function of the chunk's text and options.

    Attributes:
        findings: diagnostics local to the chunk.
        defined: custom property names the chunk defines (declarations and ``@property``).
        uses: ``var()`` uses without fallback, as (name, line, column).
        used_names: the names in ``uses``, for a quick set difference.
        assets: relative URLs inside the theme, as (line, column, decoded path, URL as written).
    """

    findings: tuple[Finding, ...]
    defined: frozenset[str]
    uses: tuple[tuple[str, int, int], ...]
    used_names: frozenset[str]
    assets: tuple[tuple[int, int, str, str], ...]


@dataclass(slots=True)
class _Collector:
    policy: UrlPolicy
    findings: list[Finding] = field(default_factory=list)
    syntax_at: set[tuple[int, int]] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    uses: list[tuple[str, int, int]] = field(default_factory=list)
    assets: list[tuple[int, int, str, str]] = field(default_factory=list)
    # Where tinycss2 reports the parse error an IE star hack causes (its `;`, or its last token).
    hack_ends: set[tuple[int, int]] = field(default_factory=set)
    suggestions: int = 0

    def add(self, line: int, column: int, severity: Severity, rule: str, message: str) -> None:
        self.findings.append((line, column, severity, rule, message))

    def syntax(self, line: int, column: int, message: str) -> None:
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
            elif kind == "literal" and token.value == "*":
                _scan_star_hack(tokens, index, out)
            elif kind == "at-keyword" and token.lower_value == "property":
                name = _next_significant(tokens, index + 1)
                if name is not None and name.type == "ident" and name.value.startswith("--"):
                    out.defined.add(name.value)


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


def _is_plain(value: Sequence[Any]) -> bool:
    """True when every token is one that all browsers understand, so the value is no fallback for another."""
    for token in value:
        kind = token.type
        if kind in _INSIGNIFICANT or kind in ("number", "percentage", "string", "hash"):
            continue
        if kind == "dimension" and token.unit.lower() in _CLASSIC_UNITS:
            continue
        return False
    return True


def _check_duplicate(earlier: Any, later: Any, out: _Collector) -> None:
    if earlier.important != later.important:
        return
    same = _value_text(earlier) == _value_text(later)
    if same:
        message = (f"{_clip(later.name)} is declared twice in this block with the same value; "
                   "remove one of them.")
    elif _is_plain(earlier.value) and _is_plain(later.value):
        message = (f"{_clip(later.name)} is declared again in this block and overrides the earlier value, "
                   "which has no fallback purpose; remove the earlier one.")
    else:
        return  # `display: -webkit-box; display: flex` and the like are deliberate fallbacks
    out.add(later.source_line, later.source_column, _WARNING, DUPLICATE_DECLARATION, message)


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


def _check_declaration(declaration: Any, check_names: bool, out: _Collector) -> None:
    name = declaration.lower_name
    if name.startswith("--"):
        out.defined.add(declaration.name)
        return
    if not check_names:
        return
    line = declaration.source_line
    column = declaration.source_column
    if name not in KNOWN_PROPERTIES and not is_vendor_prefixed(name):
        out.add(line, column, _WARNING, UNKNOWN_PROPERTY, _unknown_property_message(declaration.name, out))
        return
    if name in COLOR_PROPERTIES:
        problem = color_problem(name, declaration.value, line, column)
    elif name in LENGTH_PROPERTIES:
        problem = length_problem(name, declaration.value, line, column)
    else:
        for token in declaration.value:
            if token.type not in _INSIGNIFICANT:
                return
        out.add(line, column, _WARNING, INVALID_VALUE,
                f"{_clip(declaration.name)} has no value; give it one or remove the declaration.")
        return
    if problem is not None:
        out.add(problem.line, problem.column, _WARNING, INVALID_VALUE, problem.message)


def _child_checks_names(at_keyword: str, parent_checks_names: bool) -> bool:
    """Whether declarations inside this at-rule are ordinary properties (not descriptors)."""
    if at_keyword in DESCRIPTOR_AT_RULES:
        return False
    return parent_checks_names and at_keyword in STYLE_AT_RULES


def _walk_rules(nodes: Sequence[Any], out: _Collector) -> None:
    """Visit every block with declarations: names, values, duplicates, empty rules."""
    # (block content, rule node, whether declaration names are properties, is a style rule)
    stack: list[tuple[list[Any], Any, bool, bool]] = []
    for node in nodes:
        if node.type == "qualified-rule":
            stack.append((node.content, node, True, True))
        elif node.type == "at-rule" and node.content is not None:
            keyword = node.lower_at_keyword
            stack.append((node.content, node, _child_checks_names(keyword, True), False))
    parse = tinycss2.parse_blocks_contents
    while stack:
        content, rule, check_names, is_style_rule = stack.pop()
        items = parse(content, skip_comments=True, skip_whitespace=True)
        if not items:
            if is_style_rule:
                out.add(rule.source_line, rule.source_column, _WARNING, EMPTY_RULE,
                        "This rule is empty; add declarations or remove it.")
            continue
        seen: dict[str, Any] = {}
        for item in items:
            kind = item.type
            if kind == "declaration":
                _check_declaration(item, check_names, out)
                name = item.lower_name
                earlier = seen.get(name)
                if earlier is not None:
                    _check_duplicate(earlier, item, out)
                seen[name] = item
            elif kind == "qualified-rule":
                stack.append((item.content, item, check_names, True))
            elif kind == "at-rule":
                if item.content is not None:
                    keyword = item.lower_at_keyword
                    stack.append((item.content, item, _child_checks_names(keyword, check_names), False))
            elif kind == "error":
                out.parse_error(item)


def analyze_chunk(text: str, policy: UrlPolicy) -> ChunkFacts:
    """Analyse one chunk of a stylesheet on its own, in positions relative to the chunk's start."""
    nodes = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    out = _Collector(policy)
    _scan_tokens(nodes, out)
    _walk_rules(nodes, out)
    return ChunkFacts(
        findings=tuple(out.findings),
        defined=frozenset(out.defined),
        uses=tuple(out.uses),
        used_names=frozenset(name for name, _, _ in out.uses),
        assets=tuple(out.assets),
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
                         f"This '{opener}' is never closed; add the matching '{closer}'."))
    if chunk.open_comment is not None:
        findings.append((*line_col(chunk_text, chunk.open_comment), _ERROR, SYNTAX,
                         "This comment is never closed with '*/', so everything after it is ignored."))
    return tuple(findings)


def _abs(line: int, column: int, chunk_line: int, chunk_column: int) -> tuple[int, int]:
    return chunk_line + line - 1, (chunk_column + column - 1) if line == 1 else column


class ChunkEngine:
    """Merges per-chunk facts into a :class:`LintResult`, caching facts by chunk text.

    ``lint_css`` uses a fresh engine; :class:`~studio.core.css.incremental.IncrementalLinter` keeps one, so
    both run exactly the same code and give exactly the same result.
    """

    def __init__(self, options: LintOptions) -> None:
        self._policy = UrlPolicy(options.allowed_origins)
        self._asset_root = options.asset_root
        self._cache: dict[str, ChunkFacts] = {}
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
                    findings = unclosed + tuple(
                        f for f in findings if f[3] != SYNTAX or (f[0], f[1]) not in taken)
            for f_line, f_column, severity, rule, message in findings:
                a_line, a_column = _abs(f_line, f_column, line, column)
                diagnostics.append(Diagnostic(a_line, a_column, severity, rule, message))
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
        if self._asset_root is not None:
            diagnostics.extend(self._missing_assets(pending_assets, self._asset_root))
        diagnostics.sort(key=lambda d: (d.line, d.column, d.rule, d.message))
        return LintResult(tuple(diagnostics))

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
