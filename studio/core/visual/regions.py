"""Changed pixels grouped into boxes a reviewer can look at, and the gallery sections each box falls in.

Pixels are clustered on a coarse grid (one cell = :data:`CELL` px square): cells holding a change are dilated
by one cell and joined 8-connected, so the letters of one changed label or the rim of one button make one
region, while changes a few cells apart stay separate. Each region's box is then tightened to its pixels.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Grid cell size in px: changes closer than about one cell join into one region.
CELL = 8
#: A report lists at most this many regions per scheme x width (largest first); the rest are counted.
MAX_REGIONS = 50


@dataclass(frozen=True, order=True)
class Box:
    """A rectangle in page pixels (CSS px at device pixel ratio 1), ``x``/``y`` its top-left corner."""

    x: int
    y: int
    width: int
    height: int

    def intersects(self, other: Box) -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)

    def to_json(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class Section:
    """A gallery section (``<section class="gallery-section">``) as laid out in one render."""

    id: str
    title: str
    box: Box


@dataclass(frozen=True)
class Region:
    """One cluster of changed pixels."""

    box: Box
    changed_pixels: int
    sections: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {**self.box.to_json(), "changed_pixels": self.changed_pixels, "sections": list(self.sections)}


def find_regions(changed: npt.NDArray[np.bool_], sections: tuple[Section, ...] = ()) -> list[Region]:
    """Cluster the ``changed`` mask into regions, largest (most changed pixels) first.

    Args:
        sections: section boxes (of either render); a region names every section it overlaps.
    """
    height, width = changed.shape
    if not changed.any():
        return []
    rows, cols = -(-height // CELL), -(-width // CELL)
    padded = np.zeros((rows * CELL, cols * CELL), dtype=bool)
    padded[:height, :width] = changed
    cells: npt.NDArray[np.bool_] = np.asarray(padded.reshape(rows, CELL, cols, CELL).any(axis=(1, 3)))
    grown = _dilate(cells)
    labels = _label(grown) * cells  # dilation joins neighbours; only cells holding changes belong to a box
    regions = []
    for index in range(1, int(labels.max()) + 1):
        cell_rows = np.flatnonzero((labels == index).any(axis=1))
        cell_cols = np.flatnonzero((labels == index).any(axis=0))
        if not cell_rows.size:
            continue
        cr0, cr1 = int(cell_rows[0]), int(cell_rows[-1]) + 1
        cc0, cc1 = int(cell_cols[0]), int(cell_cols[-1]) + 1
        r0, c0 = cr0 * CELL, cc0 * CELL
        r1, c1 = min(cr1 * CELL, height), min(cc1 * CELL, width)
        # Cells of other components may share this rectangle: count this component's cells only.
        member = np.repeat(np.repeat(labels[cr0:cr1, cc0:cc1] == index, CELL, axis=0), CELL, axis=1)
        patch = changed[r0:r1, c0:c1] & member[:r1 - r0, :c1 - c0]
        ys = np.flatnonzero(patch.any(axis=1))
        xs = np.flatnonzero(patch.any(axis=0))
        box = Box(int(c0 + xs[0]), int(r0 + ys[0]), int(xs[-1] - xs[0] + 1), int(ys[-1] - ys[0] + 1))
        names = tuple(dict.fromkeys(s.id for s in sections if s.box.intersects(box)))
        regions.append(Region(box, int(np.count_nonzero(patch)), names))
    regions.sort(key=lambda r: (-r.changed_pixels, r.box.y, r.box.x))
    return regions


def _dilate(cells: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    grown = cells.copy()
    grown[1:, :] |= cells[:-1, :]
    grown[:-1, :] |= cells[1:, :]
    wide = grown.copy()
    wide[:, 1:] |= grown[:, :-1]
    wide[:, :-1] |= grown[:, 1:]
    return wide


def _label(cells: npt.NDArray[np.bool_]) -> npt.NDArray[np.int32]:
    """8-connected components of the set cells, numbered from 1 (a breadth-first walk; the grid is small)."""
    rows, cols = cells.shape
    labels = np.zeros(cells.shape, dtype=np.int32)
    count = 0
    for start_r, start_c in zip(*np.nonzero(cells), strict=True):
        if labels[start_r, start_c]:
            continue
        count += 1
        labels[start_r, start_c] = count
        queue = deque([(int(start_r), int(start_c))])
        while queue:
            r, c = queue.popleft()
            for nr in (r - 1, r, r + 1):
                for nc in (c - 1, c, c + 1):
                    if 0 <= nr < rows and 0 <= nc < cols and cells[nr, nc] and not labels[nr, nc]:
                        labels[nr, nc] = count
                        queue.append((nr, nc))
    return labels
