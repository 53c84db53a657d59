"""Tokens as CSS custom properties and back: names from paths, values in the CSS syntax of their type.

Aliases become ``var()`` (never flattened) wherever CSS can hold them: a whole value, or a sub-value of a
shorthand (a shadow's blur, a border's colour, a gradient stop's position as ``calc(var(--p) * 100%)``).
Composites use their CSS shorthand (``box-shadow``, ``border``, ``transition``, ``linear-gradient``);
typography has no shorthand that carries letter-spacing, so it becomes five sub-properties. What CSS cannot
carry (a stroke style's dash array, a gradient stop that aliases another gradient) is written as its closest
CSS and the original value is handed back as ``lossy`` for the theme's token metadata.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tinycss2

from studio.core.css.colors import convert_color, parse_color_in_space
from studio.core.tokens.model import ROOT, alias_target
from studio.core.tokens.values import FONT_WEIGHTS, LINE_CAPS, STROKE_STYLES, is_number

Node = Any  # tinycss2 node
TYPOGRAPHY_PARTS = (
    ("fontFamily", "font-family", "fontFamily"),
    ("fontSize", "font-size", "dimension"),
    ("fontWeight", "font-weight", "fontWeight"),
    ("letterSpacing", "letter-spacing", "dimension"),
    ("lineHeight", "line-height", "number"),
)
GENERIC_FAMILIES = frozenset(
    {
        "serif",
        "sans-serif",
        "monospace",
        "cursive",
        "fantasy",
        "system-ui",
        "ui-serif",
        "ui-sans-serif",
        "ui-monospace",
        "ui-rounded",
        "math",
        "emoji",
        "fangsong",
        "-apple-system",
        "blinkmacsystemfont",
    }
)
EASINGS = {
    "linear": [0.0, 0.0, 1.0, 1.0],
    "ease": [0.25, 0.1, 0.25, 1.0],
    "ease-in": [0.42, 0.0, 1.0, 1.0],
    "ease-out": [0.0, 0.0, 0.58, 1.0],
    "ease-in-out": [0.42, 0.0, 0.58, 1.0],
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")
_RGB_SPACES = ("srgb-linear", "display-p3", "a98-rgb", "prophoto-rgb", "rec2020", "xyz-d65", "xyz-d50")


def css_name(path: tuple[str, ...] | list[str], prefix: str = "") -> str:
    """``color.brand.primary`` → ``--color-brand-primary``; camelCase becomes kebab-case; no ``$root``."""
    words = [_segment(p) for p in path if p != ROOT]
    words = [w for w in words if w]
    head = _segment(prefix)
    return "--" + "-".join(([head] if head else []) + words)


def _segment(text: str) -> str:
    return _NOT_NAME.sub("-", _CAMEL.sub("-", text).lower()).strip("-")


def num(value: float) -> str:
    """A CSS number: at most six decimals, no trailing zeros, no ``-0``."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class Emitted:
    """A token as CSS: its declarations (one, or five for typography) and what CSS could not carry."""

    declarations: list[tuple[str, str]]
    lossy: bool = False


Names = Callable[[str], str]  # dotted token path → CSS custom property name


def emit(
    token_type: str, value: Any, name: str, names: Names, tokens: dict[str, Any] | None = None
) -> Emitted:
    """The CSS declarations for one token value.

    Args:
        token_type: the token's type.
        value: its value (aliases as ``{path}``).
        name: the custom property name of the token.
        names: maps an alias target's path to its custom property name.
        tokens: every token by path (to inline what CSS cannot reference, e.g. gradient stops).
    """
    writer = _Writer(names, tokens or {})
    if token_type == "typography":
        target = alias_target(value)
        declarations = []
        for key, suffix, sub_type in TYPOGRAPHY_PARTS:
            if target is not None:
                css = f"var({names(target)}-{suffix})"
            else:
                css = writer.value(sub_type, value[key])
            declarations.append((f"{name}-{suffix}", css))
        return Emitted(declarations, writer.lossy)
    return Emitted([(name, writer.value(token_type, value))], writer.lossy)


