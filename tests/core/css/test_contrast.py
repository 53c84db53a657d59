"""WCAG luminance, ratios, badges and the token pairs checked for each scheme."""

from __future__ import annotations

import pytest

from studio.core.css.colors import RGBA, parse_color
from studio.core.css.contrast import (
    ContrastCheck,
    apca_contrast,
    contrast_pairs,
    contrast_ratio,
    relative_luminance,
    schemes_to_check,
    wcag_badge,
)
from studio.core.css.tokens import index_tokens
from tests.conftest import REPO


def _color(text: str) -> RGBA:
    color = parse_color(text)
    assert color is not None
    return color


def test_relative_luminance_reference_points() -> None:
    assert relative_luminance(_color("black")) == 0
    assert relative_luminance(_color("white")) == pytest.approx(1)
    assert relative_luminance(_color("#808080")) == pytest.approx(0.2158605, abs=1e-6)
    assert relative_luminance(_color("#00ff00")) == pytest.approx(0.7152)


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("black", "white", 21.0),
        ("white", "black", 21.0),
        ("#777", "white", 4.478),
        ("#767676", "white", 4.542),
        ("#595959", "white", 7.0),
        ("white", "white", 1.0),
        ("#0000ff", "#ffffff", 8.592),
    ],
)
def test_contrast_ratio_reference_values(fg: str, bg: str, ratio: float) -> None:
    assert contrast_ratio(_color(fg), _color(bg)) == pytest.approx(ratio, abs=0.005)


def test_translucent_colours_are_composited_first() -> None:
    grey = RGBA(0.5, 0.5, 0.5)
    # 50% black text over white reads as mid grey on white.
    assert contrast_ratio(_color("rgb(0 0 0 / 50%)"), _color("white")) == pytest.approx(
        contrast_ratio(grey, _color("white"))
    )
    # A translucent background sits on the white page: 50% black behind white text is mid grey.
    assert contrast_ratio(_color("white"), _color("rgb(0 0 0 / 50%)")) == pytest.approx(
        contrast_ratio(_color("white"), grey)
    )
    # Both translucent: the background goes on white first, then the text on that.
    assert contrast_ratio(_color("rgb(255 255 255 / 50%)"), _color("rgb(0 0 0 / 50%)")) == pytest.approx(
        contrast_ratio(RGBA(0.75, 0.75, 0.75), grey)
    )
    assert contrast_ratio(_color("transparent"), _color("black")) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("ratio", "large", "badge"),
    [
        (21.0, False, "AAA"),
        (7.0, False, "AAA"),
        (6.99, False, "AA"),
        (4.5, False, "AA"),
        (4.499, False, "AA Large"),
        (3.0, False, "AA Large"),
        (2.99, False, "Fail"),
        (4.5, True, "AAA"),
        (3.0, True, "AA"),
        (2.9, True, "Fail"),
    ],
)
def test_wcag_badge_thresholds_are_not_rounded(ratio: float, large: bool, badge: str) -> None:
    assert wcag_badge(ratio, large_text=large) == badge


def test_grey_777_on_white_is_aa_large_only() -> None:
    assert wcag_badge(contrast_ratio(_color("#777"), _color("#fff"))) == "AA Large"


CSS = """
:root {
  --color-bg: #ffffff;
  --color-surface: #f4f4f4;
  --color-text: #111111;
  --color-text-muted: #777777;
  --color-link: var(--color-primary);
  --color-primary: #0055cc;
  --color-on-primary: #ffffff;
  --color-warning: #f2b731;
  --color-on-warning: #ffffff;
  --color-code-bg: #1e1a2a;
  --color-code-text: #f5b8e0;
  --card-fg: #222;
  --card-surface: #fafafa;
  --color-on-ghost: #000;
  --font-sans: system-ui;
  --radius: 4px;
}
[data-theme="dark"] {
  --color-bg: #000000;
  --color-text: #eeeeee;
  --color-primary: #99bbff;
  --color-on-primary: #000000;
}
"""


def test_pairs_follow_the_naming_convention() -> None:
    checks = contrast_pairs(index_tokens(CSS))
    assert [(c.foreground, c.background) for c in checks] == [
        ("--color-text", "--color-bg"),
        ("--color-text", "--color-surface"),
        ("--color-text-muted", "--color-bg"),
        ("--color-text-muted", "--color-surface"),
        ("--color-link", "--color-bg"),
        ("--color-link", "--color-surface"),
        ("--color-on-primary", "--color-primary"),
        ("--color-on-warning", "--color-warning"),
        ("--color-code-text", "--color-code-bg"),
        ("--card-fg", "--card-surface"),
    ]  # --color-on-ghost has no --color-ghost: no pair
    muted = checks[2]
    expected = ContrastCheck("--color-text-muted", "--color-bg", muted.ratio, "AA Large", None, muted.apca)
    assert muted == expected
    assert muted.apca == pytest.approx(apca_contrast(_color("#777"), _color("#fff")))
    assert muted.ratio == pytest.approx(4.478, abs=0.005)
    warning = checks[7]
    assert warning.badge == "Fail"


