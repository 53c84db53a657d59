"""Colour parsing and conversion against CSS Color 4 reference values."""

from __future__ import annotations

import pytest

from studio.core.css.colors import RGBA, parse_color


def _close(color: RGBA | None, expected: str, tolerance: float = 1.5 / 255) -> bool:
    reference = parse_color(expected)
    assert reference is not None
    assert color is not None
    got = (color.r, color.g, color.b, color.a)
    want = (reference.r, reference.g, reference.b, reference.a)
    return all(abs(x - y) <= tolerance for x, y in zip(got, want, strict=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#f00", "#ff0000"),
        ("#F00A", "#ff0000aa"),
        ("#336699", "#336699"),
        ("#33669980", "#33669980"),
        ("rebeccapurple", "#663399"),
        ("RED", "#ff0000"),
        ("transparent", "#00000000"),
        ("rgb(255, 0, 0)", "#ff0000"),
        ("rgba(0, 0, 255, 0.5)", "#0000ff80"),
        ("rgb(100%, 50%, 0%)", "#ff8000"),
        ("rgb(255 128 0 / 50%)", "#ff800080"),
        ("rgb(100% 0 none)", "#ff0000"),
        ("rgb(0 0 0 / 0)", "#00000000"),
        ("hsl(120, 100%, 25%)", "#008000"),
        ("hsla(120deg 100% 50% / .25)", "#00ff0040"),
        ("hsl(0.5turn 100 50)", "#00ffff"),
        ("hwb(0 0% 0%)", "#ff0000"),
        ("hwb(0 50% 50%)", "#808080"),
        ("hwb(240 20% 20%)", "#3333cc"),
        ("color(srgb 1 0.5 0)", "#ff8000"),
        ("color(srgb 100% 50% 0% / 0.5)", "#ff800080"),
        ("color(srgb-linear 1 0.2159 0)", "#ff8000"),
        ("color-mix(in srgb, red 50%, blue)", "#800080"),
        ("color-mix(in srgb, red, blue 25%)", "#bf0040"),
        ("color-mix(in srgb, red 20%, blue 20%)", "#80008066"),  # percentages summing under 100 scale alpha
        ("color-mix(in srgb, red 60%, blue 60%)", "#800080"),  # over 100 only normalise
        ("color-mix(in oklab, white, black)", "#636363"),  # OKLab L = 0.5 grey
        ("color-mix(in srgb, color-mix(in srgb, red, blue), white)", "#bf80bf"),
    ],
)
def test_parses_to_expected_hex(text: str, expected: str) -> None:
    color = parse_color(text)
    assert color is not None
    assert color.to_hex() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # CSS Color 4 reference conversions of pure sRGB red (Lab/LCH are D50 per the spec).
        ("oklch(62.8% 0.2577 29.23)", "#ff0000"),
        ("oklab(0.628 0.2249 0.1258)", "#ff0000"),
        ("lab(54.29 80.82 69.91)", "#ff0000"),
        ("lch(54.29 106.84 40.86)", "#ff0000"),
        ("color(display-p3 0.9175 0.2003 0.1386)", "#ff0000"),
        ("oklch(45.2% 0.313 264.05)", "#0000ff"),
        ("lab(100 0 0)", "#ffffff"),
        ("oklab(100% 0 0)", "#ffffff"),
        ("oklch(0 0 0)", "#000000"),
        ("color(xyz-d65 0.9505 1 1.089)", "#ffffff"),
        ("color(xyz-d50 0.9642 1 0.8251)", "#ffffff"),
        ("color(display-p3 0.5 0.5 0.5)", "#808080"),
    ],
)
def test_wide_gamut_spaces_match_reference_values(text: str, expected: str) -> None:
    assert _close(parse_color(text), expected)


