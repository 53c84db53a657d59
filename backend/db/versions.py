"""Theme versions: register a release (immutable, strictly increasing, safe to retry) and yank."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from backend.semver import Version

_VERSION_COLUMNS = (
    "id, theme_id, version, changes, sha256, size, css_url, published_by, yanked_at, created_at, "
    "sri, manifest_key, draft_id, contrast_waiver"
)


class Outcome(enum.Enum):
    CREATED = "created"  # new version stored
    EXISTS = "exists"  # same version, same bytes: the safe retry
    CONFLICT = "conflict"  # same version, different bytes
    NOT_GREATER = "not_greater"  # not above the latest version
    NO_THEME = "no_theme"
    GRANTS_OUTSTANDING = "grants_outstanding"  # a file granted for this version is not among the verified


@dataclass(frozen=True)
class Registration:
    outcome: Outcome
    record: dict[str, Any] | None = None
    latest: str | None = None
    pending: tuple[str, ...] = ()  # GRANTS_OUTSTANDING: the granted keys not verified


async def list_versions(conn: AsyncConnection[DictRow], theme_id: UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"SELECT {_VERSION_COLUMNS} FROM theme_versions WHERE theme_id = %s "
        "ORDER BY created_at DESC, id DESC",
        (theme_id,),
    )
    return await cur.fetchall()


async def register(
    conn: AsyncConnection[DictRow],
    theme_id: UUID,
    *,
    version: Version,
    changes: str,
    sha256: str,
    size: int,
    css_url: str,
    published_by: UUID,
    sri: str,
    manifest_key: str,
    manifest: str,
    draft_id: UUID | None,
    verified_keys: frozenset[str],
    contrast_waiver: dict[str, Any] | None = None,
) -> Registration:
    """Register a verified release in one transaction.

    ``verified_keys`` are the objects verification read. A key granted for this version whose grant still
    works but which is not among them refuses the registration (GRANTS_OUTSTANDING, ``pending``): uploaded
    later, it would sit in the release unverified. Grants take the theme row too (:func:`record_grants`).

    The theme row is locked first (FOR UPDATE), so concurrent registrations for one theme — from any number of
    app instances — run one after the other: the second sees the first's row and answers EXISTS or CONFLICT.
    The UNIQUE(theme_id, version) constraint backs this up with ON CONFLICT DO NOTHING. The theme becomes
    published unless its author withdrew it (``PATCH published=false`` sticks).
    """
    async with conn.transaction():
        cur = await conn.execute("SELECT id FROM themes WHERE id = %s FOR UPDATE", (theme_id,))
        if await cur.fetchone() is None:
            return Registration(Outcome.NO_THEME)
        cur = await conn.execute(
            f"SELECT {_VERSION_COLUMNS} FROM theme_versions WHERE theme_id = %s", (theme_id,)
        )
        existing = await cur.fetchall()
        for row in existing:
            if Version(row["version"]) == version:
                same = row["sha256"] == sha256 and row["size"] == size
                return Registration(Outcome.EXISTS if same else Outcome.CONFLICT, row)
        latest = max((Version(row["version"]) for row in existing), default=None)
        if latest is not None and version <= latest:
            return Registration(Outcome.NOT_GREATER, latest=str(latest))
        cur = await conn.execute(
            "SELECT object_key FROM release_grants "
            "WHERE theme_id = %s AND version = %s AND usable_until > now()",
            (theme_id, version.text),
        )
        granted = [row["object_key"] for row in await cur.fetchall()]
        pending = sorted(key for key in granted if key not in verified_keys)
        if pending:
            return Registration(Outcome.GRANTS_OUTSTANDING, pending=tuple(pending))
        await conn.execute(
            "DELETE FROM release_grants WHERE theme_id = %s AND version = %s", (theme_id, version.text)
        )
        cur = await conn.execute(
            "INSERT INTO theme_versions (theme_id, version, changes, sha256, size, css_url, published_by, "
            "sri, manifest_key, manifest, draft_id, contrast_waiver) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (theme_id, version) DO NOTHING "
            f"RETURNING {_VERSION_COLUMNS}",
            (
                theme_id, version.text, changes, sha256, size, css_url, published_by,
                sri, manifest_key, manifest, draft_id,
                Jsonb(contrast_waiver) if contrast_waiver is not None else None,
            ),
        )
        record = await cur.fetchone()
        if record is None:  # unreachable while the row lock holds; kept as the constraint's second line
            return Registration(Outcome.CONFLICT)
        await conn.execute(
            "UPDATE themes SET version = %s, css_url = %s, published = NOT withdrawn, updated_at = now() "
            "WHERE id = %s",
            (version.text, css_url, theme_id),
        )
    return Registration(Outcome.CREATED, record)


async def record_grants(
    conn: AsyncConnection[DictRow], theme_id: UUID, version: str, keys: list[str], usable_until: datetime
) -> bool:
    """Record upload grants for ``version``'s keys, under the theme row lock; False when it is registered.

    Call inside a transaction: the lock orders grants and :func:`register` (the registration either sees the
    grant, or the grant sees the registered version).
    """
    await conn.execute("SELECT id FROM themes WHERE id = %s FOR SHARE", (theme_id,))
    if await find_version(conn, theme_id, version) is not None:
        return False
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO release_grants (theme_id, version, object_key, usable_until) "
            "VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (theme_id, version, object_key) "
            "DO UPDATE SET usable_until = greatest(release_grants.usable_until, excluded.usable_until)",
            [(theme_id, version, key, usable_until) for key in keys],
        )
    return True


async def latest_version(conn: AsyncConnection[DictRow], theme_id: UUID) -> Version | None:
    cur = await conn.execute("SELECT version FROM theme_versions WHERE theme_id = %s", (theme_id,))
    return max((Version(row["version"]) for row in await cur.fetchall()), default=None)


async def find_version(conn: AsyncConnection[DictRow], theme_id: UUID, version: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {_VERSION_COLUMNS} FROM theme_versions WHERE theme_id = %s AND version = %s",
        (theme_id, version),
    )
    return await cur.fetchone()


async def stored_manifest(conn: AsyncConnection[DictRow], version_id: UUID) -> str | None:
    """The signed manifest envelope (JSON text) registered with a version, None for older versions."""
    cur = await conn.execute("SELECT manifest FROM theme_versions WHERE id = %s", (version_id,))
    row = await cur.fetchone()
    return None if row is None else row["manifest"]


async def yank(conn: AsyncConnection[DictRow], theme_id: UUID, version: str) -> dict[str, Any] | None:
    """Mark a version yanked; the theme's current version/css_url move to the newest version not yanked."""
    async with conn.transaction():
        await conn.execute("SELECT id FROM themes WHERE id = %s FOR UPDATE", (theme_id,))
        cur = await conn.execute(
            "UPDATE theme_versions SET yanked_at = COALESCE(yanked_at, now()) "
            f"WHERE theme_id = %s AND version = %s RETURNING {_VERSION_COLUMNS}",
            (theme_id, version),
        )
        record = await cur.fetchone()
        if record is None:
            return None
        cur = await conn.execute(
            "SELECT version, css_url FROM theme_versions WHERE theme_id = %s AND yanked_at IS NULL",
            (theme_id,),
        )
        live = await cur.fetchall()
        newest = max(live, key=lambda row: Version(row["version"]), default=None)
        await conn.execute(
            "UPDATE themes SET version = %s, css_url = %s, published = %s AND NOT withdrawn, "
            "updated_at = now() WHERE id = %s",
            (
                newest["version"] if newest else None,
                newest["css_url"] if newest else None,
                newest is not None,
                theme_id,
            ),
        )
    return record
