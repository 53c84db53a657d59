"""Publishing profiles: where a theme goes (endpoint, bucket, CDN, backend) and how the studio authenticates.

A profile never holds a secret. The Spaces key secret, the DigitalOcean token and the backend token live in
the OS keyring (``studio.adapters.secrets``); this module only knows their names. Profiles are stored in
``user_config_dir()/profiles.toml``, written atomically so a crash never leaves half a file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

import tomli_w

from studio.core.atomic import atomic_write_text
from studio.core.limits import MAX_CONFIG_BYTES, InputLimitError, load_toml, read_text_limited
from studio.core.paths import user_config_dir

CredentialMode = Literal["spaces-key", "backend-grants"]
CREDENTIAL_MODES: tuple[CredentialMode, ...] = ("spaces-key", "backend-grants")
DEFAULT_BUCKET = "themesystem-assets"
LOCAL_PROFILE = "local"  # the sandbox profile backed by a local SeaweedFS; labelled "local" in every UI
# The same sandbox seen by a reviewer: nobody may review their own drafts, so reviewing on one machine
# needs a second identity.
LOCAL_REVIEWER_PROFILE = "local-reviewer"
ROTATION_DAYS = 90
FILE_NAME = "profiles.toml"
FORMAT_VERSION = 1

# Profile names end up in keyring service names and on command lines: keep them plain.
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# S3 bucket naming rules (lowercase DNS label-ish, 3..63 chars).
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# https://<region>.digitaloceanspaces.com
_SPACES_HOST_RE = re.compile(r"^([a-z0-9-]+)\.digitaloceanspaces\.com$")


class ProfileError(ValueError):
    """A profile is invalid or the profiles file cannot be read; ``str()`` is fit for the user."""


def region_from_endpoint(endpoint: str) -> str | None:
    """The Spaces region in an endpoint URL (``https://fra1.digitaloceanspaces.com`` -> ``fra1``) or None."""
    host = (urlsplit(endpoint).hostname or "").lower()
    match = _SPACES_HOST_RE.match(host)
    return match.group(1) if match else None


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class Profile:
    """One publishing destination and its credential mode; secrets are in the keyring, never here.

    Attributes:
        name: identifies the profile (and its keyring service ``themesystem-studio/<name>``).
        endpoint: the S3 endpoint URL, e.g. ``https://fra1.digitaloceanspaces.com``.
        region: the signing region (``fra1``; ``us-east-1`` for most local S3 servers).
        bucket: the bucket that holds every theme.
        cdn_base_url: where the public objects are served from (CDN or bucket URL).
        cdn_endpoint_id: the DigitalOcean CDN endpoint to purge after moving ``latest``; None: no purge.
        backend_url: the ThemeSystem API; needed for registration, drafts and ``backend-grants``.
        credential_mode: ``spaces-key`` (a bucket key on this machine) or ``backend-grants`` (presigned
            grants from the backend; no bucket key on the desktop).
        access_key_id: the Spaces access key id (not a secret); its secret is in the keyring.
        spaces_key_created_at: when the Spaces key was created, for the rotation reminder.
    """

    name: str
    endpoint: str
    region: str
    bucket: str = DEFAULT_BUCKET
    cdn_base_url: str = ""
    cdn_endpoint_id: str | None = None
    backend_url: str | None = None
    credential_mode: CredentialMode = "spaces-key"
    access_key_id: str | None = None
    spaces_key_created_at: datetime | None = field(default=None)

    @property
    def is_local(self) -> bool:
        """Whether this is the local sandbox profile (the UI labels it "local" everywhere)."""
        return self.name in (LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE)

    @property
    def label(self) -> str:
        """The name as shown to the user: the sandbox carries a "(local)" marker."""
        return f"{self.name} (local)" if self.is_local else self.name

    def key_age_days(self, now: datetime) -> int | None:
        """Whole days since the Spaces key was created, or None when the date is unknown."""
        if self.spaces_key_created_at is None:
            return None
        return max(0, (now - self.spaces_key_created_at).days)

    def needs_rotation(self, now: datetime, max_age_days: int = ROTATION_DAYS) -> bool:
        """Whether the Spaces key is older than ``max_age_days`` (a reminder; nothing stops working)."""
        age = self.key_age_days(now)
        return self.credential_mode == "spaces-key" and age is not None and age >= max_age_days

    def problems(self) -> list[str]:
        """What is wrong with this profile, as sentences for the user; empty when it is valid."""
        out: list[str] = []
        if not _NAME_RE.match(self.name):
            out.append(
                f"profile name {self.name!r} must start with a letter or digit and use only letters, digits, "
                "'.', '_' or '-' (at most 64 characters)"
            )
        if not _is_http_url(self.endpoint):
            out.append(
                f"endpoint {self.endpoint!r} must be an http(s) URL, e.g. https://fra1.digitaloceanspaces.com"
            )
        if not self.region.strip():
            out.append("region is empty (e.g. fra1 for Spaces, us-east-1 for a local S3 server)")
        if not _BUCKET_RE.match(self.bucket):
            out.append(
                f"bucket {self.bucket!r} is not a valid bucket name (3-63 of a-z, 0-9, '.', '-')"
            )
        if self.cdn_base_url and not _is_http_url(self.cdn_base_url):
            out.append(f"CDN base URL {self.cdn_base_url!r} must be an http(s) URL")
        if self.backend_url and not _is_http_url(self.backend_url):
            out.append(f"backend URL {self.backend_url!r} must be an http(s) URL")
        if self.credential_mode not in CREDENTIAL_MODES:
            out.append(
                f"credential mode {self.credential_mode!r} must be one of {', '.join(CREDENTIAL_MODES)}"
            )
        if self.credential_mode == "backend-grants" and not self.backend_url:
            out.append("credential mode backend-grants needs a backend URL")
        if self.spaces_key_created_at is not None and self.spaces_key_created_at.tzinfo is None:
            out.append("spaces_key_created_at must carry a time zone")
        return out

    def validated(self) -> Profile:
        """Return self, or raise ProfileError listing every problem."""
        problems = self.problems()
        if problems:
            raise ProfileError(f"profile {self.name!r}: " + "; ".join(problems))
        return self

    def with_spaces_key(self, access_key_id: str, created_at: datetime) -> Profile:
        """A copy that uses a (new) Spaces key created at ``created_at``."""
        return replace(self, access_key_id=access_key_id, spaces_key_created_at=created_at)

    def public_base_url(self) -> str:
        """Where public objects are read: the CDN base URL, else the bucket under the endpoint path-style."""
        if self.cdn_base_url:
            return self.cdn_base_url.rstrip("/")
        return f"{self.endpoint.rstrip('/')}/{self.bucket}"


def make_profile(
    name: str,
    endpoint: str,
    *,
    region: str | None = None,
    **fields: Any,
) -> Profile:
    """Build and validate a profile, deriving the region from a Spaces endpoint when it is not given.

    Raises:
        ProfileError: a field is invalid, or the region cannot be derived.
    """
    derived = region or region_from_endpoint(endpoint)
    if not derived:
        raise ProfileError(
            f"profile {name!r}: give a region; it cannot be derived from the endpoint {endpoint!r} "
            "(only https://<region>.digitaloceanspaces.com endpoints name their region)"
        )
    return Profile(name=name, endpoint=endpoint, region=derived, **fields).validated()


def now_utc() -> datetime:
    """The current time with its time zone, as stored in ``spaces_key_created_at``."""
    return datetime.now(UTC)


def _to_table(profile: Profile) -> dict[str, Any]:
    table: dict[str, Any] = {
        "endpoint": profile.endpoint,
        "region": profile.region,
        "bucket": profile.bucket,
        "cdn_base_url": profile.cdn_base_url,
        "credential_mode": profile.credential_mode,
    }
    # TOML has no null: absent means None.
    optional = {
        "cdn_endpoint_id": profile.cdn_endpoint_id,
        "backend_url": profile.backend_url,
        "access_key_id": profile.access_key_id,
        "spaces_key_created_at": profile.spaces_key_created_at,
    }
    table.update({k: v for k, v in optional.items() if v is not None})
    return table


_FIELDS = {
    "endpoint",
    "region",
    "bucket",
    "cdn_base_url",
    "cdn_endpoint_id",
    "backend_url",
    "credential_mode",
    "access_key_id",
    "spaces_key_created_at",
}


def _from_table(name: str, table: Mapping[str, Any], source: Path) -> Profile:
    unknown = set(table) - _FIELDS
    if unknown:
        raise ProfileError(f"{source}: profile {name!r} has unknown field(s): {', '.join(sorted(unknown))}")
    try:
        created = table.get("spaces_key_created_at")
        if created is not None and not isinstance(created, datetime):
            raise ProfileError(f"{source}: profile {name!r}: spaces_key_created_at must be a date-time")
        strings = {k: table[k] for k in _FIELDS - {"spaces_key_created_at"} if k in table}
        for key, value in strings.items():
            if not isinstance(value, str):
                raise ProfileError(f"{source}: profile {name!r}: {key} must be a string")
        profile = Profile(
            name=name,
            endpoint=strings.get("endpoint", ""),
            region=strings.get("region", ""),
            bucket=strings.get("bucket", DEFAULT_BUCKET),
            cdn_base_url=strings.get("cdn_base_url", ""),
            cdn_endpoint_id=strings.get("cdn_endpoint_id"),
            backend_url=strings.get("backend_url"),
            credential_mode=cast(CredentialMode, strings.get("credential_mode", "spaces-key")),
            access_key_id=strings.get("access_key_id"),
            spaces_key_created_at=created,
        )
        return profile.validated()
    except ProfileError as exc:
        if str(exc).startswith(str(source)):
            raise
        raise ProfileError(f"{source}: {exc}") from None


def default_profiles_path() -> Path:
    """``user_config_dir()/profiles.toml``."""
    return user_config_dir() / FILE_NAME


class ProfileStore:
    """Reads and writes ``profiles.toml``; every change is a whole-file atomic replace."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_profiles_path()

    def load(self) -> dict[str, Profile]:
        """All profiles by name (empty when the file does not exist yet).

        Raises:
            ProfileError: the file is not valid TOML or holds an invalid profile.
        """
        try:
            text = read_text_limited(self.path, MAX_CONFIG_BYTES, "the profiles file")
        except FileNotFoundError:
            return {}
        except InputLimitError as exc:
            raise ProfileError(str(exc)) from exc
        except OSError as exc:
            raise ProfileError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise ProfileError(f"{self.path} is not UTF-8 text; fix or remove it") from exc
        try:
            data = load_toml(text, self.path)
        except InputLimitError as exc:
            raise ProfileError(str(exc)) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{self.path} is not valid TOML: {exc}") from exc
        tables = data.get("profiles", {})
        if not isinstance(tables, dict):
            raise ProfileError(f"{self.path}: [profiles] must be a table")
        out: dict[str, Profile] = {}
        for name, table in tables.items():
            if not isinstance(table, dict):
                raise ProfileError(f"{self.path}: profiles.{name} must be a table")
            out[name] = _from_table(name, table, self.path)
        return out

    def save(self, profiles: Iterable[Profile]) -> None:
        """Replace the file with exactly ``profiles`` (validated first, so a bad one writes nothing)."""
        items = sorted((p.validated() for p in profiles), key=lambda p: p.name)
        doc = {"format": FORMAT_VERSION, "profiles": {p.name: _to_table(p) for p in items}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, tomli_w.dumps(doc))

    def get(self, name: str) -> Profile:
        """The profile called ``name``.

        Raises:
            ProfileError: there is no such profile (the message lists the ones there are).
        """
        profiles = self.load()
        try:
            return profiles[name]
        except KeyError:
            known = ", ".join(sorted(profiles)) or "none yet"
            raise ProfileError(f"no profile named {name!r} (profiles: {known})") from None

    def put(self, profile: Profile) -> None:
        """Add ``profile`` or replace the one with its name."""
        profiles = self.load()
        profiles[profile.name] = profile.validated()
        self.save(profiles.values())

    def remove(self, name: str) -> bool:
        """Delete the profile called ``name``; returns whether it existed."""
        profiles = self.load()
        if profiles.pop(name, None) is None:
            return False
        self.save(profiles.values())
        return True
