"""Remove release uploads that never became a registered version (``themesystem-api cleanup-uploads``).

A release grant lets an author upload ``themes-published/<id>/<version>/...`` (the preview
``themes-previews/<id>/<version>.png`` and the documentation ``themes-documentation/<id>/<version>/...``)
before the version is registered; when registration never comes
(refused verification, abandoned publish, an attacker parking files on the CDN origin) the objects would stay
public for ever. This job removes them once they are older than a threshold (a day by default).

What it never touches:
- registered versions, yanked ones included (consumers may pin them);
- the ``latest`` alias, and any key outside the ``<id>/<version>/`` layout;
- ``themes-drafts/`` (not scanned at all), and documentation keys outside ``<id>/<version>/...``;
- ids the registry does not know: objects published with a bucket key before (or without) a backend are not
  this service's to judge. Grants only exist for registered themes, so every grant upload is in scope.

Why not a Spaces lifecycle rule: lifecycle rules expire objects by prefix (and tags) and age, with no notion
of "registered", so a rule on ``themes-published/`` would delete live releases. A rule is still useful for
``AbortIncompleteMultipartUpload`` (parts of abandoned multipart uploads are invisible to a listing); this
job is the mechanism for unregistered uploads.

Races: each theme's candidates are re-checked and deleted while holding its row lock (``FOR SHARE``), the lock
registration takes ``FOR UPDATE``, so a version registered meanwhile is seen and kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from backend.storage import ListedObject, ObjectStorage, StorageError

PUBLISHED = "themes-published/"
PREVIEWS = "themes-previews/"
DOCS = "themes-documentation/"
LATEST = "latest"


@dataclass(frozen=True)
class Upload:
    """An object of one release, as the bucket lists it."""

    theme_id: UUID
    version: str
    key: str
    size: int
    last_modified: datetime


@dataclass
class CleanupReport:
    """What a run found and did.

    Attributes:
        removed: unregistered uploads deleted (or, in a dry run, that would be).
        failed: keys whose deletion failed, with the reason.
        recent: unregistered uploads kept because they are younger than the threshold.
        unknown_theme: objects under ids the registry has no theme for (left alone).
        scanned: objects listed.
    """

    removed: list[Upload] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    recent: int = 0
    unknown_theme: int = 0
    scanned: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def release_of(key: str) -> tuple[UUID, str] | None:
    """The (theme id, version) a key belongs to, or None for keys outside the release layout or ``latest``."""
    if key.startswith((PUBLISHED, DOCS)):
        parts = key.split("/", 1)[1].split("/")
        if len(parts) < 3 or not parts[1] or not parts[-1]:
            return None
        raw_id, version = parts[0], parts[1]
    elif key.startswith(PREVIEWS):
        parts = key[len(PREVIEWS) :].split("/")
        if len(parts) != 2 or not parts[1].endswith(".png"):
            return None
        raw_id, version = parts[0], parts[1].removesuffix(".png")
    else:
        return None
    if not version or version == LATEST:
        return None
    try:
        return UUID(raw_id), version
    except ValueError:
        return None


def _uploads(objects: Iterable[ListedObject], report: CleanupReport) -> dict[UUID, list[Upload]]:
    by_theme: dict[UUID, list[Upload]] = defaultdict(list)
    for item in objects:
        report.scanned += 1
        release = release_of(item.key)
        if release is not None:
            theme_id, version = release
            by_theme[theme_id].append(Upload(theme_id, version, item.key, item.size, item.last_modified))
    return by_theme


def cleanup_uploads(
    storage: ObjectStorage,
    dsn: str,
    *,
    older_than: timedelta,
    now: datetime,
    dry_run: bool = False,
    on_removed: Callable[[Upload], None] | None = None,
) -> CleanupReport:
    """Delete unregistered release uploads last modified at or before ``now - older_than``, and the
    records of upload grants that have stopped working.

    Args:
        storage: the bucket (with the backend's key: listing and deleting need it).
        dsn: the registry database.
        older_than: minimum age of an object to be removed (0 in tests: the store's clock cannot be faked).
        now: the current time (UTC).
        dry_run: report what would be removed, delete nothing.
        on_removed: called for each upload removed (or that would be).

    Raises:
        StorageError: the bucket could not be listed.
        psycopg.Error: the registry could not be read.
    """
    report = CleanupReport()
    cutoff = now - older_than
    # Listed before the registry is read: a version registered during the listing is seen below.
    listed = [*storage.list_objects(PUBLISHED), *storage.list_objects(PREVIEWS), *storage.list_objects(DOCS)]
    by_theme = _uploads(listed, report)
    with psycopg.connect(dsn, row_factory=dict_row, autocommit=False) as conn:
        for theme_id, uploads in sorted(by_theme.items(), key=lambda item: str(item[0])):
            with conn.transaction():
                # FOR SHARE: registration (FOR UPDATE on the same row) waits until these deletions are done.
                row = conn.execute("SELECT id FROM themes WHERE id = %s FOR SHARE", (theme_id,)).fetchone()
                if row is None:
                    report.unknown_theme += len(uploads)
                    continue
                registered = {
                    str(r["version"])
                    for r in conn.execute(
                        "SELECT version FROM theme_versions WHERE theme_id = %s", (theme_id,)
                    ).fetchall()
                }
                for upload in sorted(uploads, key=lambda u: u.key):
                    if upload.version in registered:
                        continue
                    if upload.last_modified > cutoff:
                        report.recent += 1
                        continue
                    if not dry_run:
                        try:
                            storage.delete_object(upload.key)
                        except StorageError as exc:
                            report.failed.append((upload.key, str(exc)))
                            continue
                    report.removed.append(upload)
                    if on_removed is not None:
                        on_removed(upload)
        if not dry_run:  # records of upload grants that no longer work hold nothing back (releases.py)
            with conn.transaction():
                conn.execute("DELETE FROM release_grants WHERE usable_until < %s", (now,))
    return report
