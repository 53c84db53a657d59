"""The consumer loader as shipped: under 2 KB minified by terser, no dependencies, declarations that tsc
accepts for a consumer's code (and that refuse a wrong one).

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


def js_tool(name: str) -> str:
    """``THEMESTUDIO_<NAME>``, the tools folder ``scripts/install-js-tools`` fills, or the PATH."""
    tools = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "themestudio-tools"
    for candidate in (os.environ.get(f"THEMESTUDIO_{name.upper()}"), tools / "node_modules/.bin" / name):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: run scripts/install-js-tools (scripts/setup --test does)")
    return found


def minified() -> bytes:
    return subprocess.run(
        [js_tool("terser"), str(LOADER), "--compress", "--mangle", "--comments", "false"],
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


USAGE = """
import "./theme-loader";
const applied: Promise<HTMLLinkElement> =
  ThemeSystem.load({ themeId: "x", version: "latest", cdnBase: "https://c" });
window.ThemeSystem.load({
  themeId: "x", version: "1.2.0", cdnBase: "https://c", apiBase: "https://a",
  integrity: "sha384-x", flushMs: 10,
});
ThemeSystem.flush();
applied.then((link) => link.id);
"""


@pytest.mark.parametrize(
    ("extra", "ok"),
    [
        ("", True),
        ('ThemeSystem.load({ themeId: "x", version: "latest" });', False),  # cdnBase is required
        ('ThemeSystem.load({ themeId: "x", version: "latest", cdnBase: "c", cdn: "typo" });', False),
        ("const n: number = ThemeSystem.flush();", False),
    ],
)
def test_declaration_type_checks_a_consumer(tmp_path: Path, extra: str, ok: bool) -> None:
    shutil.copy(TYPES, tmp_path / "theme-loader.d.ts")
    (tmp_path / "use.ts").write_text(USAGE + extra, encoding="utf-8")
    result = subprocess.run(
        [js_tool("tsc"), "--noEmit", "--strict", "--lib", "es2017,dom", "--module", "es2015", "use.ts",
         "theme-loader.d.ts"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert (result.returncode == 0) == ok, result.stdout + result.stderr
