"""``themestudio compare OLD NEW``: render two stylesheets in light and dark at 375, 768 and 1280 px and
report what changed, headless (CI, review scripts).

    themestudio compare OLD NEW [--out DIR] [--format text|json] [--fail-on-change] [--profile P]

OLD and NEW are theme folders, CSS files, ``ID@VERSION`` (a release) or ``draft:ID`` (a draft in review); the
last two are read through ``--profile`` with the same environment overrides as ``themestudio drafts``. With
``--out`` the before/after/diff PNGs of every combination are written there.

Exit codes: 0 the comparison ran (whatever it found); 1 something changed and ``--fail-on-change`` was given;
2 it could not run (bad input, unreachable profile, rendering failed).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from studio.cli.common import EXIT_FAILED, CommandError, add_format_option, add_profile_option, print_json
from studio.core.visual.pixeldiff import DEFAULT_THRESHOLD
from studio.core.visual.sides import CompareSide, SideError, is_remote_spec

__all__ = ["register", "run"]

#: Chromium flags only this headless process gets: one device pixel per CSS px and plain sRGB whatever the
#: machine's display says, so two machines render the same pixels.
_HEADLESS_FLAGS = ("--force-device-scale-factor=1", "--force-color-profile=srgb")


def register(subparsers: Any) -> None:
    """Add the ``compare`` sub-command to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "compare", help="render two stylesheets (light/dark x 375/768/1280 px) and report what changed")
    parser.add_argument("old", metavar="OLD", help="theme folder, CSS file, ID@VERSION or draft:ID")
    parser.add_argument("new", metavar="NEW", help="theme folder, CSS file, ID@VERSION or draft:ID")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write before/after/diff PNGs here")
    add_format_option(parser)
    parser.add_argument("--fail-on-change", action="store_true", help="exit 1 when anything changed (CI)")
    add_profile_option(parser, help="the profile to read releases (ID@VERSION) and drafts (draft:ID) through")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help=f"perceptual colour threshold 0..1 (default {DEFAULT_THRESHOLD})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``compare``; see the module docstring for the exit codes."""
    if not 0.0 <= args.threshold <= 1.0:
        raise CommandError("--threshold must be within 0..1")
    try:
        old, new = _sides(args)
    except SideError as exc:
        raise CommandError(str(exc)) from None
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    extra = [f for f in _HEADLESS_FLAGS if f not in flags]
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join([flags, *extra]).strip()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from studio.ui.qt_env import prepare_qt_environment

    prepare_qt_environment()
    from studio.ui.visual_compare import compare_sides, write_images

    try:
        comparison = compare_sides(old, new, threshold=args.threshold)
        written = write_images(comparison, args.out) if args.out is not None else []
    except (OSError, RuntimeError) as exc:
        raise CommandError(str(exc)) from None
    report = comparison.report
    if args.format == "json":
        data = report.to_json()
        data["images"] = [str(p) for p in written]
        print_json(data)
    else:
        print(report.to_text())
        print("Token impact:")
        print(report.token_impact_text or "not computed")
        if written:
            print(f"{len(written)} PNG(s) written to {args.out}")
    return EXIT_FAILED if args.fail_on_change and report.has_changes else 0


def _sides(args: argparse.Namespace) -> tuple[CompareSide, CompareSide]:
    from studio.core.visual.sides import local_side

    if not (is_remote_spec(args.old) or is_remote_spec(args.new)):
        return local_side(Path(args.old)), local_side(Path(args.new))
    if not args.profile:
        raise SideError("a release (ID@VERSION) or draft (draft:ID) needs a profile: --profile P")
    from studio.adapters.backend_client import BackendError
    from studio.adapters.compare_sources import resolve_side
    from studio.adapters.object_store import ObjectStoreError
    from studio.adapters.profile_services import ProfileServicesError
    from studio.adapters.publish_services import PublishSetupError
    from studio.cli.common import load_profile
    from studio.cli.drafts import UsageError, _connect
    from studio.core.drafts import DraftError

    try:
        services = _connect(load_profile(args.profile))
    except CommandError as exc:
        raise SideError(str(exc)) from None
    except (ProfileServicesError, PublishSetupError, UsageError, ValueError) as exc:
        raise SideError(str(exc)) from None
    with services:
        try:
            return resolve_side(args.old, services), resolve_side(args.new, services)
        except (BackendError, ObjectStoreError, DraftError) as exc:
            raise SideError(str(exc)) from None

