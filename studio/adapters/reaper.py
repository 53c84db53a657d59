"""The reaper: a tiny process that outlives the studio just long enough to stop what the studio left running.

The studio starts it with a pipe on its stdin and never writes to it. The pipe reaches end-of-file when the
studio's process ends, however it ends (quit, SIGKILL, a crash). The reaper then takes each lock file it was
given and so stops every server the dead owner's record still lists (:class:`ServerLock`): the embedded
PostgreSQL and Redis daemonise, so no parent-death signal reaches them, and on macOS/Windows nothing else
stops the others. After a clean quit the records are empty and it exits at once. It imports only the
standard library and two small modules, so it costs a few MB and ~50 ms to start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from studio.adapters.python_command import module_command
from studio.adapters.server_lock import FolderInUseError, ServerLock

#: How long the studio's own lock may outlive the end of its pipe (both close as its process exits).
HANDOVER_S = 10.0


def start_reaper(lock_paths: Sequence[Path]) -> subprocess.Popen[bytes]:
    """Start the reaper for ``lock_paths``. Keep the returned object alive as long as the studio runs: its
    ``stdin`` is the pipe the reaper watches (closing it is how a clean exit says "done")."""
    return subprocess.Popen(
        module_command("studio.adapters.reaper", str(os.getpid()), *map(str, lock_paths)),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl+C in the terminal goes to the studio, not to its reaper
    )


def reap(lock_path: Path, studio_pid: int, handover_s: float = HANDOVER_S) -> list[str]:
    """Take ``lock_path`` once the studio has let go of it and stop what its record lists; returns what was
    stopped. A lock held by anyone but the dead studio (a new studio already) is left to its owner."""
    if not lock_path.is_file():  # that server never started
        return []
    lock = ServerLock(lock_path)
    deadline = time.monotonic() + handover_s
    while True:
        try:
            stopped = lock.acquire(recovering=True)
        except FolderInUseError as exc:
            if exc.owner_pid != studio_pid or time.monotonic() > deadline:
                return []
            time.sleep(0.05)
        else:
            lock.release()
            return stopped


def main(argv: Sequence[str]) -> int:
    """``python -m studio.adapters.reaper STUDIO_PID LOCK...``"""
    studio_pid = int(argv[0])
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        # A logout signals the whole session: the studio quits on it, and the reaper must stay to check.
        signal.signal(sig, signal.SIG_IGN)
    while sys.stdin.buffer.read(65536):
        pass  # nothing is ever written; end-of-file means the studio is gone
    for raw in argv[1:]:
        reap(Path(raw), studio_pid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
