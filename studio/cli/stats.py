"""``themestudio stats ID [--days N] [--version X] [--format text|json|csv] [--profile P]``.

A theme's views, downloads and installs per UTC day (every day of the range, zeros included), the totals
and its popularity rank, from the profile's backend (the theme's author or an admin may read them). The
token comes from the keyring, or ``THEMESTUDIO_BACKEND_TOKEN`` in CI. Without ``--profile`` the running
local sandbox (profile ``local``) is asked. ``--format csv`` prints exactly what the studio's Export CSV
writes.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any
from uuid import UUID

from studio.cli.common import EXIT_FAILED, CommandError, add_format_option, add_profile_option, print_json
from studio.core.analytics import MAX_DAYS, METRIC_LABELS, METRICS, AnalyticsError, AnalyticsQuery
from studio.core.profiles import LOCAL_PROFILE, Profile, ProfileError, ProfileStore


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stats", help="a theme's views, downloads and installs per day, totals and popularity rank"
    )
    parser.add_argument("theme_id", metavar="ID", help="the theme's id (theme.toml's id)")
    parser.add_argument(
        "--days", type=int, default=30, metavar="N", help=f"the last N UTC days, 1-{MAX_DAYS} (30)"
    )
    parser.add_argument("--version", default=None, metavar="X.Y.Z", help="one release only (default: all)")
    add_format_option(parser, ("text", "json", "csv"))
    add_profile_option(
        parser, help=f"the profile whose backend to ask (default: {LOCAL_PROFILE}, the sandbox)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.adapters.analytics import FailureKind, analytics_client, classify_failure
    from studio.core.analytics import report_csv

    try:
        theme_id = str(UUID(args.theme_id))
    except ValueError:
        raise CommandError(f"{args.theme_id!r} is not a theme id (a UUID, as in theme.toml)") from None
    try:
        query = AnalyticsQuery(theme_id, days=args.days, version=args.version)
    except AnalyticsError as exc:
        raise CommandError(str(exc)) from None
    profile = _profile(args.profile or LOCAL_PROFILE)
    try:
        client = analytics_client(profile, environ=os.environ)
        try:
            report = client.theme_analytics(query)
        finally:
            client.close()
    except Exception as exc:  # sorted into what the user can do, like the studio's Analytics view
        failure = classify_failure(exc)
        code = EXIT_FAILED if failure.kind is not FailureKind.SETUP else 2
        raise CommandError(f"{failure.title}: {failure.detail}", code) from None
    if args.format == "json":
        print_json(report.to_json())
    elif args.format == "csv":
        sys.stdout.write(report_csv(report))
    else:
        release = f"release {report.version}" if report.version else "all releases"
        print(f"{report.first_day} to {report.last_day}, {release} (UTC days)")
        print(f"{'day':<12}" + "".join(f"{METRIC_LABELS[m]:>12}" for m in METRICS))
        for day in report.days:
            print(f"{day.day.isoformat():<12}" + "".join(f"{day.count(m):>12,}" for m in METRICS))
        print(f"{'total':<12}" + "".join(f"{report.total(m):>12,}" for m in METRICS))
        print(f"Popularity: {report.rank.describe()}")
    return 0


def _profile(name: str) -> Profile:
    """The saved profile ``name``; ``local`` falls back to the running sandbox (as `publish` does)."""
    try:
        return ProfileStore().get(name)
    except (ProfileError, OSError) as exc:
        if name != LOCAL_PROFILE:
            raise CommandError(str(exc)) from None
    from studio.adapters.publish_services import PublishSetupError, local_sandbox_profile

    try:
        profile, _ = local_sandbox_profile()
    except PublishSetupError as exc:
        raise CommandError(f"{exc} Or name a saved profile with --profile.") from None
    if not profile.backend_url:
        raise CommandError(
            "The local sandbox's backend is not running; start the studio or `themestudio sandbox start`."
        )
    return profile
