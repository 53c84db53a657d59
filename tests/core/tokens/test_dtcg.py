"""Reading DTCG 2025.10: every type, both alias syntaxes, $root/$extends, one clear error per problem."""

from __future__ import annotations

import json
import time

import pytest

from studio.core.tokens.dtcg import load_json, read_dtcg
from studio.core.tokens.model import TokenFileError
from tests.core.tokens.conftest import EVERY_TYPE


def read(doc: object) -> tuple[dict[str, object], list[str]]:
    result = read_dtcg(doc)
    return result.tokens, [str(i) for i in result.errors]


def test_every_type_reads_without_errors() -> None:
    result = read_dtcg(load_json(EVERY_TYPE.read_text()))
    assert result.errors == []
    tokens = result.tokens
    types = {t.type for t in tokens.values()}
    assert types == {
        "color",
        "dimension",
        "fontFamily",
        "fontWeight",
        "duration",
        "cubicBezier",
        "number",
        "strokeStyle",
        "border",
        "transition",
        "shadow",
        "gradient",
        "typography",
    }
    assert tokens["color.brand"].value == "{color.blue}"  # a whole-token JSON pointer is an alias
    assert tokens["semantic.link"].type == "color"  # untyped alias takes its target's type
    assert tokens["color.accent.$root"].value["hex"] == "#dd0000"
    assert tokens["button-primary.text"].value["components"] == [1, 1, 1]  # inherited through $extends
    assert tokens["button-primary.background"].value == "{color.accent.$root}"
    assert tokens["color.focusring"].deprecated == "Use color.accent"
    assert tokens["semantic.brand"].extensions == {
        "com.figma": {"variableId": "VariableID:12:34", "scopes": ["ALL_FILLS"]}
    }
    assert tokens["color.White"].value["components"][0] == "none"


def test_property_level_pointer_resolves_to_the_value() -> None:
    doc = {
        "base": {"blue": {"$type": "color", "$value": {"colorSpace": "srgb", "components": [0.2, 0.4, 0.9]}}},
        "semantic": {
            "primary": {
                "$type": "color",
                "$value": {
                    "colorSpace": "srgb",
                    "components": [
                        {"$ref": "#/base/blue/$value/components/0"},
                        {"$ref": "#/base/blue/$value/components/1"},
                        0.7,
                    ],
                },
            }
        },
        "hue": {"$type": "number", "$value": {"$ref": "#/base/blue/$value/components/0"}},
    }
    tokens, errors = read(doc)
    assert errors == []
    assert tokens["semantic.primary"].value["components"] == [0.2, 0.4, 0.7]  # type: ignore[attr-defined]
    assert tokens["hue"].value == 0.2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"c": {"$type": "color", "$value": "#ff0000"}}, "#/c/$value: a color value must be an object"),
        (
            {"c": {"$type": "color", "$value": {"colorSpace": "cmyk", "components": [1, 0, 0]}}},
            "#/c/$value/colorSpace: unknown colorSpace 'cmyk'",
        ),
        (
            {"c": {"$type": "color", "$value": {"colorSpace": "srgb", "components": [1, "x", 0]}}},
            '#/c/$value/components/1: expected a number or "none"',
        ),
        (
            {"c": {"$type": "color", "$value": {"colorSpace": "srgb", "components": [1, 0, 0], "alpha": 2}}},
            "#/c/$value/alpha: alpha must be a number from 0 to 1",
        ),
        (
            {"d": {"$type": "dimension", "$value": {"value": 1, "unit": "em"}}},
            "#/d/$value/unit: unit must be 'px' or 'rem'",
        ),
        ({"d": {"$type": "dimension", "$value": "16px"}}, "#/d/$value: a dimension must be an object"),
        ({"w": {"$type": "fontWeight", "$value": "Bold"}}, "#/w/$value: a fontWeight must be"),
        ({"b": {"$type": "cubicBezier", "$value": [2, 0, 1, 1]}}, "x coordinates of a cubicBezier"),
        ({"x": {"$type": "shade", "$value": 1}}, "#/x/$type: unknown $type 'shade'"),
        ({"x": {"$value": 1}}, "#/x: the token has no $type"),
        (
            {"s": {"$type": "shadow", "$value": {"color": "{c}", "offsetX": {"value": 1, "unit": "px"}}}},
            "missing offsetY",
        ),
        (
            {
                "t": {
                    "$type": "border",
                    "$value": {"color": "{c}", "width": {"value": 1, "unit": "px"}, "style": "wavy"},
                }
            },
            "#/t/$value/style: unknown stroke style 'wavy'",
        ),
        (
            {"g": {"a": {"$type": "number", "$value": 1, "b": {"$type": "number", "$value": 2}}}},
            "cannot also contain tokens",
        ),
        ({"a.b": {"$type": "number", "$value": 1}}, "names must not"),
    ],
)
def test_wrong_values_get_one_error_with_their_pointer(doc: dict[str, object], expected: str) -> None:
    _, errors = read(doc)
    assert len(errors) == 1, errors
    assert expected in errors[0]


