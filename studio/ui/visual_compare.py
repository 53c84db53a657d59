"""Render two stylesheets in every scheme x width and compare them (the CLI's and the studio's entry point).

All OLD renders come first, then all NEW ones: a side with its own theme folder reloads the page once (for its
``url()`` assets), not once per render.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.visual.impact import token_impact_json
from studio.core.visual.pixeldiff import DEFAULT_THRESHOLD, RGBA
from studio.core.visual.report import (
    SCHEMES,
    WIDTHS,
    CombinationResult,
    CompareReport,
    Render,
    Scheme,
    compare_renders,
    diff_image,
)
from studio.core.visual.sides import CompareSide
from studio.ui.visual_render import GalleryRenderer, RenderRequest, save_rgba_png

#: progress(done, total, what): after each render and each comparison.
Progress = Callable[[int, int, str], None]


@dataclass
class VisualComparison:
    """The report and the renders behind it (for the PNGs and the *Visual changes* view)."""

    report: CompareReport
    old_renders: dict[str, Render] = field(repr=False)
    new_renders: dict[str, Render] = field(repr=False)

    def result(self, key: str) -> CombinationResult:
        for combination in self.report.combinations:
            if combination.key == key:
                return combination
        raise KeyError(key)

    def diff(self, key: str) -> RGBA:
        return diff_image(self.old_renders[key], self.result(key))


def compare_sides(old: CompareSide, new: CompareSide, *, renderer: GalleryRenderer | None = None,
                  schemes: tuple[Scheme, ...] = SCHEMES, widths: tuple[int, ...] = WIDTHS,
                  threshold: float = DEFAULT_THRESHOLD, progress: Progress | None = None,
                  cancelled: Callable[[], bool] | None = None, with_token_impact: bool = True
                  ) -> VisualComparison:
    """Render both sides in every scheme x width and compare each pair.

    Args:
        renderer: a renderer to reuse (kept open); by default one is made and closed here.

    Raises:
        PreviewRenderError, RenderCancelled: from the renderer.
    """
    combos = [(scheme, width) for width in widths for scheme in schemes]
    total = 2 * len(combos) + len(combos)
    step = 0

    def tick(what: str) -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, total, what)

    own = renderer is None
    active = renderer if renderer is not None else GalleryRenderer(cancelled)
    try:
        rendered: list[dict[str, Render]] = []
        for side in (old, new):
            renders = {}
            for scheme, width in combos:
                renders[f"{scheme}@{width}"] = active.render(RenderRequest(side.css, scheme, width, side.base_dir))
                tick(f"rendered {side.label} {scheme} {width} px")
            rendered.append(renders)
    finally:
        if own:
            active.close()
    results = []
    for scheme, width in combos:
        key = f"{scheme}@{width}"
        results.append(compare_renders(scheme, width, rendered[0][key], rendered[1][key], threshold=threshold))
        tick(f"compared {scheme} {width} px")
    impact = token_impact_json(old.css, new.css) if with_token_impact else None
    report = CompareReport(old.label, new.label, tuple(results), impact)
    return VisualComparison(report, rendered[0], rendered[1])


def write_images(comparison: VisualComparison, out_dir: Path) -> list[Path]:
    """``<scheme>-<width>-before.png``, ``-after.png`` and ``-diff.png`` for every combination."""
    jobs: list[tuple[Path, Callable[[], RGBA]]] = []
    for combination in comparison.report.combinations:
        key = combination.key
        stem = out_dir / f"{combination.scheme}-{combination.width}"
        jobs.append((stem.with_name(stem.name + "-before.png"), lambda k=key: comparison.old_renders[k].pixels))
        jobs.append((stem.with_name(stem.name + "-after.png"), lambda k=key: comparison.new_renders[k].pixels))
        jobs.append((stem.with_name(stem.name + "-diff.png"), lambda k=key: comparison.diff(k)))
    out_dir.mkdir(parents=True, exist_ok=True)
    # zlib and numpy release the GIL: encoding PNGs on two threads takes about half the time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: save_rgba_png(job[1](), job[0]), jobs))
    return [path for path, _ in jobs]
