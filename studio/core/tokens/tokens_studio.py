"""Tokens Studio's legacy JSON (``value``/``type`` without ``$``) read into DTCG, and written back.

Values are CSS-ish strings (``"16px"``, ``"#ff0000"``, ``"{space.base} * 2"``); math is evaluated statically
with :mod:`studio.core.tokens.mathexpr`. A token whose value or type has no DTCG equivalent (``composition``,
``em`` units, colour modifiers, ``AUTO`` line heights) is skipped with a warning naming it; the rest imports.
"""

from __future__ import annotations

import re
from typing import Any

from studio.core.css.colors import parse_color_in_space
from studio.core.tokens.dtcg import MAX_DEPTH, ReadResult, read_dtcg
from studio.core.tokens.mathexpr import MathError, Quantity, evaluate
from studio.core.tokens.model import Issue, Token, alias_target, pointer
from studio.core.tokens.values import FONT_WEIGHTS, is_number

TYPE_MAP = {
    "color": "color",
    "sizing": "dimension",
    "spacing": "dimension",
    "borderRadius": "dimension",
    "borderWidth": "dimension",
    "dimension": "dimension",
    "fontSizes": "dimension",
    "letterSpacing": "dimension",
    "paragraphSpacing": "dimension",
    "fontFamilies": "fontFamily",
    "fontWeights": "fontWeight",
    "lineHeights": "number",
    "opacity": "number",
    "number": "number",
    "duration": "duration",
    "boxShadow": "shadow",
    "typography": "typography",
    "border": "border",
}
# DTCG type → the Tokens Studio type it is written back as.
BACK = {
    "color": "color",
    "dimension": "dimension",
    "fontFamily": "fontFamilies",
    "fontWeight": "fontWeights",
    "number": "number",
    "duration": "duration",
    "shadow": "boxShadow",
    "typography": "typography",
    "border": "border",
    "strokeStyle": "other",
    "cubicBezier": "other",
    "transition": "other",
    "gradient": "other",
}
_AMOUNT = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-zA-Z%]*)\s*")
_WEIGHT_NAMES = {k.replace("-", ""): v for k, v in FONT_WEIGHTS.items()}


class UnsupportedError(Exception):
    """This token (or part of it) has no DTCG equivalent; the message says what."""


def looks_like_tokens_studio(doc: Any) -> bool:
    """True for a Tokens Studio document: ``$themes``/``$metadata`` keys, or tokens written as ``value``."""
    if not isinstance(doc, dict):
        return False
    if "$themes" in doc or "$metadata" in doc:
        return True
    stack: list[tuple[Any, int]] = [(doc, 0)]
    seen = 0
    while stack and seen < 10_000:
        node, depth = stack.pop()
        seen += 1
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            continue
        if "$value" in node:
            return False
        if "value" in node and ("type" in node or not any(isinstance(v, dict) for v in node.values())):
            return True
        stack.extend((v, depth + 1) for k, v in node.items() if isinstance(v, dict) and not k.startswith("$"))
    return False


def read_tokens_studio(tree: dict[str, Any], source: str = "") -> ReadResult:
    """Read one merged Tokens Studio token tree (the sets a theme enables, in set order)."""
    raw, issues = _flatten(tree, source)
    converter = _Converter(raw)
    doc: dict[str, Any] = {}
    for path, node in raw.items():
        try:
            token_type, value = converter.token(path)
        except UnsupportedError as exc:
            issues.append(Issue(_where(source, path), f"skipped: {exc}", "warning"))
            continue
        entry: dict[str, Any] = {"$type": token_type, "$value": value}
        if isinstance(node.get("description"), str):
            entry["$description"] = node["description"]
        extensions = node.get("$extensions")
        if isinstance(extensions, dict):
            entry["$extensions"] = extensions
        _place(doc, path, entry)
    result = read_dtcg(doc, source)
    result.issues[:0] = issues
    return result


def _where(source: str, path: tuple[str, ...]) -> str:
    return f"{source}{pointer(path)}" if source else pointer(path)