def test_missing_reference_and_wrong_type_name_the_token() -> None:
    doc = {
        "n": {"$type": "number", "$value": 2},
        "a": {"$type": "color", "$value": "{nowhere.to.go}"},
        "b": {"$type": "color", "$value": "{n}"},
        "ok": {"$type": "number", "$value": "{n}"},
    }
    tokens, errors = read(doc)
    assert set(tokens) == {"n", "ok"}
    assert "error: #/a/$value: references {nowhere.to.go}, which does not exist" in errors
    assert "error: #/b/$value: references {n}, a number token, where a color is needed" in errors


def test_alias_cycle_is_one_error_naming_the_chain_and_its_users_fail_too() -> None:
    doc = {
        "a": {"$type": "number", "$value": "{b}"},
        "b": {"$type": "number", "$value": "{c}"},
        "c": {"$type": "number", "$value": "{a}"},
        "user": {"$type": "number", "$value": "{a}"},
        "fine": {"$type": "number", "$value": 1},
    }
    tokens, errors = read(doc)
    assert set(tokens) == {"fine"}
    cycles = [e for e in errors if "alias cycle" in e]
    assert cycles == ["error: #/a: alias cycle: a → b → c → a"]
    assert "error: #/user: depends on a token that has an error" in errors


def test_extends_cycle_is_reported() -> None:
    _, errors = read({"a": {"$extends": "{b}"}, "b": {"$extends": "{a}"}})
    assert any("circular $extends" in e for e in errors)


def test_deep_nesting_is_reported_not_followed() -> None:
    doc: dict[str, object] = {"$type": "number"}
    node = doc
    for _ in range(200):
        node["g"] = {}
        node = node["g"]  # type: ignore[assignment]
    node["t"] = {"$value": 1}
    tokens, errors = read(doc)
    assert tokens == {}
    assert len(errors) == 1
    assert "nested more than 64 levels" in errors[0]
    with pytest.raises(TokenFileError, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    ("text", "message"), [("{", "not valid JSON"), ("[1, 2]", None), (b"\xff\xfe", "not")]
)
def test_unreadable_files_are_clear_errors(text: str | bytes, message: str | None) -> None:
    if message is None:
        assert read_dtcg(load_json(text)).errors[0].message.startswith("a token file must be a JSON object")
    else:
        with pytest.raises(TokenFileError, match=message):
            load_json(text)


def test_ten_megabytes_of_tokens_read_in_bounded_time() -> None:
    doc: dict[str, object] = {"color": {"$type": "color"}}
    group = doc["color"]
    for i in range(95_000):
        group[f"c{i}"] = {
            "$value": {"colorSpace": "srgb", "components": [i % 2, 0.5, 0.25], "hex": "#808040"}
        }  # type: ignore[index]
        if i % 3 == 0:
            group[f"alias{i}"] = {"$value": f"{{color.c{i}}}"}  # type: ignore[index]
    text = json.dumps(doc)
    assert len(text) > 10_000_000
    start = time.perf_counter()
    result = read_dtcg(load_json(text))
    assert time.perf_counter() - start < 30  # ~1.5 s on an idle machine
    assert result.errors == []
    assert len(result.tokens) == 95_000 + 31_667
