"""Resolver documents, Tokens Studio exports and safe math."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.core.tokens.mathexpr import MathError, evaluate
from studio.core.tokens.sources import open_token_files
from tests.core.tokens.conftest import RESOLVER, TOKENS_STUDIO


def test_resolver_modifiers_and_resolution_order() -> None:
    source = open_token_files([RESOLVER])
    assert source.kind == "dtcg-resolver"
    assert [(m.name, m.contexts, m.default) for m in source.modifiers] == [
        ("theme", ["light", "dark"], "light"),
        ("density", ["comfortable", "compact"], "comfortable"),
    ]
    light = source.resolve({})
    assert light.errors == []
    assert light.tokens["color.bg"].value == "{palette.white}"
    assert light.tokens["surface.raised"].value == "{palette.white}"  # inline source in a set
    dark = source.resolve({"Theme": "DARK", "density": "compact"})  # inputs are case-insensitive
    assert dark.tokens["color.primary"].value == "{palette.blue-300}"  # the modifier comes later and wins
    assert dark.tokens["space.stack"].value == "{space.1}"


def test_resolver_input_errors_follow_the_spec() -> None:
    source = open_token_files([RESOLVER])
    messages = [i.message for i in source.resolve({"theme": "blue", "foo": "bar"}).errors]
    assert messages == [
        "invalid context 'blue' for modifier 'theme' (light, dark)",
        "unknown modifier 'foo' (this file has: theme, density)",
    ]


def test_resolver_structure_errors(tmp_path: Path) -> None:
    doc = {
        "version": "2025.10",
        "sets": {"a": {"sources": [{"$ref": "#/modifiers/m"}]}},
        "modifiers": {"m": {"contexts": {}}, "n": {"contexts": {"x": [], "y": []}, "default": "z"}},
        "resolutionOrder": [
            {"$ref": "#/sets/a"},
            {"$ref": "#/modifiers/m"},
            {"$ref": "#/modifiers/n"},
            {"$ref": "#/resolutionOrder/0"},
            {"$ref": "https://example.com/t.json"},
            {"type": "set", "sources": []},
        ],
    }
    path = tmp_path / "r.resolver.json"
    path.write_text(json.dumps(doc))
    messages = [i.message for i in open_token_files([path]).issues if i.severity == "error"]
    assert "only resolutionOrder may reference a modifier" in messages
    assert "modifier 'm' must declare at least one context" in messages
    assert "default 'z' is not one of the contexts of 'n'" in messages
    assert "a reference must not point into resolutionOrder" in messages
    assert "remote references are not supported: https://example.com/t.json" in messages
    assert any('needs "type"' in m for m in messages)


def test_tokens_studio_folder_themes_sets_and_math() -> None:
    source = open_token_files([TOKENS_STUDIO])
    assert source.kind == "tokens-studio"
    assert [(m.name, m.contexts) for m in source.modifiers] == [("Mode", ["Light", "Dark"])]
    light = source.resolve({"Mode": "Light"})
    assert light.errors == []
    tokens = light.tokens
    assert tokens["spacing.md"].value == {"value": 16, "unit": "px"}
    assert tokens["spacing.lg"].value == {"value": 36, "unit": "px"}
    assert tokens["fontSizes.h1"].value == {"value": 40, "unit": "px"}
    assert tokens["lineHeights.body"].value == 1.5
    assert tokens["fontWeights.bold"].value == 700
    assert tokens["colors.overlay"].value["alpha"] == 0.5
    assert tokens["typography.body"].value["lineHeight"] == "{lineHeights.body}"
    assert tokens["bg"].value == "{colors.white}"
    assert "border.focus" not in tokens  # only in the dark set
    skipped = {i.where: i.message for i in light.issues if i.severity == "warning"}
    assert set(skipped) == {
        "#/tint",
        "#/fontWeights/bold-italic",
        "#/lineHeights/auto",
        "#/letterSpacing/tight",
        "#/composition/card",
    }
    dark = source.resolve({"Mode": "Dark"}).tokens
    assert dark["bg"].value == "{colors.gray.900}"
    assert dark["border.focus"].type == "border"


def test_tokens_studio_single_file_and_files(tmp_path: Path) -> None:
    sets = {
        name.removesuffix(".json"): json.loads((TOKENS_STUDIO / name).read_text())
        for name in ("core.json", "light.json", "dark.json")
    }
    single = {
        **sets,
        "$themes": json.loads((TOKENS_STUDIO / "$themes.json").read_text()),
        "$metadata": json.loads((TOKENS_STUDIO / "$metadata.json").read_text()),
    }
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(single))
    source = open_token_files([path])
    assert source.kind == "tokens-studio"
    assert [m.name for m in source.modifiers] == ["Mode"]
    files = [TOKENS_STUDIO / n for n in ("core.json", "dark.json", "$themes.json", "$metadata.json")]
    assert open_token_files(files).resolve({"Mode": "Dark"}).tokens["primary"].value == "{colors.blue.300}"


def test_math_is_arithmetic_only() -> None:
    lookup = {"a": (8.0, "px"), "n": (2.0, "")}.__getitem__
    assert evaluate("{a} * {n} + 1.5px", lookup) == (17.5, "px")
    assert evaluate("(16px + 4px) / 2", lookup) == (10.0, "px")
    for bad in ('__import__("os").system("true")', "2 ** 64", "1px + 1rem", "a.b", "1 / 0", "[1]"):
        with pytest.raises(MathError):
            evaluate(bad, lookup)


def test_a_token_file_that_is_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Token files are read like every other input: a plain file of bounded size (studio.core.limits)."""
    import os

    from studio.core.tokens.model import TokenFileError

    pipe = tmp_path / "tokens.json"
    os.mkfifo(pipe)
    with pytest.raises(TokenFileError, match="named pipe"):
        open_token_files([pipe])
