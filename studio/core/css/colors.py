"""CSS colour values to sRGB: hex, named, rgb/hsl/hwb, lab/lch, oklab/oklch, color(), color-mix(),
``light-dark()``, relative colour syntax (``rgb(from var r g calc(b + 20))``) and ``calc()`` in components.

The colour maths is ColorAide's (CSS Color 4/5 spaces and conversions, D50 Lab with Bradford adaptation,
OKLab, display-p3, a98-rgb, prophoto-rgb, rec2020, XYZ; ``color-mix()`` interpolation with premultiplied
alpha, missing components and CSS hue methods). ColorAide does not parse the newer syntax (relative colours,
``calc()``, ``color-mix()``, ``light-dark()``), and the token panel must accept exactly what browsers accept,
so the value grammar is read here from tinycss2 tokens and each colour handed to ColorAide as a space and
coordinates. Colours outside sRGB are clipped per channel (what a swatch and a contrast check need).

Parsing runs on every token on every keystroke (token panel, contrast pairs, lint): results are cached by
value text and scheme, and returned as frozen values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import tinycss2

from studio.core.css.named_colors import NAMED_COLORS

if TYPE_CHECKING:
    from coloraide import Color

Node = Any  # tinycss2 AST node (the package ships no type hints)
Vec = tuple[float, float, float]
Coords = tuple[float | None, float | None, float | None]  # None = a missing ("none") component
Scheme = str | None  # "dark" picks light-dark()'s second colour; anything else its first

_CACHE_SIZE = 8192


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


def parse_color(text: str, scheme: Scheme = None) -> RGBA | None:
    """Parse one CSS colour value into sRGB.

    Args:
        text: a property value such as ``#0af``, ``oklch(62.8% 0.2577 29.23)``,
            ``color-mix(in oklab, red, white)`` or ``light-dark(#fff, #111)``.
        scheme: the colour scheme ``light-dark()`` resolves for (``"dark"``: its second colour).

    Returns:
        The colour, clipped to sRGB, or None when the text is not a colour or not resolvable without context
        (``currentcolor``, system colours, ``var()``).
    """
    return _parse_rgba(text, "dark" if scheme == "dark" else "light")


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


def parse_color_in_space(text: str, scheme: Scheme = None) -> SpaceColor | None:
    """Parse one CSS colour value without converting it; ``color-mix()`` yields the mix in its space."""
    return _parse_space(text, "dark" if scheme == "dark" else "light")


def convert_color(space: str, coords: Coords, target: str) -> Vec:
    """Convert components between any two supported spaces (missing components count as zero), unclipped."""
    source = _new(_library_space(space), _to_library(space, [c or 0.0 for c in coords]), 1.0)
    converted = source.convert(_library_space(target))
    values = _from_library(target, [0.0 if math.isnan(c) else c for c in converted.coords()])
    return (values[0] or 0.0, values[1] or 0.0, values[2] or 0.0)


# --- cached entry points ---


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_rgba(text: str, scheme: str) -> RGBA | None:
    color = _parse_text(text, scheme)
    if color is None:
        return None
    r, g, b = (0.0 if math.isnan(c) else c for c in color.convert("srgb").coords())
    alpha = color.alpha()
    return RGBA(r, g, b, 1.0 if math.isnan(alpha) else alpha)


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_space(text: str, scheme: str) -> SpaceColor | None:
    color = _parse_text(text, scheme)
    if color is None:
        return None
    space = color.space()
    c0, c1, c2 = _from_library(space, [None if math.isnan(c) else c for c in color.coords()])
    alpha = color.alpha()
    return SpaceColor(space, (c0, c1, c2), None if math.isnan(alpha) else alpha)


def _parse_text(text: str, scheme: str) -> Color | None:
    nodes = [
        n for n in tinycss2.parse_component_value_list(text, skip_comments=True) if n.type != "whitespace"
    ]
    if len(nodes) != 1:
        return None
    try:
        return _Parser(scheme).color(nodes[0])
    except (_InvalidColorError, ValueError, ZeroDivisionError, OverflowError):
        return None


@cache
def _library() -> type[Color]:
    """ColorAide, imported on first use: it takes ~250 ms to import, which ``themestudio lint`` (no colours
    parsed) should not pay at start-up."""
    from coloraide import Color

    return Color


def _new(space: str, coords: list[float], alpha: float) -> Color:
    return _library()(space, coords, alpha)


# --- units: CSS syntax <-> ColorAide coordinates ---

# hsl()/hwb() write saturation, lightness, whiteness and blackness as percentages (0..100); ColorAide as 0..1.
_PERCENT_CHANNELS = {"hsl": (1.0, 100.0, 100.0), "hwb": (1.0, 100.0, 100.0)}


def _library_space(space: str) -> str:
    return "xyz-d65" if space == "xyz" else space


def _to_library(space: str, values: list[float]) -> list[float]:
    scale = _PERCENT_CHANNELS.get(space)
    return values if scale is None else [v / s for v, s in zip(values, scale, strict=True)]


def _from_library(space: str, values: list[float | None]) -> Coords:
    scale = _PERCENT_CHANNELS.get(space, (1.0, 1.0, 1.0))
    out = [None if v is None else v * s for v, s in zip(values, scale, strict=True)]
    return (out[0], out[1], out[2])


def _clamp01(x: float) -> float:
    if math.isnan(x):
        return 0.0
    return 0.0 if x < 0 else 1.0 if x > 1 else x


# --- the value grammar ---

_HUE_UNITS = {"deg": 1.0, "grad": 0.9, "rad": 180 / math.pi, "turn": 360.0}
_RGB_SPACES = ("srgb", "srgb-linear", "display-p3", "a98-rgb", "prophoto-rgb", "rec2020")
_XYZ_SPACES = ("xyz", "xyz-d50", "xyz-d65")
_MIX_SPACES = (*_RGB_SPACES, "lab", "oklab", *_XYZ_SPACES, "lch", "oklch", "hsl", "hwb")
_POLAR_SPACES = ("lch", "oklch", "hsl", "hwb")
_HUE_METHODS = ("shorter", "longer", "increasing", "decreasing")
_CONSTANTS = {"e": math.e, "pi": math.pi}


class _Channel(NamedTuple):
    """One component of a colour function: its keyword in relative syntax, what 100% is (None: a hue),
    and the CSS-to-ColorAide factor."""

    keyword: str
    percent: float | None
    to_library: float = 1.0
    low: float | None = None  # clamped to [low, high] as CSS does (Lab lightness, chroma >= 0)
    high: float | None = None


class _Function(NamedTuple):
    space: str
    channels: tuple[_Channel, _Channel, _Channel]
    legacy: bool  # the comma syntax is allowed


_RGB = _Function(
    "srgb",
    (_Channel("r", 255.0, 1 / 255), _Channel("g", 255.0, 1 / 255), _Channel("b", 255.0, 1 / 255)),
    True,
)
_FUNCTIONS = {
    "rgb": _RGB,
    "rgba": _RGB,
    "hsl": _Function(
        "hsl", (_Channel("h", None), _Channel("s", 100.0, 0.01), _Channel("l", 100.0, 0.01)), True
    ),
    "hwb": _Function(
        "hwb", (_Channel("h", None), _Channel("w", 100.0, 0.01), _Channel("b", 100.0, 0.01)), False
    ),
    "lab": _Function(
        "lab", (_Channel("l", 100.0, 1, 0, 100), _Channel("a", 125.0), _Channel("b", 125.0)), False
    ),
    "lch": _Function(
        "lch", (_Channel("l", 100.0, 1, 0, 100), _Channel("c", 150.0, 1, 0), _Channel("h", None)), False
    ),
    "oklab": _Function("oklab", (_Channel("l", 1.0, 1, 0, 1), _Channel("a", 0.4), _Channel("b", 0.4)), False),
    "oklch": _Function(
        "oklch", (_Channel("l", 1.0, 1, 0, 1), _Channel("c", 0.4, 1, 0), _Channel("h", None)), False
    ),
}
_FUNCTIONS["hsla"] = _FUNCTIONS["hsl"]


class _InvalidColorError(Exception):
    """Raised inside the parser for anything that is not a valid, resolvable colour."""


def _significant(nodes: list[Node]) -> list[Node]:
    return [n for n in nodes if n.type not in ("whitespace", "comment")]


def _is_literal(node: Node, value: str) -> bool:
    return bool(node.type == "literal" and node.value == value)


def _split_commas(nodes: list[Node]) -> list[list[Node]]:
    parts: list[list[Node]] = [[]]
    for node in nodes:
        if _is_literal(node, ","):
            parts.append([])
        else:
            parts[-1].append(node)
    return parts


class _Parser:
    """Reads one colour value; ``scheme`` decides ``light-dark()``."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme

    def color(self, node: Node) -> Color:
        if node.type == "ident":
            name = node.lower_value
            if name == "transparent":
                return _new("srgb", [0.0, 0.0, 0.0], 0.0)
            if name in NAMED_COLORS:
                r, g, b = NAMED_COLORS[name]
                return _new("srgb", [r / 255, g / 255, b / 255], 1.0)
            raise _InvalidColorError  # currentcolor, system colours, anything else
        if node.type == "hash":
            return _hex(node.value)
        if node.type != "function":
            raise _InvalidColorError
        name = node.lower_name
        if name in _FUNCTIONS:
            return self.function(_FUNCTIONS[name], _significant(node.arguments))
        if name == "color":
            return self.color_function(_significant(node.arguments))
        if name == "color-mix":
            return self.mix(node.arguments)
        if name == "light-dark":
            return self.light_dark(node.arguments)
        raise _InvalidColorError

    # --- functions with three channels ---

    def function(self, spec: _Function, tokens: list[Node]) -> Color:
        origin, tokens = self._origin(tokens)
        env = None if origin is None else _channel_values(origin, spec)
        channels, alpha, legacy = _split_arguments(tokens, allow_legacy=spec.legacy and origin is None)
        if legacy:
            _check_legacy(spec, channels)
        values = [_component(t, c, env) for t, c in zip(channels, spec.channels, strict=True)]
        return _build(spec.space, spec.channels, values, _alpha(alpha, env))

    def color_function(self, tokens: list[Node]) -> Color:
        origin, tokens = self._origin(tokens)
        if not tokens or tokens[0].type != "ident":
            raise _InvalidColorError
        space = tokens[0].lower_value
        if space not in _RGB_SPACES and space not in _XYZ_SPACES:
            raise _InvalidColorError
        keywords = ("x", "y", "z") if space in _XYZ_SPACES else ("r", "g", "b")
        spec = _Function(_library_space(space), tuple(_Channel(k, 1.0) for k in keywords), False)  # type: ignore[arg-type]
        env = None if origin is None else _channel_values(origin, spec)
        channels, alpha, _ = _split_arguments(tokens[1:], allow_legacy=False)
        values = [_component(t, c, env) for t, c in zip(channels, spec.channels, strict=True)]
        return _build(spec.space, spec.channels, values, _alpha(alpha, env))

    def _origin(self, tokens: list[Node]) -> tuple[Color | None, list[Node]]:
        """Relative colour syntax: ``from <color>`` first; returns the origin and the remaining tokens."""
        if tokens and tokens[0].type == "ident" and tokens[0].lower_value == "from":
            if len(tokens) < 2:
                raise _InvalidColorError
            return self.color(tokens[1]), tokens[2:]
        return None, tokens

    # --- color-mix() and light-dark() ---

    def mix(self, arguments: list[Node]) -> Color:
        parts = _split_commas(arguments)
        if len(parts) != 3:
            raise _InvalidColorError
        space, hue = _interpolation(_significant(parts[0]))
        (first, p1), (second, p2) = self._mix_operand(parts[1]), self._mix_operand(parts[2])
        if p1 is None and p2 is None:
            p1 = p2 = 50.0
        elif p1 is None:
            p1 = 100 - p2  # type: ignore[operator]
        elif p2 is None:
            p2 = 100 - p1
        total = p1 + p2  # type: ignore[operator]
        if total <= 0:
            raise _InvalidColorError
        mixed = first.mix(second, p2 / total, space=space, hue=hue, premultiplied=True)  # type: ignore[operator]
        if total < 100:  # percentages summing under 100% make the result that much more transparent
            mixed.set("alpha", mixed.alpha() * total / 100)
        return mixed

    def _mix_operand(self, tokens: list[Node]) -> tuple[Color, float | None]:
        significant = _significant(tokens)
        percents = [t for t in significant if t.type == "percentage"]
        colors = [t for t in significant if t.type != "percentage"]
        if len(colors) != 1 or len(percents) > 1:
            raise _InvalidColorError
        percent = float(percents[0].value) if percents else None
        if percent is not None and not 0 <= percent <= 100:
            raise _InvalidColorError
        return self.color(colors[0]), percent

    def light_dark(self, arguments: list[Node]) -> Color:
        parts = [_significant(p) for p in _split_commas(arguments)]
        if len(parts) != 2 or any(len(p) != 1 for p in parts):
            raise _InvalidColorError
        light, dark = (self.color(p[0]) for p in parts)  # both must be colours, as in a browser
        return dark if self.scheme == "dark" else light


def _hex(value: str) -> Color:
    if len(value) not in (3, 4, 6, 8) or any(ch not in "0123456789abcdefABCDEF" for ch in value):
        raise _InvalidColorError
    if len(value) in (3, 4):
        value = "".join(ch * 2 for ch in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in range(0, len(value), 2)]
    return _new("srgb", channels[:3], channels[3] if len(channels) == 4 else 1.0)


def _split_arguments(tokens: list[Node], allow_legacy: bool) -> tuple[list[Node], Node | None, bool]:
    """Split colour function arguments into three channels and an optional alpha.

    Returns:
        (channels, alpha node or None, whether the legacy comma syntax was used).
    """
    if any(_is_literal(t, ",") for t in tokens):
        if not allow_legacy:
            raise _InvalidColorError
        parts, commas = tokens[0::2], tokens[1::2]
        if not all(_is_literal(c, ",") for c in commas) or len(commas) != len(parts) - 1:
            raise _InvalidColorError
        if len(parts) not in (3, 4) or any(p.type == "ident" for p in parts):  # no `none` in legacy syntax
            raise _InvalidColorError
        return parts[:3], parts[3] if len(parts) == 4 else None, True
    slash = [i for i, t in enumerate(tokens) if _is_literal(t, "/")]
    if not slash:
        if len(tokens) != 3:
            raise _InvalidColorError
        return tokens, None, False
    if slash != [3] or len(tokens) != 5:
        raise _InvalidColorError
    return tokens[:3], tokens[4], False


def _check_legacy(spec: _Function, channels: list[Node]) -> None:
    """Legacy comma syntax: rgb() all numbers or all percentages; hsl() percentages for s and l."""
    if any(t.type == "function" for t in channels):
        return  # calc() in legacy syntax: its type is checked when it is evaluated
    if spec.space == "srgb":
        if len({t.type for t in channels}) != 1:
            raise _InvalidColorError
    elif any(t.type != "percentage" for t in channels[1:]):
        raise _InvalidColorError


def _channel_values(origin: Color, spec: _Function) -> dict[str, float]:
    """Relative colour syntax: the origin in the function's space, as the CSS numbers its keywords stand for
    (rgb 0..255, hsl/hwb 0..100, Lab as written); a missing component is 0."""
    converted = origin.convert(spec.space)
    env = {
        channel.keyword: 0.0 if math.isnan(value) else value / channel.to_library
        for channel, value in zip(spec.channels, converted.coords(), strict=True)
    }
    alpha = origin.alpha()
    env["alpha"] = 0.0 if math.isnan(alpha) else alpha
    return env


def _build(
    space: str, channels: tuple[_Channel, ...], values: list[float | None], alpha: float | None
) -> Color:
    coords = []
    for channel, value in zip(channels, values, strict=True):
        if value is None:
            coords.append(math.nan)
            continue
        if channel.low is not None:
            value = max(value, channel.low)
        if channel.high is not None:
            value = min(value, channel.high)
        coords.append(value * channel.to_library)
    return _new(space, coords, math.nan if alpha is None else alpha)


def _alpha(token: Node | None, env: dict[str, float] | None) -> float | None:
    if token is None:
        return env["alpha"] if env is not None else 1.0
    value = _component(token, _Channel("alpha", 1.0), env)
    return None if value is None else min(1.0, max(0.0, value))


def _component(token: Node, channel: _Channel, env: dict[str, float] | None) -> float | None:
    """A number, percentage, angle (hues), ``none``, relative-syntax keyword or ``calc()``; None: ``none``."""
    if token.type == "ident":
        name = token.lower_value
        if name == "none":
            return None
        if env is not None and name in env:
            return env[name]
        raise _InvalidColorError
    if token.type == "function" and token.lower_name in _MATH_FUNCTIONS:
        value = _math_function(token, channel, env)
        if not math.isfinite(value):
            raise _InvalidColorError
        return value
    return _operand(token, channel, env)


def _operand(token: Node, channel: _Channel, env: dict[str, float] | None) -> float:
    if token.type == "number":
        return float(token.value)
    if token.type == "percentage" and channel.percent is not None:
        return float(token.value) / 100 * channel.percent
    if token.type == "dimension" and channel.percent is None and token.lower_unit in _HUE_UNITS:
        return float(token.value) * _HUE_UNITS[token.lower_unit]
    raise _InvalidColorError


# --- calc() and friends inside colour components ---


def _math_function(node: Node, channel: _Channel, env: dict[str, float] | None) -> float:
    arguments = [_significant(part) for part in _split_commas(node.arguments)]
    values = [_Calc(part, channel, env).value() for part in arguments]
    return _MATH_FUNCTIONS[node.lower_name](values)


def _one(values: list[float]) -> float:
    if len(values) != 1:
        raise _InvalidColorError
    return values[0]


def _clamp(values: list[float]) -> float:
    if len(values) != 3:
        raise _InvalidColorError
    low, value, high = values
    return max(low, min(value, high))


_MATH_FUNCTIONS: dict[str, Callable[[list[float]], float]] = {
    "calc": _one,
    "min": lambda v: min(v) if v else math.nan,
    "max": lambda v: max(v) if v else math.nan,
    "clamp": _clamp,
    "abs": lambda v: abs(_one(v)),
}


class _Calc:
    """``sum := product (('+'|'-') product)*``, ``product := value (('*'|'/') value)*`` over tokens."""

    def __init__(self, tokens: list[Node], channel: _Channel, env: dict[str, float] | None) -> None:
        self.tokens = tokens
        self.position = 0
        self.channel = channel
        self.env = env

    def value(self) -> float:
        result = self._sum()
        if self.position != len(self.tokens):
            raise _InvalidColorError
        return result

    def _peek_literal(self, *values: str) -> str | None:
        if self.position < len(self.tokens):
            token = self.tokens[self.position]
            if token.type == "literal" and token.value in values:
                return str(token.value)
        return None

    def _sum(self) -> float:
        result = self._product()
        while (operator := self._peek_literal("+", "-")) is not None:
            self.position += 1
            right = self._product()
            result = result + right if operator == "+" else result - right
        return result

    def _product(self) -> float:
        result = self._term()
        while (operator := self._peek_literal("*", "/")) is not None:
            self.position += 1
            right = self._term()
            result = result * right if operator == "*" else result / right
        return result

    def _term(self) -> float:
        if self.position >= len(self.tokens):
            raise _InvalidColorError
        token = self.tokens[self.position]
        self.position += 1
        if token.type == "() block":
            return _Calc(_significant(token.content), self.channel, self.env).value()
        if token.type == "function" and token.lower_name in _MATH_FUNCTIONS:
            return _math_function(token, self.channel, self.env)
        if token.type == "ident":
            name = token.lower_value
            if self.env is not None and name in self.env:
                return self.env[name]
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            raise _InvalidColorError
        return _operand(token, self.channel, self.env)


def _interpolation(tokens: list[Node]) -> tuple[str, str]:
    """``in <space> [<method> hue]`` of ``color-mix()``: the ColorAide space and hue method."""
    if len(tokens) < 2 or not (tokens[0].type == "ident" and tokens[0].lower_value == "in"):
        raise _InvalidColorError
    if tokens[1].type != "ident" or tokens[1].lower_value not in _MIX_SPACES:
        raise _InvalidColorError
    space = _library_space(tokens[1].lower_value)
    rest = tokens[2:]
    if not rest:
        return space, "shorter"
    if (
        space in _POLAR_SPACES
        and len(rest) == 2
        and rest[0].type == "ident"
        and rest[0].lower_value in _HUE_METHODS
        and rest[1].type == "ident"
        and rest[1].lower_value == "hue"
    ):
        return space, rest[0].lower_value
    raise _InvalidColorError
