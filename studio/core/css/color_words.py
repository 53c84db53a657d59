"""Colours in words, for screen readers: "#2f5bd3" alone tells a listener nothing, "medium blue" does."""

from __future__ import annotations

import colorsys
from typing import Final

from studio.core.css.colors import RGBA
from studio.core.css.named_colors import NAMED_COLORS

# Hue sectors (upper bound in degrees, name); red wraps around 360.
_HUES: Final = (
    (15, "red"), (45, "orange"), (65, "yellow"), (80, "yellow-green"), (160, "green"), (190, "cyan"),
    (250, "blue"), (290, "purple"), (330, "magenta"), (345, "pink"), (360, "red"),
)
# One CSS name per RGB triple: the first spelling wins ("aqua" over "cyan", "gray" over "grey").
_NAME_OF: Final = {rgb: name for name, rgb in reversed(list(NAMED_COLORS.items()))}


def _hue_name(hue_degrees: float) -> str:
    return next(name for bound, name in _HUES if hue_degrees < bound)


def _shade(lightness: float) -> str:
    if lightness < 0.15:
        return "very dark "
    if lightness < 0.35:
        return "dark "
    if lightness > 0.9:
        return "very light "
    if lightness > 0.7:
        return "light "
    return ""


def describe_color(color: RGBA) -> str:
    """A short description: the CSS name when one matches exactly, else shade and hue ("dark blue").

    Greys are named by lightness; a translucent colour says how opaque it is ("red, 50% opaque").
    """
    rgb = (round(color.r * 255), round(color.g * 255), round(color.b * 255))
    hue, lightness, saturation = colorsys.rgb_to_hls(color.r, color.g, color.b)
    if rgb in _NAME_OF:
        words = _NAME_OF[rgb]
    elif lightness < 0.04:
        words = "black"
    elif lightness > 0.97:
        words = "white"
    elif saturation < 0.12 or max(rgb) - min(rgb) < 16:
        words = _shade(lightness) + "grey"
    else:
        words = ("greyish " if saturation < 0.3 else "") + _shade(lightness) + _hue_name(hue * 360)
    if color.a < 1:
        words += f", {round(color.a * 100)}% opaque"
    return words
