"""Applying the linter's safe fixes to a stylesheet's text.

Fixes are applied in passes: within one pass, fixes whose edits overlap an already chosen fix wait for the
next pass, which lints the new text again (so every fix applies to positions that are still true).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from studio.core.css.lint import LintOptions, lint_css
from studio.core.css.source import normalize_newlines
from studio.core.diagnostics import Diagnostic, Fix

_MAX_PASSES = 5


@dataclass(frozen=True, slots=True)
class FixResult:
    """The fixed text and the findings fixed (positions as they were in the text of their pass)."""

    text: str
    fixed: tuple[Diagnostic, ...]


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0]
        at = text.find("\n")
        while at != -1:
            self.starts.append(at + 1)
            at = text.find("\n", at + 1)

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1


def fix_offsets(text: str, fix: Fix) -> list[tuple[int, int, str]]:
    """The fix's edits as (start, end, replacement) offsets into ``text`` (normalised newlines)."""
    lines = _Lines(text)
    return [
        (lines.offset(e.line, e.column), lines.offset(e.end_line, e.end_column), e.text) for e in fix.edits
    ]


def apply_once(text: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """Apply every fix that overlaps no fix chosen before it; returns the text and the findings fixed."""
    lines = _Lines(text)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, str]] = []
    fixed: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if diagnostic.fix is None:
            continue
        edits = [
            (lines.offset(e.line, e.column), lines.offset(e.end_line, e.end_column), e.text)
            for e in diagnostic.fix.edits
        ]
        if any(
            (start < t_end and t_start < end) or start == t_start or end == t_end
            for start, end, _ in edits
            for t_start, t_end in taken
        ):
            continue
        taken.extend((start, end) for start, end, _ in edits)
        chosen.extend(edits)
        fixed.append(diagnostic)
    for start, end, replacement in sorted(chosen, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, fixed


def fix_css(text: str, options: LintOptions = LintOptions()) -> FixResult:  # noqa: B008  # frozen
    """Apply every safe fix the linter offers for ``text`` until none is left (or a few passes are done)."""
    text = normalize_newlines(text)
    fixed: list[Diagnostic] = []
    for _ in range(_MAX_PASSES):
        result = lint_css(text, options)
        text, applied = apply_once(text, result.diagnostics)
        if not applied:
            break
        fixed.extend(applied)
    return FixResult(text, tuple(fixed))
