"""``themestudio [open] [PATH]``: open the studio (on a theme folder)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    open_ = subparsers.add_parser("open", help="open the studio on a theme folder")
    open_.add_argument("path", nargs="?")


def run(args: argparse.Namespace) -> int:
    from studio.ui.qt_env import prepare_qt_environment

    prepare_qt_environment()
    from studio.ui.app import run_studio

    return run_studio(Path(args.path) if args.path else None)
