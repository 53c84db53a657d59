"""How the studio starts its Python children (the bundled backend): the same interpreter, or the app itself.

From a checkout or a venv the child is ``python -m backend ...``. In the installed app (a PyInstaller bundle,
``sys.frozen``) there is no separate interpreter: the app's own binary runs the backend when its first
argument is :data:`RUN_BACKEND`, so one binary serves the GUI, the headless commands and the backend.
"""

from __future__ import annotations

import sys

RUN_BACKEND = "--run-bundled-backend"


def backend_command(*args: str) -> list[str]:
    """The command line that runs ``themesystem-api ARGS`` with the studio's own Python and packages."""
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_BACKEND, *args]
    return [sys.executable, "-m", "backend", *args]
