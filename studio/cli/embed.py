"""``themestudio embed ID [--version X.Y.Z] [--profile P]``: the snippets a web page pastes to use a theme.

The CDN base comes from the profile, each version's integrity hash (SRI) from the profile's API (public, no
token). Without ``--version`` the newest release that is not yanked is pinned. ``--loader-out FILE`` also
writes ``theme-loader.js``, which the loader snippets expect next to the page (or at ``--loader-src``).

Exit codes: 0 the snippets were printed; 2 bad usage, an unknown profile or theme, an unreachable API.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from studio.cli.common import CommandError, add_format_option, add_profile_option, load_profile, print_json
from studio.core.profiles import LOCAL_PROFILE


def register(subparsers: Any) -> None:
    """Add the ``embed`` sub-command to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "embed",
        help="print the <link> and loader snippets for a published theme (latest and pinned with SRI)",
        description="Print copyable snippets for a published theme: a <link> and a ThemeSystem.load() call, "
        "for `latest` and for one pinned version (with its integrity hash from the API).",
    )
    parser.add_argument("theme_id", metavar="ID", help="the theme's id (a UUID, from theme.toml)")
    parser.add_argument("--version", default=None, metavar="X.Y.Z", help="the version to pin (newest)")
    add_profile_option(parser, help=f"where the theme is published (default: {LOCAL_PROFILE}, the sandbox)")
    parser.add_argument(
        "--loader-src",
        default="theme-loader.js",
        metavar="URL",
        help="where your page serves theme-loader.js from (default: next to the page)",
    )
    parser.add_argument("--loader-out", type=Path, default=None, metavar="FILE", help="write the loader here")
    add_format_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``embed``; returns the exit code."""
    from studio.adapters.embed_source import snippets_for_profile
    from studio.core.embed import EmbedError
    from studio.core.paths import resources_dir

    profile = load_profile(args.profile or LOCAL_PROFILE)
    try:
        found = snippets_for_profile(profile, args.theme_id, args.version, loader_src=args.loader_src)
    except EmbedError as exc:
        raise CommandError(str(exc)) from None
    if args.loader_out is not None:
        try:
            shutil.copyfile(resources_dir() / "loader" / "theme-loader.js", args.loader_out)
        except OSError as exc:
            raise CommandError(f"cannot write {args.loader_out}: {exc.strerror or exc}") from None
    if args.format == "json":
        print_json(found.as_json())
        return 0
    for snippet in found.snippets():
        print(f"# {snippet.title}")
        print(snippet.code)
        print()
    if found.problem:
        print(f"# No pinned version: {found.problem}")
        print()
    print(f"# When to pin: {found.note}")
    return 0
