"""The ``latest`` alias of a theme: ``themes-published/<id>/latest/theme.css`` (DESIGN section 2).

The alias is a server-side copy of one release's ``theme.css`` with a short Cache-Control. Writing it needs
the bucket key, which only the backend holds, so grant-mode publishers (no key on the desktop) ask the backend
to move it, and a yank moves it back. Both go through :func:`point_latest`.

Rules: the alias only ever serves the newest registered, non-yanked version (never backwards), and only bytes
whose ``sha256`` metadata equals the registered sha256. Every change runs under the theme's row lock
(``SELECT ... FOR UPDATE``, the lock registration and yank take too), so two instances moving the alias at
once run one after the other and the newest release wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import anyio.to_thread
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from backend.semver import Version
from backend.storage import ObjectStorage, StorageError

LATEST_CACHE = "public, max-age=60"
PUBLISHED_PREFIX = "themes-published"

AliasAction = Literal["moved", "unchanged", "removed", "kept", "failed"]


class AliasError(Exception):
    """The alias cannot (or could not) be moved; ``status``/``code`` become the API's error answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AliasOutcome:
    """What happened to the alias.

    Attributes:
        action: ``moved`` (copied now), ``unchanged`` (already served that release), ``removed`` (no live
            release left), ``kept`` (a yank that did not concern the alias), ``failed`` (see ``message``).
        version: the version the alias serves afterwards (None when there is no alias).
        key: the alias key.
        message: one sentence for people.
    """

    action: AliasAction
    version: str | None
    key: str
    message: str


def latest_css_key(theme_id: UUID | str) -> str:
    return f"{PUBLISHED_PREFIX}/{theme_id}/latest/theme.css"


def release_css_key(theme_id: UUID | str, version: str) -> str:
    return f"{PUBLISHED_PREFIX}/{theme_id}/{version}/theme.css"


def point_latest(storage: ObjectStorage, theme_id: UUID, version: str, sha256: str) -> AliasOutcome:
    """Make the alias serve ``version``'s stored ``theme.css`` after checking it holds the registered bytes.

    Blocking (boto3): call it from a worker thread.

    Raises:
        AliasError: 409 when the release's object is missing or holds other bytes; 503 when the store fails.
    """
    source, alias = release_css_key(theme_id, version), latest_css_key(theme_id)
    try:
        stored = storage.head_object(source)
        if stored is None:
            raise AliasError(
                409,
                "object_missing",
                f"{source} is not in the bucket: upload the release before moving latest to it.",
            )
        if stored.metadata.get("sha256", "").lower() != sha256.lower():
            raise AliasError(
                409,
                "object_mismatch",
                f"{source} does not hold the registered bytes (its sha256 metadata differs); "
                "latest was not moved.",
            )
        current = storage.head_object(alias)
        if (
            current is not None
            and current.metadata.get("version") == version
            and current.metadata.get("sha256", "").lower() == sha256.lower()
            and current.cache_control == LATEST_CACHE
            and current.content_type == stored.content_type
        ):
            return AliasOutcome("unchanged", version, alias, f"latest already serves {version}.")
        metadata = dict(stored.metadata) | {"sha256": sha256.lower(), "version": version}
        storage.copy_object(
            source,
            alias,
            content_type=stored.content_type or "text/css",
            cache_control=LATEST_CACHE,
            metadata=metadata,
        )
        moved = storage.head_object(alias)
    except StorageError as exc:
        raise AliasError(503, "storage_unavailable", f"Object storage failed: {exc}. Try again.") from None
    if moved is None or moved.metadata.get("sha256", "").lower() != sha256.lower():
        raise AliasError(503, "alias_not_moved", "The store did not keep the new latest alias; try again.")
    return AliasOutcome("moved", version, alias, f"latest now serves {version}.")


