"""CSS colour values to sRGB: hex, named, rgb/hsl/hwb, lab/lch, oklab/oklch, color() and color-mix().

The token panel shows swatches and the contrast checker computes WCAG ratios, so every colour syntax a modern
theme uses has to become one sRGB value. Conversions follow the CSS Color 4 sample code (D50 Lab with Bradford
adaptation, OKLab on D65); colours outside sRGB are clipped per channel, as the brief asks, rather than
gamut-mapped. ``color-mix()`` interpolates with premultiplied alpha and CSS hue rules, and works on unclipped
values so that mixing wide-gamut colours is not distorted by an early clip.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tinycss2

from studio.core.css.named_colors import NAMED_COLORS

Node = Any  # tinycss2 AST node (the package ships no type hints)
Vec = tuple[float, float, float]
Matrix = tuple[Vec, Vec, Vec]
Coords = tuple[float | None, float | None, float | None]  # None = a missing ("none") component


@dataclass(frozen=True, slots=True)
class RGBA:
    """A colour in sRGB; channels and alpha are clamped to 0..1 on construction (NaN becomes 0)."""

    r: float
    g: float
    b: float
    a: float = 1.0

    def __post_init__(self) -> None:
        for name in ("r", "g", "b", "a"):
            object.__setattr__(self, name, _clamp01(getattr(self, name)))

    def to_hex(self) -> str:
        """Return ``#rrggbb``, or ``#rrggbbaa`` when the colour is translucent."""
        text = "#" + "".join(f"{round(c * 255):02x}" for c in (self.r, self.g, self.b))
        return text + f"{round(self.a * 255):02x}" if self.a < 1 else text


def parse_color(text: str) -> RGBA | None:
    """Parse one CSS colour value into sRGB.

    Args:
        text: a property value such as ``#0af``, ``oklch(62.8% 0.2577 29.23)`` or
            ``color-mix(in oklab, var(--x), white)``.

    Returns:
        The colour, clipped to sRGB, or None when the text is not a colour or not resolvable without context
        (``currentcolor``, system colours, ``var()``, relative colour syntax, ``calc()`` components).
    """
    parsed = tinycss2.parse_component_value_list(text, skip_comments=True)
    nodes = [n for n in parsed if n.type != "whitespace"]
    if len(nodes) != 1:
        return None
    color = _color_from_node(nodes[0])
    if color is None:
        return None
    r, g, b = _convert(color.space, color.coords, "srgb")
    return RGBA(r, g, b, 1.0 if color.alpha is None else color.alpha)


@dataclass(frozen=True, slots=True)
class SpaceColor:
    """A CSS colour in the space its syntax names, unconverted (design-token export keeps the space).

    Attributes:
        space: ``srgb`` (hex, named, ``rgb()``), ``hsl``, ``hwb``, ``lab``, ``lch``, ``oklab``, ``oklch``, or
            a ``color()`` space (``xyz`` is reported as ``xyz-d65``).
        coords: the three components in the space's own units (hsl/hwb percentages as 0..100, Lab L as
            0..100, OKLab L as 0..1); None is a missing (``none``) component.
        alpha: 0..1, None when written as ``none``.
    """

    space: str
    coords: Coords
    alpha: float | None


def parse_color_in_space(text: str) -> SpaceColor | None:
    """Parse one CSS colour value without converting it; ``color-mix()`` yields the mix in its space."""
    parsed = tinycss2.parse_component_value_list(text, skip_comments=True)
    nodes = [n for n in parsed if n.type != "whitespace"]
    if len(nodes) != 1:
        return None
    color = _color_from_node(nodes[0])
    return None if color is None else SpaceColor(color.space, color.coords, color.alpha)


def convert_color(space: str, coords: Coords, target: str) -> Vec:
    """Convert components between any two supported spaces (missing components count as zero)."""
    return _convert(space, coords, target)


# --- internal colour model ---


