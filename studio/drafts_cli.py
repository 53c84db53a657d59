"""``themestudio drafts``: submit a draft for review, and review drafts, headless.

    themestudio drafts submit PATH --profile P
    themestudio drafts list --profile P
    themestudio drafts show ID --profile P          (the draft's diff against the last release)
    themestudio drafts approve ID --comment TEXT --profile P
    themestudio drafts request-changes ID --comment TEXT --profile P

The profile gives the storage and the backend URL; the backend token comes from ``THEMESTUDIO_BACKEND_TOKEN``
when set (CI), else from the keyring. The Spaces key (key mode) comes from ``THEMESTUDIO_SPACES_KEY`` /
``THEMESTUDIO_SPACES_SECRET`` or the profile's key id + keyring secret; a ``backend-grants`` profile uploads
with backend grants and never needs one.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from studio.adapters.backend_client import BackendClient, BackendError, DraftRecord
from studio.adapters.object_store import ObjectStore, ObjectStoreError, S3Credentials, S3Location
from studio.adapters.review import ReviewService
from studio.core.drafts import DraftError
from studio.core.profiles import Profile, ProfileError, ProfileStore
from studio.core.theme import Theme, ThemeError

KEY_ENV = "THEMESTUDIO_SPACES_KEY"
SECRET_ENV = "THEMESTUDIO_SPACES_SECRET"
BACKEND_TOKEN_ENV = "THEMESTUDIO_BACKEND_TOKEN"


class UsageError(Exception):
    """The command cannot run as given (exit code 2)."""


def register(subparsers: Any) -> None:
    """Add the ``drafts`` sub-command (with its own sub-commands) to the CLI's subparsers."""
    parser = subparsers.add_parser("drafts", help="submit drafts for review; list, show, approve drafts")
    actions = parser.add_subparsers(dest="drafts_action", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--profile", required=True, help="the profile (storage and backend)")

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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``drafts <action>``; 0 success, 1 refused or failed, 2 bad usage or configuration."""
    try:
        profile = ProfileStore().get(args.profile)
        backend, store = _connect(profile)
    except (ProfileError, UsageError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    service = ReviewService(backend, store)
    try:
        return _dispatch(args, service, profile)
    except (DraftError, BackendError, ObjectStoreError) as exc:
        print(f"{_what(args)} failed: {exc}", file=sys.stderr)
        for d in getattr(exc, "diagnostics", ()):
            print(f"  {d.line}:{d.column} {d.rule}: {d.message}", file=sys.stderr)
        return 1
    finally:
        service.close()
        store.close()
        backend.close()


def _what(args: argparse.Namespace) -> str:
    return {"submit": "Submitting the draft", "list": "Listing drafts", "show": "Showing the draft"}.get(
        args.drafts_action, "Reviewing the draft"
    )


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
    if action == "approve":
        d = service.approve(args.draft_id, args.comment)
    else:
        d = service.request_changes(args.draft_id, args.comment)
    print(f"Draft {d.id} is now {_status(d)}." + (f" Comment: {d.comment}" if d.comment else ""))
    return 0


def _status(draft: DraftRecord) -> str:
    return draft.status.replace("_", " ")


def _connect(profile: Profile) -> tuple[BackendClient, ObjectStore]:
    """The backend client and the object store for ``profile``; secrets from the environment or keyring."""
    if not profile.backend_url:
        raise UsageError(f"Profile {profile.label} has no backend URL: drafts need the backend.")
    token = os.environ.get(BACKEND_TOKEN_ENV) or _keyring_secret(profile, "backend")
    if not token:
        raise UsageError(
            f"No backend token for profile {profile.label}: store one with `themestudio profiles add` "
            f"or set {BACKEND_TOKEN_ENV}."
        )
    credentials = None
    if profile.credential_mode == "spaces-key":
        key = os.environ.get(KEY_ENV) or profile.access_key_id or ""
        secret = os.environ.get(SECRET_ENV) or (_keyring_secret(profile, "spaces") if key else None)
        if key and secret:
            credentials = S3Credentials(key, secret)
    location = S3Location(profile.endpoint, profile.region, profile.bucket, profile.public_base_url())
    return BackendClient(profile.backend_url, token), ObjectStore(location, credentials, workers=4)


def _keyring_secret(profile: Profile, which: str) -> str | None:
    """Read a secret from the keyring; an unusable keyring is a usage error that says how to fix it."""
    from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore

    name = SecretName.BACKEND_TOKEN if which == "backend" else SecretName.SPACES_SECRET
    try:
        return SecretStore().get(profile.name, name)
    except KeyringUnavailable as exc:
        raise UsageError(str(exc)) from None
