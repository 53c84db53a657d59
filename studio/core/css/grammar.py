"""Property values matched against their CSS Value Definition Syntax (W3C data from ``@webref/css``).

Each property's syntax (``<line-width> || <line-style> || <color>``) is parsed once, lazily, into a tree of
closures that match a list of tinycss2 component values by backtracking in continuation-passing style: a
matcher ``m(tokens, i, k)`` matches a prefix of ``tokens[i:]`` and calls ``k(j)`` with every index ``j`` it
can end at, until ``k`` accepts. Keyword alternatives become set look-ups and the numeric types are native
predicates, so a typical declaration costs a few dozen calls.

What browsers do and the data does not say is handled here, not in the data: CSS-wide keywords, values with
``var()``/``env()``/``attr()`` (unknowable until substitution), vendor-prefixed keywords and functions
(a browser accepts its own), and math functions (``calc()``, ``min()``…) stand for any numeric type.
A property whose syntax refers to a type we cannot match is never judged, so gaps in the data stay quiet.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.css.properties import (
    GLOBAL_KEYWORDS,
    LENGTH_UNITS,
    MATH_FUNCTIONS,
    SUBSTITUTION_FUNCTIONS,
)
from studio.core.css.values import flat_serialize

DATA_PATH = Path(__file__).with_name("data") / "webref-css.json"

# Continuation, matcher.
Cont = Callable[[int], bool]
Matcher = Callable[["_Input", int, Cont], bool]

_INSIGNIFICANT = frozenset({"whitespace", "comment"})
_MAX_TOKENS = 200  # longer values are not judged (deep backtracking, and never a typo worth the cost)
_MAX_STEPS = 20_000  # a value whose match takes longer than this is not judged either
_MAX_FITTING = 100_000

_ANGLE_UNITS = frozenset({"deg", "grad", "rad", "turn"})
_TIME_UNITS = frozenset({"s", "ms"})
_FREQUENCY_UNITS = frozenset({"hz", "khz"})
_RESOLUTION_UNITS = frozenset({"dpi", "dpcm", "dppx", "x"})
#: The generic font families (CSS Fonts 4): a font-family list should end with one.
GENERIC_FAMILIES: frozenset[str] = frozenset(
    {
        "serif",
        "sans-serif",
        "cursive",
        "fantasy",
        "monospace",
        "system-ui",
        "emoji",
        "math",
        "fangsong",
        "ui-serif",
        "ui-sans-serif",
        "ui-monospace",
        "ui-rounded",
    }
)


class _GiveUp(Exception):  # noqa: N818  # control flow: the match was too costly to finish
    """Raised when a match exceeds its step budget."""


class _Input(list[Any]):
    """The significant tokens of one value, plus the match's bookkeeping."""

    __slots__ = ("far", "steps")

    def __init__(self, tokens: Sequence[Any]) -> None:
        super().__init__(tokens)
        self.far = 0  # one past the last token any terminal matched: where the value stops fitting
        self.steps = 0


def significant(tokens: Sequence[Any]) -> list[Any]:
    return [t for t in tokens if t.type not in _INSIGNIFICANT]


_HACK = "\x00hack"  # what _simple_signature answers for a value a browser judges by its own rules


def _simple_signature(value: Sequence[Any]) -> tuple[list[Any], str | None]:
    """The significant tokens and their signature in one pass, for values without functions or blocks (most
    of them); the signature is None when the value has some (then the general path runs), ``_HACK`` for
    vendor keywords and IE hacks (never judged)."""
    tokens: list[Any] = []
    parts: list[str] = []
    for token in value:
        kind = token.type
        if kind == "whitespace" or kind == "comment":
            continue
        tokens.append(token)
        if kind == "ident":
            word = token.lower_value
            if (word[:1] == "-" and word[:2] != "--") or word[-1:] == "\t":
                return tokens, _HACK
            parts.append(word)
        elif kind == "dimension":
            if token.unit[-1:] == "\t":
                return tokens, _HACK
            parts.append(token.representation + token.unit)
        elif kind == "number":
            parts.append(token.representation)
        elif kind == "percentage":
            parts.append(token.representation + "%")
        elif kind == "hash":
            if token.value[-1:] == "\t":
                return tokens, _HACK
            parts.append("#" + token.value)
        elif kind == "string":
            parts.append('"' + token.value)
        elif kind == "literal":
            if token.value in ("!", "=", "*", "\\"):
                return tokens, _HACK
            parts.append(token.value)
        else:
            return tokens, None
    return tokens, "\x00".join(parts)


