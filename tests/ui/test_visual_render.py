"""Deterministic gallery renders and the rendered comparison, through the real QtWebEngine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from studio.core.paths import resources_dir
from studio.core.visual.report import SCHEMES, WIDTHS, compare_renders
from studio.core.visual.sides import CompareSide
from studio.ui.visual_compare import compare_sides, write_images
from studio.ui.visual_render import GalleryRenderer, RenderCancelledError, RenderRequest

pytestmark = pytest.mark.qt_log_ignore("QRhiGles2", "Failed to create RHI", "GPUInfo not initialized")

LIGHT = resources_dir() / "themes" / "light"
STARTER = (LIGHT / "theme.css").read_text(encoding="utf-8")
#: The Light starter sets its primary colour for the light scheme, and again for dark.
LIGHT_PRIMARY, DARK_PRIMARY = "--color-primary: #2f5bd3;", "--color-primary: #7aa2ff;"


@pytest.fixture(scope="module")
def renderer(qapp: QApplication) -> Iterator[GalleryRenderer]:
    with GalleryRenderer() as shared:
        yield shared


def test_renders_are_full_page_with_sections(renderer: GalleryRenderer) -> None:
    for width in WIDTHS:
        render = renderer.render(RenderRequest(STARTER, "light", width, LIGHT))
        page_width, height = render.size
        assert page_width == width
        assert height > 2000, "the whole page, not one screen"
        ids = [s.id for s in render.sections]
        assert {"buttons", "forms", "cards", "navigation", "code"} <= set(ids)
        assert all(s.box.width <= width for s in render.sections)
    assert len({int(p) for p in render.pixels[::37, ::11, :3].reshape(-1)}) > 50, "the render looks empty"


@pytest.mark.slow
def test_same_stylesheet_compared_with_itself_twenty_times_reports_nothing(renderer: GalleryRenderer) -> None:
    """Fresh renders each time, against a first render of every scheme x width: 0 changed pixels."""
    combos = [(scheme, width) for width in WIDTHS for scheme in SCHEMES]
    baseline = {c: renderer.render(RenderRequest(STARTER, *c, LIGHT)) for c in combos}
    for run in range(20):
        for scheme, width in combos:
            again = renderer.render(RenderRequest(STARTER, scheme, width, LIGHT))
            result = compare_renders(scheme, width, baseline[(scheme, width)], again)
            assert result.changed_pixels == 0, f"run {run}: {result.key} {result.regions[:3]}"
            assert not result.antialiased.any(), "identical renders, not merely tolerated ones"


def one_unit_bluer(css: str, declaration: str) -> str:
    assert declaration in css
    old = declaration.split("#")[1].rstrip(";")
    blue = int(old[4:6], 16)
    return css.replace(declaration, declaration.replace(old, f"{old[:4]}{blue + 1:02x}"), 1)


def test_one_unit_of_primary_shows_wherever_primary_is_visible(renderer: GalleryRenderer) -> None:
    light_only = one_unit_bluer(STARTER, LIGHT_PRIMARY)
    both = one_unit_bluer(light_only, DARK_PRIMARY)
    old = CompareSide("starter", STARTER, LIGHT)
    comparison = compare_sides(old, CompareSide("light primary +1", light_only, LIGHT), renderer=renderer)
    for c in comparison.report.combinations:
        # Dark sets its own primary: only the light scheme shows the light primary.
        assert c.has_changes == (c.scheme == "light"), c.key
        if c.scheme == "light":
            sections = {name for r in c.regions for name in r.sections}
            assert {"buttons", "badges"} <= sections, (c.key, sections)
    both_result = compare_sides(old, CompareSide("both +1", both, LIGHT), renderer=renderer)
    assert all(c.has_changes for c in both_result.report.combinations)


def test_a_token_used_nowhere_changes_nothing(renderer: GalleryRenderer, tmp_path: Path) -> None:
    with_unused = STARTER.replace(LIGHT_PRIMARY, LIGHT_PRIMARY + " --color-nowhere: #123456;", 1)
    changed_unused = with_unused.replace("--color-nowhere: #123456", "--color-nowhere: #ff0000")
    comparison = compare_sides(CompareSide("a", with_unused, LIGHT), CompareSide("b", changed_unused, LIGHT),
                               renderer=renderer)
    assert not comparison.report.has_changes
    assert all(c.changed_ratio == 0 and not c.regions for c in comparison.report.combinations)
    written = write_images(comparison, tmp_path)
    assert sorted(p.name for p in written)[:3] == ["dark-1280-after.png", "dark-1280-before.png",
                                                   "dark-1280-diff.png"]
    assert len(written) == 18
    assert all(p.stat().st_size > 1000 for p in written)


def test_cancel_stops_between_waits(qapp: QApplication) -> None:
    with GalleryRenderer(cancelled=lambda: True) as cancelled, pytest.raises(RenderCancelledError):
        cancelled.render(RenderRequest(STARTER, "light", 375))


def test_bad_requests_are_refused(renderer: GalleryRenderer) -> None:
    with pytest.raises(ValueError, match="width"):
        renderer.render(RenderRequest(STARTER, "light", 0))
    with pytest.raises(ValueError, match="scheme"):
        renderer.render(RenderRequest(STARTER, "sepia", 375))  # type: ignore[arg-type]
