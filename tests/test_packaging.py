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
