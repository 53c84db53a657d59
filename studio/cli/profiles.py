"""``themestudio profiles add|list|remove|test``: manage publishing profiles headless (for CI and scripts).

Secrets are never taken from the command line (argv is visible to every user of the machine): they come
from a hidden prompt, or from stdin with ``--secret-stdin`` (one secret per line, in the order of the
``--with-*`` flags given).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TextIO

from studio.adapters.do_api import DigitalOceanClient, DOApiError
from studio.adapters.profile_check import all_passed, check_profile
from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
from studio.core.profiles import (
    CREDENTIAL_MODES,
    DEFAULT_BUCKET,
    Profile,
    ProfileError,
    ProfileStore,
    make_profile,
    now_utc,
)

_SECRET_FLAGS = (
    ("with_spaces_secret", SecretName.SPACES_SECRET, "Spaces secret key"),
    ("with_do_token", SecretName.DO_TOKEN, "DigitalOcean API token"),
    ("with_backend_token", SecretName.BACKEND_TOKEN, "backend API token"),
)


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``profiles`` command (with its subcommands) to ``themestudio``'s subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "profiles", help="manage publishing profiles (secrets live in the OS keyring)"
    )
    build_parser(parser)
    return parser


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Fill ``parser`` with the profiles subcommands (also used standalone by ``main``)."""
    sub = parser.add_subparsers(dest="profiles_command", required=True, metavar="{add,list,remove,test}")

    add = sub.add_parser("add", help="add or update a profile")
    add.add_argument("name")
    add.add_argument(
        "--endpoint", required=True, help="S3 endpoint, e.g. https://fra1.digitaloceanspaces.com"
    )
    add.add_argument("--region", help="signing region (derived from a Spaces endpoint when omitted)")
    add.add_argument("--bucket", default=DEFAULT_BUCKET)
    add.add_argument("--cdn-base-url", default="", help="where public objects are served from")
    add.add_argument("--cdn-endpoint-id", help="DigitalOcean CDN endpoint to purge after moving latest")
    add.add_argument("--backend-url", help="the ThemeSystem API")
    add.add_argument("--mode", choices=CREDENTIAL_MODES, default="spaces-key", help="credential mode")
    add.add_argument("--access-key-id", help="Spaces access key id (its secret is prompted for)")
    add.add_argument("--with-spaces-secret", action="store_true", help="read the Spaces secret key")
    add.add_argument("--with-do-token", action="store_true", help="read a DigitalOcean API token")
    add.add_argument("--with-backend-token", action="store_true", help="read a backend API token")
    add.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the secrets from stdin, one per line, instead of prompting",
    )
    add.add_argument(
        "--create-key",
        action="store_true",
        help="create a readwrite Spaces key for the bucket with the DigitalOcean token, and store it",
    )
    add.add_argument("--key-name", help="name of the created Spaces key (default themestudio-<profile>)")

    sub.add_parser("list", help="list profiles, which secrets are stored, key age")

    remove = sub.add_parser("remove", help="delete a profile and its keyring entries")
    remove.add_argument("name")

    test = sub.add_parser("test", help="check every credential of a profile against its service")
    test.add_argument("name")
    test.add_argument("--timeout", type=float, default=5.0, help="seconds per network call")


def _read_secrets(args: argparse.Namespace, stdin: TextIO) -> dict[SecretName, str]:
    wanted = [(name, label) for attr, name, label in _SECRET_FLAGS if getattr(args, attr)]
    if args.create_key and not args.with_do_token:
        wanted.append((SecretName.DO_TOKEN, "DigitalOcean API token"))
    out: dict[SecretName, str] = {}
    for name, label in wanted:
        if args.secret_stdin:
            value = stdin.readline().rstrip("\r\n")
        else:
            value = getpass.getpass(f"{label} for profile {args.name}: ")
        if not value:
            raise ProfileError(f"no {label} given")
        out[name] = value
    return out


def _cmd_add(
    args: argparse.Namespace, store: ProfileStore, secrets: SecretStore, out: TextIO, stdin: TextIO
) -> int:
    try:
        existing = store.load().get(args.name)
    except ProfileError:
        existing = None
    fields: dict[str, Any] = {
        "bucket": args.bucket,
        "cdn_base_url": args.cdn_base_url,
        "cdn_endpoint_id": args.cdn_endpoint_id,
        "backend_url": args.backend_url,
        "credential_mode": args.mode,
        "access_key_id": args.access_key_id or (existing.access_key_id if existing else None),
        "spaces_key_created_at": existing.spaces_key_created_at if existing else None,
    }
    if args.access_key_id and existing and args.access_key_id != existing.access_key_id:
        fields["spaces_key_created_at"] = None  # a pasted key: its age is unknown
    if args.create_key and args.with_spaces_secret:
        raise ProfileError("--create-key makes a new Spaces key: do not also give --with-spaces-secret")
    profile = make_profile(args.name, args.endpoint, region=args.region, **fields)
    values = _read_secrets(args, stdin)
    secrets.backend()  # fail before anything is written when there is no keyring
    if args.create_key:
        profile = _create_key(profile, values[SecretName.DO_TOKEN], args.key_name, secrets, out)
    for name, value in values.items():
        secrets.set(profile.name, name, value)
    store.put(profile)
    stored = ", ".join(n.value for n in values) or "none"
    print(
        f"saved profile {profile.label} in {store.path} (secrets stored in the keyring: {stored})", file=out
    )
    return 0