def _flatten(tree: dict[str, Any], source: str) -> tuple[dict[tuple[str, ...], dict[str, Any]], list[Issue]]:
    raw: dict[tuple[str, ...], dict[str, Any]] = {}
    issues: list[Issue] = []
    stack: list[tuple[dict[str, Any], tuple[str, ...]]] = [(tree, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            issues.append(Issue(_where(source, path), f"groups are nested more than {MAX_DEPTH} levels deep"))
            continue
        children = []
        for key, child in node.items():
            if (
                key.startswith("$") and key != "$root"
            ):  # $root: a group's own token, as DTCG 2025.10 writes it
                continue
            if not isinstance(child, dict):
                issues.append(Issue(_where(source, (*path, key)), "expected a token or group object"))
                continue
            if "value" in child and not any(isinstance(v, dict) and "value" in v for v in child.values()):
                raw[(*path, key)] = child
            else:
                children.append((child, (*path, key)))
        stack.extend(reversed(children))
    return raw, issues


def _place(doc: dict[str, Any], path: tuple[str, ...], entry: dict[str, Any]) -> None:
    node = doc
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = entry


class _Converter:
    def __init__(self, raw: dict[tuple[str, ...], dict[str, Any]]) -> None:
        self.raw = raw
        self.by_dotted = {".".join(p): n for p, n in raw.items()}

    def token(self, path: tuple[str, ...]) -> tuple[str, Any]:
        node = self.raw[path]
        ts_type = node.get("type")
        if ts_type == "other" and isinstance(
            node.get("value"), str
        ):  # what this studio writes for DTCG-only types
            from studio.core.tokens.css import NotExpressibleError, parse_css

            try:
                return parse_css(node["value"], None, path[-1], lambda _name: None)
            except NotExpressibleError as exc:
                raise UnsupportedError(f"type 'other' value {node['value']!r}: {exc}") from None
        if ts_type not in TYPE_MAP:
            raise UnsupportedError(f"type {ts_type!r} has no DTCG equivalent")
        modify = (
            (node.get("$extensions") or {}).get("studio.tokens", {})
            if isinstance(node.get("$extensions"), dict)
            else {}
        )
        if isinstance(modify, dict) and modify.get("modify"):
            raise UnsupportedError("colour modifiers (lighten, darken, mix, alpha) are not evaluated")
        return TYPE_MAP[ts_type], self.value(TYPE_MAP[ts_type], node.get("value"), ts_type, ())

    def value(self, dtcg_type: str, value: Any, ts_type: str, stack: tuple[str, ...]) -> Any:
        if alias_target(value) is not None:
            return value
        return getattr(self, "_" + dtcg_type)(value, ts_type, stack)

    # --- scalar types ---

    def _color(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, str):
            raise UnsupportedError(f"colour {value!r} is not a CSS colour string")
        if "{" in value:
            raise UnsupportedError(f"colour {value!r} mixes a reference into a colour function")
        parsed = parse_color_in_space(value)
        if parsed is None:
            raise UnsupportedError(f"{value!r} is not a colour")
        comps: list[Any] = ["none" if c is None else round(c, 6) for c in parsed.coords]
        out: dict[str, Any] = {"colorSpace": parsed.space, "components": comps}
        if parsed.alpha is not None and parsed.alpha != 1:
            out["alpha"] = round(parsed.alpha, 6)
        if value.startswith("#") and len(value) in (7, 9):
            out["hex"] = value[:7].lower()
        return out

    def quantity(self, value: Any, stack: tuple[str, ...]) -> Quantity:
        """A number with its unit: literal, reference (followed) or math."""
        if is_number(value):
            return float(value), ""
        if not isinstance(value, str):
            raise UnsupportedError(f"{value!r} is not a number or dimension")
        match = _AMOUNT.fullmatch(value)
        if match:
            return float(match.group(1)), match.group(2).lower()

        def lookup(ref: str) -> Quantity:
            if ref in stack:
                raise UnsupportedError("reference cycle: " + " → ".join((*stack, ref)))
            node = self.by_dotted.get(ref)
            if node is None:
                raise UnsupportedError(f"references {{{ref}}}, which does not exist")
            return self.quantity(node.get("value"), (*stack, ref))

        try:
            return evaluate(value, lookup)
        except MathError as exc:
            raise UnsupportedError(str(exc)) from None

    def _amount(
        self, value: Any, stack: tuple[str, ...], units: tuple[str, ...], default: str
    ) -> dict[str, Any]:
        number, unit = self.quantity(value, stack)
        unit = unit or default
        if unit not in units:
            raise UnsupportedError(f"unit {unit!r} has no DTCG equivalent (use {' or '.join(units)})")
        return {"value": _clean(number), "unit": unit}

    def _dimension(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> dict[str, Any]:
        if ts_type == "letterSpacing" and isinstance(value, str) and value.strip() in ("0%", "0em"):
            return {"value": 0, "unit": "px"}
        return self._amount(value, stack, ("px", "rem"), "px")

    def _duration(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> dict[str, Any]:
        return self._amount(value, stack, ("ms", "s"), "ms")

    def _number(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> float:
        number, unit = self.quantity(value, stack)
        if unit == "%":
            return _clean(number / 100)
        if unit:
            raise UnsupportedError(f"a {ts_type} in {unit} has no DTCG number equivalent")
        return _clean(number)

    def _fontFamily(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> str | list[str]:
        if not isinstance(value, str) or not value.strip():
            raise UnsupportedError(f"font family {value!r} is not a name")
        names = [n.strip().strip("'\"") for n in value.split(",") if n.strip()]
        return names[0] if len(names) == 1 else names

    def _fontWeight(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> float:
        if is_number(value):
            return _clean(float(value))
        if isinstance(value, str):
            text = value.strip().lower().replace(" ", "").replace("-", "")
            if text.isdigit():
                return int(text)
            if text in _WEIGHT_NAMES:
                return _WEIGHT_NAMES[text]
        raise UnsupportedError(f"font weight {value!r} is not a DTCG weight (italic styles are not weights)")

    # --- composites ---

    def _sub(self, dtcg_type: str, value: Any, ts_type: str, stack: tuple[str, ...]) -> Any:
        return self.value(dtcg_type, value, ts_type, stack)

    def _shadow(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> Any:
        layers = value if isinstance(value, list) else [value]
        out = []
        for layer in layers:
            if alias_target(layer) is not None:
                out.append(layer)
                continue
            if not isinstance(layer, dict):
                raise UnsupportedError("a box shadow must be an object or a list of objects")
            converted: dict[str, Any] = {"color": self._sub("color", layer.get("color"), "color", stack)}
            for ts_key, key in (("x", "offsetX"), ("y", "offsetY"), ("blur", "blur"), ("spread", "spread")):
                converted[key] = self._sub("dimension", layer.get(ts_key, 0), "dimension", stack)
            if layer.get("type") == "innerShadow":
                converted["inset"] = True
            out.append(converted)
        return out[0] if len(out) == 1 and not isinstance(value, list) else out

    def _typography(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise UnsupportedError("a typography value must be an object")
        if "lineHeight" not in value:
            raise UnsupportedError("typography without a lineHeight has no DTCG equivalent")
        for extra in ("textCase", "textDecoration"):
            if value.get(extra) not in (None, "none"):
                raise UnsupportedError(f"typography {extra} {value[extra]!r} has no DTCG equivalent")
        return {
            "fontFamily": self._sub("fontFamily", value.get("fontFamily"), "fontFamilies", stack),
            "fontSize": self._sub("dimension", value.get("fontSize"), "fontSizes", stack),
            "fontWeight": self._sub("fontWeight", value.get("fontWeight"), "fontWeights", stack),
            "letterSpacing": self._sub("dimension", value.get("letterSpacing", "0%"), "letterSpacing", stack),
            "lineHeight": self._sub("number", value.get("lineHeight"), "lineHeights", stack),
        }

    def _border(self, value: Any, ts_type: str, stack: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise UnsupportedError("a border value must be an object")
        style = value.get("style", "solid")
        return {
            "color": self._sub("color", value.get("color"), "color", stack),
            "width": self._sub("dimension", value.get("width"), "borderWidth", stack),
            "style": style,
        }


def _clean(value: float) -> float:
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


# --- writing ---


def to_tokens_studio(token: Token) -> dict[str, Any]:
    """One token in the legacy shape (CSS-ish strings); types without an equivalent become ``other``."""
    from studio.core.tokens.css import emit

    entry: dict[str, Any] = {
        "type": BACK.get(token.type, "other"),
        "value": _ts_value(token.type, token.value, emit),
    }
    if token.description:
        entry["description"] = token.description
    if token.extensions:
        entry["$extensions"] = token.extensions
    return entry


def _ts_value(token_type: str, value: Any, emit: Any) -> Any:
    if alias_target(value) is not None:
        return value
    if token_type == "shadow":
        layers = value if isinstance(value, list) else [value]
        out = [
            layer
            if isinstance(layer, str)
            else {
                "x": _ts_value("dimension", layer["offsetX"], emit),
                "y": _ts_value("dimension", layer["offsetY"], emit),
                "blur": _ts_value("dimension", layer["blur"], emit),
                "spread": _ts_value("dimension", layer["spread"], emit),
                "color": _ts_value("color", layer["color"], emit),
                "type": "innerShadow" if layer.get("inset") else "dropShadow",
            }
            for layer in layers
        ]
        return out if isinstance(value, list) else out[0]
    if token_type == "typography":
        return {
            "fontFamily": _ts_value("fontFamily", value["fontFamily"], emit),
            "fontSize": _ts_value("dimension", value["fontSize"], emit),
            "fontWeight": _ts_value("fontWeight", value["fontWeight"], emit),
            "letterSpacing": _ts_value("dimension", value["letterSpacing"], emit),
            "lineHeight": value["lineHeight"],
        }
    if token_type == "border":
        return {
            key: _ts_value(sub, value[key], emit)
            for key, sub in (("color", "color"), ("width", "dimension"), ("style", "strokeStyle"))
        }
    if token_type == "number":
        return value
    return emit(token_type, value, "--x", lambda path: "--" + path.replace(".", "-")).declarations[0][1]
