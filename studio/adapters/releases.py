"""A theme's published releases: list them from the backend, read one, yank one and fix the ``latest`` alias.

Yanking hides a version from ``available_versions`` on the backend; its bytes stay in the bucket, so
consumers pinned to ``<id>/<version>/theme.css`` keep working. The ``latest`` alias, however, must not keep
serving a yanked release: when it holds the yanked version it is pointed back at the newest release that is
not yanked (a server-side copy with the bucket key), or removed when none is left. Without a bucket key
(grant mode) the alias cannot be moved from this machine, and the outcome says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.adapters.backend_client import BackendClient, BackendError
from studio.adapters.object_store import ObjectStore
from studio.core.drafts import DraftError, check_approved_bytes
from studio.core.publish_plan import LATEST_CACHE, latest_css_key, version_prefix


@dataclass(frozen=True)
class ReleaseRecord:
    """One registered release, as the backend lists it (yanked ones included)."""

    version: str
    created_at: str
    sha256: str
    size: int
    css_url: str
    changes: str = ""
    yanked_at: str | None = None
    contrast_waiver: str | None = None  # the author's reason, when published despite AA contrast failures
    contrast_failures: tuple[str, ...] = ()  # the failing pairs the backend found, described

    @property
    def waiver_text(self) -> str:
        """The waiver in words for a tooltip or a reviewer ('' when the release has none)."""
        if self.contrast_waiver is None:
            return ""
        pairs = "\n".join(f"  {p}" for p in self.contrast_failures)
        return f"Published with a contrast waiver: {self.contrast_waiver}\nPairs below WCAG 2 AA:\n{pairs}"

    @property
    def yanked(self) -> bool:
        return self.yanked_at is not None

    @classmethod
    def from_json(cls, data: Any) -> ReleaseRecord:
        """Parse the backend's ``VersionPublic``.

        Raises:
            BackendError: the answer is not a version.
        """
        try:
            return cls(
                version=str(data["version"]),
                created_at=str(data["created_at"]),
                sha256=str(data["sha256"]).lower(),
                size=int(data["size"]),
                css_url=str(data["css_url"]),
                changes=str(data.get("changes") or ""),
                yanked_at=None if data.get("yanked_at") is None else str(data["yanked_at"]),
                **_waiver(data.get("contrast_waiver")),
            )
        except (KeyError, TypeError, ValueError):
            raise BackendError("the backend answered with something that is not a version") from None


def _waiver(data: Any) -> dict[str, Any]:
    """ReleaseRecord fields from the backend's ``contrast_waiver`` (absent on older backends)."""
    if not isinstance(data, dict) or not isinstance(data.get("reason"), str):
        return {}
    raw = data.get("failures")
    failures: list[Any] = raw if isinstance(raw, list) else []
    described = tuple(
        f"{f.get('foreground')} on {f.get('background')} [{f.get('scheme')}]: "
        f"{float(f.get('ratio', 0)):.2f}:1, APCA Lc {float(f.get('apca', 0)):.0f}"
        for f in failures
        if isinstance(f, dict)
    )
    return {"contrast_waiver": data["reason"], "contrast_failures": described}


def list_releases(backend: BackendClient, theme_id: str) -> list[ReleaseRecord]:
    """Every release of the theme, newest first; ``[]`` when the backend does not know the theme."""
    try:
        return [ReleaseRecord.from_json(item) for item in backend.list_versions(theme_id)]
    except BackendError as exc:
        if exc.status == 404:
            return []
        raise


def read_release(store: ObjectStore, theme_id: str, release: ReleaseRecord) -> str:
    """The release's stylesheet through its public URL, checked against the registered sha256.

    Raises:
        DraftError: the public URL did not answer 200, or answered other bytes.
        ObjectStoreError: the storage is unreachable.
    """
    key = version_prefix(theme_id, release.version) + "theme.css"
    status, body, _headers = store.get_public(key)
    if status != 200:
        raise DraftError(f"Reading release {release.version} failed: its public URL answered HTTP {status}.")
    check_approved_bytes(release.sha256, body, f"The downloaded release {release.version}")
    return body.decode("utf-8-sig", errors="replace")


@dataclass(frozen=True)
class YankOutcome:
    """What a yank did.

    Attributes:
        release: the release as the backend now records it (``yanked_at`` set).
        was_latest: whether the ``latest`` alias served the yanked version.
        latest_version: the version ``latest`` serves now (None: no alias, or it still serves the yanked one).
        latest_moved: whether the alias was changed (moved back, or removed).
        message: one paragraph for the user about ``latest``.
    """

    release: ReleaseRecord
    was_latest: bool
    latest_version: str | None
    latest_moved: bool
    message: str


def latest_alias_version(store: ObjectStore, theme_id: str) -> str | None:
    """The version the ``latest`` alias holds (its ``version`` metadata), or None when there is no alias."""
    key = latest_css_key(theme_id)
    if store.has_credentials:
        info = store.head(key)
        return None if info is None else info.metadata.get("version")
    status, _body, headers = store.get_public(key)
    if status != 200:
        return None
    lowered = {name.lower(): value for name, value in headers.items()}
    return lowered.get("x-amz-meta-version")


def yank_release(backend: BackendClient, store: ObjectStore, theme_id: str, version: str) -> YankOutcome:
    """Yank ``version`` on the backend, then make sure ``latest`` does not serve it.

    Raises:
        BackendError: not the theme's author, unknown version, backend unreachable.
        ObjectStoreError: the alias could not be read or moved (the yank itself is done by then).
    """
    held = latest_alias_version(store, theme_id)  # before the yank: the backend may move the alias itself
    release = ReleaseRecord.from_json(backend.yank(theme_id, version))
    if held != version:
        where = f"serves {held}" if held else "does not exist"
        return YankOutcome(release, False, held, False, f"The latest alias {where}; it was left as it is.")
    now = latest_alias_version(store, theme_id)
    if now != version:
        where = f"to {now}" if now else "away (no release remains)"
        return YankOutcome(
            release,
            True,
            now,
            True,
            f"The backend moved the latest alias {where}. Caches may serve the old alias for up to 60 s.",
        )
    remaining = backend.available_versions(theme_id)  # not yanked, newest first
    if not store.has_credentials:
        return YankOutcome(
            release,
            True,
            None,
            False,
            f"The latest alias still serves {version}: moving it is a server-side copy that needs the bucket "
            "key, and this profile uploads through backend grants. Publish a new release (or use a profile "
            "with a Spaces key) to move it.",
        )
    key = latest_css_key(theme_id)
    if not remaining:
        store.delete(key)
        return YankOutcome(
            release,
            True,
            None,
            True,
            f"{version} was the only release: the latest alias was removed, so …/latest/theme.css answers "
            "404 until the next release. Caches may serve the old alias for up to 60 s.",
        )
    target = remaining[0]
    source = version_prefix(theme_id, target) + "theme.css"
    info = store.head(source)
    if info is None:
        raise DraftError(f"Release {target} has no theme.css in the bucket; the latest alias was not moved.")
    headers = {"Content-Type": info.content_type or "text/css", "Cache-Control": LATEST_CACHE}
    headers.update({f"x-amz-meta-{name}": value for name, value in sorted(info.metadata.items())})
    store.copy(source, key, headers)
    moved = store.head(key)
    if moved is None or moved.metadata.get("version") != target:
        raise DraftError(f"The latest alias did not take release {target}'s bytes.")
    return YankOutcome(
        release,
        True,
        target,
        True,
        f"The latest alias served {version}; it now serves {target}, the newest release that is not yanked. "
        "Caches may serve the old alias for up to 60 s.",
    )
