"""``themesystem-api``: serve, migrate, manage users and tokens.

Settings come from the environment (see backend/config.py); a missing or malformed value prints one line per
problem and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from backend.alerts import cli as alerts_cli
from backend.config import Settings, SettingsError, load_settings
from backend.db.users import (
    MAX_EXPIRES_DAYS,
    MIN_EXPIRES_DAYS,
    ROLES,
    UserError,
    create_token,
    create_user,
    revoke_tokens,
)

if TYPE_CHECKING:
    from backend.storage import ObjectStorage

EXIT_CONFIG = 2


def _expires_days(text: str) -> int:
    """argparse type for ``--expires-days``: a whole number of days in 1..3650, else a usage error."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not MIN_EXPIRES_DAYS <= days <= MAX_EXPIRES_DAYS:
        raise argparse.ArgumentTypeError(
            f"{days} is out of range: a token lives {MIN_EXPIRES_DAYS} to {MAX_EXPIRES_DAYS} days"
        )
    return days


def _hours(text: str) -> float:
    """argparse type for ``--older-than-hours``: a number of hours, 0 or more."""
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if not 0 <= hours <= 24 * 3650:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text} is out of range: give 0 to {24 * 3650} hours")
    return hours


def _cleanup(settings: Settings, older_than_hours: float, dry_run: bool) -> int:
    from backend.api.app import build_storage
    from backend.cleanup import Upload, cleanup_uploads
    from backend.storage import StorageError

    storage: ObjectStorage | None = build_storage(settings)
    if storage is None:
        print(
            "themesystem-api: cleanup-uploads needs object storage: set every SPACES_* variable",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    verb = "would remove" if dry_run else "removed"

    def show(upload: Upload) -> None:
        print(f"{verb} {upload.key} ({upload.size} bytes, {upload.last_modified:%Y-%m-%d %H:%M} UTC)")

    try:
        report = cleanup_uploads(
            storage,
            settings.database_dsn,
            older_than=timedelta(hours=older_than_hours),
            now=datetime.now(UTC),
            dry_run=dry_run,
            on_removed=show,
        )
    except StorageError as exc:
        print(f"themesystem-api: object storage failed: {exc}", file=sys.stderr)
        return 1
    for key, reason in report.failed:
        print(f"failed {key}: {reason}", file=sys.stderr)
    size = sum(u.size for u in report.removed)
    print(
        f"{verb} {len(report.removed)} object(s), {size} bytes, of unregistered versions; "
        f"kept {report.recent} younger than {older_than_hours:g} h; "
        f"left {report.unknown_theme} under ids the registry does not know; {report.scanned} scanned"
    )
    return 0 if report.ok else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="themesystem-api", description="The ThemeSystem API service.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    # App Platform (and the image) say the port in $PORT; the HEALTHCHECK probes the same one.
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    serve.add_argument("--workers", type=int, default=1)

    sub.add_parser("migrate", help="apply all pending schema migrations (idempotent)")

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="action", required=True)
    create = users.add_parser("create", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=ROLES, default="user")

    tokens = sub.add_parser("tokens", help="manage API tokens").add_subparsers(dest="action", required=True)
    token_create = tokens.add_parser("create", help="create a token and print it once")
    token_create.add_argument("--email", required=True)
    token_create.add_argument(
        "--expires-days",
        type=_expires_days,
        default=None,
        metavar="N",
        help=f"days until the token expires, {MIN_EXPIRES_DAYS}-{MAX_EXPIRES_DAYS} (default: never)",
    )
    token_create.add_argument(
        "--role", choices=ROLES, default=None, help="narrow the token (default: the user's)"
    )
    revoke = tokens.add_parser("revoke", help="revoke one token, or all of a user's tokens")
    group = revoke.add_mutually_exclusive_group(required=True)
    group.add_argument("--id", type=UUID, help="token id (printed by `tokens create`)")
    group.add_argument("--email", help="revoke every live token of this user")

    cleanup = sub.add_parser(
        "cleanup-uploads",
        help="remove release uploads whose version was never registered (a scheduled job)",
        description="Delete objects under themes-published/<id>/<version>/ and "
        "themes-previews/<id>/<version>.png of registered themes whose version is not registered and "
        "that are older than the threshold. Registered (also yanked) versions, latest, drafts, "
        "documentation and ids unknown to the registry are never touched.",
    )
    cleanup.add_argument(
        "--older-than-hours",
        type=_hours,
        default=24.0,
        metavar="H",
        help="only objects last modified at least H hours ago (default 24)",
    )
    cleanup.add_argument("--dry-run", action="store_true", help="list what would be removed; delete nothing")
    alerts_cli.add_parser(sub)
    return parser


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    del settings  # validated here; each worker reads the environment again through the factory
    uvicorn.run(
        "backend.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The app resolves the client address itself from FORWARDED_ALLOW_IPS / CLIENT_IP_HEADER
        # (backend.api.client_address); uvicorn's own handling would trust 127.0.0.1 by default.
        proxy_headers=False,
        access_log=False,
        log_level="info",
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "alerts":  # talks to DigitalOcean only: no database or storage settings needed
        return alerts_cli.run(args)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print("themesystem-api: invalid configuration:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    dsn = settings.database_dsn
    try:
        if args.command == "serve":
            return _serve(settings, args.host, args.port, args.workers)
        if args.command == "migrate":
            from backend.migrations import upgrade

            upgrade(dsn)
            print("migrations applied")
            return 0
        if args.command == "cleanup-uploads":
            return _cleanup(settings, args.older_than_hours, args.dry_run)
        if args.command == "users":
            user = create_user(dsn, email=args.email, name=args.name, role=args.role)
            print(f"created user {user['id']} {user['email']} ({user['role']})")
            return 0
        if args.action == "create":
            token, token_id = create_token(
                dsn, email=args.email, expires_days=args.expires_days, role=args.role
            )
            print(f"token id {token_id}; the token is shown once, store it now:", file=sys.stderr)
            print(token)
            return 0
        count = revoke_tokens(dsn, token_id=args.id, email=args.email)
        print(f"revoked {count} token(s)")
        return 0 if count else 1
    except UserError as exc:
        print(f"themesystem-api: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a CLI for operators: say what failed, not a traceback
        import psycopg

        if isinstance(exc, psycopg.OperationalError):
            print(f"themesystem-api: database unreachable: {str(exc).splitlines()[0][:200]}", file=sys.stderr)
            return 1
        raise
