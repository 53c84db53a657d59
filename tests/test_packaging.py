"""The desktop entry and the AppStream metainfo pass the freedesktop validators (Debian packages)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

STUDIO = Path(__file__).resolve().parents[1] / "packaging" / "studio"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: scripts/setup --test installs it (desktop-file-utils, appstream)")
    return found


def test_desktop_entry_is_valid() -> None:
    result = subprocess.run(
        [_tool("desktop-file-validate"), str(STUDIO / "themesystem-studio.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_appstream_metainfo_is_valid() -> None:
    result = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(STUDIO / "io.themesystem.Studio.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_desktop_entry_starts_the_installed_binary() -> None:
    entry = (STUDIO / "themesystem-studio.desktop").read_text(encoding="utf-8")
    assert "Exec=themesystem-studio %F" in entry


def test_the_bundle_keeps_every_qt_module_the_studio_imports() -> None:
    """A module in the spec's ``excludes`` is missing from the installed app: an import of it there fails
    (QtCharts was excluded while Analytics used it)."""
    import re

    repo = Path(__file__).resolve().parents[1]
    spec = (repo / "packaging" / "studio" / "themesystem-studio.spec").read_text(encoding="utf-8")
    excluded = {
        name
        for block in re.findall(r"excludes=\[(.*?)\]", spec, re.DOTALL)
        for name in re.findall(r'"PySide6\.(Qt\w+)"', block)
    }
    assert "QtPdf" in excluded  # the spec's list was read
    used = {
        name
        for path in (repo / "studio").rglob("*.py")
        for name in re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))
    }
    assert "QtWidgets" in used
    missing = sorted(used & excluded)
    assert not missing, f"the studio imports Qt modules the bundle leaves out: {missing}"
