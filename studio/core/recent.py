"""The list of recently opened theme folders shown on the start page and in File ▸ Open Recent."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

from studio.core.atomic import atomic_write_text
from studio.core.limits import read_json
from studio.core.paths import user_config_dir

MAX_RECENT = 10


class RecentThemes:
    """Recently opened theme folders, most recent first, at most :data:`MAX_RECENT`.

    Stored as JSON in ``user_config_dir()/recent.json`` (written atomically). Folders that no longer exist
    are left out of :meth:`list` and dropped from the file on the next change.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else user_config_dir() / "recent.json"

    def list(self) -> list[Path]:
        """The folders that still exist, most recent first."""
        return [folder for folder in self._load() if folder.is_dir()]

    def add(self, folder: Path) -> None:
        """Put ``folder`` first (moving it up if it is already listed).

        Raises:
            StorageError: the list could not be written.
        """
        folder = _normalise(folder)
        self._store([folder, *(f for f in self.list() if f != folder)])

    def remove(self, folder: Path) -> None:
        """Take ``folder`` off the list (no error when it is not there).

        Raises:
            StorageError: the list could not be written.
        """
        folder = _normalise(folder)
        self._store([f for f in self.list() if f != folder])

    def _load(self) -> builtins.list[Path]:
        try:
            data = read_json(self.path, what="the recent themes list")
        except (OSError, ValueError):
            return []  # first run, or a damaged file: start a fresh list rather than fail
        entries = data.get("recent") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return []
        return [Path(entry) for entry in entries if isinstance(entry, str) and entry]

    def _store(self, folders: builtins.list[Path]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"recent": [str(f) for f in folders[:MAX_RECENT]]}
        atomic_write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _normalise(folder: Path) -> Path:
    return Path(folder).expanduser().resolve()
