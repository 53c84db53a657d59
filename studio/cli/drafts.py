"""``themestudio drafts``: submit a draft for review, and review drafts, headless.

    themestudio drafts submit PATH --profile P
    themestudio drafts list --profile P
    themestudio drafts show ID --profile P          (the draft's diff against the last release)
    themestudio drafts approve ID --comment TEXT --profile P
    themestudio drafts request-changes ID --comment TEXT --profile P

The profile's services come from :func:`studio.adapters.profile_services.connect_profile` (keyring secrets),
as in the studio. In CI the environment overrides the keyring: ``THEMESTUDIO_BACKEND_TOKEN`` for the backend
token and ``THEMESTUDIO_SPACES_KEY`` / ``THEMESTUDIO_SPACES_SECRET`` for the Spaces key (key mode); a
``backend-grants`` profile uploads with backend grants and never needs one.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from studio.adapters.backend_client import BackendClient, BackendError, DraftRecord
from studio.adapters.object_store import ObjectStore, ObjectStoreError
from studio.adapters.profile_services import (
    WORKERS,
    ProfileServices,
    ProfileServicesError,
    connect_profile,
    location_of,
)
from studio.adapters.publish_services import (
    BACKEND_TOKEN_ENV,
    KEY_ENV,
    SECRET_ENV,
    PublishSetupError,
    backend_token,
    env_credentials,
    key_credentials,
    publisher_for,
)
from studio.adapters.publisher import PublishError
from studio.adapters.review import ReviewService
from studio.adapters.secrets import SecretStore
from studio.cli.common import add_profile_option
from studio.core.drafts import DraftError
from studio.core.profiles import Profile, ProfileError, ProfileStore
from studio.core.publish_plan import PlanError
from studio.core.review.contrast_gate import ContrastBlockedError
from studio.core.theme import Theme, ThemeError

__all__ = ["BACKEND_TOKEN_ENV", "KEY_ENV", "SECRET_ENV", "register", "run"]


class UsageError(Exception):
    """The command cannot run as given (exit code 2)."""


def register(subparsers: Any) -> None:
    """Add the ``drafts`` sub-command (with its own sub-commands) to the CLI's subparsers."""
    parser = subparsers.add_parser("drafts", help="submit drafts for review; list, show, approve drafts")
    actions = parser.add_subparsers(dest="drafts_action", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        add_profile_option(sub, required=True, help="the profile (storage and backend)")

    submit = actions.add_parser("submit", help="upload the theme's stylesheet as a draft for review")
    submit.add_argument("path", type=Path, help="the theme folder")
    common(submit)
    listing = actions.add_parser("list", help="drafts awaiting review (reviewers)")
    common(listing)
    show = actions.add_parser("show", help="a draft and its diff against the last release (reviewers)")
    show.add_argument("draft_id")
    show.add_argument("--css", action="store_true", help="print the whole stylesheet too")
    common(show)
    for name, text in (
        ("approve", "approve a draft"),
        ("request-changes", "send a draft back to its author"),
    ):
        decide = actions.add_parser(name, help=text)
        decide.add_argument("draft_id")
        decide.add_argument("--comment", default="", required=name == "request-changes")
        common(decide)
    publish = actions.add_parser("publish", help="publish an approved draft: exactly its bytes (sha256)")
    publish.add_argument("draft_id")
    publish.add_argument("path", type=Path, help="the theme folder holding the approved theme.css")
    publish.add_argument("--version", dest="release_version", required=True, help="the release version X.Y.Z")
    publish.add_argument("--changes", default="", help="release notes")
    publish.add_argument(
        "--accept-contrast",
        metavar="REASON",
        default="",
        help="publish although token pairs fail WCAG 2 AA; the reason is recorded with the release",
    )
    common(publish)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``drafts <action>``; 0 success, 1 refused or failed, 2 bad usage or configuration."""
    try:
        profile = ProfileStore().get(args.profile)
        services = _connect(profile)
    except (ProfileError, ProfileServicesError, PublishSetupError, UsageError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    with services:
        try:
            return _dispatch(args, services.review, profile)
        except (DraftError, BackendError, ObjectStoreError, PublishSetupError) as exc:
            print(f"{_what(args)} failed: {exc}", file=sys.stderr)
            for d in getattr(exc, "diagnostics", ()):
                print(f"  {d.line}:{d.column} {d.rule}: {d.message}", file=sys.stderr)
            return 1


def _what(args: argparse.Namespace) -> str:
    return {
        "submit": "Submitting the draft",
        "list": "Listing drafts",
        "show": "Showing the draft",
        "publish": "Publishing the approved draft",
    }.get(args.drafts_action, "Reviewing the draft")


def _dispatch(args: argparse.Namespace, service: ReviewService, profile: Profile) -> int:
    action = args.drafts_action
    if action == "submit":
        try:
            theme = Theme.open(args.path)
        except ThemeError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        draft = service.submit(theme)
        mode = "with our key" if service.store.has_credentials else "through a backend grant"
        print(f"Submitted draft {draft.id} (revision {draft.revision}, {draft.size} bytes, {mode}).")
        print(f"sha256 {draft.sha256}; stored privately at {draft.object_key}; now {_status(draft)}.")
        return 0
    if action == "list":
        drafts = service.awaiting()
        if not drafts:
            print("No drafts await review.")
        for d in drafts:
            print(f"{d.id}  theme {d.theme_id}  rev {d.revision}  {d.size} B  submitted {d.submitted_at}")
        return 0
    if action == "show":
        fetched, review = service.open_for_review(args.draft_id)
        d = fetched.record
        print(f"Draft {d.id}: theme {d.theme_id}, revision {d.revision}, {_status(d)}, sha256 {d.sha256}")
        print(review.describe(), end="")
        if args.css:
            print(review.css, end="" if review.css.endswith("\n") else "\n")
        return 0
    if action == "publish":
        return _publish_approved(args, service, profile)
    if action == "approve":
        d = service.approve(args.draft_id, args.comment)
    else:
        d = service.request_changes(args.draft_id, args.comment)
    print(f"Draft {d.id} is now {_status(d)}." + (f" Comment: {d.comment}" if d.comment else ""))
    return 0


def _publish_approved(args: argparse.Namespace, service: ReviewService, profile: Profile) -> int:
    """Publish ``--version`` from the theme folder; refused unless its theme.css is the approved draft."""
    try:
        theme = Theme.open(args.path)
    except ThemeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    with publisher_for(profile, credentials=env_credentials(os.environ), environ=os.environ) as session:
        session.ensure_theme(theme)
        try:
            result = service.publish_approved(
                args.draft_id,
                theme,
                session.publisher,
                args.release_version,
                changes=args.changes,
                accept_contrast=args.accept_contrast,
            )
        except (PlanError, PublishError, ContrastBlockedError) as exc:
            print(f"Publishing the approved draft failed: {exc}", file=sys.stderr)
            return 1
    print(f"Published {args.release_version} from approved draft {args.draft_id}: {result.css_url}")
    return 0


def _status(draft: DraftRecord) -> str:
    return draft.status.replace("_", " ")


def _connect(profile: Profile) -> ProfileServices:
    """The profile's services: :func:`connect_profile`, with the CI environment overriding the keyring.

    ``connect_profile`` reads secrets only from the keyring; when any of the environment variables is set
    (CI has no keyring) the same services are built from them, the keyring filling in the rest.
    """
    environ = os.environ
    if not any(environ.get(name) for name in (KEY_ENV, SECRET_ENV, BACKEND_TOKEN_ENV)):
        return connect_profile(profile)
    if not profile.backend_url:
        raise UsageError(f"Profile {profile.label} has no backend URL: drafts need the backend.")
    secrets = SecretStore()
    token = backend_token(profile, secrets, environ)
    credentials = None
    if profile.credential_mode == "spaces-key":
        credentials = key_credentials(profile, secrets, env_credentials(environ))
    backend = BackendClient(profile.backend_url, token)
    return ProfileServices.of(
        profile, backend, ObjectStore(location_of(profile), credentials, workers=WORKERS)
    )