def _signature(tokens: Sequence[Any]) -> str:
    """A text that equals another value's exactly when the two match the same way (case as the grammar sees
    it: keywords case-insensitive, everything else as written)."""
    parts = []
    for token in tokens:
        kind = token.type
        if kind == "ident":
            parts.append(token.lower_value)
        elif kind in ("number", "percentage", "dimension", "literal", "hash", "string"):
            parts.append(token.serialize())
        else:
            parts.append(flat_serialize([token]))
    return "\x00".join(parts)


# ---------------------------------------------------------------------------------------------- parsing
_SYNTAX_TOKEN = re.compile(
    r"""
    \s+
  | (?P<type><[^>]*>)
  | (?P<fn>[-a-zA-Z_][-a-zA-Z0-9_]*\()
  | (?P<mult>\#\{\s*\d+\s*(?:,\s*\d*\s*)?\}|\{\s*\d+\s*(?:,\s*\d*\s*)?\}|[*+?\#!])
  | (?P<op>\|\||\||&&)
  | (?P<bracket>[\[\]])
  | (?P<quoted>'[^']*')
  | (?P<kw>[-a-zA-Z_][-a-zA-Z0-9_]*)
  | (?P<lit>[(),/:;=%.@*+<>-]|\d+)
""",
    re.VERBOSE,
)

Node = tuple[Any, ...]


class SyntaxParseError(ValueError):
    """A value definition we cannot parse: the property it belongs to is not judged."""


