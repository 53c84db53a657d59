"""``themestudio publish PATH``: publish a release headless (CI), with the same engine as the studio.

``--profile P`` is the main path: the profile gives the storage, the CDN and the backend, and
:func:`studio.adapters.publish_services.publisher_for` wires key or grant mode, registration and the CDN
purge from its keyring secrets. In CI, ``THEMESTUDIO_SPACES_KEY``/``THEMESTUDIO_SPACES_SECRET`` replace the
keyring's Spaces key and ``THEMESTUDIO_BACKEND_TOKEN`` its backend token. ``--profile local`` publishes to
the sandbox of a running studio. Without a profile, ``--endpoint/--bucket/--region/--cdn-base-url`` (and
``--backend-url``) describe the storage and the key pair must come from the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from studio.adapters.backend_client import BackendError
from studio.adapters.do_api import DOApiError
from studio.adapters.object_store import ObjectStoreError
from studio.adapters.publish_services import (
    BACKEND_TOKEN_ENV,
    KEY_ENV,
    SECRET_ENV,
    PublishSession,
    PublishSetupError,
    env_credentials,
    local_sandbox_profile,
    publisher_for,
)
from studio.adapters.publisher import PublishError, PublishProgress
from studio.cli.common import add_profile_option
from studio.core.profiles import LOCAL_PROFILE, Profile, ProfileError, ProfileStore
from studio.core.publish_plan import PlanError, plan_release
from studio.core.review.contrast_gate import ContrastBlockedError, gate
from studio.core.semver import Version
from studio.core.theme import Theme, ThemeError

__all__ = ["BACKEND_TOKEN_ENV", "KEY_ENV", "SECRET_ENV", "register", "run"]

#: The name of the profile built from ``--endpoint`` flags (shown in messages).
FLAGS_PROFILE = "command-line"


def register(subparsers: Any) -> None:
    """Add the ``publish`` sub-command to the CLI's subparsers."""
    parser = subparsers.add_parser("publish", help="publish a release of a theme to Spaces")
    parser.add_argument("path", type=Path, help="the theme folder")
    add_profile_option(parser, help="publish profile (endpoint, bucket, CDN, backend)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--bump", choices=("patch", "minor", "major"), help="next version from the last release"
    )
    which.add_argument("--version", dest="release_version", help="exact version X.Y.Z")
    parser.add_argument("--changes", default="", help="release notes")
    parser.add_argument(
        "--accept-contrast",
        metavar="REASON",
        default="",
        help="publish although text/background token pairs fail WCAG 2 AA; the reason and the pairs go into "
        "the release notes and the backend's record",
    )
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


def _session(args: argparse.Namespace) -> PublishSession:
    """The publish session of ``--profile`` or of the ``--endpoint`` flags.

    Raises:
        PublishSetupError / ProfileError / ValueError: the storage or a credential is missing or invalid.
    """
    render = None if args.no_preview else _render
    environ = os.environ
    if args.profile:
        credentials = None
        try:
            profile = ProfileStore().get(args.profile)
        except ProfileError:
            if args.profile != LOCAL_PROFILE:
                raise
            profile, credentials = local_sandbox_profile()  # the running studio's sandbox
        if profile.credential_mode == "spaces-key":
            credentials = env_credentials(environ) or credentials
        return publisher_for(profile, credentials=credentials, render_preview=render, environ=environ)
    if not args.endpoint:
        raise PublishSetupError(
            "No storage given: pass --profile P (see `themestudio profiles list`) or --endpoint/--bucket."
        )
    credentials = env_credentials(environ)
    if credentials is None:
        raise PublishSetupError(f"No Spaces key: set {KEY_ENV} and {SECRET_ENV} (or publish with --profile).")
    profile = Profile(
        name=FLAGS_PROFILE,
        endpoint=args.endpoint,
        region=args.region,
        bucket=args.bucket,
        cdn_base_url=args.cdn_base_url,
        backend_url=args.backend_url or None,
        access_key_id=credentials.access_key,
    ).validated()
    return publisher_for(profile, credentials=credentials, render_preview=render, environ=environ)


def run(args: argparse.Namespace) -> int:
    """Run ``publish``; returns the exit code (0 success, 1 refused or failed, 2 bad usage or setup)."""
    try:
        theme = Theme.open(args.path)
        session = _session(args)
    except (ThemeError, ProfileError, PublishSetupError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    with session:
        return _publish(args, theme, session)


def _publish(args: argparse.Namespace, theme: Theme, session: PublishSession) -> int:
    publisher = session.publisher
    try:
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
        print(f"Profile {session.profile.label}: uploading {session.mode_label}.")
        print(plan.describe())
        for note in session.notes:
            print(f"Note: {note}")
        if args.dry_run:
            print("Dry run: nothing was uploaded.")
            return 0
        waiver = gate(plan.contrast_failures, args.accept_contrast)

        def show(p: PublishProgress) -> None:
            if p.step != "upload" or p.files_done in (0, p.files_total):
                print(
                    f"[{p.step}] {p.files_done}/{p.files_total} files, {p.bytes_done}/{p.bytes_total} bytes",
                    file=sys.stderr,
                )

        session.ensure_theme(theme)
        result = publisher.publish(
            plan, changes=args.changes, theme_root=theme.root, progress=show, contrast_waiver=waiver
        )
    except ContrastBlockedError as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        return 1
    except PlanError as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        for d in exc.diagnostics:
            print(f"  {d.location} {d.rule}: {d.message}", file=sys.stderr)
        return 1
    except (PublishError, ObjectStoreError, BackendError, DOApiError) as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        return 1
    state = (
        "already published (nothing uploaded)" if result.no_op else f"{result.uploaded_bytes} bytes uploaded"
    )
    copied = len(result.copied)
    print(f"Published {plan.version} {session.mode_label}: {state}; {copied} unchanged assets copied.")
    print(f"CSS:    {result.css_url}")
    if result.latest_moved:
        print(f"Latest: {result.latest_url}")
    elif result.latest_message:
        print(f"Latest: not moved. {result.latest_message}")
    else:
        print(f"Latest: {result.latest_url} (kept on a newer release)")
    if result.preview_url:
        print(f"Preview: {result.preview_url}")
    if result.purged:
        print(f"CDN purged: {', '.join(result.purged)}")
    if waiver is not None:
        print(f"Contrast waiver recorded ({len(waiver.failures)} pair(s) below AA): {waiver.reason}")
    if result.registered:
        print("Registered with the backend.")
        print("The backend verified the stored release and signed its manifest.")
    return 0
