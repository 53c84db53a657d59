"""Changed pixels clustered into boxes, named by the sections they fall in."""

from __future__ import annotations

import numpy as np

from studio.core.visual.regions import Box, Section, find_regions


def test_separate_changes_make_separate_tight_boxes() -> None:
    mask = np.zeros((200, 300), dtype=bool)
    mask[10:20, 30:45] = True  # a changed button
    mask[150:152, 200:280] = True  # an underline far away
    regions = find_regions(mask)
    # Largest first: the underline has 160 changed pixels, the button 150.
    assert [(r.box, r.changed_pixels) for r in regions] == [(Box(200, 150, 80, 2), 160),
                                                            (Box(30, 10, 15, 10), 150)]


def test_nearby_pixels_join_into_one_region() -> None:
    mask = np.zeros((100, 100), dtype=bool)
    for x in range(10, 60, 6):  # the letters of one label, a few px apart
        mask[40:50, x:x + 3] = True
    regions = find_regions(mask)
    assert len(regions) == 1
    assert regions[0].box == Box(10, 40, 51, 10)


def test_regions_name_the_sections_they_overlap() -> None:
    mask = np.zeros((400, 100), dtype=bool)
    mask[95:105, 10:20] = True  # straddles the border of two sections
    mask[300:310, 10:20] = True
    sections = (Section("buttons", "Buttons", Box(0, 0, 100, 100)),
                Section("forms", "Forms", Box(0, 100, 100, 150)),
                Section("cards", "Cards", Box(0, 250, 100, 150)))
    regions = find_regions(mask, sections)
    assert {r.sections for r in regions} == {("buttons", "forms"), ("cards",)}


def test_no_change_no_region() -> None:
    assert find_regions(np.zeros((10, 10), dtype=bool)) == []