def _tokenize_syntax(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _SYNTAX_TOKEN.match(text, pos)
        if match is None:
            raise SyntaxParseError(f"cannot read {text[pos : pos + 20]!r}")
        pos = match.end()
        kind = match.lastgroup
        if kind is not None:
            out.append((kind, match.group(kind)))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.items = _tokenize_syntax(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def parse(self) -> Node:
        node = self.alternatives()
        if self.peek() is not None:
            raise SyntaxParseError(f"unexpected {self.peek()}")
        return node

    def _combine(self, op: str, kind: str, parse_next: Callable[[], Node]) -> Node:
        nodes = [parse_next()]
        while self.peek() == ("op", op):
            self.pos += 1
            nodes.append(parse_next())
        return nodes[0] if len(nodes) == 1 else (kind, tuple(nodes))

    def alternatives(self) -> Node:
        return self._combine("|", "one", self.any_order)

    def any_order(self) -> Node:
        return self._combine("||", "any", self.all_order)

    def all_order(self) -> Node:
        return self._combine("&&", "all", self.sequence)

    def sequence(self) -> Node:
        nodes: list[Node] = []
        while True:
            item = self.peek()
            if item is None or item[0] == "op" or item == ("bracket", "]") or item == ("lit", ")"):
                break
            nodes.append(self.multiplied())
        if not nodes:
            raise SyntaxParseError("empty sequence")
        return nodes[0] if len(nodes) == 1 else ("seq", tuple(nodes))

    def multiplied(self) -> Node:
        node = self.term()
        while (item := self.peek()) is not None and item[0] == "mult":
            self.pos += 1
            node = _multiplier(node, item[1])
        return node

    def term(self) -> Node:
        kind, text = self.items[self.pos]
        self.pos += 1
        if kind == "bracket":
            if text != "[":
                raise SyntaxParseError("stray ]")
            inner = self.alternatives()
            if self.peek() != ("bracket", "]"):
                raise SyntaxParseError("unclosed [")
            self.pos += 1
            return ("group", inner)
        if kind == "fn":
            inner = ("empty",) if self.peek() == ("lit", ")") else self.alternatives()
            if self.peek() != ("lit", ")"):
                raise SyntaxParseError("unclosed function")
            self.pos += 1
            return ("func", text[:-1].lower(), inner)
        if kind == "type":
            return _type_node(text[1:-1].strip())
        if kind == "quoted":
            return ("lit", text[1:-1])
        if kind == "kw":
            return ("kw", text.lower())
        if kind == "lit":
            if text == "(":
                inner = self.alternatives()
                if self.peek() != ("lit", ")"):
                    raise SyntaxParseError("unclosed (")
                self.pos += 1
                return ("block", inner)
            return ("lit", text)
        raise SyntaxParseError(f"unexpected {text!r}")


def _type_node(inner: str) -> Node:
    if inner.startswith("'"):
        return ("prop", inner.strip("'").lower())
    name, _, bounds = inner.partition(" ")
    low, high = -math.inf, math.inf
    bounds = bounds.strip()
    if bounds.startswith("[") and bounds.endswith("]"):
        parts = [p.strip() for p in bounds[1:-1].split(",")]
        if len(parts) == 2:
            low = _bound(parts[0], -math.inf)
            high = _bound(parts[1], math.inf)
    return ("type", name, low, high)


def _bound(text: str, default: float) -> float:
    text = text.replace("∞", "inf")
    number = re.match(r"[-+]?(?:inf|\d+(?:\.\d+)?)", text)
    return float(number.group(0)) if number else default


def _multiplier(node: Node, text: str) -> Node:
    if text == "*":
        return ("mult", node, 0, math.inf, False)
    if text == "+":
        return ("mult", node, 1, math.inf, False)
    if text == "?":
        return ("mult", node, 0, 1, False)
    if text == "!":
        return ("nonempty", node)
    comma = text.startswith("#")
    braces = text[1:] if comma else text
    if not braces:
        return ("mult", node, 1, math.inf, True)
    numbers = braces.strip("{}").split(",")
    low = int(numbers[0])
    high: float = low if len(numbers) == 1 else (int(numbers[1]) if numbers[1].strip() else math.inf)
    return ("mult", node, low, high, comma)


# ---------------------------------------------------------------------------------------------- natives
def _is_math(token: Any) -> bool:
    return bool(token.type == "function" and token.lower_name in MATH_FUNCTIONS)


def _numeric(
    kinds: frozenset[str], units: frozenset[str] | None, zero: bool
) -> Callable[[Any, float, float], bool]:
    """A predicate for a numeric type: token kinds it may be, units for dimensions, whether bare 0 counts."""

    def check(token: Any, low: float, high: float) -> bool:
        kind = token.type
        if kind == "function":
            return bool(token.lower_name in MATH_FUNCTIONS)
        if kind == "dimension":
            if units is None or "dimension" not in kinds or token.unit.lower() not in units:
                return False
        elif kind == "number":
            if "number" not in kinds and not (zero and token.value == 0):
                return False
            if "integer" in kinds and "number" in kinds and not token.is_integer:
                return False
        elif kind == "percentage":
            if "percentage" not in kinds:
                return False
        else:
            return False
        return bool(low <= token.value <= high)

    return check


_NUMERIC: dict[str, Callable[[Any, float, float], bool]] = {
    "length": _numeric(frozenset({"dimension"}), LENGTH_UNITS, zero=True),
    "length-percentage": _numeric(frozenset({"dimension", "percentage"}), LENGTH_UNITS, zero=True),
    "percentage": _numeric(frozenset({"percentage"}), None, zero=False),
    "number": _numeric(frozenset({"number"}), None, zero=False),
    "integer": _numeric(frozenset({"number", "integer"}), None, zero=False),
    "angle": _numeric(frozenset({"dimension"}), _ANGLE_UNITS, zero=False),
    "angle-percentage": _numeric(frozenset({"dimension", "percentage"}), _ANGLE_UNITS, zero=False),
    "time": _numeric(frozenset({"dimension"}), _TIME_UNITS, zero=False),
    "time-percentage": _numeric(frozenset({"dimension", "percentage"}), _TIME_UNITS, zero=False),
    "frequency": _numeric(frozenset({"dimension"}), _FREQUENCY_UNITS, zero=False),
    "resolution": _numeric(frozenset({"dimension"}), _RESOLUTION_UNITS, zero=False),
    "flex": _numeric(frozenset({"dimension"}), frozenset({"fr"}), zero=False),
    "number-percentage": _numeric(frozenset({"number", "percentage"}), None, zero=False),
}


def _hex_color(token: Any) -> bool:
    if token.type != "hash":
        return False
    value = token.value
    return len(value) in (3, 4, 6, 8) and all(c in "0123456789abcdefABCDEF" for c in value)


def _custom_ident(token: Any) -> bool:
    return bool(
        token.type == "ident" and token.lower_value not in GLOBAL_KEYWORDS and token.lower_value != "default"
    )


_PREDICATES: dict[str, Callable[[Any], bool]] = {
    "string": lambda t: bool(t.type == "string"),
    "string-token": lambda t: bool(t.type == "string"),
    "ident": lambda t: bool(t.type == "ident"),
    "ident-token": lambda t: bool(t.type == "ident"),
    "custom-ident": _custom_ident,
    "dashed-ident": lambda t: bool(t.type == "ident" and t.value.startswith("--")),
    "custom-property-name": lambda t: bool(t.type == "ident" and t.value.startswith("--")),
    "hex-color": _hex_color,
    "hash-token": lambda t: bool(t.type == "hash"),
    "number-token": lambda t: bool(t.type == "number"),
    "dimension-token": lambda t: bool(t.type == "dimension"),
    "dimension": lambda t: bool(t.type == "dimension" or _is_math(t)),
    "percentage-token": lambda t: bool(t.type == "percentage"),
    "function-token": lambda t: bool(t.type == "function"),
    "zero": lambda t: bool(t.type == "number" and t.value == 0),
    "url": lambda t: bool(t.type == "url" or (t.type == "function" and t.lower_name in ("url", "src"))),
    "uri": lambda t: bool(t.type == "url" or (t.type == "function" and t.lower_name == "url")),
    "generic-family": lambda t: bool(t.type == "ident" and t.lower_value in GENERIC_FAMILIES),
    "comma-token": lambda t: bool(t.type == "literal" and t.value == ","),
}

# Types the data leaves without a syntax, spelled with ones it has.
_ALIASES: dict[str, str] = {
    "border-style": "<line-style>",
    "border-width": "<line-width>",
    "top": "<length> | auto",
    "right": "<length> | auto",
    "bottom": "<length> | auto",
    "left": "<length> | auto",
    "family-name": "<string> | <custom-ident>+",
    "margin-width": "<length-percentage> | auto",
    "padding-width": "<length-percentage>",
}
# Where the W3C data (taken from the latest drafts) disagrees with what browsers ship, the browsers win.
_PATCHES: dict[str, str] = {
    # css-fill-stroke drafts fold colours into <image>; SVG 2, which browsers implement, lists them.
    "paint": "none | <color> | <url> [ none | <color> ]? | context-fill | context-stroke | <image>"
    " | <svg-paint>",
}
_PROPERTY_PATCHES: dict[str, str] = {
    "outline-color": "auto | invert | <color> | <image-1D>",  # `invert`: CSS 2, still accepted
}
# Types standing for "any tokens at all" (the rest of the value).
_ANY_TYPES = frozenset({"any-value", "declaration-value"})


# ---------------------------------------------------------------------------------------------- compiling
class _Unsupported(Exception):  # noqa: N818  # a syntax we cannot parse
    pass


def _unknown_type(data: _Input, i: int, k: Cont) -> bool:
    """A type the data does not define: it accepts any one token, so it never causes a false alarm."""
    return i < len(data) and k(i + 1)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Where a value stops fitting its property's syntax."""

    token: Any
    syntax: str


# What :meth:`Grammar.check` answers for a value that can be judged only after its var() are resolved.
UNRESOLVED = Mismatch(None, "")


class Grammar:
    """Compiles and caches matchers for properties, types and functions from the W3C data."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.properties: dict[str, str] = data["properties"]
        self.property_names: frozenset[str] = frozenset(data["property_names"])
        self.types: dict[str, str] = data["types"]
        self.functions: dict[str, str] = data["functions"]
        self.selectors: frozenset[str] = frozenset(data["selectors"])
        self.atrules: frozenset[str] = frozenset(data["atrules"])
        self.media_features: dict[str, str] = data["media_features"]
        self.longhands: dict[str, list[str]] = data["longhands"]
        self._compiled: dict[str, Matcher | None] = {}
        self._pending: dict[str, list[Matcher]] = {}  # cells for recursive types being compiled
        self._property_cache: dict[str, Matcher | None] = {}
        self._fitting: set[tuple[str, str]] = set()  # (property, value signature) known to fit
        # Compiling mutates the caches; the analysis worker and the GUI thread (Fix All) may both lint.
        self._compile_lock = threading.Lock()

    # -- public ------------------------------------------------------------------------------------------
    def property_matcher(self, name: str) -> Matcher | None:
        """The matcher for a property's value, or None when it is unknown or cannot be judged."""
        if name in self._property_cache:
            return self._property_cache[name]
        with self._compile_lock:
            if name not in self._property_cache:
                self._property_cache[name] = self._compile_property(name)
        return self._property_cache[name]

    def _compile_property(self, name: str) -> Matcher | None:
        matcher: Matcher | None
        syntax = _PROPERTY_PATCHES.get(name) or self.properties.get(name)
        if syntax is None:
            matcher = None
        else:
            try:
                matcher = self._compile(_Parser(syntax).parse())
            except (SyntaxParseError, _Unsupported, RecursionError):
                matcher = None
        return matcher

    def check(self, name: str, value: Sequence[Any]) -> Mismatch | None:
        """Judge a property's value (tinycss2 component values, ``!important`` already removed).

        Returns None when the value fits, or cannot be judged statically; :data:`UNRESOLVED` when it can be
        judged once its ``var()`` are resolved; else where it stops fitting.
        """
        matcher = self.property_matcher(name)
        if matcher is None:
            return None
        tokens, signature = _simple_signature(value)
        if signature is None:  # functions or blocks: the general path
            tokens = significant(value)
            if not tokens or len(tokens) > _MAX_TOKENS:
                return None
            verdict = _judgeable(tokens)
            if verdict != _JUDGE:
                return UNRESOLVED if verdict == _AFTER_VAR else None
            signature = _signature(tokens)
        elif not tokens or len(tokens) > _MAX_TOKENS or signature is _HACK:
            return None
        if len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in GLOBAL_KEYWORDS:
            return None
        key = (name, signature)
        if key in self._fitting:
            return None  # frameworks repeat values (`display: flex`) thousands of times
        data = _Input(tokens)
        end = len(tokens)
        try:
            if matcher(data, 0, lambda j: j == end):
                if len(self._fitting) > _MAX_FITTING:
                    self._fitting.clear()
                self._fitting.add(key)
                return None
        except (_GiveUp, RecursionError):
            return None
        return Mismatch(tokens[min(data.far, end - 1)], _PROPERTY_PATCHES.get(name) or self.properties[name])

    # -- compiling ---------------------------------------------------------------------------------------
    def _named(self, key: str, syntax: str) -> Matcher:
        """Compile a named type/function/property once; recursive references go through a cell."""
        if key in self._compiled:
            compiled = self._compiled[key]
            if compiled is None:
                raise _Unsupported(key)
            return compiled
        if key in self._pending:
            cell = self._pending[key]
            return lambda data, i, k: cell[0](data, i, k)
        cell_list: list[Matcher] = []
        self._pending[key] = cell_list
        try:
            matcher = self._compile(_Parser(syntax).parse())
        except (SyntaxParseError, _Unsupported):
            self._compiled[key] = _unknown_type
            return _unknown_type
        finally:
            del self._pending[key]
        cell_list.append(matcher)
        self._compiled[key] = matcher
        return matcher

    def _type(self, name: str, low: float, high: float) -> Matcher:
        numeric = _NUMERIC.get(name)
        if numeric is not None:
            return _terminal(lambda t: numeric(t, low, high))
        predicate = _PREDICATES.get(name)
        if predicate is not None:
            return _terminal(predicate)
        if name in _ANY_TYPES:
            return _any_tokens
        if name.endswith("()"):
            syntax = self.functions.get(name)
            return _unknown_type if syntax is None else self._named(name, syntax)
        syntax = _PATCHES.get(name) or _ALIASES.get(name) or self.types.get(name)
        return _unknown_type if syntax is None else self._named("<" + name + ">", syntax)

    def _compile(self, node: Node) -> Matcher:
        kind = node[0]
        if kind == "kw":
            word = node[1]
            return _terminal(lambda t: t.type == "ident" and t.lower_value == word)
        if kind == "lit":
            return _literal(node[1])
        if kind == "type":
            return self._type(node[1], node[2], node[3])
        if kind == "prop":
            syntax = self.properties.get(node[1])
            if syntax is None:
                return _unknown_type
            return self._named("'" + node[1] + "'", syntax)
        if kind == "group":
            return self._compile(node[1])
        if kind == "func":
            return _function(node[1], self._compile(node[2]))
        if kind == "block":
            return _block(self._compile(node[1]))
        if kind == "empty":
            return lambda data, i, k: k(i)
        if kind == "seq":
            matchers = [self._compile(child) for child in node[1]]
            return _sequence(matchers)
        if kind == "one":
            return self._alternatives(node[1])
        if kind == "any":
            return _any_order([self._compile(child) for child in node[1]], [True] * len(node[1]))
        if kind == "all":
            return _any_order(
                [self._compile(child) for child in node[1]],
                [_nullable(child) for child in node[1]],
                all_required=True,
            )
        if kind == "mult":
            if node[4] and self._comma_free(node[1], set()):
                return _comma_list(self._compile(node[1]), node[2], node[3])
            return _repeat(self._compile(node[1]), node[2], node[3], node[4])
        if kind == "nonempty":
            inner = self._compile(node[1])
            return lambda data, i, k: inner(data, i, lambda j: j > i and k(j))
        raise SyntaxParseError(kind)

    def _comma_free(self, node: Node, visiting: set[str]) -> bool:
        """True when nothing the node matches contains a comma at its own level (function arguments are a
        level of their own), so a comma-separated list of it splits at every comma."""
        kind = node[0]
        if kind == "lit":
            return bool(node[1] != ",")
        if kind == "mult":
            return not node[4] and self._comma_free(node[1], visiting)
        if kind in ("group", "nonempty"):
            return self._comma_free(node[1], visiting)
        if kind in ("seq", "one", "any", "all"):
            return all(self._comma_free(child, visiting) for child in node[1])
        if (
            kind == "type"
            and not node[1].endswith("()")
            and node[1] not in _NUMERIC
            and node[1] not in _PREDICATES
        ):
            name = node[1]
            syntax = _PATCHES.get(name) or _ALIASES.get(name) or self.types.get(name)
            if name in _ANY_TYPES or syntax is None or name in visiting:
                return name not in _ANY_TYPES
            visiting.add(name)
            try:
                return self._comma_free(_Parser(syntax).parse(), visiting)
            except SyntaxParseError:
                return False
            finally:
                visiting.discard(name)
        # A property reference is rare in lists: take the general path. Keywords, natives, functions and
        # blocks hold no comma at this level.
        return bool(kind != "prop")

    def _alternatives(self, children: tuple[Node, ...]) -> Matcher:
        keywords = frozenset(child[1] for child in children if child[0] == "kw")
        others = [self._compile(child) for child in children if child[0] != "kw"]
        if keywords:
            word_matcher = _terminal(lambda t: t.type == "ident" and t.lower_value in keywords)
            others.insert(0, word_matcher)
        if len(others) == 1:
            return others[0]

        def match(data: _Input, i: int, k: Cont) -> bool:
            return any(m(data, i, k) for m in others)

        return match


def _nullable(node: Node) -> bool:
    kind = node[0]
    if kind == "mult":
        return bool(node[2] == 0)
    if kind == "group":
        return _nullable(node[1])
    return bool(kind == "empty")


def _terminal(predicate: Callable[[Any], bool]) -> Matcher:
    def match(data: _Input, i: int, k: Cont) -> bool:
        data.steps += 1
        if data.steps > _MAX_STEPS:
            raise _GiveUp
        if i < len(data) and predicate(data[i]):
            if i + 1 > data.far:
                data.far = i + 1
            return k(i + 1)
        return False

    return match


def _literal(text: str) -> Matcher:
    if text == ",":

        def comma(data: _Input, i: int, k: Cont) -> bool:
            if i < len(data) and data[i].type == "literal" and data[i].value == ",":
                if i + 1 > data.far:
                    data.far = i + 1
                return k(i + 1)
            # A comma next to an omitted optional part is omitted too (CSS Values 4, §2.6).
            if i == 0 or i == len(data) or (data[i - 1].type == "literal" and data[i - 1].value == ","):
                return k(i)
            return False

        return comma
    return _terminal(lambda t: t.type == "literal" and t.value == text)


def _any_tokens(data: _Input, i: int, k: Cont) -> bool:
    return any(k(j) for j in range(len(data), i, -1))


def _sequence(matchers: list[Matcher]) -> Matcher:
    if len(matchers) == 1:
        return matchers[0]
    first, rest = matchers[0], _sequence(matchers[1:])
    return lambda data, i, k: first(data, i, lambda j: rest(data, j, k))


def _repeat(inner: Matcher, low: float, high: float, comma: bool) -> Matcher:
    def match(data: _Input, i: int, k: Cont) -> bool:
        def more(i: int, count: int) -> bool:
            if count < high:
                start = i
                if comma and count > 0:
                    if i < len(data) and data[i].type == "literal" and data[i].value == ",":
                        start = i + 1
                    else:
                        start = -1
                if start >= 0 and inner(data, start, lambda j: j > start and more(j, count + 1)):
                    return True
            return count >= low and k(i)

        return more(i, 0)

    return match


def _comma_list(inner: Matcher, low: float, high: float) -> Matcher:
    """``<item>#`` where an item never holds a comma at its level: every item but the last must end exactly at
    the next comma, so those are matched one by one in a loop (a long list costs no recursion depth); only the
    last item, which may end anywhere, is matched with the continuation."""

    def match(data: _Input, i: int, k: Cont) -> bool:
        count = len(data)
        starts = [i]  # starts[m]: where item m + 1 starts once m items, each followed by a comma, matched
        while len(starts) < high:
            start = starts[-1]
            stop = start
            while stop < count and not (data[stop].type == "literal" and data[stop].value == ","):
                stop += 1
            if stop in (start, count) or not inner(data, start, lambda j: j == stop):  # noqa: B023
                break
            starts.append(stop + 1)
        for n in range(len(starts), 0, -1):  # n items: n - 1 complete ones, then the last
            start = starts[n - 1]
            if n >= low and inner(data, start, lambda j: j > start and k(j)):  # noqa: B023  # called at once
                return True
        return low == 0 and k(i)

    return match


def _any_order(matchers: list[Matcher], optional: list[bool], *, all_required: bool = False) -> Matcher:
    """``a || b`` (one or more, any order) and ``a && b`` (all, any order; optional ones may be missing)."""
    count = len(matchers)
    required = 0 if not all_required else sum(1 << n for n in range(count) if not optional[n])

    def match(data: _Input, i: int, k: Cont) -> bool:
        def step(i: int, used: int) -> bool:
            for n in range(count):
                bit = 1 << n
                if not used & bit and matchers[n](data, i, lambda j: j > i and step(j, used | bit)):  # noqa: B023
                    return True
            if all_required:
                return used & required == required and k(i)
            return used != 0 and k(i)

        return step(i, 0)

    return match


def _function(name: str, inner: Matcher) -> Matcher:
    def match(data: _Input, i: int, k: Cont) -> bool:
        if i >= len(data):
            return False
        token = data[i]
        if token.type != "function" or token.lower_name != name:
            return False
        args = _Input(significant(token.arguments))
        args.steps = data.steps
        end = len(args)
        ok = inner(args, 0, lambda j: j == end)
        data.steps = args.steps
        if not ok:
            return False
        if i + 1 > data.far:
            data.far = i + 1
        return k(i + 1)

    return match


def _block(inner: Matcher) -> Matcher:
    def match(data: _Input, i: int, k: Cont) -> bool:
        if i >= len(data) or data[i].type != "() block":
            return False
        content = _Input(significant(data[i].content))
        content.steps = data.steps
        end = len(content)
        ok = inner(content, 0, lambda j: j == end)
        data.steps = content.steps
        return ok and k(i + 1)

    return match


_JUDGE, _NEVER, _AFTER_VAR = 0, 1, 2


def _judgeable(tokens: Sequence[Any]) -> int:
    """``_JUDGE``; ``_NEVER`` when the value can't be judged statically (substitutions other than var(),
    vendor extensions, IE hacks); ``_AFTER_VAR`` when it can once its var() are resolved."""
    stack = [tokens]
    has_var = False
    while stack:
        for token in stack.pop():
            kind = token.type
            if kind == "function":
                name = token.lower_name
                if name == "var":
                    has_var = True
                    continue
                if name in SUBSTITUTION_FUNCTIONS or name.startswith("-") or name == "expression":
                    return _NEVER  # unknowable until substituted; vendor; IE script (a safety finding)
                first = next((t for t in token.arguments if t.type not in _INSIGNIFICANT), None)
                if first is not None and first.type == "ident" and first.lower_value == "from":
                    return _NEVER  # relative colour syntax: channel keywords stand for numbers
                if name not in MATH_FUNCTIONS:
                    stack.append(token.arguments)
            elif kind == "ident":
                if token.value.startswith("-") and not token.value.startswith("--"):
                    return _NEVER  # `-webkit-match-parent`, `-ms-flexbox`: a browser accepts its own
                if token.value.endswith("\t"):
                    return _NEVER  # IE's `\9` hack
            elif kind in ("dimension", "hash") and (
                getattr(token, "unit", "").endswith("\t") or str(token.value).endswith("\t")
            ):
                return _NEVER
            elif kind == "literal" and token.value in ("!", "=", "*", "\\"):
                return _NEVER  # `!ie`, `alpha(opacity=50)`, star hacks
            elif kind in ("error", "{} block", "[] block"):
                return _NEVER
            elif kind == "() block":
                stack.append(token.content)
    return _AFTER_VAR if has_var else _JUDGE


_GRAMMAR: Grammar | None = None


def grammar() -> Grammar:
    """The shared grammar, loaded on first use (the data file is read once per process)."""
    global _GRAMMAR  # a lazily built, then read-only, singleton
    if _GRAMMAR is None:
        with DATA_PATH.open(encoding="utf-8") as f:
            _GRAMMAR = Grammar(json.load(f))
    return _GRAMMAR