class _Writer:
    def __init__(self, names: Names, tokens: dict[str, Any]) -> None:
        self.names = names
        self.tokens = tokens
        self.lossy = False

    def value(self, token_type: str, value: Any) -> str:
        target = alias_target(value)
        if target is not None:
            return f"var({self.names(target)})"
        return getattr(self, "_" + token_type)(value)  # type: ignore[no-any-return]

    def _color(self, value: dict[str, Any]) -> str:
        return color_css(value)

    def _dimension(self, value: dict[str, Any]) -> str:
        return num(value["value"]) + str(value["unit"])

    _duration = _dimension

    def _number(self, value: float) -> str:
        return num(value)

    def _fontWeight(self, value: float | str) -> str:
        return num(FONT_WEIGHTS[value]) if isinstance(value, str) else num(value)

    def _fontFamily(self, value: str | list[str]) -> str:
        families = [value] if isinstance(value, str) else value
        return ", ".join(_family(f) for f in families)

    def _cubicBezier(self, value: list[float]) -> str:
        return "cubic-bezier(" + ", ".join(num(v) for v in value) + ")"

    def _strokeStyle(self, value: str | dict[str, Any]) -> str:
        if isinstance(value, str):
            return value
        self.lossy = True  # CSS has no dash pattern: the spec's suggested fallback
        return "dashed"

    def _border(self, value: dict[str, Any]) -> str:
        return " ".join(
            (
                self.value("dimension", value["width"]),
                self.value("strokeStyle", value["style"]),
                self.value("color", value["color"]),
            )
        )

    def _transition(self, value: dict[str, Any]) -> str:
        return " ".join(
            (
                self.value("duration", value["duration"]),
                self.value("cubicBezier", value["timingFunction"]),
                self.value("duration", value["delay"]),
            )
        )

    def _shadow(self, value: dict[str, Any] | list[Any]) -> str:
        layers = value if isinstance(value, list) else [value]
        out = []
        for layer in layers:
            target = alias_target(layer)
            if target is not None:
                out.append(f"var({self.names(target)})")
                continue
            parts = ["inset"] if layer.get("inset") else []
            parts += [self.value("dimension", layer[k]) for k in ("offsetX", "offsetY", "blur", "spread")]
            parts.append(self.value("color", layer["color"]))
            out.append(" ".join(parts))
        return ", ".join(out)

    def _gradient(self, value: list[Any]) -> str:
        stops: list[str] = []
        for stop in value:
            target = alias_target(stop)
            if target is not None:  # a whole gradient cannot be var()'d into a stop list: inline its stops
                self.lossy = True
                stops.extend(self._stop(s) for s in self._stops_of(target))
            else:
                stops.append(self._stop(stop))
        return "linear-gradient(90deg, " + ", ".join(stops) + ")"

    def _stops_of(self, target: str, depth: int = 0) -> list[dict[str, Any]]:
        token = self.tokens.get(target)
        if token is None or depth > 32:
            return []
        if alias_target(token.value) is not None:
            return self._stops_of(alias_target(token.value) or "", depth + 1)
        out: list[dict[str, Any]] = []
        for stop in token.value:
            inner = alias_target(stop)
            out.extend(self._stops_of(inner, depth + 1) if inner else [stop])
        return out

    def _stop(self, stop: dict[str, Any]) -> str:
        position = stop["position"]
        target = alias_target(position)
        if target is not None:
            where = f"calc(var({self.names(target)}) * 100%)"
        else:
            where = num(round(min(1.0, max(0.0, position)) * 100, 6)) + "%"
        return f"{self.value('color', stop['color'])} {where}"


def _family(name: str) -> str:
    """Generic families and single-word names stay bare; names with spaces or odd characters are quoted."""
    if name.lower() in GENERIC_FAMILIES or (
        re.fullmatch(r"-?[A-Za-z_][A-Za-z0-9_-]*", name)
        and name.lower() not in ("inherit", "initial", "unset", "default", "revert", "revert-layer")
    ):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def same_css(a: str, b: str, name: str) -> bool:
    """Two values of one custom property that mean the same token value (quoting, spacing, colour syntax)."""
    if a == b:
        return True
    from studio.core.tokens.compare import same_value

    try:
        type_a, value_a = parse_css(a, None, name, lambda n: n)
        _, value_b = parse_css(b, type_a, name, lambda n: n)
    except NotExpressibleError:
        return False
    return same_value(type_a, value_a, value_b)


