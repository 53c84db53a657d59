"""SIGTERM, SIGINT and SIGHUP end the studio the way File → Quit does, on the GUI thread.

Python runs a signal handler only between bytecodes of the main thread, and the main thread sits in Qt's C++
event loop: a Python handler would wait for the next unrelated Python callback, and work done inside one
(closing windows, stopping servers) would run at an arbitrary point of other code. So the handler does
nothing; the interpreter's C-level handler writes the signal number to a socket (``signal.set_wakeup_fd``), a
``QSocketNotifier`` on the other end wakes the event loop, and the quit runs as an ordinary slot.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Sequence
from types import FrameType

from PySide6.QtCore import QObject, QSocketNotifier, Signal

QUIT_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """Installed so the signal is caught (not fatal); the wake-up socket carries it to the event loop."""


class SignalQuitter(QObject):
    """Routes process signals into the Qt event loop. Create it on the main thread.

    Signals:
        received(int): one of the watched signals arrived (its number).
    """

    received = Signal(int)

    def __init__(
        self, signals: Sequence[signal.Signals] = QUIT_SIGNALS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._signals = {int(s) for s in signals}
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)  # a full buffer drops a byte instead of blocking the handler
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {s: signal.signal(s, _ignore) for s in signals}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:
        try:
            data = self._reader.recv(256)
        except BlockingIOError:
            return
        for signum in dict.fromkeys(data):  # once each, in arrival order
            if signum in self._signals:
                self.received.emit(signum)

    def uninstall(self) -> None:
        """Give the signals back to their previous handlers (tests; the studio keeps it to the end)."""
        self._notifier.setEnabled(False)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        with contextlib.suppress(OSError):
            self._reader.close()
            self._writer.close()