def test_d65_lab_coordinates_of_red_land_near_red() -> None:
    # The often-quoted lab(53.24 80.09 67.2) is red in D65 Lab; CSS lab() is D50, so it is only near red.
    color = parse_color("lab(53.24 80.09 67.2)")
    assert _close(color, "#ff0000", tolerance=8 / 255)
    assert not _close(color, "#ff0000")


def test_out_of_gamut_colours_are_clipped_per_channel() -> None:
    color = parse_color("color(display-p3 0 1 0)")  # P3 green is outside sRGB
    assert color is not None
    assert (color.r, color.g, color.b) == (0.0, 1.0, 0.0)
    vivid = parse_color("oklch(70% 0.4 150)")
    assert vivid is not None
    assert all(0.0 <= c <= 1.0 for c in (vivid.r, vivid.g, vivid.b))


def test_mix_in_oklch_keeps_hue_of_the_chromatic_colour() -> None:
    # White is achromatic: its hue is powerless, so the mix takes blue's hue instead of drifting to pink.
    mixed = parse_color("color-mix(in oklch, white, blue)")
    assert _close(mixed, "oklch(0.726 0.1565 264.05)")


def test_mix_hue_interpolation_methods_differ() -> None:
    shorter = parse_color("color-mix(in oklch, oklch(0.7 0.1 10), oklch(0.7 0.1 350))")
    longer = parse_color("color-mix(in oklch longer hue, oklch(0.7 0.1 10), oklch(0.7 0.1 350))")
    assert _close(shorter, "oklch(0.7 0.1 0)")
    assert _close(longer, "oklch(0.7 0.1 180)")


def test_mix_uses_premultiplied_alpha() -> None:
    # Transparent black contributes no colour, only alpha.
    mixed = parse_color("color-mix(in srgb, transparent, red)")
    assert mixed is not None
    assert mixed.to_hex() == "#ff000080"


def test_mix_missing_component_takes_the_other_value() -> None:
    assert _close(parse_color("color-mix(in oklch, oklch(0.5 none 30), oklch(0.7 0.1 30))"),
                  "oklch(0.6 0.1 30)")


@pytest.mark.parametrize(
    "text",
    [
        "currentcolor",
        "CanvasText",
        "var(--color-bg)",
        "red blue",
        "",
        "#12345",
        "#ggg",
        "rgb(255, 0)",
        "rgb(255 0 0, 1)",
        "rgb(255, 0%, 0)",  # legacy syntax cannot mix numbers and percentages
        "rgb(none, 0, 0)",  # nor use none
        "hwb(0, 0%, 0%)",  # hwb has no legacy syntax
        "rgb(calc(255 + ) 0 0)",
        "rgb(calc(r) 0 0)",  # channel keywords only exist in relative colour syntax
        "rgb(from currentcolor r g b)",
        "rgb(from red r g)",
        "hsl(from red h s calc(l + 10%deg))",
        "light-dark(red)",
        "light-dark(red, 10px)",
        "lab(50 10deg 0)",
        "color(rec2021 1 0 0)",
        "color-mix(in srgb, red)",
        "color-mix(in srgb, red 120%, blue)",
        "color-mix(in srgb, red 0%, blue 0%)",
        "color-mix(in nowhere, red, blue)",
        "color-mix(in srgb longer hue, red, blue)",
        "10px",
        "url(x.png)",
    ],
)
def test_unresolvable_or_invalid_values_give_none(text: str) -> None:
    assert parse_color(text) is None


def test_rgba_clamps_channels_and_formats_hex() -> None:
    color = RGBA(1.5, -0.2, float("nan"), 2)
    assert (color.r, color.g, color.b, color.a) == (1.0, 0.0, 0.0, 1.0)
    assert color.to_hex() == "#ff0000"
    assert RGBA(0, 0, 0, 0.5).to_hex() == "#00000080"


