"""``themestudio verify ID@VERSION``: check a published release anonymously against its signed manifest.

The CDN base comes from ``--cdn`` or the profile's CDN base URL; the trusted keys from ``--public-key``
(pinned, strongest), else the backend's ``GET /v1/keys`` (``--backend`` or the profile's backend URL). No
secret is needed or read: a consumer can run it.

Exit codes: 0 the release matches its signed manifest; 1 any difference (each one is named); 2 the release
could not be checked (bad usage, CDN or backend unreachable).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Any
from urllib.parse import urlsplit

from studio.adapters.release_verify import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    VerifyError,
    VerifyReport,
    verify,
)
from studio.cli.common import add_profile_option
from studio.core.release_manifest import describe_review, total_size
from studio.core.semver import is_valid

EXIT_OK, EXIT_DIFFERENT, EXIT_UNCHECKED = 0, 1, 2
_THEME_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class UsageError(Exception):
    """Bad arguments (exit 2)."""


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"give 1 to {MAX_CONCURRENCY}")
    return value


def register(subparsers: Any) -> None:
    """Add the ``verify`` sub-command to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "verify",
        help="check a published release against its signed manifest, anonymously (exit 1 on any difference)",
        description="Fetch themes-published/<id>/<version>/manifest.json and every object it lists from the "
        "CDN without credentials, check the service's Ed25519 signature and each object's size, sha256 and "
        "Content-Type. An extra object under the version's prefix that the manifest does not list cannot be "
        "detected anonymously.",
    )
    parser.add_argument("release", metavar="ID@VERSION", help="e.g. 3f0c…@1.2.0")
    parser.add_argument("--cdn", default="", metavar="URL", help="public base URL of the bucket (CDN)")
    add_profile_option(parser, help="take the CDN and backend URLs from this profile")
    parser.add_argument(
        "--backend", default="", metavar="URL", help="the ThemeSystem API that lists the keys"
    )
    parser.add_argument(
        "--public-key",
        action="append",
        default=[],
        metavar="B64",
        help="trust this Ed25519 public key (base64 of the raw 32 bytes) instead of asking the backend; "
        "repeatable",
    )
    parser.add_argument(
        "--concurrency", type=_concurrency, default=DEFAULT_CONCURRENCY, help="objects fetched at once"
    )
    parser.set_defaults(func=run)


def _release(text: str) -> tuple[str, str]:
    theme_id, at, version = text.rpartition("@")
    if not at or not _THEME_ID.match(theme_id):
        raise UsageError(f"{text[:120]!r} is not ID@VERSION (e.g. 3f0c9a2e-…@1.2.0)")
    if not is_valid(version):
        raise UsageError(f"{version[:60]!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return theme_id, version


def _http_url(value: str, flag: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{flag} must be an http(s) URL, not {value[:120]!r}")
    return value.rstrip("/")


def _endpoints(args: argparse.Namespace) -> tuple[str, str | None]:
    """The CDN base and backend URL from the flags, else from the profile (flags win)."""
    cdn, backend = args.cdn, args.backend
    if args.profile:
        from studio.core.profiles import ProfileError, ProfileStore

        try:
            profile = ProfileStore().get(args.profile)
        except ProfileError as exc:
            raise UsageError(str(exc)) from None
        cdn = cdn or profile.public_base_url()
        backend = backend or profile.backend_url or ""
    if not cdn:
        raise UsageError("give --cdn URL or a --profile with a CDN base URL")
    return _http_url(cdn, "--cdn"), _http_url(backend, "--backend") if backend else None


def _print_report(report: VerifyReport) -> None:
    name = f"{report.theme_id}@{report.version}"
    manifest = report.manifest
    if report.ok and manifest is not None and report.signed_by is not None:
        key = report.signed_by
        print(
            f"OK {name}: signed by key {key.keyid} ({key.status}); {len(manifest.objects)} object(s), "
            f"{total_size(manifest.objects)} bytes match their signed size, sha256 and Content-Type"
        )
        publisher, lint = manifest.publisher, manifest.lint
        print(
            f"  published by {publisher.get('name', '?')} ({publisher.get('user_id', '?')}) at "
            f"{manifest.created_at}; {describe_review(manifest.review)}; lint {lint.get('verdict', '?')}, "
            f"{lint.get('errors', '?')} error(s), {lint.get('warnings', '?')} warning(s)"
        )
    else:
        for difference in report.differences:
            print(f"DIFFERENT {difference}")
        for item in report.unchecked:
            print(f"UNCHECKED {item}")
        verdict = "DIFFERENT" if report.differences or report.signed_by is None else "UNCHECKED"
        print(
            f"{verdict} {name}: {len(report.differences)} difference(s), {len(report.unchecked)} object(s) "
            "not checked"
        )
    for note in report.notes:
        print(f"Note: {note}")


def run(args: argparse.Namespace) -> int:
    """Run ``verify``; returns the exit code."""
    try:
        theme_id, version = _release(args.release)
        cdn, backend = _endpoints(args)
        report = asyncio.run(
            verify(
                theme_id,
                version,
                cdn_base=cdn,
                backend_url=backend,
                public_keys=args.public_key,
                concurrency=args.concurrency,
            )
        )
    except (UsageError, VerifyError) as exc:
        print(f"themestudio verify: {exc}", file=sys.stderr)
        return EXIT_UNCHECKED
    _print_report(report)
    if report.differences or report.signed_by is None:
        return EXIT_DIFFERENT
    return EXIT_UNCHECKED if report.unchecked else EXIT_OK
