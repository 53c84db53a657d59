"""``themestudio publish PATH``: publish a release headless (CI), with the same engine as the studio.

Until profiles land, the storage comes from ``--endpoint/--bucket/--region/--cdn-base-url`` and the key pair
from ``THEMESTUDIO_SPACES_KEY`` / ``THEMESTUDIO_SPACES_SECRET``; ``--backend-url`` with
``THEMESTUDIO_BACKEND_TOKEN`` registers the version.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from studio.adapters.backend_client import BackendClient, BackendError
from studio.adapters.object_store import ObjectStore, ObjectStoreError, S3Credentials, S3Location
from studio.adapters.publisher import Publisher, PublishError, PublishProgress
from studio.core.publish_plan import PlanError, plan_release
from studio.core.semver import Version
from studio.core.theme import Theme, ThemeError

KEY_ENV = "THEMESTUDIO_SPACES_KEY"
SECRET_ENV = "THEMESTUDIO_SPACES_SECRET"
BACKEND_TOKEN_ENV = "THEMESTUDIO_BACKEND_TOKEN"


def register(subparsers: Any) -> None:
    """Add the ``publish`` sub-command to the CLI's subparsers."""
    parser = subparsers.add_parser("publish", help="publish a release of a theme to Spaces")
    parser.add_argument("path", type=Path, help="the theme folder")
    parser.add_argument("--profile", default="", help="publish profile (endpoint, bucket, CDN, backend)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--bump", choices=("patch", "minor", "major"), help="next version from the last release"
    )
    which.add_argument("--version", dest="release_version", help="exact version X.Y.Z")
    parser.add_argument("--changes", default="", help="release notes")
    parser.add_argument("--dry-run", action="store_true", help="show what would be published, change nothing")
    parser.add_argument("--endpoint", default="", help="S3 endpoint (when no profile)")
    parser.add_argument("--bucket", default="themesystem-assets")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--cdn-base-url", default="", help="public base URL of the bucket")
    parser.add_argument("--backend-url", default="", help="register the version with this backend")
    parser.add_argument("--no-preview", action="store_true", help="skip the preview PNG render")
    parser.set_defaults(func=run)


def _render(css: str, out: Path, root: Path) -> None:
    from studio.ui.preview_render import render_preview_png  # Qt only when a preview is rendered

    render_preview_png(css, out, width=1280, height=900, base_dir=root)


def run(args: argparse.Namespace) -> int:
    """Run ``publish``; returns the exit code (0 success, 1 refused or failed, 2 bad usage)."""
    if args.profile and not args.endpoint:
        print(
            "Profiles are not available in this build yet: pass --endpoint/--bucket instead.", file=sys.stderr
        )
        return 2
    if not args.endpoint:
        print("No storage given: pass --profile or --endpoint.", file=sys.stderr)
        return 2
    key, secret = os.environ.get(KEY_ENV, ""), os.environ.get(SECRET_ENV, "")
    if not key or not secret:
        print(f"No Spaces key: set {KEY_ENV} and {SECRET_ENV}.", file=sys.stderr)
        return 2
    try:
        theme = Theme.open(args.path)
        location = S3Location(args.endpoint, args.region, args.bucket, args.cdn_base_url)
    except (ThemeError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    store = ObjectStore(location, S3Credentials(key, secret))
    backend = None
    if args.backend_url:
        backend = BackendClient(args.backend_url, os.environ.get(BACKEND_TOKEN_ENV, ""))
    try:
        publisher = Publisher(
            store,
            render_preview=None if args.no_preview else _render,
            register=backend.register_version if backend is not None else None,
        )
        previous = publisher.previous_release(theme.manifest.id, "999999.0.0")
        if args.release_version:
            version = args.release_version
        elif args.bump:
            version = (
                str(Version.parse(previous or "0.0.0").bump(args.bump))
                if previous
                else theme.manifest.version
            )
        else:
            version = theme.manifest.version
        previous_css = publisher.read_public_css(theme.manifest.id, previous) if previous else None
        plan = plan_release(theme, version, previous_css=previous_css, previous_version=previous)
        print(plan.describe())
        if args.dry_run:
            print("Dry run: nothing was uploaded.")
            return 0

        def show(p: PublishProgress) -> None:
            if p.step != "upload" or p.files_done in (0, p.files_total):
                print(
                    f"[{p.step}] {p.files_done}/{p.files_total} files, {p.bytes_done}/{p.bytes_total} bytes",
                    file=sys.stderr,
                )

        result = publisher.publish(plan, changes=args.changes, theme_root=theme.root, progress=show)
    except PlanError as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        for d in exc.diagnostics:
            print(f"  {d.line}:{d.column} {d.rule}: {d.message}", file=sys.stderr)
        return 1
    except (PublishError, ObjectStoreError, BackendError) as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
        if backend is not None:
            backend.close()
    state = (
        "already published (nothing uploaded)" if result.no_op else f"{result.uploaded_bytes} bytes uploaded"
    )
    print(f"Published {plan.version}: {state}; {len(result.copied)} unchanged assets copied.")
    print(f"CSS:    {result.css_url}")
    print(f"Latest: {result.latest_url}" + ("" if result.latest_moved else " (kept on a newer release)"))
    if result.preview_url:
        print(f"Preview: {result.preview_url}")
    if result.registered:
        print("Registered with the backend.")
    return 0
