"""Run blocking work off the GUI thread and report back on it (the only way the UI does I/O).

Mirrors Anki's ``CollectionOp``: the operation must never touch widgets; success and failure callbacks run on
the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

T = TypeVar("T")
log = logging.getLogger(__name__)


class _Relay(QObject):
    """Carries the outcome back to the GUI thread (queued, because it lives there)."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable, Generic[T]):
    def __init__(self, fn: Callable[[], T], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # reported to the user by the failure callback
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


_live: set[_Relay] = set()


def run_in_background(
    fn: Callable[[], T],
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[Exception], None] | None = None,
    *,
    pool: QThreadPool | None = None,
) -> None:
    """Run ``fn`` on a pool thread; call ``on_success(result)`` or ``on_failure(exc)`` on the GUI thread."""
    relay = _Relay()
    _live.add(relay)  # keep the relay alive until it has reported

    def done_ok(result: object) -> None:
        _live.discard(relay)
        if on_success is not None:
            on_success(result)  # type: ignore[arg-type]

    def done_err(exc: object) -> None:
        _live.discard(relay)
        if on_failure is not None:
            on_failure(exc)  # type: ignore[arg-type]
        else:
            log.error("background operation failed: %s", exc)

    relay.succeeded.connect(done_ok)
    relay.failed.connect(done_err)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))
