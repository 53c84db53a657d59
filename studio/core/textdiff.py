"""Unified diffs of stylesheets, for comparing drafts and versions."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(old: str, new: str, old_label: str, new_label: str, context: int = 3) -> str:
    """A ``diff -u`` style diff of ``old`` → ``new``; ``""`` when the texts are equal.

    Lines keep their own endings; a last line without a newline is marked the way ``diff`` and ``git`` do.
    """
    if old == new:
        return ""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=old_label,
        tofile=new_label,
        n=context,
    )
    return "".join(_mark_missing_newlines(lines))


def _mark_missing_newlines(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        if line.endswith("\n"):  # headers, and lines with "\n" or "\r\n"
            yield line
        else:
            yield line + "\n"
            yield NO_NEWLINE
