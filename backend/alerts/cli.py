"""``themesystem-api alerts plan|apply``: the seed's alert policies on an App Platform app.

The token comes from ``DIGITALOCEAN_ACCESS_TOKEN`` (else ``DIGITALOCEAN_TOKEN``), or with ``--profile NAME``
from that studio profile's ``do-token`` in the OS keyring (the studio's secret store; desktop extra).
It is never printed. Exit status: 0 done, 1 DigitalOcean refused or failed, 2 usage or no token.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from backend.alerts.do_client import AppPlatformClient, DOApiError, token_from_env
from backend.alerts.reconcile import apply_plan, make_plan, render_plan

EXIT_FAILED = 1
EXIT_USAGE = 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``alerts plan`` and ``alerts apply`` under the ``themesystem-api`` parser."""
    alerts = sub.add_parser(
        "alerts",
        help="create or update the API's alert policies on DigitalOcean App Platform",
        description="Keep the App Platform app's alert policies (CPU, memory, restarts, p95 latency) "
        "equal to the catalogue in backend/alerts/policies.py. The 5xx-rate policy has no App Platform "
        "rule: it lives in packaging/backend/alerts.yml for Prometheus.",
    )
    actions = alerts.add_subparsers(dest="action", required=True)
    for name, text in (
        ("plan", "print what would be created, updated or left unchanged; changes nothing"),
        ("apply", "create and update the policies; a second run changes nothing"),
    ):
        cmd = actions.add_parser(name, help=text, description=text)
        cmd.add_argument("--app-id", required=True, help="the App Platform app id (doctl apps list)")
        cmd.add_argument("--component", default="api", help="the service the alerts watch (default: api)")
        cmd.add_argument(
            "--email",
            action="append",
            metavar="ADDRESS",
            help="send the alerts to this address (repeatable; a member of the team owning the app). "
            "Without it, destinations are left as they are",
        )
        cmd.add_argument(
            "--profile",
            metavar="NAME",
            help="read the DigitalOcean token from this studio profile's keyring entry, not the environment",
        )


def _token(profile: str | None) -> str | None:
    if profile is None:
        return token_from_env()
    try:
        from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
    except ImportError:
        raise DOApiError(
            "--profile needs the studio's keyring support (pip install 'themesystem-studio[desktop]')"
        ) from None
    try:
        return SecretStore().get(profile, SecretName.DO_TOKEN)
    except KeyringUnavailable as exc:
        raise DOApiError(str(exc)) from None


def run(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run ``alerts plan`` or ``alerts apply`` with parsed arguments."""
    try:
        token = _token(args.profile)
    except DOApiError as exc:
        print(f"themesystem-api: {exc}", file=err)
        return EXIT_USAGE
    if not token:
        where = (
            f"profile {args.profile!r} has no DigitalOcean token in the keyring"
            if args.profile
            else "set DIGITALOCEAN_ACCESS_TOKEN (or DIGITALOCEAN_TOKEN), or pass --profile NAME"
        )
        print(f"themesystem-api: no DigitalOcean token: {where}", file=err)
        return EXIT_USAGE
    try:
        with AppPlatformClient(token) as client:
            plan = make_plan(client, args.app_id, args.component, args.email)
            if args.action == "plan":
                print(render_plan(plan), file=out)
                return 0
            warnings = apply_plan(client, plan, args.email)
    except DOApiError as exc:
        print(f"themesystem-api: {exc}", file=err)
        return EXIT_FAILED
    print(render_plan(plan, applied=True), file=out)
    for warning in warnings:
        print(f"themesystem-api: warning: {warning}", file=err)
    return 0
