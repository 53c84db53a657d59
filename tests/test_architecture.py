"""The core stays Qt-free: it must import and run without PySide6 ever being loaded."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import studio.adapters
import studio.core
from tests.conftest import REPO


def test_core_and_adapters_never_load_qt() -> None:
    modules = [
        m.name
        for pkg in (studio.core, studio.adapters)
        for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
    ]
    assert "studio.core.css.lint" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt or m.startswith('studio.ui'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