def remove_latest(storage: ObjectStorage, theme_id: UUID) -> AliasOutcome:
    """Delete the alias (no live release is left to serve). Blocking.

    Raises:
        AliasError: 503 when the store fails.
    """
    alias = latest_css_key(theme_id)
    try:
        storage.delete_object(alias)
    except StorageError as exc:
        raise AliasError(503, "storage_unavailable", f"Object storage failed: {exc}. Try again.") from None
    return AliasOutcome("removed", None, alias, "No release is left that is not yanked: latest was removed.")


async def move_latest(
    conn: AsyncConnection[DictRow], storage: ObjectStorage, theme_id: UUID, version: str
) -> AliasOutcome:
    """Point the alias at ``version``: registered, not yanked, the newest such, and stored with its sha256.

    Raises:
        AliasError: 404 unknown theme; 409 not registered, yanked, not the newest, object missing or other
            bytes; 503 store failure.
    """
    async with conn.transaction():
        rows = await _locked_versions(conn, theme_id)
        if rows is None:
            raise AliasError(404, "not_found", "No such theme.")
        target = next((row for row in rows if Version(row["version"]) == Version(version)), None)
        if target is None:
            raise AliasError(
                409, "version_not_registered", f"Version {version} is not registered: register it first."
            )
        if target["yanked_at"] is not None:
            raise AliasError(409, "version_yanked", f"Version {version} is yanked; latest never serves it.")
        newest = _newest_live(rows)
        assert newest is not None  # the target itself is live
        if newest["version"] != target["version"]:
            raise AliasError(
                409,
                "version_not_newest",
                f"Version {version} is not the newest release ({newest['version']} is); "
                "latest never moves backwards.",
            )
        return await anyio.to_thread.run_sync(
            point_latest, storage, theme_id, str(target["version"]), str(target["sha256"])
        )


async def repoint_after_yank(
    conn: AsyncConnection[DictRow], storage: ObjectStorage, theme_id: UUID, yanked: str
) -> AliasOutcome:
    """After a yank: when the alias serves ``yanked``, move it to the newest live release or delete it.

    Never raises: a failure is an outcome (``failed``) the caller reports; yanking again retries.
    """
    alias = latest_css_key(theme_id)
    try:
        async with conn.transaction():
            rows = await _locked_versions(conn, theme_id)
            if rows is None:
                return AliasOutcome("failed", None, alias, "No such theme.")
            current = await anyio.to_thread.run_sync(storage.head_object, alias)
            held = current.metadata.get("version") if current is not None else None
            if held != yanked:
                where = f"serves {held}" if held else "does not exist"
                return AliasOutcome("kept", held, alias, f"latest {where}; it was left as it is.")
            newest = _newest_live(rows)
            if newest is None:
                return await anyio.to_thread.run_sync(remove_latest, storage, theme_id)
            return await anyio.to_thread.run_sync(
                point_latest, storage, theme_id, str(newest["version"]), str(newest["sha256"])
            )
    except StorageError as exc:
        return AliasOutcome("failed", yanked, alias, f"Object storage failed: {exc}; yank again to retry.")
    except AliasError as exc:
        return AliasOutcome(
            "failed", yanked, alias, f"latest still serves {yanked}: {exc.message} Yank again to retry."
        )


async def _locked_versions(conn: AsyncConnection[DictRow], theme_id: UUID) -> list[dict[str, Any]] | None:
    """Lock the theme row (as registration and yank do) and return its versions; None when no such theme."""
    cur = await conn.execute("SELECT id FROM themes WHERE id = %s FOR UPDATE", (theme_id,))
    if await cur.fetchone() is None:
        return None
    cur = await conn.execute(
        "SELECT version, sha256, yanked_at FROM theme_versions WHERE theme_id = %s", (theme_id,)
    )
    return list(await cur.fetchall())


def _newest_live(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    live = [row for row in rows if row["yanked_at"] is None]
    return max(live, key=lambda row: Version(row["version"]), default=None)
