"""``themestudio install ID[@VERSION] DIR``: Start from this theme, headless.

Downloads the release (default: its newest version not yanked) exactly as the service signed it, makes
``DIR`` a new theme folder of those bytes with a new id and ``forked_from = "<id>@<version>"`` in
``theme.toml``, and records the install when the profile has a token. The backend comes from ``--backend``,
``--profile`` or the ``local`` sandbox profile, as for ``browse``.

Exit codes: 0 created; 1 the release does not match its signed manifest or cannot be used (nothing created);
2 bad usage, an existing non-empty DIR, the backend unreachable or refusing.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from studio.cli.browse import add_backend_options, catalog_from_args
from studio.cli.common import EXIT_FAILED, EXIT_USAGE, CommandError, add_format_option, print_json

_THEME_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "install",
        help="start a new theme folder from a published release (its exact bytes, forked_from recorded)",
        description="Make DIR a new local theme from a published release: the release's files byte for byte "
        "(checked against its signed manifest), a new theme id, forked_from = ID@VERSION in theme.toml.",
    )
    parser.add_argument("release", metavar="ID[@VERSION]", help="a theme id, optionally @X.Y.Z")
    parser.add_argument(
        "dir", metavar="DIR", type=Path, help="the new theme folder (must not exist or be empty)"
    )
    parser.add_argument("--name", default=None, help="the new theme's name (default: the original's)")
    add_backend_options(parser)
    add_format_option(parser)
    parser.set_defaults(func=run)


def parse_release(text: str) -> tuple[str, str | None]:
    """``ID`` or ``ID@VERSION``.

    Raises:
        CommandError: not a theme id, or not a semantic version.
    """
    from studio.core.semver import is_valid

    theme_id, at, version = text.partition("@")
    if not _THEME_ID.match(theme_id):
        raise CommandError(f"{text[:120]!r} is not ID[@VERSION] with a theme id (a UUID)")
    if at and not is_valid(version):
        raise CommandError(f"{version[:60]!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return theme_id.lower(), version if at else None


def run(args: argparse.Namespace) -> int:
    from studio.adapters.backend_client import BackendError
    from studio.adapters.start_from import StartFromError, start_from_theme
    from studio.core.atomic import StorageError

    theme_id, version = parse_release(args.release)
    with catalog_from_args(args) as catalog:
        try:
            started = start_from_theme(catalog, theme_id, version, args.dir, name=args.name)
        except StartFromError as exc:
            raise CommandError(str(exc), code=EXIT_FAILED if exc.kind == "refused" else EXIT_USAGE) from None
        except (BackendError, StorageError) as exc:
            raise CommandError(str(exc)) from None
    if args.format == "json":
        print_json(
            {
                "folder": str(started.folder),
                "id": started.manifest.id,
                "name": started.manifest.name,
                "forked_from": started.source,
                "files": started.files,
                "bytes": started.bytes,
                "signed_by": started.signed_by,
                "install_recorded": started.install_recorded,
            }
        )
        return 0
    print(f"Created {started.folder} from {started.source}: {started.files} file(s), {started.bytes} bytes")
    print(f"  new theme id {started.manifest.id}; theme.toml records forked_from = {started.source!r}")
    print(
        "  signed manifest checked (key " + started.signed_by + ")"
        if started.signed_by
        else "  no signed manifest (an older release): theme.css checked against the registered sha256"
    )
    print("  install recorded" if started.install_recorded else f"  {started.install_note}")
    return 0
