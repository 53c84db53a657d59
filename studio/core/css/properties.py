"""What the linter knows about CSS properties, functions, units and at-rules.

``KNOWN_PROPERTIES`` comes from ``data/known_properties.json``, generated from the npm package
``known-css-properties`` 0.37.0 (MIT licence, Copyright (c) 2017 Mavrix Technologies), which merges the W3C
property index with what Chrome, Firefox, Safari and Edge accept. Regenerate it with
``npm pack known-css-properties`` and copy ``data/all.json``'s ``properties`` into the JSON file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_DATA = Path(__file__).with_name("data") / "known_properties.json"


def _load_known() -> frozenset[str]:
    with _DATA.open(encoding="utf-8") as f:
        data = json.load(f)
    names: list[str] = data["properties"]
    return frozenset(names)


KNOWN_PROPERTIES: frozenset[str] = _load_known() | {"bleed", "corner-shape"}

# `-webkit-foo`, `-ms-foo`, `-epub-foo`...: vendors own these names; never report them as unknown.
VENDOR_PREFIXED = re.compile(r"-[a-z0-9]+-")


def is_vendor_prefixed(name: str) -> bool:
    """True for ``-vendor-name`` (not for custom properties, which start with ``--``)."""
    return VENDOR_PREFIXED.match(name) is not None


GLOBAL_KEYWORDS: frozenset[str] = frozenset({"inherit", "initial", "unset", "revert", "revert-layer"})

# Functions whose result is only known after substitution: a value using one cannot be checked statically.
SUBSTITUTION_FUNCTIONS: frozenset[str] = frozenset({
    "var", "env", "attr", "if", "inherit", "first-valid", "random-item", "toggle",
})

MATH_FUNCTIONS: frozenset[str] = frozenset({
    "calc", "min", "max", "clamp", "round", "mod", "rem", "sin", "cos", "tan", "asin", "acos", "atan",
    "atan2", "pow", "sqrt", "hypot", "log", "exp", "abs", "sign", "progress", "media-progress",
    "container-progress", "calc-mix", "random", "sibling-index", "sibling-count", "calc-size",
})

COLOR_FUNCTIONS: frozenset[str] = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix",
    "light-dark", "device-cmyk", "contrast-color", "alpha",
})

LENGTH_UNITS: frozenset[str] = frozenset({
    "em", "rem", "ex", "rex", "cap", "rcap", "ch", "rch", "ic", "ric", "lh", "rlh",
    "vw", "vh", "vi", "vb", "vmin", "vmax",
    "svw", "svh", "svi", "svb", "svmin", "svmax", "lvw", "lvh", "lvi", "lvb", "lvmin", "lvmax",
    "dvw", "dvh", "dvi", "dvb", "dvmin", "dvmax",
    "cqw", "cqh", "cqi", "cqb", "cqmin", "cqmax",
    "cm", "mm", "q", "in", "pt", "pc", "px",
})

# Colour-valued properties: name -> (how many colours the value may list, extra keywords it accepts).
_PAINT = frozenset({"none", "context-fill", "context-stroke"})
_AUTO = frozenset({"auto"})
_NONE: frozenset[str] = frozenset()
COLOR_PROPERTIES: dict[str, tuple[int, frozenset[str]]] = {
    "color": (1, _NONE),
    "background-color": (1, _NONE),
    "border-color": (4, _NONE),
    "border-block-color": (2, _NONE),
    "border-inline-color": (2, _NONE),
    "outline-color": (1, frozenset({"invert", "auto"})),
    "fill": (2, _PAINT),
    "stroke": (2, _PAINT),
    "caret-color": (1, _AUTO),
    "accent-color": (1, _AUTO),
    "scrollbar-color": (2, _AUTO),
    "text-decoration-color": (1, _NONE),
    "text-emphasis-color": (1, _NONE),
    "column-rule-color": (1, _NONE),
    "flood-color": (1, _NONE),
    "lighting-color": (1, _NONE),
    "stop-color": (1, _NONE),
}
for _side in ("top", "right", "bottom", "left", "block-start", "block-end", "inline-start", "inline-end"):
    COLOR_PROPERTIES[f"border-{_side}-color"] = (1, _NONE)

_SIZE = frozenset({
    "auto", "min-content", "max-content", "fit-content", "stretch", "fill-available", "intrinsic",
    "min-intrinsic",
})
_MAX_SIZE = _SIZE | {"none"}
_FONT_SIZE = frozenset({
    "xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large", "larger",
    "smaller", "math",
})
_LINE_WIDTH = frozenset({"thin", "medium", "thick"})
_NORMAL = frozenset({"normal"})
_SIZE_FUNCTIONS = frozenset({"fit-content", "anchor-size"})
_INSET_FUNCTIONS = frozenset({"anchor", "anchor-size"})

# Length-valued properties: name -> (max components, keywords, extra functions, whether `/` may appear).
LENGTH_PROPERTIES: dict[str, tuple[int, frozenset[str], frozenset[str], bool]] = {}


def _lengths(names: str, count: int, keywords: frozenset[str] = _NONE,
             functions: frozenset[str] = _NONE, slash: bool = False) -> None:
    for name in names.split():
        LENGTH_PROPERTIES[name] = (count, keywords, functions, slash)


_lengths("width height min-width min-height block-size inline-size min-block-size min-inline-size",
         1, _SIZE, _SIZE_FUNCTIONS)
_lengths("max-width max-height max-block-size max-inline-size", 1, _MAX_SIZE, _SIZE_FUNCTIONS)
_lengths("flex-basis", 1, _SIZE | {"content"}, _SIZE_FUNCTIONS)
_lengths("margin inset", 4, _AUTO, _INSET_FUNCTIONS)
_lengths("margin-block margin-inline inset-block inset-inline", 2, _AUTO, _INSET_FUNCTIONS)
_lengths("margin-top margin-right margin-bottom margin-left margin-block-start margin-block-end "
         "margin-inline-start margin-inline-end top right bottom left inset-block-start inset-block-end "
         "inset-inline-start inset-inline-end", 1, _AUTO, _INSET_FUNCTIONS)
_lengths("padding", 4)
_lengths("padding-block padding-inline", 2)
_lengths("padding-top padding-right padding-bottom padding-left padding-block-start padding-block-end "
         "padding-inline-start padding-inline-end", 1)
_lengths("font-size", 1, _FONT_SIZE)
_lengths("gap grid-gap", 2, _NORMAL)
_lengths("row-gap column-gap grid-row-gap grid-column-gap letter-spacing word-spacing", 1, _NORMAL)
_lengths("border-width", 4, _LINE_WIDTH)
_lengths("border-block-width border-inline-width", 2, _LINE_WIDTH)
_lengths("border-top-width border-right-width border-bottom-width border-left-width "
         "border-block-start-width border-block-end-width border-inline-start-width border-inline-end-width "
         "outline-width column-rule-width", 1, _LINE_WIDTH)
_lengths("outline-offset", 1)
_lengths("border-radius", 8, slash=True)
_lengths("border-top-left-radius border-top-right-radius border-bottom-right-radius "
         "border-bottom-left-radius border-start-start-radius border-start-end-radius "
         "border-end-start-radius border-end-end-radius", 2)
_lengths("text-indent", 3, frozenset({"hanging", "each-line"}))

# IE-only properties that run script (HTC behaviours, XBL bindings).
LEGACY_SCRIPT_PROPERTIES: frozenset[str] = frozenset({"behavior", "-ms-behavior", "-moz-binding"})

# At-rules whose block holds descriptors, not properties: their names are not checked against the list.
DESCRIPTOR_AT_RULES: frozenset[str] = frozenset({
    "font-face", "property", "counter-style", "font-palette-values", "font-feature-values",
    "view-transition", "color-profile", "viewport", "-ms-viewport", "-o-viewport", "function", "swash",
    "annotation", "ornaments", "stylistic", "styleset", "character-variant",
})

# At-rules whose block holds style rules or declarations of ordinary properties.
STYLE_AT_RULES: frozenset[str] = frozenset({
    "media", "supports", "layer", "container", "scope", "starting-style", "document", "-moz-document",
    "page", "keyframes", "-webkit-keyframes", "-moz-keyframes", "-o-keyframes", "-ms-keyframes",
    "position-try", "when", "else", "nest", "top-left-corner", "top-left", "top-center", "top-right",
    "top-right-corner", "bottom-left-corner", "bottom-left", "bottom-center", "bottom-right",
    "bottom-right-corner", "left-top", "left-middle", "left-bottom", "right-top", "right-middle",
    "right-bottom",
})
