"""The value grammar: every property's syntax compiles, values match as browsers accept them, and no value,
however long or hostile, can make matching slow or raise."""

from __future__ import annotations

import json
import time

import pytest
import tinycss2

from studio.core.css.grammar import DATA_PATH, UNRESOLVED, grammar


def check(prop: str, value: str) -> bool:
    """True when the value fits, cannot be judged, or can be only once its var() are resolved."""
    return grammar().check(prop, tinycss2.parse_component_value_list(value)) in (None, UNRESOLVED)


def test_the_vendored_data_is_the_w3c_one_with_its_licence() -> None:
    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    assert data["source"].startswith("@webref/css ")
    assert len(data["properties"]) > 700
    assert "display" in data["properties"]
    assert "width" in data["media_features"]
    assert ":hover" in data["selectors"]
    assert (DATA_PATH.parent / "LICENSE.webref-css").read_text().startswith("webref-css.json is derived")


def test_every_property_syntax_compiles_or_is_left_unjudged() -> None:
    g = grammar()
    compiled = [name for name in g.properties if g.property_matcher(name) is not None]
    assert len(compiled) >= len(g.properties) - 5  # the data has a typo or two; those stay unjudged
    for name in (
        "display",
        "transition",
        "border",
        "transform",
        "background",
        "font",
        "grid-template-columns",
        "width",
        "cursor",
        "box-shadow",
        "animation",
        "color",
        "flex",
    ):
        assert name in compiled


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("display", "grid"),
        ("display", "inline-flex"),
        ("display", "block flow-root"),
        ("margin", "0 auto"),
        ("margin", "-1px 2px 3px 4px"),
        ("padding", "0"),
        ("color", "#fff"),
        ("color", "#ffff"),
        ("color", "transparent"),
        ("color", "oklch(62% 0.2 250)"),
        ("color", "color-mix(in srgb, red 50%, blue)"),
        ("color", "hsl(200 50% 50% / .5)"),
        ("width", "fit-content"),
        ("width", "min(100%, 60ch)"),
        ("width", "calc(100% - 1px)"),
        ("transition", "all .2s"),
        ("transition", "none"),
        ("animation", "spin 1s steps(4, end) infinite"),
        ("grid-template-columns", "repeat(auto-fill, minmax(10rem, 1fr))"),
        ("font", "italic bold 12px/30px Georgia, serif"),
        ("background-position", "right 10px top 5px"),
        ("border-radius", "50% / 10%"),
        ("box-shadow", "0 0 0 .25rem rgba(13, 110, 253, .25)"),
        ("cursor", "url(x.cur) 2 2, pointer"),
        ("transform", "translate3d(0, 0, 0) scale(1.1)"),
        ("opacity", "50%"),
        ("flex", "1 1 0%"),
        ("line-height", "1.5"),
        ("z-index", "-1"),
        ("content", '"\\201C"'),
        ("inset", "0"),
    ],
)
def test_valid_values_fit(prop: str, value: str) -> None:
    assert check(prop, value)


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("display", "flexbox"),
        ("margin", "auto auto auto auto auto"),
        ("padding", "-1px"),
        ("color", "#ggg"),
        ("opacity", "1px"),
        ("width", "red"),
        ("transition", "opacity 2"),
        ("transform", "rotate(45)"),
        ("z-index", "1.5"),
        ("flex", "1 1 1 1"),
        ("line-height", "-1"),
        ("grid-template-columns", "repeat(3)"),
        ("animation-duration", "-1s"),
        ("font-weight", "1001"),
    ],
)
def test_invalid_values_do_not_fit(prop: str, value: str) -> None:
    assert not check(prop, value)


@pytest.mark.parametrize(
    "value",
    [
        "var(--x)",
        "env(safe-area-inset-top)",
        "-webkit-box",
        "inherit",
        "revert-layer",
        "red\\9",
        "expression(1)",
        "attr(data-x)",
    ],
)
def test_what_cannot_be_judged_statically_is_accepted(value: str) -> None:
    assert check("display", value)


def test_var_defers_the_verdict_but_other_substitutions_do_not() -> None:
    assert grammar().check("display", tinycss2.parse_component_value_list("var(--x) flow")) is UNRESOLVED
    assert grammar().check("display", tinycss2.parse_component_value_list("env(x)")) is None


def test_long_and_hostile_values_stay_fast() -> None:
    started = time.perf_counter()
    assert check("transition", ", ".join(["opacity 1s ease"] * 60))  # over the token limit: not judged
    assert not check("transition", ", ".join(["opacity 1s ease"] * 40) + ", opacity 2")
    assert check("font-family", ", ".join(["a b c d e"] * 30))
    assert check("grid-template-areas", " ".join(['"a b c"'] * 150))
    deep = "(" * 20_000 + ")" * 20_000
    assert not check("transform", deep)
    assert not check("box-shadow", " ".join(["1px"] * 150))  # backtracking is bounded
    assert time.perf_counter() - started < 5


def test_compiling_from_two_threads_at_once_is_safe() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from studio.core.css.grammar import Grammar

    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    fresh = Grammar(data)  # nothing compiled yet
    names = sorted(fresh.properties)
    value = tinycss2.parse_component_value_list("1px solid red")

    def judge_all(offset: int) -> int:
        return sum(fresh.check(name, value) is None for name in names[offset:] + names[:offset])

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(judge_all, [0, len(names) // 4, len(names) // 2, 3 * len(names) // 4]))
    assert len(set(counts)) == 1
