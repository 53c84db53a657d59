"""Local history of a theme under ``<theme>/.studio/``: autosave journal, draft revisions, versions.

Layout (never published)::

    .studio/autosave.json            unsaved editor text + sha256 of the theme.css it was based on
    .studio/drafts/000012/           one folder per saved draft: theme.css + draft.json (created_at, sha256)
    .studio/versions/1.4.0/          one folder per version: theme.css, theme.toml, assets.json, version.json
    .studio/CHANGELOG.md             generated from the versions' records, newest first

Crash safety: every file is written atomically (:mod:`studio.core.atomic`). A draft or version folder
is assembled under a temporary name and renamed into place in one step, so it appears whole or not at all;
the rename fails instead of overwriting when the name is taken (two windows saving at once cannot clobber
each other).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from studio.core.atomic import StorageError, atomic_write_text
from studio.core.limits import (
    MAX_CONFIG_BYTES,
    MAX_CSS_BYTES,
    MAX_JOURNAL_BYTES,
    InputLimitError,
    read_json,
    read_limited,
    read_text_limited,
)
from studio.core.manifest import Manifest, load_manifest
from studio.core.semver import Version
from studio.core.theme_files import ASSETS_NAME, open_regular_no_follow, scan_theme_files

STUDIO_DIR = ".studio"
_DRAFT_DIGITS = 6
_RENAME_ATTEMPTS = 20


class HistoryError(Exception):
    """A history operation was refused or its data is unreadable; the message says why and what to do."""


@dataclass(frozen=True)
class DraftRevision:
    """One saved state of ``theme.css``.

    Attributes:
        number: 1, 2, 3… in the order the drafts were saved.
        created_at: when it was saved (UTC, timezone-aware).
        sha256: hex digest of the UTF-8 bytes of the CSS.
        path: the draft's ``theme.css`` file.
    """

    number: int
    created_at: datetime
    sha256: str
    path: Path


@dataclass(frozen=True)
class VersionRecord:
    """One released version of the theme.

    Attributes:
        version: the semantic version, e.g. ``"1.4.0"``.
        created_at: when it was created (UTC, timezone-aware).
        changes: the user's description of what changed.
        sha256: hex digest of the version's ``theme.css``.
    """

    version: str
    created_at: datetime
    changes: str
    sha256: str


@dataclass(frozen=True)
class PendingAutosave:
    """Unsaved edits left by a session that ended without saving.

    Attributes:
        css: the unsaved editor text.
        based_on_current: whether ``theme.css`` is still the file those edits started from; ``False`` means
            it changed since (edited elsewhere), so restoring the edits would overwrite that change.
    """

    css: str
    based_on_current: bool


def sha256_text(text: str) -> str:
    """The sha256 hex digest of ``text`` as UTF-8, the form every history record uses."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class History:
    """Drafts, versions and the autosave journal of the theme at ``theme_root``.

    Nothing is created on disk until the first write, so opening a theme read-only works.
    """

    def __init__(self, theme_root: Path) -> None:
        self.theme_root = Path(theme_root)
        self.studio_dir = self.theme_root / STUDIO_DIR
        self.drafts_dir = self.studio_dir / "drafts"
        self.versions_dir = self.studio_dir / "versions"
        self.autosave_path = self.studio_dir / "autosave.json"
        self.changelog_path = self.studio_dir / "CHANGELOG.md"
        # sha256 of theme.css keyed by (mtime_ns, size), so autosave does not re-read the file each time.
        self._css_sha_cache: tuple[tuple[int, int], str | None] | None = None

    # -- autosave journal -------------------------------------------------------------------------------

    def autosave(self, css: str) -> None:
        """Journal the editor's unsaved text (one small atomic write), to offer it back after a crash.

        Raises:
            StorageError: the journal could not be written.
        """
        record = {"saved_sha256": self._theme_css_sha256(), "css": css}
        self.studio_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.autosave_path, json.dumps(record, ensure_ascii=False))

    def pending_autosave(self) -> str | None:
        """Unsaved edits from a session that did not save or exit cleanly, or ``None`` when there are none.

        ``None`` also when the journal matches ``theme.css`` (the edits were saved after all).
        """
        pending = self.pending_autosave_info()
        return pending.css if pending else None

    def pending_autosave_info(self) -> PendingAutosave | None:
        """Like :meth:`pending_autosave`, plus whether ``theme.css`` changed since the edits began."""
        try:
            record = read_json(self.autosave_path, MAX_JOURNAL_BYTES, "the autosave journal")
        except (OSError, ValueError):
            return None  # no journal, or not ours (too large, too deep): nothing we could offer safely
        if not isinstance(record, dict) or not isinstance(record.get("css"), str):
            return None
        css: str = record["css"]
        current = self._theme_css_sha256()
        if sha256_text(css) == current:
            return None
        return PendingAutosave(css=css, based_on_current=record.get("saved_sha256") == current)

    def discard_autosave(self) -> None:
        """Forget the journal (after a save, or when the user declines to restore it)."""
        try:
            self.autosave_path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(self.autosave_path, exc) from exc

    # -- drafts -----------------------------------------------------------------------------------------

    def drafts(self) -> list[DraftRevision]:
        """All draft revisions, newest (highest number) first."""
        found: list[DraftRevision] = []
        for folder in _subdirs(self.drafts_dir):
            if folder.name.isdigit():
                draft = self._load_draft(folder)
                if draft is not None:
                    found.append(draft)
        found.sort(key=lambda d: d.number, reverse=True)
        return found

    def latest_draft(self) -> DraftRevision | None:
        """The newest draft, or ``None`` before the first save."""
        drafts = self.drafts()
        return drafts[0] if drafts else None

    def save_draft(self, css: str) -> DraftRevision:
        """Record ``css`` as a new draft revision; returns the latest one instead when it has the same text.

        Raises:
            StorageError: the draft could not be written.
        """
        digest = sha256_text(css)
        latest = self.latest_draft()
        if latest is not None and latest.sha256 == digest:
            return latest
        created = _now()
        meta = {"created_at": created.isoformat(), "sha256": digest}
        number = latest.number + 1 if latest else 1

        def fill(staging: Path) -> None:
            atomic_write_text(staging / "theme.css", css)
            atomic_write_text(staging / "draft.json", json.dumps(meta))

        for _ in range(_RENAME_ATTEMPTS):
            final = self.drafts_dir / f"{number:0{_DRAFT_DIGITS}d}"
            if _publish_folder(self.drafts_dir, final, fill):
                return DraftRevision(number, created, digest, final / "theme.css")
            number += 1  # another window took this number a moment ago
        raise HistoryError(f"Could not record a draft in {self.drafts_dir}: too many concurrent saves.")

    def read_draft(self, number: int) -> str:
        """The CSS of draft ``number``.

        Raises:
            HistoryError: there is no such draft.
        """
        path = self.drafts_dir / f"{number:0{_DRAFT_DIGITS}d}" / "theme.css"
        try:
            return _read_text(path)
        except FileNotFoundError:
            raise HistoryError(f"There is no draft {number} in {self.drafts_dir}.") from None

    # -- versions ---------------------------------------------------------------------------------------

    def versions(self) -> list[VersionRecord]:
        """All versions, newest (highest semantic version) first."""
        found: list[tuple[Version, VersionRecord]] = []
        for folder in _subdirs(self.versions_dir):
            record = _load_version_record(folder)
            if record is not None:
                found.append(record)
        found.sort(key=lambda pair: pair[0], reverse=True)
        return [record for _, record in found]

    def latest_version(self) -> VersionRecord | None:
        """The highest version created so far, or ``None``."""
        versions = self.versions()
        return versions[0] if versions else None

    def next_version(self, manifest: Manifest, bump: Literal["patch", "minor", "major"]) -> str:
        """The version :meth:`create_version` would choose for ``bump`` (for showing in a dialog).

        It bumps the latest version created; before the first one, it bumps the manifest's version.
        """
        latest = self.latest_version()
        base = latest.version if latest else manifest.version
        try:
            return str(Version.parse(base).bump(bump))
        except ValueError as exc:
            raise HistoryError(f"Cannot bump the version: {exc}.") from exc

    def create_version(
        self,
        css: str,
        manifest: Manifest,
        *,
        bump: Literal["patch", "minor", "major"] | None = None,
        version: str | None = None,
        changes: str,
    ) -> VersionRecord:
        """Snapshot ``css``, the manifest (with the new version) and an assets listing as a new version.

        Give either ``bump`` (see :meth:`next_version`) or an explicit ``version``. The snapshot goes to
        ``.studio/versions/<version>/`` and ``.studio/CHANGELOG.md`` gains its entry. Updating ``theme.toml``
        is the caller's job (:meth:`studio.core.theme.Theme.create_version` does it).

        Raises:
            HistoryError: neither or both of bump/version given, an invalid version, a version not greater
                than the latest one, or empty ``changes``.
            StorageError: the snapshot could not be written.
        """
        if (bump is None) == (version is None):
            raise HistoryError("Choose either a version bump (patch, minor, major) or an explicit version.")
        changes = changes.strip()
        if not changes:
            raise HistoryError("Describe what changed in this version; the change notes must not be empty.")
        text = version if version is not None else self.next_version(manifest, bump or "patch")
        try:
            new = Version.parse(text.strip())
        except ValueError as exc:
            raise HistoryError(f"{exc}.") from exc
        latest = self.latest_version()
        if latest is not None:
            if new == Version.parse(latest.version):
                raise HistoryError(f"Version {latest.version} already exists; choose a higher version.")
            if new < Version.parse(latest.version):
                raise HistoryError(
                    f"Version {new} is lower than the latest version {latest.version}; "
                    f"choose a version greater than {latest.version}."
                )
        record = VersionRecord(str(new), _now(), changes, sha256_text(css))
        snapshot_manifest = dataclasses.replace(manifest, version=str(new))
        meta = {
            "version": record.version,
            "created_at": record.created_at.isoformat(),
            "changes": record.changes,
            "sha256": record.sha256,
        }
        assets = self._assets_listing()

        def fill(staging: Path) -> None:
            atomic_write_text(staging / "theme.css", css)
            atomic_write_text(staging / "theme.toml", snapshot_manifest.to_toml())
            atomic_write_text(staging / "assets.json", json.dumps(assets, indent=2) + "\n")
            atomic_write_text(staging / "version.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")

        if not _publish_folder(self.versions_dir, self.versions_dir / record.version, fill):
            raise HistoryError(f"Version {record.version} already exists; choose a higher version.")
        self._write_changelog()
        return record

    def read_version(self, version: str) -> str:
        """The CSS of ``version``.

        Raises:
            HistoryError: there is no such version.
        """
        return _read_text(self._version_folder(version) / "theme.css")

    def read_version_manifest(self, version: str) -> Manifest:
        """The manifest as it was when ``version`` was created."""
        return load_manifest(self._version_folder(version) / "theme.toml")

    def version_assets(self, version: str) -> list[dict[str, Any]]:
        """The assets listing of ``version``: ``[{"path", "size", "sha256"}, ...]`` with POSIX paths."""
        path = self._version_folder(version) / "assets.json"
        try:
            data = read_json(path, MAX_CONFIG_BYTES, "a version's assets listing")
        except InputLimitError as exc:
            raise HistoryError(str(exc)) from None
        return list(data) if isinstance(data, list) else []

    def restore_version(self, version: str) -> DraftRevision:
        """Make ``version``'s CSS the newest draft (returns the latest draft if it already has that text).

        ``theme.css`` itself is left alone; :meth:`studio.core.theme.Theme.restore_version` writes it too.
        """
        return self.save_draft(self.read_version(version))

    # -- internals --------------------------------------------------------------------------------------

    def _version_folder(self, version: str) -> Path:
        folder = self.versions_dir / version
        if (folder / "version.json").is_file():
            return folder
        # "1.0.0+build" and "1.0.0" name the same version; find it by precedence.
        with contextlib.suppress(ValueError):
            wanted = Version.parse(version)
            for candidate in _subdirs(self.versions_dir):
                loaded = _load_version_record(candidate)
                if loaded is not None and loaded[0] == wanted:
                    return candidate
        raise HistoryError(f"There is no version {version} in {self.versions_dir}.")

    def _theme_css_sha256(self) -> str | None:
        path = self.theme_root / "theme.css"
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        if self._css_sha_cache is not None and self._css_sha_cache[0] == key:
            return self._css_sha_cache[1]
        try:
            digest = hashlib.sha256(read_limited(path, MAX_CSS_BYTES, "a stylesheet")).hexdigest()
        except InputLimitError:
            return None  # not a stylesheet the studio can open: nothing to compare with
        self._css_sha_cache = (key, digest)
        return digest

    def _assets_listing(self) -> list[dict[str, Any]]:
        # The files a release would carry: never through a link (see studio.core.theme_files).
        listing: list[dict[str, Any]] = []
        for relative in scan_theme_files(self.theme_root).files:
            if not relative.startswith(ASSETS_NAME + "/"):
                continue
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(open_regular_no_follow(self.theme_root / relative), "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
            listing.append(
                {"path": relative[len(ASSETS_NAME) + 1 :], "size": size, "sha256": digest.hexdigest()}
            )
        return listing

    def _write_changelog(self) -> None:
        lines = ["# Changelog", ""]
        for record in self.versions():
            lines += [f"## {record.version} — {record.created_at.date().isoformat()}", "", record.changes, ""]
        atomic_write_text(self.changelog_path, "\n".join(lines))

    def _load_draft(self, folder: Path) -> DraftRevision | None:
        css_path = folder / "theme.css"
        try:
            meta = read_json(folder / "draft.json")
            return DraftRevision(
                int(folder.name), datetime.fromisoformat(meta["created_at"]), str(meta["sha256"]), css_path
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # not a draft folder we wrote (folders only appear whole)


def _load_version_record(folder: Path) -> tuple[Version, VersionRecord] | None:
    try:
        meta = read_json(folder / "version.json")
        record = VersionRecord(
            str(meta["version"]),
            datetime.fromisoformat(meta["created_at"]),
            str(meta["changes"]),
            str(meta["sha256"]),
        )
        return Version.parse(record.version), record
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _subdirs(folder: Path) -> list[Path]:
    try:
        return [entry for entry in folder.iterdir() if entry.is_dir() and not entry.name.startswith(".")]
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        return []


def _read_text(path: Path) -> str:
    """A stylesheet from history, within the stylesheet limit.

    Raises:
        HistoryError: too large or not a plain file. FileNotFoundError / OSError: unreadable.
    """
    try:
        return read_text_limited(path, MAX_CSS_BYTES, "a stylesheet")
    except InputLimitError as exc:
        raise HistoryError(str(exc)) from None


def _publish_folder(parent: Path, final: Path, fill: Callable[[Path], None]) -> bool:
    """Build a folder under a temporary name with ``fill(staging)``, then rename it to ``final`` in one step.

    Returns ``False`` (and cleans up) when ``final`` already exists: renaming never replaces a non-empty
    folder.

    Raises:
        StorageError: writing or renaming failed for another reason.
    """
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = parent / f".tmp-{final.name}-{secrets.token_hex(6)}"
        staging.mkdir()
    except OSError as exc:
        raise StorageError(final, exc, existed=False) from exc
    try:
        fill(staging)
        if final.exists():
            return False
        try:
            staging.rename(final)
        except OSError as exc:
            if final.exists():
                return False
            raise StorageError(final, exc, existed=False) from exc
        staging = final  # nothing left to clean up
    finally:
        if staging != final:
            shutil.rmtree(staging, ignore_errors=True)
    _fsync_folder(parent)
    return True


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
