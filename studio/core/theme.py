"""A theme folder on disk: its manifest, stylesheet, assets and local history."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from studio.core.atomic import atomic_write_text, remove_stale_temp_files
from studio.core.history import STUDIO_DIR, DraftRevision, History, VersionRecord
from studio.core.limits import MAX_CSS_BYTES, InputLimitError, read_text_limited
from studio.core.manifest import Manifest, ManifestError, load_manifest, save_manifest

MANIFEST_NAME = "theme.toml"
CSS_NAME = "theme.css"
ASSETS_NAME = "assets"


class ThemeError(Exception):
    """A folder cannot be used as a theme; the message names the folder and what is wrong."""


class Theme:
    """An open theme folder.

    Attributes:
        root: the theme folder.
        manifest: the parsed ``theme.toml`` (kept in step with the file by :meth:`save_manifest`).
        history: drafts, versions and the autosave journal under ``.studio/``.
    """

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root
        self.manifest = manifest
        self.history = History(root)

    @property
    def css_path(self) -> Path:
        return self.root / CSS_NAME

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def assets_dir(self) -> Path:
        return self.root / ASSETS_NAME

    @classmethod
    def open(cls, folder: Path) -> Theme:
        """Open the theme in ``folder``.

        Raises:
            ThemeError: the folder is missing, has no ``theme.toml`` or ``theme.css``, or the manifest is
                unreadable; the message says which.
        """
        root = Path(folder).expanduser().resolve()
        if not root.is_dir():
            raise ThemeError(f"{root} is not a theme folder: the folder does not exist")
        if not (root / MANIFEST_NAME).is_file():
            raise ThemeError(f"{root} is not a theme folder: {MANIFEST_NAME} is missing")
        if not (root / CSS_NAME).is_file():
            raise ThemeError(f"{root} is not a theme folder: {CSS_NAME} is missing")
        try:
            manifest = load_manifest(root / MANIFEST_NAME)
        except ManifestError as exc:
            raise ThemeError(f"{root} has an unreadable {MANIFEST_NAME}: {exc.message}") from exc
        except OSError as exc:
            raise ThemeError(f"Could not read {root / MANIFEST_NAME}: {exc.strerror or exc}") from exc
        # A save killed mid-write leaves a hidden temporary file; clear old ones so they are never published.
        remove_stale_temp_files(root)
        remove_stale_temp_files(root / STUDIO_DIR)
        return cls(root, manifest)

    def read_css(self) -> str:
        """The exact text of ``theme.css`` (line endings as on disk).

        Raises:
            ThemeError: the file cannot be read, is larger than 5 MiB, is not a plain file or is not UTF-8.
        """
        try:
            return read_text_limited(self.css_path, MAX_CSS_BYTES, "a stylesheet")
        except UnicodeDecodeError as exc:
            raise ThemeError(
                f"{self.css_path} is not UTF-8 text (byte {exc.start}); convert it to UTF-8 to edit it here"
            ) from exc
        except InputLimitError as exc:
            raise ThemeError(str(exc)) from exc
        except OSError as exc:
            raise ThemeError(f"Could not read {self.css_path}: {exc.strerror or exc}") from exc

    def save(self, css: str) -> DraftRevision:
        """Write ``theme.css`` atomically, record a draft revision and clear the autosave journal.

        Raises:
            StorageError: the write failed; the previous ``theme.css`` is intact.
        """
        atomic_write_text(self.css_path, css)
        draft = self.history.save_draft(css)
        self.history.discard_autosave()
        return draft

    def save_manifest(self, manifest: Manifest) -> None:
        """Validate and write ``theme.toml`` atomically, then adopt ``manifest``.

        Raises:
            ManifestError: a field is invalid (``field`` names the first one); nothing is written.
            StorageError: the write failed; the previous file is intact.
        """
        errors = manifest.validate()
        if errors:
            field, message = next(iter(errors.items()))
            raise ManifestError(field, message)
        save_manifest(self.manifest_path, manifest)
        self.manifest = manifest

    def create_version(
        self,
        css: str,
        *,
        bump: Literal["patch", "minor", "major"] | None = None,
        version: str | None = None,
        changes: str,
    ) -> VersionRecord:
        """Create a version of ``css`` and set ``theme.toml``'s version to it.

        ``css`` is saved first when it differs from ``theme.css``, so a version always matches a saved file.

        Raises:
            HistoryError: see :meth:`History.create_version`.
            StorageError: a write failed.
        """
        if not self.css_path.is_file() or css != self.read_css():
            self.save(css)
        record = self.history.create_version(css, self.manifest, bump=bump, version=version, changes=changes)
        updated = dataclasses.replace(self.manifest, version=record.version)
        save_manifest(self.manifest_path, updated)
        self.manifest = updated
        return record

    def restore_version(self, version: str) -> DraftRevision:
        """Make ``version``'s CSS the current ``theme.css`` and the newest draft.

        Raises:
            HistoryError: there is no such version.
            StorageError: a write failed.
        """
        return self.save(self.history.read_version(version))
