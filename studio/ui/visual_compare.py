"""Render two stylesheets in every scheme x width and compare them (the CLI's and the studio's entry point).

All OLD renders come first, then all NEW ones: a side with its own theme folder reloads the page once (for its
``url()`` assets), not once per render.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.visual.impact import token_impact_parts
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
        PreviewRenderError, RenderCancelledError: from the renderer.
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
                request = RenderRequest(side.css, scheme, width, side.base_dir)
                renders[f"{scheme}@{width}"] = active.render(request)
                tick(f"rendered {side.label} {scheme} {width} px")
            rendered.append(renders)
    finally:
        if own:
            active.close()
    results = []
    for scheme, width in combos:
        key = f"{scheme}@{width}"
        old_render, new_render = rendered[0][key], rendered[1][key]
        results.append(compare_renders(scheme, width, old_render, new_render, threshold=threshold))
        tick(f"compared {scheme} {width} px")
    impact, impact_text = token_impact_parts(old.css, new.css) if with_token_impact else (None, None)
    report = CompareReport(old.label, new.label, tuple(results), impact, impact_text)
    return VisualComparison(report, rendered[0], rendered[1])


def write_images(comparison: VisualComparison, out_dir: Path) -> list[Path]:
    """``<scheme>-<width>-before.png``, ``-after.png`` and ``-diff.png`` for every combination."""
    jobs: list[tuple[Path, str, str]] = []
    for combination in comparison.report.combinations:
        stem = f"{combination.scheme}-{combination.width}"
        for name in ("before", "after", "diff"):
            jobs.append((out_dir / f"{stem}-{name}.png", combination.key, name))

    def write(job: tuple[Path, str, str]) -> None:
        path, key, name = job
        if name == "before":
            pixels = comparison.old_renders[key].pixels
        elif name == "after":
            pixels = comparison.new_renders[key].pixels
        else:
            pixels = comparison.diff(key)
        save_rgba_png(pixels, path)

    out_dir.mkdir(parents=True, exist_ok=True)
    # zlib and numpy release the GIL: encoding PNGs on two threads takes about half the time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(write, jobs))
    return [path for path, _, _ in jobs]
