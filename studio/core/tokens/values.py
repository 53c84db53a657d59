"""Validation of DTCG token values per type (Format and Color modules), aliases where the spec allows them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from studio.core.tokens.model import alias_target

COLOR_SPACES = (
    "srgb",
    "srgb-linear",
    "hsl",
    "hwb",
    "lab",
    "lch",
    "oklab",
    "oklch",
    "display-p3",
    "a98-rgb",
    "prophoto-rgb",
    "rec2020",
    "xyz-d65",
    "xyz-d50",
)
FONT_WEIGHTS = {
    "thin": 100,
    "hairline": 100,
    "extra-light": 200,
    "ultra-light": 200,
    "light": 300,
    "normal": 400,
    "regular": 400,
    "book": 400,
    "medium": 500,
    "semi-bold": 600,
    "demi-bold": 600,
    "bold": 700,
    "extra-bold": 800,
    "ultra-bold": 800,
    "black": 900,
    "heavy": 900,
    "extra-black": 950,
    "ultra-black": 950,
}
STROKE_STYLES = ("solid", "dashed", "dotted", "double", "groove", "ridge", "outset", "inset")
LINE_CAPS = ("round", "butt", "square")
_HEX6 = re.compile(r"#[0-9a-fA-F]{6}")

Refs = list[tuple[str, str, str]]  # (target path, expected type, pointer) collected while checking
Problems = list[tuple[str, str]]  # (pointer, message)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_value(token_type: str, value: Any, where: str, refs: Refs) -> Problems:
    """Problems with ``value`` as a ``token_type``; aliases found are appended to ``refs``."""
    problems: Problems = []
    _check(token_type, value, where, refs, problems)
    return problems


def _check(token_type: str, value: Any, where: str, refs: Refs, problems: Problems) -> None:
    target = alias_target(value)
    if target is not None:
        refs.append((target, token_type, where))
        return
    if isinstance(value, str) and "{" in value:
        problems.append(
            (where, f'malformed reference {value!r}: a reference is the whole string, like "{{a.b}}"')
        )
        return
    _CHECKERS[token_type](value, where, refs, problems)


def _color(value: Any, where: str, refs: Refs, problems: Problems) -> None:
    if not isinstance(value, dict):
        problems.append((where, "a color value must be an object with colorSpace and components"))
        return
    _no_extra(value, {"colorSpace", "components", "alpha", "hex"}, where, problems)
    space = value.get("colorSpace")
    if space not in COLOR_SPACES:
        problems.append(
            (
                f"{where}/colorSpace",
                f"unknown colorSpace {space!r}; expected one of {', '.join(COLOR_SPACES)}",
            )
        )
    components = value.get("components")
    if not isinstance(components, list) or len(components) != 3:
        problems.append((f"{where}/components", 'components must be an array of three numbers or "none"'))
    else:
        for i, component in enumerate(components):
            if not (is_number(component) or component == "none"):
                problems.append(
                    (f"{where}/components/{i}", f'expected a number or "none", got {component!r}')
                )
    alpha = value.get("alpha", 1)
    if not is_number(alpha) or not 0 <= alpha <= 1:
        problems.append((f"{where}/alpha", f"alpha must be a number from 0 to 1, got {alpha!r}"))
    hex_value = value.get("hex")
    if hex_value is not None and not (isinstance(hex_value, str) and _HEX6.fullmatch(hex_value)):
        problems.append(
            (f"{where}/hex", f'hex must be a 6-digit CSS hex colour like "#ff00aa", got {hex_value!r}')
        )


def _unit_amount(units: tuple[str, ...], kind: str) -> Callable[[Any, str, Refs, Problems], None]:
    def check(value: Any, where: str, refs: Refs, problems: Problems) -> None:
        if not isinstance(value, dict):
            problems.append((where, f'a {kind} must be an object like {{"value": 16, "unit": "{units[0]}"}}'))
            return
        _no_extra(value, {"value", "unit"}, where, problems)
        if not is_number(value.get("value")):
            problems.append((f"{where}/value", f"expected a number, got {value.get('value')!r}"))
        if value.get("unit") not in units:
            problems.append(
                (
                    f"{where}/unit",
                    f"unit must be {' or '.join(repr(u) for u in units)}, got {value.get('unit')!r}",
                )
            )

    return check


def _font_family(value: Any, where: str, refs: Refs, problems: Problems) -> None:
    if isinstance(value, str) and value.strip():
        return
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return
    problems.append((where, "a fontFamily must be a font name or a non-empty array of font names"))


def _font_weight(value: Any, where: str, refs: Refs, problems: Problems) -> None:
    if is_number(value) and 1 <= value <= 1000:
        return
    if isinstance(value, str) and value in FONT_WEIGHTS:
        return
    problems.append(
        (where, f'a fontWeight must be a number from 1 to 1000 or a weight name like "bold", got {value!r}')
    )


def _cubic_bezier(value: Any, where: str, refs: Refs, problems: Problems) -> None:
    if not (isinstance(value, list) and len(value) == 4 and all(is_number(v) for v in value)):
        problems.append((where, "a cubicBezier must be an array of four numbers [P1x, P1y, P2x, P2y]"))
    elif not (0 <= value[0] <= 1 and 0 <= value[2] <= 1):
        problems.append(
            (where, "the x coordinates of a cubicBezier (1st and 3rd numbers) must be from 0 to 1")
        )


def _number(value: Any, where: str, refs: Refs, problems: Problems) -> None:
    if not is_number(value):
        problems.append((where, f"expected a number, got {value!r}"))


def _stroke_style(value: Any, where: str, refs: Refs, problems: Problems) -> None:
    if isinstance(value, str):
        if value not in STROKE_STYLES:
            problems.append(
                (where, f"unknown stroke style {value!r}; expected one of {', '.join(STROKE_STYLES)}")
            )
        return
    if not isinstance(value, dict):
        problems.append(
            (where, 'a strokeStyle must be a keyword like "dashed" or an object with dashArray and lineCap')
        )
        return
    _no_extra(value, {"dashArray", "lineCap"}, where, problems)
    dashes = value.get("dashArray")
    if not isinstance(dashes, list) or not dashes:
        problems.append((f"{where}/dashArray", "dashArray must be a non-empty array of dimensions"))
    else:
        for i, dash in enumerate(dashes):
            _check("dimension", dash, f"{where}/dashArray/{i}", refs, problems)
    if value.get("lineCap") not in LINE_CAPS:
        problems.append((f"{where}/lineCap", f"lineCap must be one of {', '.join(LINE_CAPS)}"))


def _object(
    fields: dict[str, str], optional: frozenset[str] = frozenset()
) -> Callable[[Any, str, Refs, Problems], None]:
    def check(value: Any, where: str, refs: Refs, problems: Problems) -> None:
        if not isinstance(value, dict):
            problems.append((where, f"expected an object with {', '.join(fields)}"))
            return
        _no_extra(value, set(fields), where, problems)
        missing = [name for name in fields if name not in value and name not in optional]
        if missing:
            problems.append((where, f"missing {', '.join(missing)}"))
        for name, sub_type in fields.items():
            if name not in value:
                continue
            if sub_type == "boolean":
                if not isinstance(value[name], bool):
                    problems.append((f"{where}/{name}", "expected true or false"))
                continue
            _check(sub_type, value[name], f"{where}/{name}", refs, problems)

    return check


_SHADOW_LAYER = _object(
    {
        "color": "color",
        "offsetX": "dimension",
        "offsetY": "dimension",
        "blur": "dimension",
        "spread": "dimension",
        "inset": "boolean",
    },
    frozenset({"inset"}),
)
_GRADIENT_STOP = _object({"color": "color", "position": "number"})


def _layers(
    layer: Callable[[Any, str, Refs, Problems], None], own_type: str, single_ok: bool
) -> Callable[[Any, str, Refs, Problems], None]:
    def check(value: Any, where: str, refs: Refs, problems: Problems) -> None:
        if isinstance(value, dict) and single_ok:
            layer(value, where, refs, problems)
            return
        if not isinstance(value, list) or not value:
            problems.append(
                (
                    where,
                    f"a {own_type} must be " + ("an object or " if single_ok else "") + "a non-empty array",
                )
            )
            return
        for i, item in enumerate(value):
            target = alias_target(item)
            if target is not None:
                refs.append((target, own_type, f"{where}/{i}"))
            else:
                layer(item, f"{where}/{i}", refs, problems)

    return check


def _no_extra(value: dict[str, Any], allowed: set[str], where: str, problems: Problems) -> None:
    if value.keys() <= allowed:
        return
    for key in value:
        if key not in allowed:
            problems.append(
                (f"{where}/{key}", f"unexpected property {key!r} (allowed: {', '.join(sorted(allowed))})")
            )


_CHECKERS: dict[str, Callable[[Any, str, Refs, Problems], None]] = {
    "color": _color,
    "dimension": _unit_amount(("px", "rem"), "dimension"),
    "duration": _unit_amount(("ms", "s"), "duration"),
    "fontFamily": _font_family,
    "fontWeight": _font_weight,
    "cubicBezier": _cubic_bezier,
    "number": _number,
    "strokeStyle": _stroke_style,
    "border": _object({"color": "color", "width": "dimension", "style": "strokeStyle"}),
    "transition": _object({"duration": "duration", "delay": "duration", "timingFunction": "cubicBezier"}),
    "shadow": _layers(_SHADOW_LAYER, "shadow", single_ok=True),
    "gradient": _layers(_GRADIENT_STOP, "gradient", single_ok=False),
    "typography": _object(
        {
            "fontFamily": "fontFamily",
            "fontSize": "dimension",
            "fontWeight": "fontWeight",
            "letterSpacing": "dimension",
            "lineHeight": "number",
        }
    ),
}
