"""Children run with the studio's own Python: ``python -m`` from a venv, the app binary itself when frozen."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studio.adapters import python_command
from studio.adapters.python_command import RUN_MODULE, module_command, run_bundled_module


def test_from_a_venv_children_are_python_dash_m() -> None:
    assert module_command("backend", "migrate") == [sys.executable, "-m", "backend", "migrate"]


def test_in_the_installed_app_the_binary_runs_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_command.sys, "frozen", True, raising=False)
    reaper = "studio.adapters.reaper"
    assert module_command(reaper, "1") == [sys.executable, RUN_MODULE, reaper, "1"]


def test_only_the_studios_own_children_run() -> None:
    with pytest.raises(ValueError, match="not a module"):
        module_command("os")
    assert run_bundled_module(["this", "--that"]) == 2
    assert run_bundled_module([]) == 2


def test_the_entry_point_runs_the_backend_cli_as_a_child() -> None:
    """packaging/studio/entry.py in child mode: the backend's own argument parser answers."""
    result = subprocess.run(
        [sys.executable, "packaging/studio/entry.py", RUN_MODULE, "backend", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "themesystem-api" in result.stdout