def color_css(value: dict[str, Any]) -> str:
    """A DTCG colour object in the CSS syntax of its colour space."""
    space = value["colorSpace"]
    comps: list[Any] = value["components"]
    alpha = value.get("alpha", 1)
    tail = "" if alpha == 1 else f" / {num(alpha)}"

    def c(i: int, scale: float = 1.0, suffix: str = "") -> str:
        return "none" if comps[i] == "none" else num(comps[i] * scale) + suffix

    if space == "srgb":
        if alpha == 1 and all(
            is_number(x) and abs(x * 255 - round(x * 255)) < 1e-3 and 0 <= x <= 1 for x in comps
        ):
            return "#" + "".join(f"{round(x * 255):02x}" for x in comps)
        return f"color(srgb {c(0)} {c(1)} {c(2)}{tail})"
    if space in _RGB_SPACES:
        return f"color({space} {c(0)} {c(1)} {c(2)}{tail})"
    if space in ("hsl", "hwb"):
        return f"{space}({c(0)} {c(1, suffix='%')} {c(2, suffix='%')}{tail})"
    return f"{space}({c(0)} {c(1)} {c(2)}{tail})"  # lab, lch, oklab, oklch: numbers in their own ranges


# --- CSS back to token values ---


class NotExpressibleError(Exception):
    """A CSS value that no token type can express; the message says why."""


Paths = Callable[[str], str | None]  # custom property name → dotted token path (None when it is no token)


def parse_css(css: str, token_type: str | None, name: str, paths: Paths) -> tuple[str, Any]:
    """The (type, value) of a custom property's CSS value; aliases come back as ``{path}``.

    Args:
        css: the value as written.
        token_type: the type to read it as (from the theme's token metadata), or None to infer one.
        name: the property name (a hint for fonts and weights when inferring).
        paths: maps a referenced custom property to its token path.

    Raises:
        NotExpressibleError: no token type fits.
    """
    nodes = _significant(tinycss2.parse_component_value_list(css, skip_comments=True))
    if not nodes:
        raise NotExpressibleError("empty value")
    reader = _Reader(paths)
    if token_type:
        try:
            return token_type, reader.read(token_type, nodes)
        except NotExpressibleError:
            pass  # edited since import into something else: infer again
    for candidate in _candidates(nodes, name):
        try:
            return candidate, reader.read(candidate, nodes)
        except NotExpressibleError:
            continue
    raise NotExpressibleError(_why(nodes))


def _candidates(nodes: list[Node], name: str) -> list[str]:
    lowered = name.lower()
    if len(nodes) == 1 and _is_var(nodes[0]):
        return ["alias"]
    fonts = ["fontWeight"] if "weight" in lowered else []
    if "font" in lowered or "family" in lowered:
        fonts.append("fontFamily")
    easing = ["cubicBezier"] if any(w in lowered for w in ("ease", "easing", "timing", "curve")) else []
    return [
        *fonts,
        *easing,
        "color",
        "dimension",
        "duration",
        "number",
        "cubicBezier",
        "strokeStyle",
        "shadow",
        "border",
        "transition",
        "gradient",
    ]


def _why(nodes: list[Node]) -> str:
    for node in nodes:
        if node.type == "dimension" and node.lower_unit not in ("px", "rem", "ms", "s"):
            return f"unit {node.unit!r} has no design-token type (dimensions are px or rem)"
        if node.type == "percentage":
            return "percentages have no design-token type"
        if node.type == "function" and node.lower_name in ("calc", "clamp", "min", "max"):
            return f"{node.lower_name}() has no design-token equivalent"
    return "no design-token type expresses this value"


def _significant(nodes: list[Node]) -> list[Node]:
    return [n for n in nodes if n.type not in ("whitespace", "comment")]


def _is_var(node: Node) -> bool:
    return bool(node.type == "function" and node.lower_name == "var")


def _split_commas(nodes: list[Node]) -> list[list[Node]]:
    groups: list[list[Node]] = [[]]
    for node in nodes:
        if node.type == "literal" and node.value == ",":
            groups.append([])
        elif node.type not in ("whitespace", "comment"):
            groups[-1].append(node)
    return groups


