"""Checks for the values of colour and length properties.

The checks are deliberately shallow: a value is accepted as soon as it *could* be valid (any substitution
function, any math function, any vendor-prefixed keyword, any IE hack), so real frameworks stay quiet and only
plain mistakes (``colr: reed``, ``width: 10``) are reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from studio.core.css.named_colors import COLOR_KEYWORDS, NAMED_COLORS, SYSTEM_COLORS
from studio.core.css.properties import (
    COLOR_FUNCTIONS,
    COLOR_PROPERTIES,
    GLOBAL_KEYWORDS,
    LENGTH_PROPERTIES,
    LENGTH_UNITS,
    MATH_FUNCTIONS,
    SUBSTITUTION_FUNCTIONS,
)

_COLOR_WORDS: frozenset[str] = frozenset(NAMED_COLORS) | COLOR_KEYWORDS | SYSTEM_COLORS
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_INSIGNIFICANT = frozenset({"whitespace", "comment"})


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """Why a value is invalid, and the token to point at (1-based line/column as tinycss2 reports them)."""

    line: int
    column: int
    message: str


_OPENERS = {"() block": ("(", ")"), "[] block": ("[", "]"), "{} block": ("{", "}")}


def flat_serialize(tokens: Sequence[Any], limit: int | None = None) -> str:
    """CSS text of ``tokens``, built iteratively (tinycss2's serializer recurses, and hostile input nests
    100,000 deep); stops early once ``limit`` characters are reached."""
    parts: list[str] = []
    size = 0
    stack: list[tuple[Iterator[Any], str]] = [(iter(tokens), "")]
    while stack:
        iterator, closer = stack[-1]
        for token in iterator:
            kind = token.type
            if kind == "function":
                text = token.name + "("
                stack.append((iter(token.arguments), ")"))
            elif kind in _OPENERS:
                text, end = _OPENERS[kind]
                stack.append((iter(token.content), end))
            else:
                text = token.serialize()
            parts.append(text)
            size += len(text)
            if limit is not None and size >= limit:
                return "".join(parts)
            if kind == "function" or kind in _OPENERS:
                break
        else:
            stack.pop()
            parts.append(closer)
    return "".join(parts)


def _show(token: Any) -> str:
    text = flat_serialize([token], limit=41)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_hack(token: Any) -> bool:
    """IE hacks: ``\\9`` after a value (decoded to a tab) and ``!ie``-style bangs."""
    kind = token.type
    if kind == "literal":
        return bool(token.value == "!")
    if kind in ("ident", "hash"):
        return bool(token.value.endswith("\t"))
    if kind == "dimension":
        return bool(token.unit.endswith("\t"))
    return False


def _is_vendor(word: str) -> bool:
    return word.startswith("-") and not word.startswith("--")


def _significant(value: Sequence[Any]) -> list[Any] | None:
    """The significant tokens, or None when the value cannot be judged statically (substitution, hacks)."""
    tokens = []
    for token in value:
        kind = token.type
        if kind in _INSIGNIFICANT:
            continue
        if kind == "function" and token.lower_name in SUBSTITUTION_FUNCTIONS:
            return None
        if kind == "error" or _is_hack(token):
            return None
        tokens.append(token)
    return tokens


def _empty(prop: str, line: int, column: int) -> ValueProblem:
    return ValueProblem(line, column, f"{prop} has no value; give it one or remove the declaration.")


def color_problem(prop: str, value: Sequence[Any], line: int, column: int) -> ValueProblem | None:
    """Check a colour property (``prop`` must be a key of ``COLOR_PROPERTIES``); None when it is fine."""
    tokens = _significant(value)
    if tokens is None:
        return None
    if not tokens:
        return _empty(prop, line, column)
    max_count, keywords = COLOR_PROPERTIES[prop]
    if len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in GLOBAL_KEYWORDS:
        return None
    for token in tokens:
        kind = token.type
        if kind == "ident":
            word = token.lower_value
            if word in _COLOR_WORDS or word in keywords or _is_vendor(word):
                continue
        elif kind == "hash":
            if len(token.value) in (3, 4, 6, 8) and all(c in _HEX_DIGITS for c in token.value):
                continue
        elif kind == "function":
            name = token.lower_name
            if name in COLOR_FUNCTIONS or _is_vendor(name) or (name == "url" and keywords):
                continue
        elif kind == "url" and keywords:  # fill/stroke: a paint server, url(#gradient)
            continue
        return ValueProblem(
            token.source_line, token.source_column,
            f"'{_show(token)}' is not a colour, so {prop} is ignored; use a colour name, #rrggbb, rgb(), "
            "hsl(), oklch() or var().",
        )
    if len(tokens) > max_count:
        extra = tokens[max_count]
        plural = "colour" if max_count == 1 else "colours"
        return ValueProblem(
            extra.source_line, extra.source_column,
            f"{prop} takes at most {max_count} {plural} but has {len(tokens)} values; remove the extra ones.",
        )
    return None


def length_problem(prop: str, value: Sequence[Any], line: int, column: int) -> ValueProblem | None:
    """Check a length property (``prop`` must be a key of ``LENGTH_PROPERTIES``); None when it is fine."""
    tokens = _significant(value)
    if tokens is None:
        return None
    if not tokens:
        return _empty(prop, line, column)
    max_count, keywords, functions, slash = LENGTH_PROPERTIES[prop]
    if len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in GLOBAL_KEYWORDS:
        return None
    count = 0
    for token in tokens:
        kind = token.type
        count += 1
        if kind == "dimension":
            unit = token.unit.lower()
            if unit in LENGTH_UNITS or _is_vendor(unit):
                continue
            message = f"'{_show(token)}' is not a length, so {prop} is ignored; use px, rem, em, % or calc()."
        elif kind == "percentage":
            continue
        elif kind == "number":
            if token.value == 0:
                continue
            message = (f"'{_show(token)}' needs a unit, so {prop} is ignored; write e.g. {_show(token)}px "
                       "(only 0 may be unitless).")
        elif kind == "ident":
            word = token.lower_value
            if word in keywords or _is_vendor(word):
                continue
            message = f"'{_show(token)}' is not a valid keyword for {prop}, so the declaration is ignored."
        elif kind == "function":
            name = token.lower_name
            if name in MATH_FUNCTIONS or name in functions or _is_vendor(name):
                continue
            message = (f"{name}() does not give a length, so {prop} is ignored; use calc(), min(), max() "
                       "or clamp().")
        elif kind == "literal" and token.value == "/" and slash:
            count -= 1
            continue
        else:
            message = f"'{_show(token)}' is not a length, so {prop} is ignored; use px, rem, em, % or calc()."
        return ValueProblem(token.source_line, token.source_column, message)
    if count > max_count:
        extra = tokens[max_count]
        plural = "value" if max_count == 1 else "values"
        return ValueProblem(
            extra.source_line, extra.source_column,
            f"{prop} takes at most {max_count} {plural} but has {count}; remove the extra ones.",
        )
    return None
