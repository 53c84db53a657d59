"""``python -m benchmarks review``: the rendered before/after comparison, through the real code path.

- ``compare_s_starter``: seconds to compare the Light starter with a copy whose ``--color-primary`` moved by
  one unit: both sides rendered fresh in light and dark at 375/768/1280 px through QtWebEngine (12 full-page
  renders), every pair diffed and clustered into regions (token impact included). Median of runs on one
  warm renderer, as the studio reuses it (goal <= 3 s). ``compare_s_starter_cold`` adds the renderer's start.
- ``compare_cpu_s_starter``: CPU seconds one such compare costs, this process plus QtWebEngine's helper
  processes (Linux ``/proc``): on a shared, loaded machine the wall time mostly measures the wait for a CPU;
  this one does not.
- ``compare_false_change_ratio``: the largest changed-pixel ratio over all 6 combinations when a stylesheet
  is compared with itself (fresh renders each run; goal 0).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks.stats import median


def _starter_pair() -> tuple[str, str]:
    from studio.core.paths import resources_dir

    css = (resources_dir() / "themes" / "light" / "theme.css").read_text(encoding="utf-8")
    changed = css.replace("--color-primary: #2f5bd3;", "--color-primary: #2f5bd4;", 1)
    if changed == css:
        raise RuntimeError("the Light starter no longer sets --color-primary: #2f5bd3; update the benchmark")
    return css, changed


def _tree_cpu_s() -> float:
    """User + system CPU seconds of this process and every live descendant (0 where /proc is missing)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.parent.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    tree, total = {os.getpid()}, 0.0
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    for pid in tree:
        total += cpu.get(pid, 0.0)
    return total


def run(quick: bool = False) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from studio.ui.qt_env import prepare_qt_environment

    prepare_qt_environment()
    from studio.core.visual.sides import CompareSide
    from studio.ui.app import create_application
    from studio.ui.visual_compare import compare_sides
    from studio.ui.visual_render import GalleryRenderer

    create_application([])
    old_css, new_css = _starter_pair()
    old, new = CompareSide("starter", old_css), CompareSide("starter +1 blue", new_css)
    start = time.perf_counter()
    renderer = GalleryRenderer()
    try:
        first = compare_sides(old, new, renderer=renderer)
        cold = time.perf_counter() - start
        if not all(c.has_changes for c in first.report.combinations if c.scheme == "light"):
            raise RuntimeError("a one-unit --color-primary change was not seen in every light combination")
        times, cpu = [], []
        for _ in range(2 if quick else 5):
            t0, c0 = time.perf_counter(), _tree_cpu_s()
            compare_sides(old, new, renderer=renderer)
            times.append(time.perf_counter() - t0)
            cpu.append(_tree_cpu_s() - c0)
        worst = 0.0
        for _ in range(2 if quick else 5):
            same = compare_sides(old, CompareSide("starter again", old_css), renderer=renderer)
            worst = max([worst, *(c.changed_ratio for c in same.report.combinations)])
    finally:
        renderer.close()
    return {
        "compare_s_starter": round(median(times), 3),
        "compare_s_starter_cold": round(cold, 3),
        "compare_cpu_s_starter": round(median(cpu), 3),
        "compare_false_change_ratio": worst,
    }
