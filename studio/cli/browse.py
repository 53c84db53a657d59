"""``themestudio browse``: list published themes (search, tag, sort, favourites), as Browse does.

The backend comes from ``--backend URL``, else ``--profile`` (its backend URL, and its token from the keyring
when there is one), else the ``local`` sandbox profile when it exists. ``THEMESTUDIO_BACKEND_TOKEN`` stands in
for the keyring (CI). Listing is anonymous; ``--favourites`` needs a token.

Exit codes: 0 listed (possibly nothing), 2 bad usage, backend unreachable or refused.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from studio.cli.common import CommandError, add_format_option, add_profile_option, print_json

MAX_THEMES = 1_000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "browse",
        help="list published themes: search, tag, sort, favourites",
        description="List published themes with their latest version and counts. Pages are fetched by "
        "cursor until --limit themes are listed.",
    )
    parser.add_argument("--q", default="", metavar="TEXT", help="search names and descriptions")
    parser.add_argument("--tag", default=None, metavar="TAG", help="only themes with this tag")
    parser.add_argument(
        "--sort",
        choices=("updated", "popular", "new", "installs"),
        default="updated",
        help="order: last updated (default), popular (downloads + installs), new, installs",
    )
    parser.add_argument("--favourites", action="store_true", help="only my favourites (needs a token)")
    parser.add_argument(
        "--limit", type=_limit, default=30, metavar="N", help=f"list at most N themes (1–{MAX_THEMES}; 30)"
    )
    add_backend_options(parser)
    add_format_option(parser)
    parser.set_defaults(func=run)


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """``--profile`` and ``--backend``, shared with ``install``."""
    add_profile_option(parser, help="use this profile's backend (and its token, when the keyring has one)")
    parser.add_argument("--backend", default="", metavar="URL", help="the ThemeSystem API to ask")


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_THEMES:
        raise argparse.ArgumentTypeError(f"give 1 to {MAX_THEMES}")
    return value


def catalog_from_args(args: argparse.Namespace) -> Any:
    """The :class:`~studio.adapters.catalog.CatalogClient` the options name."""
    from urllib.parse import urlsplit

    from studio.adapters.backend_client import BackendError
    from studio.adapters.catalog import client_for_profile
    from studio.cli.common import load_profile
    from studio.core.profiles import LOCAL_PROFILE, ProfileError, ProfileStore

    backend = args.backend.strip()
    if backend:
        parts = urlsplit(backend)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(f"--backend must be an http(s) URL, not {backend[:120]!r}")
    profile = None
    if args.profile:
        profile = load_profile(args.profile)
    elif not backend:
        try:
            profile = ProfileStore().get(LOCAL_PROFILE)
        except (ProfileError, OSError):
            raise CommandError(
                "No backend to ask: give --backend URL or --profile NAME (or start the local sandbox: "
                "`themestudio sandbox start`)."
            ) from None
    try:
        return client_for_profile(profile, backend_url=backend or None, environ=os.environ)
    except BackendError as exc:
        raise CommandError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from studio.adapters.backend_client import BackendError
    from studio.adapters.catalog import MAX_PAGE, CatalogQuery, CatalogTheme

    themes: list[CatalogTheme] = []
    with catalog_from_args(args) as catalog:
        query = CatalogQuery(
            text=args.q,
            tag=args.tag,
            sort=args.sort,
            favourites=args.favourites,
            limit=min(args.limit, MAX_PAGE),
        )
        cursor = None
        try:
            while len(themes) < args.limit:
                page = catalog.page(query, cursor)
                themes += page.items
                cursor = page.next_cursor
                if cursor is None:
                    break
        except BackendError as exc:
            raise CommandError(str(exc)) from None
    themes = themes[: args.limit]
    if args.format == "json":
        print_json([theme.to_json() for theme in themes])
        return 0
    if not themes:
        print("No themes match.")
    for theme in themes:
        c = theme.counts
        print(
            f"{theme.id}  {theme.name}  {theme.latest_version or '-'}  by {theme.author or '?'}  "
            f"[{', '.join(theme.tags)}]  views {c.views} · downloads {c.downloads} · installs {c.installs} · "
            f"favourites {c.favourites}"
        )
    return 0
