"""``themestudio migrate-assets``: copy objects between two S3-compatible endpoints, verified and resumable.

Each side is a saved profile (``--from-profile``/``--to-profile``: endpoint, bucket, region, access key id,
and the secret from the OS keyring) or explicit ``--from-endpoint``/``--to-endpoint`` flags with the key pair
in ``THEMESTUDIO_FROM_KEY``/``THEMESTUDIO_FROM_SECRET`` and ``THEMESTUDIO_TO_KEY``/``THEMESTUDIO_TO_SECRET``.
Exit codes: 0 everything copied or already there, 1 any object failed, 2 bad usage or missing credentials.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from studio.adapters.migrate_assets import DEFAULT_WORKERS, Migrator
from studio.adapters.object_store import ObjectStore, ObjectStoreError, S3Credentials, S3Location

ENV = {
    "from": ("THEMESTUDIO_FROM_KEY", "THEMESTUDIO_FROM_SECRET"),
    "to": ("THEMESTUDIO_TO_KEY", "THEMESTUDIO_TO_SECRET"),
}


class UsageError(Exception):
    """Bad arguments or missing credentials (exit 2)."""


def register(subparsers: Any) -> None:
    """Add the ``migrate-assets`` sub-command to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "migrate-assets", help="copy objects between two S3-compatible endpoints (checksummed, resumable)"
    )
    for side in ("from", "to"):
        parser.add_argument(f"--{side}-profile", default="", help=f"saved profile to copy {side}")
        parser.add_argument(f"--{side}-endpoint", default="", help=f"S3 endpoint to copy {side} (no profile)")
        parser.add_argument(f"--{side}-bucket", default="themesystem-assets")
        parser.add_argument(f"--{side}-region", default="us-east-1")
    parser.add_argument("--prefix", default="", help="copy only keys under this prefix (default: all)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="objects in flight at once")
    parser.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    parser.set_defaults(func=run)


def _side(args: argparse.Namespace, side: str) -> tuple[S3Location, S3Credentials]:
    """The location and key pair of one side, from its profile or its flags and environment."""
    profile_name = getattr(args, f"{side}_profile")
    if profile_name:
        from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
        from studio.core.profiles import ProfileError, ProfileStore

        try:
            profile = ProfileStore().get(profile_name)
        except ProfileError as exc:
            raise UsageError(str(exc)) from None
        if not profile.access_key_id:
            raise UsageError(f"profile {profile_name!r} has no Spaces access key id")
        try:
            secret = SecretStore().get(profile.name, SecretName.SPACES_SECRET)
        except KeyringUnavailable as exc:
            raise UsageError(str(exc)) from None
        if not secret:
            raise UsageError(f"profile {profile_name!r} has no Spaces secret in the keyring")
        location = S3Location(profile.endpoint, profile.region, profile.bucket, profile.public_base_url())
        return location, S3Credentials(profile.access_key_id, secret)
    endpoint = getattr(args, f"{side}_endpoint")
    if not endpoint:
        raise UsageError(f"give --{side}-profile or --{side}-endpoint")
    key_env, secret_env = ENV[side]
    key, secret = os.environ.get(key_env, ""), os.environ.get(secret_env, "")
    if not key or not secret:
        raise UsageError(f"no key pair for --{side}-endpoint: set {key_env} and {secret_env}")
    try:
        location = S3Location(endpoint, getattr(args, f"{side}_region"), getattr(args, f"{side}_bucket"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return location, S3Credentials(key, secret)


def run(args: argparse.Namespace) -> int:
    """Run ``migrate-assets``; returns the exit code."""
    try:
        source_location, source_credentials = _side(args, "from")
        dest_location, dest_credentials = _side(args, "to")
    except UsageError as exc:
        print(f"migrate-assets: {exc}", file=sys.stderr)
        return 2
    if source_location.bucket_url == dest_location.bucket_url:
        print("migrate-assets: source and destination are the same bucket", file=sys.stderr)
        return 2
    source = ObjectStore(source_location, source_credentials, workers=2)
    dest = ObjectStore(dest_location, dest_credentials, workers=2)
    migrator = Migrator(source, dest, source_credentials, workers=args.workers)

    def report(key: str, outcome: str) -> None:
        if outcome.startswith("failed") or not args.quiet:
            print(f"{outcome.split(':', 1)[0]:8} {key}", file=sys.stderr)

    try:
        summary = migrator.run(args.prefix, on_object=report)
    except ObjectStoreError as exc:
        print(f"migrate-assets: could not list the source: {exc}", file=sys.stderr)
        return 1
    finally:
        migrator.close()
        source.close()
        dest.close()
    print(summary.describe())
    return 0 if summary.ok else 1
