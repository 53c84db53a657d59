"""One studio per user: a second ``themestudio [PATH]`` hands its path to the running one and exits 0.

Who is first is decided by an ``flock`` on ``instance.lock`` in the config folder, held for the first studio's
life: the kernel drops it however the studio ends, so there is no stale state and two launches at the same
moment cannot both win. The first then listens on a ``QLocalServer``; a later launch connects with a
``QLocalSocket``, sends one JSON line (``{"open": "/abs/path"}`` or ``{"open": null}``) and waits for ``ok``.

The server name is per user and per config folder (a hash of its path), so tests with their own config folder
never talk to each other's studio, nor to the user's.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from studio.core.paths import user_config_dir

#: How long a second launch waits for the running studio (it may still be starting: listening comes early).
HANDOVER_TIMEOUT_MS = 10_000
_CLIENT_TIMEOUT_MS = 5_000


def instance_name(config_dir: Path | None = None) -> str:
    """The local socket name: per user (uid) and per config folder."""
    folder = (config_dir or user_config_dir()).resolve()
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return f"themestudio-{uid}-{digest}"


class HandoverError(RuntimeError):
    """The running studio did not take the path; the message says what to do."""


class SingleInstance(QObject):
    """The first studio's claim, or a later launch's way to reach it.

    Signals:
        openRequested(object): a later launch asked to open this folder (a Path), or just to come to the
            front (None).
    """

    openRequested = Signal(object)  # noqa: N815 (Qt signal names are camelCase)

    def __init__(self, config_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config_dir = config_dir or user_config_dir()
        self.name = instance_name(self.config_dir)
        self._lock_fd: int | None = None
        self._server: QLocalServer | None = None

    @property
    def lock_path(self) -> Path:
        return self.config_dir / "instance.lock"

    def claim(self) -> bool:
        """True when this process is the first studio (it then listens); False when one already runs."""
        self.config_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        # We hold the lock, so a socket left under this name is a crashed studio's: safe to remove.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            raise HandoverError(f"Cannot listen for other launches on {self.name}: {server.errorString()}")
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def running_pid(self) -> int | None:
        """The PID the running studio wrote into the lock file (for messages)."""
        with contextlib.suppress(OSError, ValueError):
            return int(self.lock_path.read_text().strip())
        return None

    def hand_over(self, folder: Path | None, timeout_ms: int = HANDOVER_TIMEOUT_MS) -> None:
        """Ask the running studio to open ``folder`` (or come to the front) and wait for its ``ok``.

        Raises:
            HandoverError: it does not answer in time.
        """
        message = json.dumps({"open": str(folder.resolve()) if folder else None}) + "\n"
        socket = QLocalSocket()
        deadline = time.monotonic() + timeout_ms / 1000

        def left_ms() -> int:
            return max(int((deadline - time.monotonic()) * 1000), 1)

        while True:  # the running studio may have the lock and not listen yet: retry until the deadline
            socket.connectToServer(self.name)
            if socket.waitForConnected(min(500, left_ms())):
                break
            socket.abort()
            if time.monotonic() > deadline:
                raise HandoverError(self._no_answer())
            time.sleep(0.1)
        socket.write(QByteArray(message.encode()))
        socket.flush()
        reply = b""
        while not reply.endswith(b"\n") and socket.waitForReadyRead(left_ms()):
            reply += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        if reply.strip() != b"ok":
            raise HandoverError(self._no_answer())

    def _no_answer(self) -> str:
        pid = self.running_pid()
        who = f" (PID {pid})" if pid else ""
        return (
            f"ThemeSystem Studio is already running{who} but does not answer; "
            f"wait for it, or end it and start again."
        )

    def _accept(self) -> None:
        assert self._server is not None
        while (client := self._server.nextPendingConnection()) is not None:
            buffer = bytearray()

            def read(client: QLocalSocket = client, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(client.readAll().data()))
                if b"\n" not in buffer:
                    return
                line = bytes(buffer).split(b"\n", 1)[0]
                try:
                    raw = json.loads(line)
                    target = raw.get("open")
                    folder = Path(target) if isinstance(target, str) and target else None
                except (ValueError, AttributeError):
                    client.abort()  # not one of ours: no answer
                    return
                client.write(QByteArray(b"ok\n"))
                client.flush()
                client.disconnectFromServer()
                # After answering: opening may show a dialog (unsaved edits, recovery) with its own loop.
                QTimer.singleShot(0, self, lambda: self.openRequested.emit(folder))

            client.readyRead.connect(read)
            client.disconnected.connect(client.deleteLater)
            QTimer.singleShot(_CLIENT_TIMEOUT_MS, client, client.abort)
            if client.bytesAvailable():
                read()

    def release(self) -> None:
        """Stop listening and drop the lock (the process's end does the same)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)
