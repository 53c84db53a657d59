"""``python -m benchmarks lint``: the linter's speed, against a bare parse and against stylelint.

- ``lint_full_ratio_bootstrap``: full lint of Bootstrap (grammar checks on) ÷ a bare tinycss2 parse,
  interleaved.
- ``lint_incremental_ms_p50_bootstrap``: re-lint after one keystroke inside a rule.
- ``lint_corpus_s``: ``themestudio lint`` on Bootstrap + Bulma + normalize, the whole process.
- ``stylelint_corpus_s`` and ``lint_vs_stylelint_ratio``: the same files through stylelint 17 with
  ``stylelint-config-recommended`` plus the rules the comparison in issue 12 used, when stylelint is installed
  (``scripts/install-stylelint``, or ``THEMESTUDIO_STYLELINT=/path/to/stylelint``).
- ``lint_mistakes_caught``: how many of the 28 typical mistakes in ``tests/data/lint/mistakes.css`` are
  reported.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tinycss2

from benchmarks.stats import median
from studio.core.css.incremental import IncrementalLinter
from studio.core.css.lint import lint_css, lint_path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "corpus"
CORPUS_FILES = [CORPUS / name for name in ("bootstrap.css", "bulma.css", "normalize.css")]
MISTAKES = REPO / "tests" / "data" / "lint" / "mistakes.css"
STYLELINT_CONFIG = {
    "extends": ["stylelint-config-recommended"],
    "rules": {
        "color-no-invalid-hex": True,
        "unit-no-unknown": True,
        "function-no-unknown": True,
        "no-unknown-custom-properties": True,
        "no-unknown-animations": True,
    },
}


def bench_lint(repeats: int) -> dict[str, float]:
    """Full lint ÷ bare tinycss2 parse (interleaved), and incremental re-lint after one keystroke."""
    text = (CORPUS / "bootstrap.css").read_text(encoding="utf-8")
    parse_s: list[float] = []
    lint_s: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        tinycss2.parse_stylesheet(text)
        parse_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        lint_css(text)
        lint_s.append(time.perf_counter() - start)

    linter = IncrementalLinter()
    linter.lint(text)
    # Keystrokes inside rules: after each `color:` insert a letter into the value, then take it back out.
    spots = [i + len("color:") for i in range(len(text)) if text.startswith("color:", i)][::37]
    incremental_ms: list[float] = []
    current = text
    for n in range(repeats * 3):
        pos = spots[n % len(spots)]
        edited = current[:pos] + "x" + current[pos:] if current is text else text
        start = time.perf_counter()
        linter.lint(edited)
        incremental_ms.append((time.perf_counter() - start) * 1000)
        current = edited
    return {
        "lint_full_ms_bootstrap": round(median(lint_s) * 1000, 1),
        "tinycss2_parse_ms_bootstrap": round(median(parse_s) * 1000, 1),
        "lint_full_ratio_bootstrap": round(median(lint_s) / median(parse_s), 2),
        "lint_incremental_ms_p50_bootstrap": round(median(incremental_ms), 2),
    }


def _timed(command: list[str], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
        samples.append(time.perf_counter() - start)
        if (
            done.returncode not in (0, 1, 2)
            or ("Error:" in done.stderr
            and "CssSyntaxError" not in done.stderr)
        ):
            raise RuntimeError(f"{command[0]} failed: {done.stderr[-500:]}")
    return median(samples)


def find_stylelint() -> Path | None:
    """stylelint from THEMESTUDIO_STYLELINT, or where ``scripts/install-stylelint`` puts it."""
    explicit = os.environ.get("THEMESTUDIO_STYLELINT")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    default = cache / "themestudio-tools" / "node_modules" / ".bin" / "stylelint"
    return default if default.is_file() else None


def bench_corpus(repeats: int) -> dict[str, float]:
    files = [str(path) for path in CORPUS_FILES]
    figures = {"lint_corpus_s": round(_timed([sys.executable, "-m", "studio", "lint", *files], repeats), 2)}
    stylelint = find_stylelint()
    if stylelint is not None:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "stylelint.config.json"
            config.write_text(json.dumps(STYLELINT_CONFIG), encoding="utf-8")
            command = [
                str(stylelint),
                "--config",
                str(config),
                "--config-basedir",
                str(stylelint.parents[2]),
                *files,
            ]
            figures["stylelint_corpus_s"] = round(_timed(command, repeats), 2)
        figures["lint_vs_stylelint_ratio"] = round(
            figures["lint_corpus_s"] / figures["stylelint_corpus_s"], 2
        )
    return figures


def mistakes_caught() -> int:
    """How many marked mistakes get the finding their marker names."""
    marker = re.compile(r"expect: ([a-z-]+)")
    lines = MISTAKES.read_text(encoding="utf-8").splitlines()
    expected = {(n, m.group(1)) for n, line in enumerate(lines, 1) if n > 1 and (m := marker.search(line))}
    found = {(d.line, d.rule) for d in lint_path(MISTAKES).diagnostics}
    return len(expected & found)


def run(quick: bool = False) -> dict[str, float]:
    figures: dict[str, float] = {}
    figures.update(bench_lint(7 if quick else 21))
    figures.update(bench_corpus(2 if quick else 5))
    figures["lint_mistakes_caught"] = mistakes_caught()
    return figures
