"""Crash-safe file writes: readers, and the next start after a crash, see the old file or the new one."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from pathlib import Path

# What the user can do about each failure; everything not listed gets the generic advice.
_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "Free some space and save again"),
    errno.EDQUOT: ("your disk quota is used up", "Free some space or ask for more quota, then save again"),
    errno.EROFS: ("the folder is read-only", "Save the theme to a writable folder"),
    errno.EACCES: ("permission denied", "Check the folder's permissions or save the theme elsewhere"),
    errno.EPERM: ("permission denied", "Check the folder's permissions or save the theme elsewhere"),
    errno.ENOENT: ("the folder does not exist", "Check that the theme folder was not moved or deleted"),
}


class StorageError(OSError):
    """A write failed; ``str()`` says what happened and what to do, for showing to the user as is.

    Attributes:
        path: the file that could not be written.
    """

    def __init__(self, path: Path, cause: OSError, *, existed: bool = True) -> None:
        reason, advice = _REASONS.get(
            cause.errno or 0, (cause.strerror or str(cause), "Check the disk and the folder, then save again")
        )
        self.path = path
        self.reason = reason
        outcome = "your previous file is intact" if existed else "nothing was written"
        message = f"Could not save {path}: {reason}. {advice}; {outcome}."
        super().__init__(cause.errno, message, str(path))
        self.message = message

    def __str__(self) -> str:
        return self.message


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot open or sync a folder, which is harmless."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


STALE_AFTER_SECONDS = 600.0


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of this module's temporary files (``.<name>.<hex>.tmp``), e.g. to skip it."""
    return name.startswith(".") and name.endswith(".tmp")


def remove_stale_temp_files(folder: Path, older_than: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Delete temporary files a killed process left in ``folder``; returns what was removed.

    Only files older than ``older_than`` seconds go, so a write in progress elsewhere is never disturbed.
    """
    removed: list[Path] = []
    cutoff = time.time() - older_than
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
                removed.append(entry)
    return removed


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # cannot tell; assume there is a previous file to reassure about


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    The data goes to a temporary file in the same folder (so the rename never crosses file systems), is
    flushed and fsynced, then renamed over the target; the folder is fsynced so the rename survives a
    power cut.
    On failure the temporary file is removed and the previous file is untouched. An existing file's permission
    bits are kept.

    Raises:
        StorageError: the write failed; its message is fit for the user.
    """
    path = Path(path)
    folder = path.parent
    tmp: Path | None = None
    try:
        # O_EXCL with a random name instead of mkstemp: a new file gets the usual 0o666 & ~umask mode.
        tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileNotFoundError):
                tmp.chmod(path.stat().st_mode & 0o7777)
            tmp.replace(path)
            tmp = None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()
    except StorageError:
        raise
    except OSError as exc:
        raise StorageError(path, exc, existed=_exists(path)) from exc
    _fsync_dir(folder)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 atomically, keeping its own newlines (``\\r\\n`` stays ``\\r\\n``).

    Raises:
        StorageError: the write failed; its message is fit for the user.
    """
    atomic_write_bytes(path, text.encode("utf-8"))
