"""Unified diffs between stylesheet texts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from studio.core.textdiff import unified_diff


def test_equal_texts_give_an_empty_diff() -> None:
    assert unified_diff("a\n", "a\n", "old", "new") == ""


def test_simple_change() -> None:
    old = "a {\n  color: red;\n}\n"
    new = "a {\n  color: blue;\n}\n"
    assert unified_diff(old, new, "draft 1", "draft 2") == (
        "--- draft 1\n+++ draft 2\n@@ -1,3 +1,3 @@\n a {\n-  color: red;\n+  color: blue;\n }\n"
    )


def test_context_controls_the_hunks() -> None:
    old = "".join(f"line {i}\n" for i in range(20))
    new = old.replace("line 2\n", "LINE 2\n").replace("line 17\n", "LINE 17\n")
    assert unified_diff(old, new, "a", "b", context=1).count("@@ -") == 2
    assert unified_diff(old, new, "a", "b", context=10).count("@@ -") == 1


def test_missing_final_newline_is_marked() -> None:
    diff = unified_diff("a\nb", "a\nc", "old", "new")
    assert diff.endswith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")


def test_output_is_accepted_by_patch(tmp_path: Path) -> None:
    """The diff is real unified-diff format: GNU patch turns old into new with it."""
    if subprocess.run(["which", "patch"], capture_output=True, check=False).returncode != 0:
        pytest.skip("GNU patch is not installed")
    old = ":root {\n  --a: 1;\n  --b: 2;\n}\nbody { margin: 0 }"
    new = ":root {\n  --a: 1;\n  --c: 3;\n}\nbody { margin: 1px }\n"
    target = tmp_path / "theme.css"
    target.write_text(old)
    patch_file = tmp_path / "change.diff"
    patch_file.write_text(unified_diff(old, new, "theme.css", "theme.css"))
    subprocess.run(["patch", "-s", str(target), str(patch_file)], check=True)
    assert target.read_text() == new
