"""``themestudio preview PATH --out FILE.png``: render the preview gallery with a theme, headless."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from studio.core.limits import MAX_CSS_BYTES, read_text_limited


def register(subparsers: Any) -> None:
    preview = subparsers.add_parser("preview", help="render the preview gallery with a theme to a PNG")
    preview.add_argument("path", metavar="PATH")
    preview.add_argument("--out", required=True, metavar="FILE.png")
    preview.add_argument("--width", type=int, default=1280)
    preview.add_argument("--scheme", choices=("light", "dark"), default="light")


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    css_path = path / "theme.css" if path.is_dir() else path
    try:
        css = read_text_limited(css_path, MAX_CSS_BYTES, "a stylesheet")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"themestudio preview: cannot read {css_path}: {exc}", file=sys.stderr)
        return 2
    from studio.ui.qt_env import prepare_qt_environment

    prepare_qt_environment()
    from studio.ui.preview_render import render_preview_png

    try:
        render_preview_png(
            css, Path(args.out), width=args.width, scheme=args.scheme, base_dir=css_path.parent
        )
    except (OSError, RuntimeError) as exc:
        print(f"themestudio preview: {exc}", file=sys.stderr)
        return 2
    print(args.out)
    return 0


