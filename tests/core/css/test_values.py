"""Colour and length values: every valid CSS syntax passes, plain mistakes are flagged at the bad token."""

from __future__ import annotations

import pytest

from studio.core.css.lint import lint_css


def value_warnings(declarations: str) -> list[tuple[int, str]]:
    """(column inside the declarations, rule) of each diagnostic for ``.a{<declarations>}``."""
    return [(d.column - 3, d.rule) for d in lint_css(".a{" + declarations + "}").diagnostics]


@pytest.mark.parametrize("value", [
    "red", "RebeccaPurple", "transparent", "currentColor", "Canvas", "AccentColorText", "ButtonFace",
    "#abc", "#abcd", "#aabbcc", "#aabbcc80", "rgb(1 2 3)", "rgba(1,2,3,.5)", "hsl(120deg 50% 50%)",
    "hsla(120, 50%, 50%, 1)", "hwb(194 0% 0%)", "lab(50% 40 59.5)", "lch(52% 72 50)", "oklab(40% .1 .1)",
    "oklch(62% 0.2 250 / 50%)", "color(display-p3 1 0 0)", "color-mix(in srgb, red 30%, blue)",
    "light-dark(#fff, #000)", "rgb(from red r g calc(b + 20))", "hsl(from var(--c) h s calc(l - 10%))",
    "var(--c)", "var(--c, red)", "env(safe-color)", "inherit", "initial", "unset", "revert", "revert-layer",
    "-webkit-focus-ring-color", "red\\9", "red !ie",
])
def test_valid_colors(value: str) -> None:
    assert value_warnings(f"--c: red; color: {value}") == []


@pytest.mark.parametrize(("value", "column"), [
    ("reed", 18), ("#abcde", 18), ("#ggg", 18), ("12px", 18), ("red blue", 22), ("calc(1px)", 18),
    ("inherit red", 18),
])
def test_invalid_colors(value: str, column: int) -> None:
    assert value_warnings(f"--c: red; color: {value}") == [(column, "invalid-value")]


@pytest.mark.parametrize("declaration", [
    "border-color: red green blue #000", "border-block-color: red blue", "fill: url(#grad) red",
    "stroke: none", "fill: context-fill", "caret-color: auto", "accent-color: auto",
    "scrollbar-color: #888 transparent", "outline-color: invert", "background-color: ButtonFace",
    "text-decoration-color: oklch(50% .1 30)", "column-rule-color: hsl(0 0% 50%)", "stop-color: red",
    "flood-color: blue", "border-top-color: #0000",
])
def test_property_specific_colour_syntaxes(declaration: str) -> None:
    assert value_warnings(declaration) == []


@pytest.mark.parametrize("declaration", [
    "width: 10px", "width: 0", "width: 50%", "width: auto", "width: fit-content", "width: fit-content(20em)",
    "width: min-content", "width: max-content", "width: stretch", "width: -webkit-fill-available",
    "width: -moz-available", "max-width: none", "width: calc(100% - 2rem)", "width: min(10px, 5vw)",
    "width: clamp(1rem, 2.5vw, 2rem)", "width: var(--w, 1px)", "width: 10cqi", "height: 100dvh",
    "height: 100svh", "min-height: 1lh", "margin: 0 auto", "margin: 1px 2px 3px 4px", "margin: -1px",
    "margin-inline: auto", "padding: 1em 2em", "padding-block: 0 1rem", "font-size: 1.25rem",
    "font-size: larger", "font-size: x-large", "font-size: xxx-large", "gap: 1rem 2rem", "gap: normal",
    "row-gap: 0", "top: 0", "left: anchor(right)", "inset: 0 auto auto 0", "inset-inline-start: 1px",
    "border-width: thin medium thick 2px", "border-top-width: thick", "outline-width: medium",
    "outline-offset: -2px", "border-radius: 50%", "border-radius: 10px 5% / 20px",
    "border-top-left-radius: 1em 2em", "letter-spacing: normal", "letter-spacing: -.02em",
    "text-indent: 2em hanging each-line", "width: 10px\\9", "width: inherit", "width: revert-layer",
    "flex-basis: content", "width: 1Q", "width: 1PX", "width: sibling-index()",
    "width: round(up, 101px, 10px)", "width: -webkit-calc(100% - 10px)", "width: anchor-size(width)",
])
def test_valid_lengths(declaration: str) -> None:
    assert value_warnings(declaration) == []


@pytest.mark.parametrize(("declaration", "column"), [
    ("width: 10", 8), ("width: 10pxx", 8), ("width: red", 8), ("margin: 0 0 0 0 0", 17),
    ("padding: auto", 10), ("font-size: huge", 12), ("width: 1s", 8), ("border-width: 5%x", 17),
    ("height: rgb(1,2,3)", 9), ("width: 10px 20px", 13), ("width: ", 1), ("width: 'a'", 8),
])
def test_invalid_lengths(declaration: str, column: int) -> None:
    assert value_warnings(declaration) == [(column, "invalid-value")]


def test_line_height_is_not_a_length_only_property() -> None:
    assert value_warnings("line-height: 1.5") == []


def test_empty_value_of_any_property() -> None:
    assert value_warnings("display: ;") == [(1, "invalid-value")]


def test_invalid_value_is_a_warning_with_a_helpful_message() -> None:
    (diagnostic,) = lint_css(".a { width: 10 }").diagnostics
    assert diagnostic.severity.value == "warning"
    assert "10px" in diagnostic.message
