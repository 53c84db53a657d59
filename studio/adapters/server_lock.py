"""One owner per data folder: a lock file that names its owner and the servers it runs there.

The lock is an ``flock`` on the file (the kernel drops it when the owner dies, however it dies, so a lock is
never stale: only its *record* can be) and the file's text is a JSON record: the owner's PID and every server
it started on that folder (PID, start time, ports, log). Whoever takes the lock next (the next studio, or the
reaper at the studio's death) stops what a dead owner's record still lists, then starts afresh: a server on a
folder is never duplicated, and the second of two live studios is refused with the first one's PID.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.adapters.child_process import process_alive, process_start_ticks, terminate
from studio.core.limits import MAX_CONFIG_BYTES, read_text_limited

PORT_RELEASE_S = 5.0
#: How long to wait for whoever is stopping a dead owner's servers (the reaper, another start) to finish.
RECOVERY_WAIT_S = 20.0


class FolderInUseError(RuntimeError):
    """Another live process owns the folder."""

    def __init__(self, path: Path, owner_pid: int | None) -> None:
        who = f"process {owner_pid}" if owner_pid else "another process"
        super().__init__(f"{path.parent} is in use by {who} (another ThemeSystem Studio?)")
        self.owner_pid = owner_pid


@dataclass(frozen=True)
class ServerRecord:
    """A server the owner started: enough to show it, find its log, and stop it if the owner dies."""

    name: str  # short: "SeaweedFS", "API", "PostgreSQL", "Redis"
    pid: int
    start_ticks: int | None
    role: str = ""  # what it is to the user: "local sandbox", "bundled backend", ...
    ports: tuple[int, ...] = ()
    log: str = ""
    url: str = ""
    stop_signal: int = int(signal.SIGTERM)
    grace_s: float = 5.0

    @classmethod
    def of(cls, name: str, pid: int, **details: Any) -> ServerRecord:
        """A record of the running process ``pid`` (its start time pins it against PID reuse)."""
        return cls(name, pid, process_start_ticks(pid), **details)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ServerRecord:
        return cls(
            name=str(raw["name"]),
            pid=int(raw["pid"]),
            start_ticks=None if raw.get("start_ticks") is None else int(raw["start_ticks"]),
            role=str(raw.get("role", "")),
            ports=tuple(int(p) for p in raw.get("ports", ())),
            log=str(raw.get("log", "")),
            url=str(raw.get("url", "")),
            stop_signal=int(raw.get("stop_signal", signal.SIGTERM)),
            grace_s=float(raw.get("grace_s", 5.0)),
        )

    @property
    def running(self) -> bool:
        return process_alive(self.pid, self.start_ticks)


@dataclass
class LockRecord:
    """What a lock file says: its owner and the servers it runs."""

    owner_pid: int | None = None
    servers: list[ServerRecord] = field(default_factory=list)
    recovering: bool = False  # the owner only cleans up after a dead one (the reaper): wait for it

    @classmethod
    def parse(cls, text: str) -> LockRecord:
        try:
            raw = json.loads(text) if text.strip() else {}
            servers = [ServerRecord.from_json(s) for s in raw.get("servers", ())]
            return cls(raw.get("owner_pid"), servers, bool(raw.get("recovering", False)))
        except (ValueError, TypeError, KeyError, AttributeError):  # half-written or foreign: nothing to trust
            return cls()

    @property
    def settled(self) -> bool:
        """False while the lock changes hands: being written, cleaned up after a dead owner, or recovered."""
        return bool(self.owner_pid) and process_alive(self.owner_pid or 0) and not self.recovering

    def dumps(self) -> str:
        record: dict[str, Any] = {"owner_pid": self.owner_pid, "servers": [asdict(s) for s in self.servers]}
        if self.recovering:
            record["recovering"] = True
        return json.dumps(record)


def read_lock(path: Path) -> LockRecord:
    """The record of a lock file (empty when there is none), without taking the lock."""
    try:
        return LockRecord.parse(read_text_limited(path, MAX_CONFIG_BYTES, "a lock record"))
    except (OSError, ValueError):  # too large, not a file, not UTF-8: nothing to trust
        return LockRecord()


def port_free(port: int) -> bool:
    """True when a server could bind ``port`` on loopback now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As the server will: a port whose old connections linger in TIME_WAIT is still usable.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class ServerLock:
    """The lock file of one data folder (e.g. ``sandbox/owner.lock``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._record = LockRecord()

    @property
    def held(self) -> bool:
        return self._fd is not None

    @property
    def servers(self) -> list[ServerRecord]:
        return list(self._record.servers)

    def acquire(self, *, recovering: bool = False) -> list[str]:
        """Own the folder; first stop whatever a dead owner left running there.

        Args:
            recovering: only to clean up (the reaper): others wait for it rather than fail.

        Returns:
            What was stopped, one line each (shown to the user: it explains a slower start).

        Raises:
            FolderInUseError: a live process holds the lock.
        """
        if self._fd is not None:
            return []
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + RECOVERY_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                record = LockRecord.parse(_read_fd(fd))
                if not record.settled and time.monotonic() < deadline:
                    time.sleep(0.05)  # someone is stopping what a dead owner left: it is over soon
                    continue
                os.close(fd)
                raise FolderInUseError(self.path, record.owner_pid) from None
        self._fd = fd
        try:
            stopped = self._stop_leftovers(LockRecord.parse(_read_fd(fd)))
            self._record = LockRecord(os.getpid(), recovering=recovering)
            self._write()
        except BaseException:
            self.release()
            raise
        return stopped

    def _stop_leftovers(self, previous: LockRecord) -> list[str]:
        stopped = []
        for server in previous.servers:
            if server.running:
                terminate(server.pid, server.stop_signal, server.grace_s, server.start_ticks)
                stopped.append(
                    f"Stopped the {server.role or server.name} (PID {server.pid}) left by a studio that "
                    f"ended (PID {previous.owner_pid})"
                )
                # Only the ports of what we just stopped: another program may use a dead server's by now.
                deadline = time.monotonic() + PORT_RELEASE_S
                while not all(port_free(p) for p in server.ports) and time.monotonic() < deadline:
                    time.sleep(0.05)
        return stopped

    def add(self, server: ServerRecord) -> None:
        """Note a server started on this folder (before anything else can go wrong)."""
        self._record.servers = [s for s in self._record.servers if s.pid != server.pid] + [server]
        self._write()

    def remove(self, pid: int) -> None:
        """Forget a server that was stopped."""
        self._record.servers = [s for s in self._record.servers if s.pid != pid]
        self._write()

    def release(self) -> None:
        """Clear the record and unlock (the file stays: removing a locked file races with the next owner)."""
        fd, self._fd = self._fd, None
        self._record = LockRecord()
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing drops the flock

    def _write(self) -> None:
        if self._fd is None:
            return
        data = self._record.dumps().encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)


def _read_fd(fd: int) -> str:
    chunks = []
    offset = 0
    while chunk := os.pread(fd, 65536, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks).decode(errors="replace")