def test_pairs_use_the_scheme_values() -> None:
    checks = {(c.foreground, c.background): c for c in contrast_pairs(index_tokens(CSS), "dark")}
    text_on_bg = checks["--color-text", "--color-bg"]
    assert text_on_bg.scheme == "dark"
    assert text_on_bg.ratio == pytest.approx(contrast_ratio(_color("#eee"), _color("#000")))
    # --color-link resolves through var() to the dark --color-primary.
    assert checks["--color-link", "--color-bg"].ratio == pytest.approx(
        contrast_ratio(_color("#99bbff"), _color("#000"))
    )
    # Tokens the dark scope does not override fall back to :root.
    assert checks["--color-text", "--color-surface"].ratio == pytest.approx(
        contrast_ratio(_color("#eee"), _color("#f4f4f4"))
    )


def test_pairs_skip_tokens_that_are_not_colours() -> None:
    css = ":root { --color-bg: var(--nowhere); --color-text: #000; --color-surface: currentcolor; }"
    assert contrast_pairs(index_tokens(css)) == []


@pytest.mark.parametrize("theme", ["light", "dark", "high-contrast"])
def test_starter_themes_pass_aa_in_every_scheme(theme: str) -> None:
    css = (REPO / "resources" / "themes" / theme / "theme.css").read_text(encoding="utf-8")
    index = index_tokens(css)
    for scheme in (None, "light", "dark"):
        checks = contrast_pairs(index, scheme)
        assert len(checks) >= 10
        failing = [(c.foreground, c.background, round(c.ratio, 2)) for c in checks if c.ratio < 4.5]
        assert failing == []


def test_light_dark_tokens_are_checked_in_both_schemes() -> None:
    css = """
    :root {
      color-scheme: light dark;
      --color-bg: light-dark(#ffffff, #121212);
      --color-text: light-dark(#111111, #eeeeee);
      --color-text-muted: light-dark(#555555, #3a3a3a);
    }
    """
    index = index_tokens(css)
    assert schemes_to_check(index) == [None, "light", "dark"]
    light = {(c.foreground, c.background): c for c in contrast_pairs(index, "light")}
    dark = {(c.foreground, c.background): c for c in contrast_pairs(index, "dark")}
    assert light["--color-text-muted", "--color-bg"].ratio == pytest.approx(
        contrast_ratio(_color("#555555"), _color("#ffffff"))
    )
    assert dark["--color-text-muted", "--color-bg"].ratio == pytest.approx(
        contrast_ratio(_color("#3a3a3a"), _color("#121212"))
    )
    assert light["--color-text-muted", "--color-bg"].passes_aa
    assert not dark["--color-text-muted", "--color-bg"].passes_aa
    assert dark["--color-text-muted", "--color-bg"].apca == pytest.approx(
        apca_contrast(_color("#3a3a3a"), _color("#121212"))
    )


def test_apca_reference_values() -> None:
    # SAPC-APCA 0.0.98G-4g reference points: dark on light is positive, light on dark negative.
    assert apca_contrast(_color("#000"), _color("#fff")) == pytest.approx(106.04, abs=0.01)
    assert apca_contrast(_color("#fff"), _color("#000")) == pytest.approx(-107.88, abs=0.01)
    assert apca_contrast(_color("#888"), _color("#fff")) == pytest.approx(63.06, abs=0.01)
    assert apca_contrast(_color("#fff"), _color("#888")) == pytest.approx(-68.54, abs=0.01)
    assert apca_contrast(_color("#111"), _color("#222")) == 0.0  # below the low clip


def test_more_naming_conventions_and_declared_pairs() -> None:
    css = """:root { --bg: #fff; --text: #777; --btn-on-brand: #fff; --btn-brand: #0055cc;
      --card-color: #000; --card-bg: #eee; --odd-ink: #999; --odd-paper: #fff; }"""
    index = index_tokens(css)
    declared = [("--odd-ink", "--odd-paper")]
    pairs = [(c.foreground, c.background) for c in contrast_pairs(index, declared=declared)]
    assert pairs == [
        ("--text", "--bg"),
        ("--btn-on-brand", "--btn-brand"),
        ("--card-color", "--card-bg"),
        ("--odd-ink", "--odd-paper"),
    ]
