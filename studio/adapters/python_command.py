"""How the studio starts its Python children (the bundled backend, the reaper): its interpreter, or itself.

From a checkout or a venv a child is ``python -m MODULE ...``. In the installed app (a PyInstaller bundle,
``sys.frozen``) there is no separate interpreter: the app's own binary runs the module when its first
argument is :data:`RUN_MODULE` (``packaging/studio/entry.py``), so one binary serves the GUI, the headless
commands, the bundled backend and the reaper.
"""

from __future__ import annotations

import runpy
import sys

RUN_MODULE = "--run-bundled-module"
#: The only modules the app binary runs this way (its argv is not a way to run arbitrary code).
BUNDLED_MODULES = frozenset({"backend", "studio.adapters.reaper"})


def module_command(module: str, *args: str) -> list[str]:
    """The command line that runs ``python -m MODULE ARGS`` with the studio's own Python and packages."""
    if module not in BUNDLED_MODULES:
        raise ValueError(f"{module} is not a module the studio runs as a child")
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_MODULE, module, *args]
    return [sys.executable, "-m", module, *args]


def run_bundled_module(argv: list[str]) -> int:
    """Run ``argv[0]`` as ``__main__`` with ``argv[1:]`` as its arguments (the app binary's child mode)."""
    if not argv or argv[0] not in BUNDLED_MODULES:
        print(f"{RUN_MODULE}: expected one of {sorted(BUNDLED_MODULES)}", file=sys.stderr)
        return 2
    sys.argv = [argv[0], *argv[1:]]
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    return 0


def studio_command(*args: str) -> list[str]:
    """The command line that runs ``themestudio ARGS`` (the app binary itself when frozen)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "studio", *args]
