"""Headless PNG rendering of the gallery (``themestudio preview``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from studio.core.paths import resources_dir
from studio.ui.preview_render import MAX_HEIGHT, render_preview_png

pytestmark = pytest.mark.qt_log_ignore("QRhiGles2", "Failed to create RHI", "GPUInfo not initialized")

THEMES = resources_dir() / "themes"


def colour_stats(image: QImage) -> tuple[int, float]:
    """Distinct colours in a sparse sample, and the mean lightness (0-255) of the sample."""
    colours: set[int] = set()
    total = 0.0
    samples = 0
    for y in range(0, image.height(), 23):
        for x in range(0, image.width(), 7):
            rgb = image.pixel(x, y)
            colours.add(rgb)
            total += QColor(rgb).lightness()
            samples += 1
    return len(colours), total / samples


@pytest.mark.parametrize("name", ["light", "dark", "high-contrast"])
def test_each_starter_renders_the_whole_gallery(qapp: QApplication, tmp_path: Path, name: str) -> None:
    folder = THEMES / name
    out = tmp_path / "shots" / f"{name}.png"
    render_preview_png((folder / "theme.css").read_text(encoding="utf-8"), out, base_dir=folder)
    image = QImage(str(out))
    assert image.width() == 1280
    assert 2000 < image.height() <= MAX_HEIGHT, "expected the whole page, not one screen"
    distinct, _ = colour_stats(image)
    assert distinct > 50, "the render looks empty"
    # The last section (code) is painted too, not left white by a late frame.
    bottom = image.copy(0, image.height() * 3 // 4, image.width(), image.height() // 4)
    assert colour_stats(bottom)[0] > 10


def test_scheme_and_width_are_honoured(qapp: QApplication, tmp_path: Path) -> None:
    folder = THEMES / "light"
    css = (folder / "theme.css").read_text(encoding="utf-8")
    light, dark, mobile = tmp_path / "light.png", tmp_path / "dark.png", tmp_path / "mobile.png"
    render_preview_png(css, light, base_dir=folder, height=800)
    render_preview_png(css, dark, base_dir=folder, height=800, scheme="dark")
    render_preview_png(css, mobile, base_dir=folder, width=375, height=800)
    assert colour_stats(QImage(str(light)))[1] > 180
    assert colour_stats(QImage(str(dark)))[1] < 90
    assert (QImage(str(mobile)).width(), QImage(str(mobile)).height()) == (375, 800)


def test_bad_arguments_are_refused_before_rendering(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scheme"):
        render_preview_png("", tmp_path / "x.png", scheme="sepia")
    with pytest.raises(ValueError, match="positive"):
        render_preview_png("", tmp_path / "x.png", width=0)
    assert not (tmp_path / "x.png").exists()