class _Reader:
    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def read(self, token_type: str, nodes: list[Node]) -> Any:
        if token_type == "alias":
            return self.alias(nodes[0])
        if len(nodes) == 1 and _is_var(nodes[0]):
            return self.alias(nodes[0])
        return getattr(self, "_" + token_type)(nodes)

    def alias(self, node: Node) -> str:
        args = _significant(node.arguments)
        if not args or args[0].type != "ident" or not args[0].value.startswith("--") or len(args) > 1:
            raise NotExpressibleError("var() with a fallback has no design-token equivalent")
        path = self.paths(args[0].value)
        if path is None:
            raise NotExpressibleError(f"refers to {args[0].value}, which is not a token")
        return "{" + path + "}"

    def one(self, token_type: str, node: Node) -> Any:
        return self.read(token_type, [node])

    def _color(self, nodes: list[Node]) -> dict[str, Any]:
        if len(nodes) != 1:
            raise NotExpressibleError("not a colour")
        parsed = parse_color_in_space(tinycss2.serialize(nodes))
        if parsed is None:
            raise NotExpressibleError("not a colour")
        space = parsed.space
        comps: list[Any] = ["none" if c is None else _clean(c) for c in parsed.coords]
        out: dict[str, Any] = {"colorSpace": space, "components": comps}
        if parsed.alpha is not None and parsed.alpha != 1:
            out["alpha"] = _clean(parsed.alpha)
        if space in ("hsl", "hwb") and comps[0] != "none":
            comps[0] = _clean(comps[0] % 360)
        if space == "srgb" and "none" not in comps:
            out["hex"] = "#" + "".join(f"{round(min(1, max(0, c)) * 255):02x}" for c in comps)
        return out

    def _amount(self, nodes: list[Node], units: tuple[str, ...]) -> dict[str, Any]:
        if len(nodes) == 1 and nodes[0].type == "dimension" and nodes[0].lower_unit in units:
            return {"value": _clean(float(nodes[0].value)), "unit": nodes[0].lower_unit}
        if len(nodes) == 1 and nodes[0].type == "number" and nodes[0].value == 0:
            return {"value": 0, "unit": units[0]}
        raise NotExpressibleError("not a " + " or ".join(units) + " amount")

    def _dimension(self, nodes: list[Node]) -> dict[str, Any]:
        return self._amount(nodes, ("px", "rem"))

    def _duration(self, nodes: list[Node]) -> dict[str, Any]:
        return self._amount(nodes, ("ms", "s"))

    def _number(self, nodes: list[Node]) -> float:
        if len(nodes) == 1 and nodes[0].type == "number":
            return _clean(float(nodes[0].value))
        raise NotExpressibleError("not a number")

    def _fontWeight(self, nodes: list[Node]) -> float | str:
        if len(nodes) == 1 and nodes[0].type == "number" and 1 <= nodes[0].value <= 1000:
            return _clean(float(nodes[0].value))
        if len(nodes) == 1 and nodes[0].type == "ident" and nodes[0].lower_value in ("normal", "bold"):
            return str(nodes[0].lower_value)
        raise NotExpressibleError("not a font weight")

    def _fontFamily(self, nodes: list[Node]) -> str | list[str]:
        families = []
        for group in _split_commas(nodes):
            if len(group) == 1 and group[0].type == "string":
                families.append(group[0].value)
            elif group and all(n.type == "ident" for n in group):
                families.append(" ".join(n.value for n in group))
            else:
                raise NotExpressibleError("not a font family list")
        return families[0] if len(families) == 1 else families

    def _cubicBezier(self, nodes: list[Node]) -> list[float]:
        if len(nodes) == 1 and nodes[0].type == "ident" and nodes[0].lower_value in EASINGS:
            return list(EASINGS[nodes[0].lower_value])
        if len(nodes) == 1 and nodes[0].type == "function" and nodes[0].lower_name == "cubic-bezier":
            args = _split_commas(nodes[0].arguments)
            if len(args) == 4 and all(len(a) == 1 and a[0].type == "number" for a in args):
                return [_clean(float(a[0].value)) for a in args]
        raise NotExpressibleError("not a cubic-bezier() timing function")

    def _strokeStyle(self, nodes: list[Node]) -> str:
        if len(nodes) == 1 and nodes[0].type == "ident" and nodes[0].lower_value in STROKE_STYLES:
            return str(nodes[0].lower_value)
        raise NotExpressibleError("not a line style")

    def _typed(self, node: Node, order: list[str]) -> tuple[str, Any]:
        for token_type in order:
            try:
                return token_type, self.one(token_type, node)
            except NotExpressibleError:
                continue
        raise NotExpressibleError("unexpected part")

    def _border(self, nodes: list[Node]) -> dict[str, Any]:
        if len(nodes) != 3:
            raise NotExpressibleError("not a border shorthand")
        try:  # the order this module writes: width style color (var() parts only fit by position)
            return {
                "width": self.one("dimension", nodes[0]),
                "style": self.one("strokeStyle", nodes[1]),
                "color": self.one("color", nodes[2]),
            }
        except NotExpressibleError:
            pass
        out = {}
        for node in nodes:
            if _is_var(node):
                raise NotExpressibleError("a border with var() parts must be written as width, style, colour")
            key, value = self._typed(node, ["dimension", "strokeStyle", "color"])
            field_name = {"dimension": "width", "strokeStyle": "style", "color": "color"}[key]
            if field_name in out:
                raise NotExpressibleError("not a border shorthand")
            out[field_name] = value
        return out

    def _transition(self, nodes: list[Node]) -> dict[str, Any]:
        if len(nodes) != 3:
            raise NotExpressibleError("not a transition of duration, timing function and delay")
        return {
            "duration": self.one("duration", nodes[0]),
            "timingFunction": self.one("cubicBezier", nodes[1]),
            "delay": self.one("duration", nodes[2]),
        }

    def _shadow(self, nodes: list[Node]) -> dict[str, Any] | list[Any]:
        layers: list[Any] = []
        for group in _split_commas(nodes):
            if len(group) == 1 and _is_var(group[0]):
                layers.append(self.alias(group[0]))
                continue
            inset = any(n.type == "ident" and n.lower_value == "inset" for n in group)
            body = [n for n in group if not (n.type == "ident" and n.lower_value == "inset")]
            if len(body) == 5:  # as written here: x y blur spread color (var() parts by position)
                color_node, lengths = body[4], body[:4]
            else:  # CSS order is free: the colour is first or last, blur and spread optional
                color_node = body[0] if body and not _is_length(body[0]) else body[-1] if body else None
                lengths = [n for n in body if n is not color_node]
                if color_node is None or not 2 <= len(lengths) <= 4:
                    raise NotExpressibleError("a shadow needs two to four lengths and a colour")
            layer: dict[str, Any] = {"color": self.one("color", color_node)}
            for i, key in enumerate(("offsetX", "offsetY", "blur", "spread")):
                layer[key] = (
                    self.one("dimension", lengths[i]) if i < len(lengths) else {"value": 0, "unit": "px"}
                )
            if inset:
                layer["inset"] = True
            layers.append(layer)
        return layers[0] if len(layers) == 1 and not isinstance(layers[0], str) else layers

    def _gradient(self, nodes: list[Node]) -> list[dict[str, Any]]:
        if len(nodes) != 1 or nodes[0].type != "function" or nodes[0].lower_name != "linear-gradient":
            raise NotExpressibleError("not a linear-gradient()")
        groups = _split_commas(nodes[0].arguments)
        head = groups[0]
        if not (
            len(head) == 1
            and head[0].type == "dimension"
            and head[0].lower_unit == "deg"
            and head[0].value == 90
        ) and not ([n.lower_value for n in head if n.type == "ident"] == ["to", "right"] and len(head) == 2):
            raise NotExpressibleError("only left-to-right gradients (90deg) have a design-token equivalent")
        stops = []
        for group in groups[1:]:
            if len(group) != 2:
                raise NotExpressibleError("every gradient stop needs a colour and a position")
            stops.append({"color": self.one("color", group[0]), "position": self._position(group[1])})
        return stops

    def _position(self, node: Node) -> Any:
        if node.type == "percentage":
            return _clean(float(node.value) / 100)
        if node.type == "function" and node.lower_name == "calc":
            inner = _significant(node.arguments)
            if (
                len(inner) == 3
                and _is_var(inner[0])
                and inner[1].type == "literal"
                and inner[1].value == "*"
                and inner[2].type == "percentage"
                and inner[2].value == 100
            ):
                return self.alias(inner[0])
        raise NotExpressibleError("a gradient stop position must be a percentage")


def _is_length(node: Node) -> bool:
    return bool(node.type == "dimension" or (node.type == "number" and node.value == 0) or _is_var(node))


def _clean(value: float) -> float:
    """Round off float noise (1e-9) so values compare and print as written; integral floats become ints."""
    rounded = round(value, 9)
    if math.isfinite(rounded) and rounded == int(rounded) and abs(rounded) < 1e15:
        return int(rounded)
    return rounded


def srgb_of(value: dict[str, Any]) -> tuple[float, float, float, float]:
    """A DTCG colour object as sRGB (unclipped) and alpha, for comparing colours within round-off."""
    comps = tuple(None if c == "none" else float(c) for c in value["components"])
    r, g, b = convert_color(value["colorSpace"], comps, "srgb")  # type: ignore[arg-type]
    return r, g, b, float(value.get("alpha", 1))


__all__ = ["LINE_CAPS", "Emitted", "NotExpressibleError", "color_css", "css_name", "emit", "num", "parse_css"]