@dataclass(frozen=True, slots=True)
class _Color:
    """A parsed colour in its own space, unclipped, with missing components kept for color-mix()."""

    space: str
    coords: Coords
    alpha: float | None


def _clamp01(x: float) -> float:
    if x != x:  # NaN
        return 0.0
    return 0.0 if x < 0 else 1.0 if x > 1 else float(x)


def _mul(m: Matrix, v: Vec) -> Vec:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


# Matrices from the CSS Color 4 sample code (https://www.w3.org/TR/css-color-4/#color-conversion-code).
_LIN_SRGB_TO_XYZ: Matrix = (
    (506752 / 1228815, 87881 / 245763, 12673 / 70218),
    (87098 / 409605, 175762 / 245763, 12673 / 175545),
    (7918 / 409605, 87881 / 737289, 1001167 / 1053270),
)
_XYZ_TO_LIN_SRGB: Matrix = (
    (12831 / 3959, -329 / 214, -1974 / 3959),
    (-851781 / 878810, 1648619 / 878810, 36519 / 878810),
    (705 / 12673, -2585 / 12673, 705 / 667),
)
_LIN_P3_TO_XYZ: Matrix = (
    (608311 / 1250200, 189793 / 714400, 198249 / 1000160),
    (35783 / 156275, 247089 / 357200, 198249 / 2500400),
    (0.0, 32229 / 714400, 5220557 / 5000800),
)
_XYZ_TO_LIN_P3: Matrix = (
    (446124 / 178915, -333277 / 357830, -72051 / 178915),
    (-14852 / 17905, 63121 / 35810, 423 / 17905),
    (11844 / 330415, -50337 / 660830, 316169 / 330415),
)
def _inverse(m: Matrix) -> Matrix:
    """Inverse of a 3×3 matrix (by cofactors), so a forward matrix from the spec fixes both directions."""
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return (
        ((e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det),
        ((f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det),
        ((d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det),
    )


# a98-rgb, prophoto-rgb (D50) and rec2020, also from the CSS Color 4 sample code.
_LIN_A98_TO_XYZ: Matrix = (
    (573536 / 994567, 263643 / 1420810, 187206 / 994567),
    (591459 / 1989134, 6239551 / 9945670, 374412 / 4972835),
    (53769 / 1989134, 351524 / 4972835, 4929758 / 4972835),
)
_XYZ_TO_LIN_A98: Matrix = _inverse(_LIN_A98_TO_XYZ)
_LIN_PROPHOTO_TO_XYZ_D50: Matrix = (
    (0.7977666449006423, 0.13518129740053308, 0.0313477341283922858),
    (0.2880748288194013, 0.711835234241873, 0.00008993693872564),
    (0.0, 0.0, 0.8251046025104602),
)
_XYZ_D50_TO_LIN_PROPHOTO: Matrix = (
    (1.3457868816471583, -0.25557208737979464, -0.05110186497554526),
    (-0.5446307051249019, 1.5082477428451468, 0.02052744743642139),
    (0.0, 0.0, 1.2119675456389452),
)
_LIN_2020_TO_XYZ: Matrix = (
    (63426534 / 99577255, 20160776 / 139408157, 47086771 / 278816314),
    (26158966 / 99577255, 472592308 / 697040785, 8267143 / 139408157),
    (0.0, 19567812 / 697040785, 295819943 / 278816314),
)
_XYZ_TO_LIN_2020: Matrix = (
    (30757411 / 17917100, -6372589 / 17917100, -4539589 / 17917100),
    (-19765991 / 29648200, 47925759 / 29648200, 467509 / 29648200),
    (792561 / 44930125, -1921689 / 44930125, 42328811 / 44930125),
)
_REC2020_ALPHA = 1.09929682680944
_REC2020_BETA = 0.018053968510807
_D50_TO_D65: Matrix = (
    (0.955473421488075, -0.02309845494876471, 0.06325924320057072),
    (-0.0283697093338637, 1.0099953980813041, 0.021041441191917323),
    (0.012314014864481998, -0.020507649298898964, 1.330365926242124),
)
_D65_TO_D50: Matrix = (
    (1.0479297925449969, 0.022946870601609652, -0.05019226628920524),
    (0.02962780877005599, 0.9904344267538799, -0.017073799063418826),
    (-0.009243040646204504, 0.015055191490298152, 0.7518742814281371),
)
_OKLAB_TO_LMS: Matrix = (
    (1.0, 0.3963377773761749, 0.2158037573099136),
    (1.0, -0.1055613458156586, -0.0638541728258133),
    (1.0, -0.0894841775298119, -1.2914855480194092),
)
_LMS_TO_XYZ: Matrix = (
    (1.2268798758459243, -0.5578149944602171, 0.2813910456659647),
    (-0.0405757452148008, 1.1122868032803170, -0.0717110580655164),
    (-0.0763729366746601, -0.4214933324022432, 1.5869240198367816),
)
_XYZ_TO_LMS: Matrix = (
    (0.8190224379967030, 0.3619062600528904, -0.1288737815209879),
    (0.0329836539323885, 0.9292868615863434, 0.0361446663506424),
    (0.0481771893596242, 0.2642395317527308, 0.6335478284694309),
)
_LMS_TO_OKLAB: Matrix = (
    (0.2104542683093140, 0.7936177747023054, -0.0040720430116193),
    (1.9779985324311684, -2.4285922420485799, 0.4505937096174110),
    (0.0259040424655478, 0.7827717124575296, -0.8086757549230774),
)
_D50_WHITE: Vec = (0.3457 / 0.3585, 1.0, (1.0 - 0.3457 - 0.3585) / 0.3585)
_LAB_KAPPA = 24389 / 27
_LAB_EPSILON = 216 / 24389


def _srgb_to_linear(c: float) -> float:
    a = abs(c)
    return c / 12.92 if a <= 0.04045 else math.copysign(((a + 0.055) / 1.055) ** 2.4, c)


def _linear_to_srgb(c: float) -> float:
    a = abs(c)
    return 12.92 * c if a <= 0.0031308 else math.copysign(1.055 * a ** (1 / 2.4) - 0.055, c)


def _a98_to_linear(c: float) -> float:
    return math.copysign(abs(c) ** (563 / 256), c)


def _linear_to_a98(c: float) -> float:
    return math.copysign(abs(c) ** (256 / 563), c)


def _prophoto_to_linear(c: float) -> float:
    a = abs(c)
    return c / 16 if a <= 16 / 512 else math.copysign(a**1.8, c)


def _linear_to_prophoto(c: float) -> float:
    a = abs(c)
    return math.copysign(a ** (1 / 1.8), c) if a >= 1 / 512 else 16 * c


def _rec2020_to_linear(c: float) -> float:
    a = abs(c)
    if a < _REC2020_BETA * 4.5:
        return c / 4.5
    return math.copysign(((a + _REC2020_ALPHA - 1) / _REC2020_ALPHA) ** (1 / 0.45), c)


def _linear_to_rec2020(c: float) -> float:
    a = abs(c)
    return math.copysign(_REC2020_ALPHA * a**0.45 - (_REC2020_ALPHA - 1), c) if a > _REC2020_BETA else 4.5 * c


def _each(fn: Callable[[float], float], v: Vec) -> Vec:
    return (fn(v[0]), fn(v[1]), fn(v[2]))


def _lab_to_xyz_d50(lab: Vec) -> Vec:
    lightness, a, b = lab
    f1 = (lightness + 16) / 116
    f0 = a / 500 + f1
    f2 = f1 - b / 200
    x = f0**3 if f0**3 > _LAB_EPSILON else (116 * f0 - 16) / _LAB_KAPPA
    y = f1**3 if lightness > _LAB_KAPPA * _LAB_EPSILON else lightness / _LAB_KAPPA
    z = f2**3 if f2**3 > _LAB_EPSILON else (116 * f2 - 16) / _LAB_KAPPA
    return (x * _D50_WHITE[0], y * _D50_WHITE[1], z * _D50_WHITE[2])


def _xyz_d50_to_lab(xyz: Vec) -> Vec:
    def f(v: float) -> float:
        return math.copysign(abs(v) ** (1 / 3), v) if v > _LAB_EPSILON else (_LAB_KAPPA * v + 16) / 116

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _D50_WHITE, strict=True))
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def _polar_to_rect(lch: Vec) -> Vec:
    lightness, chroma, hue = lch
    rad = math.radians(hue)
    return (lightness, chroma * math.cos(rad), chroma * math.sin(rad))


def _rect_to_polar(lab: Vec) -> Vec:
    lightness, a, b = lab
    return (lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360)


def _hsl_to_srgb(hsl: Vec) -> Vec:
    hue, sat, light = hsl[0] % 360, hsl[1] / 100, hsl[2] / 100

    def f(n: float) -> float:
        k = (n + hue / 30) % 12
        a = sat * min(light, 1 - light)
        return light - a * max(-1, min(k - 3, 9 - k, 1))

    return (f(0), f(8), f(4))


def _srgb_to_hsl(rgb: Vec) -> Vec:
    r, g, b = rgb
    hi, lo = max(rgb), min(rgb)
    light = (hi + lo) / 2
    d = hi - lo
    hue = sat = 0.0
    if d != 0:
        sat = 0.0 if light in (0, 1) else (hi - light) / min(light, 1 - light)
        if hi == r:
            hue = (g - b) / d + (6 if g < b else 0)
        elif hi == g:
            hue = (b - r) / d + 2
        else:
            hue = (r - g) / d + 4
        hue *= 60
    return (hue % 360, sat * 100, light * 100)


def _hwb_to_srgb(hwb: Vec) -> Vec:
    hue, white, black = hwb[0], hwb[1] / 100, hwb[2] / 100
    if white + black >= 1:
        gray = white / (white + black)
        return (gray, gray, gray)
    pure = _hsl_to_srgb((hue, 100, 50))
    return tuple(c * (1 - white - black) + white for c in pure)  # type: ignore[return-value]


def _srgb_to_hwb(rgb: Vec) -> Vec:
    hue = _srgb_to_hsl(rgb)[0]
    return (hue, min(rgb) * 100, (1 - max(rgb)) * 100)


def _to_xyz_d65(space: str, c: Vec) -> Vec:
    if space == "srgb":
        return _mul(_LIN_SRGB_TO_XYZ, (_srgb_to_linear(c[0]), _srgb_to_linear(c[1]), _srgb_to_linear(c[2])))
    if space == "srgb-linear":
        return _mul(_LIN_SRGB_TO_XYZ, c)
    if space == "display-p3":
        return _mul(_LIN_P3_TO_XYZ, (_srgb_to_linear(c[0]), _srgb_to_linear(c[1]), _srgb_to_linear(c[2])))
    if space == "a98-rgb":
        return _mul(_LIN_A98_TO_XYZ, _each(_a98_to_linear, c))
    if space == "prophoto-rgb":
        return _mul(_D50_TO_D65, _mul(_LIN_PROPHOTO_TO_XYZ_D50, _each(_prophoto_to_linear, c)))
    if space == "rec2020":
        return _mul(_LIN_2020_TO_XYZ, _each(_rec2020_to_linear, c))
    if space == "xyz-d65":
        return c
    if space == "xyz-d50":
        return _mul(_D50_TO_D65, c)
    if space == "lab":
        return _mul(_D50_TO_D65, _lab_to_xyz_d50(c))
    if space == "lch":
        return _mul(_D50_TO_D65, _lab_to_xyz_d50(_polar_to_rect(c)))
    if space == "oklab":
        lms = _mul(_OKLAB_TO_LMS, c)
        return _mul(_LMS_TO_XYZ, (lms[0] ** 3, lms[1] ** 3, lms[2] ** 3))
    if space == "oklch":
        return _to_xyz_d65("oklab", _polar_to_rect(c))
    if space == "hsl":
        return _to_xyz_d65("srgb", _hsl_to_srgb(c))
    if space == "hwb":
        return _to_xyz_d65("srgb", _hwb_to_srgb(c))
    raise ValueError(space)


def _from_xyz_d65(space: str, xyz: Vec) -> Vec:
    if space in ("srgb", "hsl", "hwb"):
        lin = _mul(_XYZ_TO_LIN_SRGB, xyz)
        rgb = (_linear_to_srgb(lin[0]), _linear_to_srgb(lin[1]), _linear_to_srgb(lin[2]))
        return rgb if space == "srgb" else _srgb_to_hsl(rgb) if space == "hsl" else _srgb_to_hwb(rgb)
    if space == "srgb-linear":
        return _mul(_XYZ_TO_LIN_SRGB, xyz)
    if space == "display-p3":
        lin = _mul(_XYZ_TO_LIN_P3, xyz)
        return (_linear_to_srgb(lin[0]), _linear_to_srgb(lin[1]), _linear_to_srgb(lin[2]))
    if space == "a98-rgb":
        return _each(_linear_to_a98, _mul(_XYZ_TO_LIN_A98, xyz))
    if space == "prophoto-rgb":
        return _each(_linear_to_prophoto, _mul(_XYZ_D50_TO_LIN_PROPHOTO, _mul(_D65_TO_D50, xyz)))
    if space == "rec2020":
        return _each(_linear_to_rec2020, _mul(_XYZ_TO_LIN_2020, xyz))
    if space == "xyz-d65":
        return xyz
    if space == "xyz-d50":
        return _mul(_D65_TO_D50, xyz)
    if space in ("lab", "lch"):
        lab = _xyz_d50_to_lab(_mul(_D65_TO_D50, xyz))
        return lab if space == "lab" else _rect_to_polar(lab)
    if space in ("oklab", "oklch"):
        lms = _mul(_XYZ_TO_LMS, xyz)
        oklab = _mul(_LMS_TO_OKLAB, tuple(math.copysign(abs(v) ** (1 / 3), v) for v in lms))  # type: ignore[arg-type]
        return oklab if space == "oklab" else _rect_to_polar(oklab)
    raise ValueError(space)


def _filled(coords: Coords) -> Vec:
    return (coords[0] or 0.0, coords[1] or 0.0, coords[2] or 0.0)


def _convert(space: str, coords: Coords, target: str) -> Vec:
    """Convert between the supported spaces, treating missing components as zero."""
    values = _filled(coords)
    if space == target:
        return values
    if space == "srgb" and target in ("hsl", "hwb"):  # skip XYZ: keeps the hue of near-greys stable
        return _srgb_to_hsl(values) if target == "hsl" else _srgb_to_hwb(values)
    if space in ("hsl", "hwb") and target == "srgb":
        return _hsl_to_srgb(values) if space == "hsl" else _hwb_to_srgb(values)
    return _from_xyz_d65(target, _to_xyz_d65(space, values))


# --- parsing ---

_HUE_UNITS = {"deg": 1.0, "grad": 0.9, "rad": 180 / math.pi, "turn": 360.0}
_COLOR_SPACES = (
    "srgb", "srgb-linear", "display-p3", "a98-rgb", "prophoto-rgb", "rec2020", "xyz", "xyz-d50", "xyz-d65"
)
_MIX_SPACES = ("srgb", "srgb-linear", "display-p3", "a98-rgb", "prophoto-rgb", "rec2020", "lab", "oklab",
               "xyz", "xyz-d50", "xyz-d65", "lch", "oklch", "hsl", "hwb")
_POLAR_HUE_INDEX = {"lch": 2, "oklch": 2, "hsl": 0, "hwb": 0}


class _InvalidColorError(Exception):
    """Raised inside the parser for anything that is not a valid, resolvable colour."""


def _color_from_node(node: Node) -> _Color | None:
    try:
        return _parse_node(node)
    except _InvalidColorError:
        return None


def _parse_node(node: Node) -> _Color:
    if node.type == "ident":
        name = node.lower_value
        if name == "transparent":
            return _Color("srgb", (0.0, 0.0, 0.0), 0.0)
        if name in NAMED_COLORS:
            r, g, b = NAMED_COLORS[name]
            return _Color("srgb", (r / 255, g / 255, b / 255), 1.0)
        raise _InvalidColorError
    if node.type == "hash":
        return _parse_hex(node.value)
    if node.type != "function":
        raise _InvalidColorError
    name = node.lower_name
    if name in ("rgb", "rgba"):
        return _parse_rgb(node.arguments)
    if name in ("hsl", "hsla", "hwb"):
        return _parse_hsl_hwb(name[:3], node.arguments)
    if name in ("lab", "lch", "oklab", "oklch"):
        return _parse_lab_family(name, node.arguments)
    if name == "color":
        return _parse_color_function(node.arguments)
    if name == "color-mix":
        return _parse_color_mix(node.arguments)
    raise _InvalidColorError


def _parse_hex(value: str) -> _Color:
    if len(value) not in (3, 4, 6, 8) or any(ch not in "0123456789abcdefABCDEF" for ch in value):
        raise _InvalidColorError
    if len(value) in (3, 4):
        value = "".join(ch * 2 for ch in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in range(0, len(value), 2)]
    return _Color("srgb", (channels[0], channels[1], channels[2]), channels[3] if len(channels) == 4 else 1.0)


def _significant(nodes: list[Node]) -> list[Node]:
    return [n for n in nodes if n.type not in ("whitespace", "comment")]


def _split_arguments(
    arguments: list[Node], allow_legacy: bool = True
) -> tuple[list[Node], Node | None, bool]:
    """Split colour function arguments into three channels and an optional alpha.

    Returns:
        (channels, alpha node or None, whether the legacy comma syntax was used).
    """
    tokens = _significant(arguments)
    if any(t.type == "literal" and t.value == "," for t in tokens):
        if not allow_legacy:
            raise _InvalidColorError
        parts = tokens[0::2]
        commas = tokens[1::2]
        if not all(c.type == "literal" and c.value == "," for c in commas) or len(commas) != len(parts) - 1:
            raise _InvalidColorError
        if len(parts) not in (3, 4) or any(p.type == "ident" for p in parts):  # no `none` in legacy syntax
            raise _InvalidColorError
        return parts[:3], parts[3] if len(parts) == 4 else None, True
    slash = [i for i, t in enumerate(tokens) if t.type == "literal" and t.value == "/"]
    if not slash:
        if len(tokens) != 3:
            raise _InvalidColorError
        return tokens, None, False
    if slash != [3] or len(tokens) != 5:
        raise _InvalidColorError
    return tokens[:3], tokens[4], False


def _is_none(token: Node) -> bool:
    return bool(token.type == "ident" and token.lower_value == "none")


def _number(token: Node, percent_scale: float | None, number_ok: bool = True) -> float | None:
    """A number or percentage component; ``percent_scale`` is the value of 100%; None means `none`."""
    if _is_none(token):
        return None
    if token.type == "number" and number_ok:
        return float(token.value)
    if token.type == "percentage" and percent_scale is not None:
        return float(token.value) / 100 * percent_scale
    raise _InvalidColorError


def _hue(token: Node) -> float | None:
    if _is_none(token):
        return None
    if token.type == "number":
        return float(token.value)
    if token.type == "dimension" and token.lower_unit in _HUE_UNITS:
        return float(token.value) * _HUE_UNITS[token.lower_unit]
    raise _InvalidColorError


def _alpha(token: Node | None) -> float | None:
    if token is None:
        return 1.0
    value = _number(token, 1.0)
    return None if value is None else min(1.0, max(0.0, value))


def _parse_rgb(arguments: list[Node]) -> _Color:
    channels, alpha, legacy = _split_arguments(arguments)
    if legacy and len({t.type for t in channels}) != 1:  # legacy syntax: all numbers or all percentages
        raise _InvalidColorError
    values = [_number(t, 255.0) for t in channels]
    coords = tuple(None if v is None else v / 255 for v in values)
    return _Color("srgb", coords, _alpha(alpha))  # type: ignore[arg-type]


def _parse_hsl_hwb(space: str, arguments: list[Node]) -> _Color:
    channels, alpha, legacy = _split_arguments(arguments, allow_legacy=space == "hsl")
    hue = _hue(channels[0])
    # Legacy hsl() requires percentages; the modern syntax also takes plain numbers (meaning percent).
    second = _number(channels[1], 100.0, number_ok=not legacy)
    third = _number(channels[2], 100.0, number_ok=not legacy)
    return _Color(space, (hue, second, third), _alpha(alpha))


# Percent reference ranges per CSS Color 4: (L 100%, a/b or C 100%).
_LAB_RANGES = {"lab": (100.0, 125.0), "lch": (100.0, 150.0), "oklab": (1.0, 0.4), "oklch": (1.0, 0.4)}


def _parse_lab_family(space: str, arguments: list[Node]) -> _Color:
    channels, alpha, _ = _split_arguments(arguments, allow_legacy=False)
    l_range, ab_range = _LAB_RANGES[space]
    lightness = _number(channels[0], l_range)
    if lightness is not None:
        lightness = min(max(lightness, 0.0), l_range)
    second = _number(channels[1], ab_range)
    if space in ("lch", "oklch"):
        chroma = None if second is None else max(second, 0.0)
        return _Color(space, (lightness, chroma, _hue(channels[2])), _alpha(alpha))
    return _Color(space, (lightness, second, _number(channels[2], ab_range)), _alpha(alpha))


def _parse_color_function(arguments: list[Node]) -> _Color:
    tokens = _significant(arguments)
    if not tokens or tokens[0].type != "ident" or tokens[0].lower_value not in _COLOR_SPACES:
        raise _InvalidColorError
    space = tokens[0].lower_value
    space = "xyz-d65" if space == "xyz" else space
    channels, alpha, _ = _split_arguments(tokens[1:], allow_legacy=False)
    coords = tuple(_number(t, 1.0) for t in channels)
    return _Color(space, coords, _alpha(alpha))  # type: ignore[arg-type]


def _parse_color_mix(arguments: list[Node]) -> _Color:
    parts: list[list[Node]] = [[]]
    for token in arguments:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    if len(parts) != 3:
        raise _InvalidColorError
    space, hue_method = _parse_interpolation(_significant(parts[0]))
    (first, p1), (second, p2) = _mix_operand(parts[1]), _mix_operand(parts[2])
    if p1 is None and p2 is None:
        p1 = p2 = 50.0
    elif p1 is None:
        p1 = 100 - p2  # type: ignore[operator]
    elif p2 is None:
        p2 = 100 - p1
    total = p1 + p2  # type: ignore[operator]
    if total <= 0:
        raise _InvalidColorError
    multiplier = min(total / 100, 1.0)
    return _mix(first, second, p2 / total, space, hue_method, multiplier)  # type: ignore[operator]


def _parse_interpolation(tokens: list[Node]) -> tuple[str, str]:
    if len(tokens) < 2 or tokens[1].type != "ident" or not (
        tokens[0].type == "ident" and tokens[0].lower_value == "in"
    ):
        raise _InvalidColorError
    space = tokens[1].lower_value
    if space not in _MIX_SPACES:
        raise _InvalidColorError
    space = "xyz-d65" if space == "xyz" else space
    rest = tokens[2:]
    if not rest:
        return space, "shorter"
    methods = ("shorter", "longer", "increasing", "decreasing")
    if (
        space in _POLAR_HUE_INDEX
        and len(rest) == 2
        and rest[0].type == "ident"
        and rest[0].lower_value in methods
        and rest[1].type == "ident"
        and rest[1].lower_value == "hue"
    ):
        return space, rest[0].lower_value
    raise _InvalidColorError


def _mix_operand(tokens: list[Node]) -> tuple[_Color, float | None]:
    significant = _significant(tokens)
    percents = [t for t in significant if t.type == "percentage"]
    colors = [t for t in significant if t.type != "percentage"]
    if len(colors) != 1 or len(percents) > 1:
        raise _InvalidColorError
    percent = float(percents[0].value) if percents else None
    if percent is not None and not 0 <= percent <= 100:
        raise _InvalidColorError
    return _parse_node(colors[0]), percent


def _in_space(color: _Color, space: str) -> Coords:
    """Convert for interpolation: same space keeps missing components, other spaces drop powerless hues."""
    if color.space == space:
        return color.coords
    values: Coords = _convert(color.space, color.coords, space)
    if space in ("lch", "oklch", "hsl"):
        chroma = values[1] or 0.0
        threshold = {"lch": 0.0015, "oklch": 4e-6, "hsl": 1e-5}[space]  # saturation for hsl
        if abs(chroma) <= threshold:
            values = (values[0], values[1], None) if space != "hsl" else (None, values[1], values[2])
    elif space == "hwb" and (values[1] or 0.0) + (values[2] or 0.0) >= 100 - 1e-5:
        values = (None, values[1], values[2])
    return values


def _mix(a: _Color, b: _Color, t: float, space: str, hue_method: str, multiplier: float) -> _Color:
    ca, cb = list(_in_space(a, space)), list(_in_space(b, space))
    for i in range(3):  # a missing component takes the other colour's value
        if ca[i] is None:
            ca[i] = cb[i]
        elif cb[i] is None:
            cb[i] = ca[i]
    alpha_a = b.alpha if a.alpha is None else a.alpha
    alpha_b = a.alpha if b.alpha is None else b.alpha
    alpha_a = 1.0 if alpha_a is None else alpha_a
    alpha_b = 1.0 if alpha_b is None else alpha_b
    alpha = alpha_a * (1 - t) + alpha_b * t
    hue_index = _POLAR_HUE_INDEX.get(space)
    out: list[float | None] = []
    for i in range(3):
        va, vb = ca[i], cb[i]
        if va is None or vb is None:
            out.append(None)
        elif i == hue_index:
            out.append(_interpolate_hue(va, vb, t, hue_method))
        else:
            premultiplied = (va * alpha_a) * (1 - t) + (vb * alpha_b) * t
            out.append(premultiplied / alpha if alpha else premultiplied)
    return _Color(space, (out[0], out[1], out[2]), alpha * multiplier)


def _interpolate_hue(h1: float, h2: float, t: float, method: str) -> float:
    h1, h2 = h1 % 360, h2 % 360
    delta = h2 - h1
    if method == "shorter":
        if delta > 180:
            h1 += 360
        elif delta < -180:
            h2 += 360
    elif method == "longer":
        if 0 < delta < 180:
            h1 += 360
        elif -180 < delta <= 0:
            h2 += 360
    elif method == "increasing":
        if h2 < h1:
            h2 += 360
    elif h1 < h2:  # decreasing
        h1 += 360
    return (h1 * (1 - t) + h2 * t) % 360
