"""The consumer loader as shipped: under 2 KB minified by a real minifier, no dependencies, typed API.

Its behaviour in a real browser (no unstyled frame, SRI refusal, views through the beacon) is tested in
``tests/e2e/test_consumer_loader.py``.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOADER = REPO / "resources" / "loader" / "theme-loader.js"
TYPES = REPO / "resources" / "loader" / "theme-loader.d.ts"
MAX_MINIFIED = 2048


def terser() -> str:
    """terser: ``THEMESTUDIO_TERSER``, the tools folder ``scripts/install-terser`` fills, or the PATH."""
    tools = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "themestudio-tools"
    for candidate in (os.environ.get("THEMESTUDIO_TERSER"), tools / "node_modules/.bin/terser"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    found = shutil.which("terser")
    if found is None:
        pytest.fail("terser is missing: run scripts/install-terser (scripts/setup --test does)")
    return found


def minified() -> bytes:
    return subprocess.run(
        [terser(), str(LOADER), "--compress", "--mangle", "--comments", "false"],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout


def test_loader_is_at_most_2_kb_minified() -> None:
    small = minified()
    assert b"ThemeSystem" in small  # terser produced the program, not an empty file
    assert len(small) <= MAX_MINIFIED, f"{len(small)} bytes minified (gzip: {len(gzip.compress(small, 9))})"


def test_loader_has_no_dependencies() -> None:
    source = LOADER.read_text(encoding="utf-8")
    assert not re.search(r"\b(require\(|import\s|import\(|export\s)", source)
    assert "http://" not in source
    assert "https://" not in source  # every URL comes from the caller's options


def test_declaration_matches_the_loader() -> None:
    source = LOADER.read_text(encoding="utf-8")
    types = TYPES.read_text(encoding="utf-8")
    exported = re.search(r"win\.ThemeSystem = \{ (.*?) \};", source)
    assert exported is not None
    names = sorted(part.split(":")[0].strip() for part in exported.group(1).split(","))
    assert names == ["flush", "load"]
    for name in names:
        assert re.search(rf"^\s+{name}\(", types, re.MULTILINE), name
    options = set(re.findall(r"\bo\.(\w+)", source))
    declared = set(re.findall(r"^\s+(\w+)\??:", types, re.MULTILINE))
    assert options <= declared, options - declared