def _create_key(
    profile: Profile, token: str, key_name: str | None, secrets: SecretStore, out: TextIO
) -> Profile:
    name = key_name or f"themestudio-{profile.name}"
    with DigitalOceanClient(token) as client:
        key = client.create_spaces_key(name, profile.bucket, "readwrite")
    secrets.set(profile.name, SecretName.SPACES_SECRET, key.secret_key)
    print(
        f"created Spaces key {key.name} ({key.access_key}) with readwrite on {profile.bucket}, "
        f"{key.created_at:%Y-%m-%d}; secret stored in the keyring",
        file=out,
    )
    return replace(profile, credential_mode="spaces-key").with_spaces_key(key.access_key, key.created_at)


def _cmd_list(store: ProfileStore, secrets: SecretStore, out: TextIO) -> int:
    profiles = store.load()
    if not profiles:
        print(f"no profiles yet ({store.path}); add one with `themestudio profiles add`", file=out)
        return 0
    try:
        secrets.backend()
        keyring_error = None
    except KeyringUnavailable as exc:
        keyring_error = str(exc)
    now = now_utc()
    rows = [("NAME", "ENDPOINT", "BUCKET", "MODE", "SECRETS IN KEYRING", "KEY AGE")]
    reminders: list[str] = []
    for profile in sorted(profiles.values(), key=lambda p: p.name):
        if keyring_error:
            present = "? (no keyring)"
        else:
            have = secrets.present(profile.name)
            present = ", ".join(n.value for n, ok in have.items() if ok) or "none"
        age = profile.key_age_days(now)
        age_text = "-" if age is None else f"{age} d"
        if profile.needs_rotation(now):
            age_text += " (rotate)"
            reminders.append(
                f"profile {profile.label}: the Spaces key {profile.access_key_id} is {age} days old; "
                "create a new one (`profiles add ... --create-key`) and delete the old key"
            )
        rows.append(
            (profile.label, profile.endpoint, profile.bucket, profile.credential_mode, present, age_text)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), file=out)
    for line in reminders:
        print(f"reminder: {line}", file=out)
    if keyring_error:
        print(f"note: {keyring_error}", file=out)
    return 0


def _cmd_remove(args: argparse.Namespace, store: ProfileStore, secrets: SecretStore, out: TextIO) -> int:
    existed = store.remove(args.name)
    try:
        deleted = secrets.delete_all(args.name)
    except KeyringUnavailable as exc:
        print(
            f"removed profile {args.name} from {store.path}, but its keyring entries remain: {exc}", file=out
        )
        return 1
    if not existed and not deleted:
        print(f"no profile named {args.name!r}", file=out)
        return 1
    gone = ", ".join(n.value for n in deleted) or "none"
    print(f"removed profile {args.name} (keyring entries deleted: {gone})", file=out)
    return 0


def _cmd_test(args: argparse.Namespace, store: ProfileStore, secrets: SecretStore, out: TextIO) -> int:
    profile = store.get(args.name)
    print(f"testing profile {profile.label} ({profile.endpoint}, bucket {profile.bucket})", file=out)
    results = check_profile(profile, secrets, timeout=args.timeout)
    for result in results:
        print(f"  {result.line()}", file=out)
    ok = all_passed(results)
    print("all credentials work" if ok else "some checks failed", file=out)
    return 0 if ok else 1


def run(
    args: argparse.Namespace,
    *,
    store: ProfileStore | None = None,
    secrets: SecretStore | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the parsed ``profiles`` subcommand; returns the exit status (errors go to stderr, exit 2)."""
    store = store or ProfileStore()
    secrets = secrets or SecretStore()
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        command = args.profiles_command
        if command == "add":
            return _cmd_add(args, store, secrets, out, stdin or sys.stdin)
        if command == "list":
            return _cmd_list(store, secrets, out)
        if command == "remove":
            return _cmd_remove(args, store, secrets, out)
        if command == "test":
            return _cmd_test(args, store, secrets, out)
    except (ProfileError, KeyringUnavailable, DOApiError, OSError) as exc:
        print(f"themestudio profiles {args.profiles_command}: {exc}", file=err)
        return 2
    raise AssertionError(f"unknown profiles command {args.profiles_command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m studio.cli.profiles ...`` (the same as ``themestudio profiles ...``)."""
    parser = argparse.ArgumentParser(prog="themestudio profiles")
    build_parser(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
