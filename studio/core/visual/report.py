"""The rendered comparison of two stylesheets: per scheme x width, what changed, where, in which sections.

Renders come in as plain RGBA arrays with their section boxes (the UI layer renders them), so everything here
runs without Qt: the CLI, the studio's *Visual changes* view and the benchmarks share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from studio.core.visual.pixeldiff import DEFAULT_THRESHOLD, RGBA, compare_pixels
from studio.core.visual.regions import MAX_REGIONS, Region, Section, find_regions

Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
#: Phone, tablet and desktop widths in CSS px (the preview's device presets).
WIDTHS: tuple[int, ...] = (375, 768, 1280)


@dataclass(frozen=True)
class Render:
    """One full-page render of the gallery: ``(height, width, 4)`` RGBA pixels and the section boxes."""

    pixels: RGBA = field(repr=False)
    sections: tuple[Section, ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in px."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])


@dataclass(frozen=True)
class CombinationResult:
    """The comparison of one scheme at one width.

    Attributes:
        changed: the changed-pixel mask over the union of both page sizes (for drawing the diff).
        antialiased: pixels that differ only as anti-aliasing (drawn, not counted).
        regions: every region, largest first (reports list the first :data:`MAX_REGIONS`).
    """

    scheme: Scheme
    width: int
    old_size: tuple[int, int]
    new_size: tuple[int, int]
    changed: npt.NDArray[np.bool_] = field(repr=False)
    antialiased: npt.NDArray[np.bool_] = field(repr=False)
    regions: tuple[Region, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.scheme}@{self.width}"

    @property
    def changed_pixels(self) -> int:
        return int(np.count_nonzero(self.changed))

    @property
    def total_pixels(self) -> int:
        return int(self.changed.size)

    @property
    def changed_ratio(self) -> float:
        return self.changed_pixels / self.total_pixels if self.total_pixels else 0.0

    @property
    def has_changes(self) -> bool:
        return bool(self.changed.any())

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "width": self.width,
            "changed_ratio": self.changed_ratio,
            "changed_pixels": self.changed_pixels,
            "total_pixels": self.total_pixels,
            "antialiased_pixels": int(np.count_nonzero(self.antialiased)),
            "old_size": list(self.old_size),
            "new_size": list(self.new_size),
            "sections": sorted({name for r in self.regions for name in r.sections}),
            "regions": [r.to_json() for r in self.regions[:MAX_REGIONS]],
            "regions_not_listed": max(0, len(self.regions) - MAX_REGIONS),
        }


def compare_renders(scheme: Scheme, width: int, old: Render, new: Render, *,
                    threshold: float = DEFAULT_THRESHOLD) -> CombinationResult:
    """Compare two renders of one scheme x width.

    Pages of different heights (or widths) are compared over the larger size: pixels that exist on one side
    only are changed, whatever colour they have (a page that grew is a change even if the new part is white).
    """
    (old_w, old_h), (new_w, new_h) = old.size, new.size
    height, full_width = max(old_h, new_h), max(old_w, new_w)
    a, b = _pad(old.pixels, height, full_width), _pad(new.pixels, height, full_width)
    diff = compare_pixels(a, b, threshold=threshold)
    changed = diff.changed.copy()
    only_one = np.ones((height, full_width), dtype=bool)
    only_one[:min(old_h, new_h), :min(old_w, new_w)] = False
    changed |= only_one
    antialiased = diff.antialiased & ~changed
    sections = tuple(new.sections) + tuple(old.sections)
    return CombinationResult(scheme, width, old.size, new.size, changed, antialiased,
                             tuple(find_regions(changed, sections)))


def _pad(pixels: RGBA, height: int, width: int) -> RGBA:
    if pixels.shape[0] == height and pixels.shape[1] == width:
        return pixels
    padded = np.zeros((height, width, 4), dtype=np.uint8)
    padded[:pixels.shape[0], :pixels.shape[1]] = pixels
    return padded


def diff_image(old: Render, result: CombinationResult) -> RGBA:
    """A picture of the difference, as pixelmatch draws it: the old page faded to grey, changed pixels red,
    anti-aliasing-only pixels yellow."""
    height, width = result.changed.shape
    base = _pad(old.pixels, height, width).astype(np.float64)
    luma = base[..., 0] * 0.29889531 + base[..., 1] * 0.58662247 + base[..., 2] * 0.11448223
    grey = (255.0 + (luma - 255.0) * 0.1).astype(np.uint8)  # pixelmatch's alpha 0.1 on white
    image = np.empty((height, width, 4), dtype=np.uint8)
    image[..., 0] = image[..., 1] = image[..., 2] = grey
    image[..., 3] = 255
    image[result.antialiased] = (255, 255, 0, 255)
    image[result.changed] = (255, 0, 0, 255)
    return image


@dataclass(frozen=True)
class CompareReport:
    """Every scheme x width compared, plus the token impact when one was computed."""

    old_label: str
    new_label: str
    combinations: tuple[CombinationResult, ...]
    token_impact: dict[str, Any] | None = None
    token_impact_text: str | None = None

    @property
    def has_changes(self) -> bool:
        return any(c.has_changes for c in self.combinations)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old_label,
            "new": self.new_label,
            "changed": self.has_changes,
            "combinations": [c.to_json() for c in self.combinations],
            "token_impact": self.token_impact,
        }

    def to_text(self) -> str:
        lines = [f"Visual changes: {self.old_label} -> {self.new_label}"]
        for c in self.combinations:
            if not c.has_changes:
                lines.append(f"  {c.key:<11} unchanged")
                continue
            sections = sorted({name for r in c.regions for name in r.sections})
            lines.append(f"  {c.key:<11} changed_ratio {c.changed_ratio:.6f} ({c.changed_pixels} px) in "
                         f"{len(c.regions)} region(s); sections: {', '.join(sections) or '-'}")
            for r in c.regions[:MAX_REGIONS]:
                b = r.box
                lines.append(f"    {b.width}x{b.height} at ({b.x},{b.y}), {r.changed_pixels} px"
                             f"{' in ' + ', '.join(r.sections) if r.sections else ''}")
            if len(c.regions) > MAX_REGIONS:
                lines.append(f"    ... and {len(c.regions) - MAX_REGIONS} more")
        return "\n".join(lines)
