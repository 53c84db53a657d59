"""Per scheme x width results: ratios, page size changes, JSON and text."""

from __future__ import annotations

import json

import numpy as np

from studio.core.visual.regions import Box, Section
from studio.core.visual.report import CompareReport, Render, compare_renders, diff_image


def page(height: int, width: int = 50, rgb: tuple[int, int, int] = (250, 250, 250)) -> np.ndarray:
    image = np.empty((height, width, 4), dtype=np.uint8)
    image[...] = (*rgb, 255)
    return image


def test_a_longer_page_counts_its_extra_rows_as_changed() -> None:
    old, new = Render(page(100)), Render(page(110))
    result = compare_renders("light", 375, old, new)
    assert result.changed.shape == (110, 50)
    assert result.changed_pixels == 10 * 50
    assert result.regions[0].box == Box(0, 100, 50, 10)


def test_report_json_and_text() -> None:
    before = page(80)
    after = before.copy()
    after[20:30, 5:15, 2] -= 1
    sections = (Section("buttons", "Buttons", Box(0, 0, 50, 40)),)
    changed = compare_renders("dark", 768, Render(before, sections), Render(after, sections))
    same = compare_renders("light", 768, Render(before), Render(before.copy()))
    report = CompareReport("old", "new", (changed, same), {"changed": []})
    data = json.loads(json.dumps(report.to_json()))
    assert data["changed"] is True
    first, second = data["combinations"]
    assert (first["scheme"], first["width"], first["changed_pixels"]) == ("dark", 768, 100)
    assert first["changed_ratio"] == 100 / (80 * 50)
    assert first["regions"] == [{"x": 5, "y": 20, "width": 10, "height": 10, "changed_pixels": 100,
                                 "sections": ["buttons"]}]
    assert second["changed_ratio"] == 0
    assert second["regions"] == []
    text = report.to_text()
    assert "dark@768" in text
    assert "buttons" in text
    assert "light@768   unchanged" in text
    drawn = diff_image(Render(before), changed)
    assert tuple(drawn[25, 10]) == (255, 0, 0, 255)
    assert tuple(drawn[0, 0])[:3] != (255, 0, 0)
