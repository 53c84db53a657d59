"""``themesystem-api``: serve, migrate, manage users and tokens.

Settings come from the environment (see backend/config.py); a missing or malformed value prints one line per
problem and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from uuid import UUID

from backend.config import Settings, SettingsError, load_settings
from backend.db.users import ROLES, UserError, create_token, create_user, revoke_tokens

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="themesystem-api", description="The ThemeSystem API service.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
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
    token_create.add_argument("--expires-days", type=int, default=None)
    token_create.add_argument(
        "--role", choices=ROLES, default=None, help="narrow the token (default: the user's)"
    )
    revoke = tokens.add_parser("revoke", help="revoke one token, or all of a user's tokens")
    group = revoke.add_mutually_exclusive_group(required=True)
    group.add_argument("--id", type=UUID, help="token id (printed by `tokens create`)")
    group.add_argument("--email", help="revoke every live token of this user")
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
