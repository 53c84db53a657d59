"""Equality in meaning of two token sets: same paths, types and aliases; values equal within colour round-off.

Used by the round-trip tests and the ``tokens_roundtrip_loss`` figure: a fontWeight ``"bold"`` equals ``700``,
a one-font family equals the one-element list, a single shadow equals a one-layer list, colours compare in
sRGB (unclipped) within 1/1000 per channel and must keep their colour space.
"""

from __future__ import annotations

from typing import Any

from studio.core.tokens.css import srgb_of
from studio.core.tokens.model import Token, alias_target
from studio.core.tokens.values import FONT_WEIGHTS, is_number

COLOR_TOLERANCE = 1e-3


def differences(before: dict[str, Token], after: dict[str, Token]) -> dict[str, str]:
    """Token path → what changed, for every token whose meaning is not the same in ``after``."""
    out: dict[str, str] = {}
    for path, token in before.items():
        other = after.get(path)
        if other is None:
            out[path] = "missing"
        elif other.type != token.type:
            out[path] = f"type {token.type} became {other.type}"
        elif not same_value(token.type, token.value, other.value):
            out[path] = f"value {token.value!r} became {other.value!r}"
    for path in after:
        if path not in before:
            out[path] = "added"
    return out


def same_value(token_type: str, a: Any, b: Any) -> bool:
    if alias_target(a) is not None or alias_target(b) is not None:
        return bool(a == b)
    if token_type == "color":
        if a.get("colorSpace") != b.get("colorSpace"):
            return False
        if [c == "none" for c in a["components"]] != [c == "none" for c in b["components"]]:
            return False
        return all(abs(x - y) <= COLOR_TOLERANCE for x, y in zip(srgb_of(a), srgb_of(b), strict=True))
    if token_type == "fontWeight":
        return bool(_weight(a) == _weight(b))
    if token_type == "fontFamily":
        return _list(a) == _list(b)
    if token_type in ("dimension", "duration"):
        return bool(a["unit"] == b["unit"] and abs(a["value"] - b["value"]) < 1e-6)
    if token_type in ("number", "cubicBezier"):
        return all(abs(x - y) < 1e-6 for x, y in zip(_list(a), _list(b), strict=True)) and len(
            _list(a)
        ) == len(_list(b))
    if token_type in ("shadow", "gradient"):
        la, lb = _list(a), _list(b)
        layer_type = "shadowLayer" if token_type == "shadow" else "stop"
        return len(la) == len(lb) and all(same_value(layer_type, x, y) for x, y in zip(la, lb, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) - {"inset"} != set(b) - {"inset"} or bool(a.get("inset")) != bool(b.get("inset")):
            return False
        return all(same_value(_SUB.get(k, ""), a[k], b[k]) for k in a if k != "inset")
    if is_number(a) and is_number(b):
        return bool(abs(a - b) < 1e-6)
    return bool(a == b)


_SUB = {
    "color": "color",
    "offsetX": "dimension",
    "offsetY": "dimension",
    "blur": "dimension",
    "spread": "dimension",
    "width": "dimension",
    "style": "strokeStyle",
    "duration": "duration",
    "delay": "duration",
    "timingFunction": "cubicBezier",
    "position": "number",
    "fontFamily": "fontFamily",
    "fontSize": "dimension",
    "fontWeight": "fontWeight",
    "letterSpacing": "dimension",
    "lineHeight": "number",
    "dashArray": "",
}


def _weight(value: Any) -> Any:
    return FONT_WEIGHTS.get(value, value) if isinstance(value, str) else value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
