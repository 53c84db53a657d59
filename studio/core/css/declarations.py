"""Facts about declarations the block-level rules need: which shorthand resets which longhands, which values
every browser understands (so an earlier declaration cannot be their fallback), font families and animation
keywords."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from studio.core.css.grammar import grammar
from studio.core.css.named_colors import NAMED_COLORS

# Keywords of the `animation` shorthand other than the name (timing, count, direction, fill, state...).
ANIMATION_KEYWORDS: frozenset[str] = frozenset(
    {
        "none",
        "linear",
        "ease",
        "ease-in",
        "ease-out",
        "ease-in-out",
        "step-start",
        "step-end",
        "infinite",
        "normal",
        "reverse",
        "alternate",
        "alternate-reverse",
        "forwards",
        "backwards",
        "both",
        "running",
        "paused",
        "auto",
        "replace",
        "add",
        "accumulate",
        "inherit",
        "initial",
        "unset",
        "revert",
        "revert-layer",
    }
)

# Units and keywords every browser in use has understood for a decade: a later value made only of these
# cannot be a fallback target, so an earlier declaration of the same property is dead.
# (rem, vh, rgba() and hsla() are missing on purpose: `font-size: 16px; font-size: 1rem` is a fallback
# for IE 8.)
_CLASSIC_UNITS = frozenset({"px", "em", "%", "pt", "pc", "cm", "mm", "in", "ex", "s", "ms", "deg"})
_CLASSIC_FUNCTIONS = frozenset({"rgb", "hsl", "url"})
_CLASSIC_WORDS = frozenset(
    {
        "none",
        "auto",
        "normal",
        "inherit",
        "initial",
        "transparent",
        "currentcolor",
        "block",
        "inline",
        "inline-block",
        "absolute",
        "relative",
        "fixed",
        "static",
        "hidden",
        "visible",
        "solid",
        "dashed",
        "dotted",
        "double",
        "bold",
        "bolder",
        "lighter",
        "italic",
        "center",
        "left",
        "right",
        "top",
        "bottom",
        "both",
        "pointer",
        "default",
        "inset",
        "no-repeat",
        "repeat",
        "repeat-x",
        "repeat-y",
        "cover",
        "contain",
        "nowrap",
        "uppercase",
        "lowercase",
        "capitalize",
        "underline",
        "middle",
        "baseline",
        "table",
        "table-cell",
        "list-item",
        "collapse",
        "separate",
        "scroll",
        "break-word",
        "ease",
        "linear",
        "ease-in",
        "ease-out",
        "ease-in-out",
        "infinite",
        "all",
        "text",
        "move",
        "not-allowed",
        "help",
        "wait",
        "crosshair",
        "disc",
        "circle",
        "square",
        "decimal",
        "outside",
        "inside",
        "pre",
        "pre-wrap",
        "pre-line",
        "justify",
        "thin",
        "medium",
        "thick",
        "border-box",
        "content-box",
        "padding-box",
        "sans-serif",
        "serif",
        "monospace",
    }
)


def is_universal(value: Sequence[Any]) -> bool:
    """True when every part of the value is understood by every browser, so it is no fallback for another."""
    stack = [value]
    while stack:
        for token in stack.pop():
            kind = token.type
            if kind in ("whitespace", "comment", "number", "percentage", "string", "hash", "url"):
                continue
            if kind == "literal" and token.value in (",", "/"):
                continue
            if kind == "dimension" and token.unit.lower() in _CLASSIC_UNITS:
                continue
            if kind == "ident" and (token.lower_value in _CLASSIC_WORDS or token.lower_value in NAMED_COLORS):
                continue
            if kind == "function" and token.lower_name in _CLASSIC_FUNCTIONS:
                stack.append(token.arguments)
                continue
            return False
    return True


@cache
def shorthand_resets(name: str) -> frozenset[str]:
    """Every property the shorthand ``name`` sets or resets, through nested shorthands; empty for others."""
    longhands = grammar().longhands
    found: set[str] = set()
    todo = list(longhands.get(name, ()))
    while todo:
        longhand = todo.pop()
        if longhand not in found:
            found.add(longhand)
            todo.extend(longhands.get(longhand, ()))
    return frozenset(found)


def generic_for(families: Sequence[str]) -> str:
    """The generic family to append to a list that has none: a guess from the names listed."""
    names = " ".join(families).lower()
    if any(word in names for word in ("mono", "code", "courier", "consol", "menlo")):
        return "monospace"
    if (
        any(
            word in names for word in ("serif", "georgia", "times", "garamond", "baskerville", "merriweather")
        )
        and "sans" not in names
    ):
        return "serif"
    return "sans-serif"
