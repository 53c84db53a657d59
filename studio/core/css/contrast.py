"""WCAG 2.x contrast: luminance, ratios, badges, and the text/background token pairs a theme should check.

Pairs come from the token naming convention of the starter themes (``--color-on-primary`` on
``--color-primary``, ``--color-text`` on ``--color-bg``) and the common ``--text``/``--bg`` and
``--x-color``/``--x-bg`` conventions, so the panel and the publish gate can check every pair's ratio in every
scheme without the author listing them. APCA Lc comes with each pair as advice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studio.core.css.apca import apca_lc
from studio.core.css.colors import RGBA
from studio.core.css.tokens import TokenIndex

_WHITE = RGBA(1.0, 1.0, 1.0)

# Text tokens checked against the page and surface backgrounds.
_PAGE_TEXT = ("--color-text", "--color-text-muted", "--color-link", "--text", "--fg", "--foreground")
_PAGE_BACKGROUNDS = ("--color-bg", "--color-surface", "--bg", "--background", "--surface")
_TEXT_SUFFIXES = ("-text", "-fg", "-foreground", "-color")
_BACKGROUND_SUFFIXES = ("-bg", "-background", "-surface")
# WCAG 2 AA for normal text. A token pair does not know the size its text is set in, so the gate holds every
# pair to the normal-text level; 3:1 (large text) is reported by the badge but does not pass the gate.
AA_NORMAL = 4.5


def relative_luminance(c: RGBA) -> float:
    """WCAG 2.x relative luminance of an opaque sRGB colour (alpha is ignored).

    This is WCAG's own formula (coefficients 0.2126/0.7152/0.0722), not ColorAide's ``luminance()``, whose
    Y row (0.7151522...) differs in the fourth digit: the gate compares against 4.5:1 without rounding, so the
    ratio must be the one WCAG defines. Everything that turns CSS into these sRGB values is ColorAide's.
    """

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)


def _over(top: RGBA, bottom: RGBA) -> RGBA:
    """``top`` composited over an opaque ``bottom`` (source-over in sRGB, as browsers blend)."""
    a = top.a
    r, g, b = (t * a + u * (1 - a) for t, u in ((top.r, bottom.r), (top.g, bottom.g), (top.b, bottom.b)))
    return RGBA(r, g, b)


def _seen(fg: RGBA, bg: RGBA) -> tuple[RGBA, RGBA]:
    """The opaque colours the reader sees: a translucent background over the white page canvas, then a
    translucent foreground over that background."""
    background = _over(bg, _WHITE) if bg.a < 1 else bg
    foreground = _over(fg, background) if fg.a < 1 else fg
    return foreground, background


def apca_contrast(fg: RGBA, bg: RGBA) -> float:
    """APCA Lc of text ``fg`` on ``bg`` after compositing as in ``contrast_ratio`` (advice, never a gate)."""
    foreground, background = _seen(fg, bg)
    return apca_lc((foreground.r, foreground.g, foreground.b), (background.r, background.g, background.b))


def contrast_ratio(fg: RGBA, bg: RGBA) -> float:
    """WCAG contrast ratio (1..21) of text ``fg`` on ``bg``.

    A translucent background is first composited over white (the page canvas), then a translucent foreground
    over that background, since that is what the reader sees.
    """
    foreground, background = _seen(fg, bg)
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def wcag_badge(ratio: float, large_text: bool = False) -> str:
    """The WCAG 2.x level a ratio meets: ``"AAA"``, ``"AA"``, ``"AA Large"`` or ``"Fail"``.

    Thresholds are not rounded (WCAG: 4.499:1 does not meet 4.5:1). For large text AA needs 3:1 and AAA 4.5:1;
    for normal text a ratio between 3 and 4.5 only passes for large text, hence ``"AA Large"``.
    """
    if large_text:
        return "AAA" if ratio >= 4.5 else "AA" if ratio >= 3 else "Fail"
    if ratio >= 7:
        return "AAA"
    if ratio >= 4.5:
        return "AA"
    return "AA Large" if ratio >= 3 else "Fail"


@dataclass(frozen=True, slots=True)
class ContrastCheck:
    """One text/background token pair and how it scores in one scheme (``apca``: APCA Lc, advice only)."""

    foreground: str
    background: str
    ratio: float
    badge: str
    scheme: str | None
    apca: float = 0.0

    @property
    def passes_aa(self) -> bool:
        """Meets WCAG 2 AA for normal text (not rounded: 4.499:1 fails)."""
        return self.ratio >= AA_NORMAL


def schemes_to_check(index: TokenIndex) -> list[str | None]:
    """The colour schemes a theme defines: the base (None) when it has scheme-less tokens, then each scheme
    it names (``[data-theme="dark"]``, ``prefers-color-scheme``...); ``light-dark()`` in a token adds both
    light and dark, since that token then differs per scheme."""
    schemes: list[str | None] = []
    if any(d.scheme is None and not d.conditional for d in index.definitions):
        schemes.append(None)
    named = {d.scheme for d in index.definitions if d.scheme is not None and not d.conditional}
    if any("light-dark(" in d.value.lower() for d in index.definitions):
        named |= {"light", "dark"}
    schemes.extend(s for s in ("light", "dark") if s in named)
    schemes.extend(sorted(s for s in named if s not in ("light", "dark")))
    return schemes


def contrast_pairs(
    index: TokenIndex, scheme: str | None = None, declared: Sequence[tuple[str, str]] = ()
) -> list[ContrastCheck]:
    """Check every text/background token pair the naming convention implies, for one colour scheme.

    Pairs: ``--color-on-X`` on ``--color-X``; ``--color-text``, ``--color-text-muted`` and ``--color-link`` on
    ``--color-bg`` and ``--color-surface`` (and ``--text``/``--fg`` on ``--bg``/``--surface``);
    ``--x-on-y`` on ``--x-y``; ``declared`` pairs (foreground, background) from the manifest; generically
    ``--<x>-text|fg|foreground|color`` on ``--<x>-bg|background|surface`` (which covers
    ``--color-code-text`` on ``--color-code-bg``). Only pairs where both tokens resolve
    to colours are returned, in the order the foregrounds are first defined.
    """
    names = index.names()
    colors: dict[str, RGBA] = {}
    for name in names:
        color = index.resolved_color(name, scheme)
        if color is not None:
            colors[name] = color

    pairs: list[tuple[str, str]] = []
    for name in names:
        if name not in colors:
            continue
        candidates: list[str] = []
        if name.startswith("--on-"):
            candidates.append("--" + name.removeprefix("--on-"))
        if "-on-" in name[2:]:
            head, _, tail = name.rpartition("-on-")
            candidates.append(f"{head}-{tail}")
        if name in _PAGE_TEXT:
            candidates.extend(_PAGE_BACKGROUNDS)
        for suffix in _TEXT_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 2:
                stem = name.removesuffix(suffix)
                candidates.extend(stem + bg for bg in _BACKGROUND_SUFFIXES)
        for background in candidates:
            if background in colors and background != name and (name, background) not in pairs:
                pairs.append((name, background))
    for foreground, background in declared:
        if foreground in colors and background in colors and (foreground, background) not in pairs:
            pairs.append((foreground, background))

    checks = []
    for foreground, background in pairs:
        fg, bg = colors[foreground], colors[background]
        ratio = contrast_ratio(fg, bg)
        checks.append(
            ContrastCheck(foreground, background, ratio, wcag_badge(ratio), scheme, apca_contrast(fg, bg))
        )
    return checks