def test_comments_and_whitespace_around_the_value_are_ignored() -> None:
    assert parse_color("  /* brand */ #0af  ") == parse_color("#00aaff")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Pure sRGB red in the wide-gamut RGB spaces, from the spaces' published primaries and transfer
        # functions. rec2020 uses the BT.1886 pure 2.4 gamma that CSS Color 4 now specifies (the previous
        # hand-written code used the BT.2020 camera OETF, which put red at 0.7919 0.2310 0.0739).
        ("color(rec2020 0.8235 0.3285 0.1804)", "#ff0000"),
        ("color(a98-rgb 0.8585 0 0)", "#ff0000"),
        ("color(prophoto-rgb 0.7022 0.2757 0.1036)", "#ff0000"),
        ("color(rec2020 0.5 0.5 0.5)", "color(srgb-linear 0.1895 0.1895 0.1895)"),  # same white, gamma 2.4
    ],
)
def test_rec2020_a98_prophoto(text: str, expected: str) -> None:
    assert _close(parse_color(text), expected, tolerance=2 / 255)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rgb(calc(255 / 2) 0 0)", "#800000"),
        ("rgb(calc(100% - 20%) calc(2 * 10%) 0)", "#cc3300"),
        ("hsl(calc(60deg * 2) 100% 25%)", "#008000"),
        ("rgb(min(300, 255) max(0, -5) clamp(0, 128, 100))", "#ff0064"),
        ("oklch(calc(0.5 + 0.5) 0 0)", "#ffffff"),
        ("rgb(0 0 0 / calc(0.25 * 2))", "#00000080"),
        ("rgb(calc((1 + 1) * 64) 0 0)", "#800000"),
    ],
)
def test_calc_inside_colour_functions(text: str, expected: str) -> None:
    color = parse_color(text)
    assert color is not None
    assert color.to_hex() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rgb(from red r g b)", "#ff0000"),
        ("rgb(from #336699 r g calc(b + 51))", "#3366cc"),
        ("rgb(from red r g b / 50%)", "#ff000080"),
        ("rgb(from rgb(255 0 0 / 0.5) r g b)", "#ff000080"),  # alpha carries over
        ("rgb(from red b g r)", "#0000ff"),
        ("hsl(from red calc(h + 120) s l)", "#00ff00"),
        ("hsl(from #008000 h s calc(l * 2))", "#00ff00"),  # l is the number 25 (percent), as in CSS
        ("hwb(from white h w b)", "#ffffff"),
        ("oklch(from #ff0000 l c h)", "#ff0000"),
        ("oklch(from red 1 0 none)", "#ffffff"),
        ("lab(from #808080 l 0 0)", "#808080"),
        ("color(from red srgb r g b)", "#ff0000"),
        ("color(from red srgb calc(r / 2) g b)", "#800000"),
        ("color(from color(xyz-d65 0.9505 1 1.089) xyz x y z)", "#ffffff"),
        ("rgb(from color-mix(in srgb, red, blue) r g b)", "#800080"),
    ],
)
def test_relative_colour_syntax(text: str, expected: str) -> None:
    color = parse_color(text)
    assert color is not None, text
    assert _close(color, expected), (text, color.to_hex())


def test_light_dark_resolves_per_scheme() -> None:
    text = "light-dark(#ffffff, rgb(from #ffffff calc(r / 10) calc(g / 10) calc(b / 10)))"
    assert parse_color(text) == parse_color("#ffffff")
    assert parse_color(text, "light") == parse_color("#ffffff")
    dark = parse_color(text, "dark")
    assert dark is not None
    assert dark.to_hex() == "#1a1a1a"
    nested = "color-mix(in srgb, light-dark(white, black), red)"
    assert parse_color(nested, "light") == parse_color("color-mix(in srgb, white, red)")
    assert parse_color(nested, "dark") == parse_color("color-mix(in srgb, black, red)")


def test_results_are_cached_and_immutable() -> None:
    first = parse_color("oklch(70% 0.1 200)")
    assert first is parse_color("oklch(70% 0.1 200)")
    with pytest.raises(AttributeError):
        first.r = 0  # type: ignore[misc]
