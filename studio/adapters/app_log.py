"""The studio's own log file (warnings and what the app did), rotated, under the user data dir."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from studio.core.paths import user_data_dir

MAX_BYTES = 1_048_576
BACKUPS = 3


def log_file() -> Path:
    return user_data_dir() / "logs" / "studio.log"


def start_file_log(level: int = logging.INFO) -> Path | None:
    """Send the ``studio`` loggers to :func:`log_file` (1 MiB × 4); None when the folder is not writable."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("studio")
    root.addHandler(handler)
    root.setLevel(level)
    return path
