"""Run blocking work off the GUI thread and report back on it (the only way the UI does I/O).

Mirrors Anki's ``CollectionOp``: the operation must never touch widgets; success and failure callbacks run on
the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

import shiboken6
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
            try:
                result = self._fn()
            except Exception as exc:  # reported to the user by the failure callback
                self._relay.failed.emit(exc)
            else:
                self._relay.succeeded.emit(result)
        except RuntimeError:  # the application (and the relay with it) is gone: nobody left to tell
            log.info("background operation finished after the application quit")


_live: set[_Relay] = set()


def run_in_background(
    fn: Callable[[], T],
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[Exception], None] | None = None,
    *,
    owner: QObject | None = None,
    pool: QThreadPool | None = None,
) -> None:
    """Run ``fn`` on a pool thread; call ``on_success(result)`` or ``on_failure(exc)`` on the GUI thread.

    Args:
        owner: the widget the callbacks update; when it is gone by the time ``fn`` returns (a dialog closed
            mid-operation), the outcome is dropped instead of touching deleted widgets.
    """
    relay = _Relay()
    _live.add(relay)  # keep the relay alive until it has reported

    def owner_gone() -> bool:
        return owner is not None and not shiboken6.isValid(owner)

    def done_ok(result: object) -> None:
        _live.discard(relay)
        if on_success is not None and not owner_gone():
            on_success(result)  # type: ignore[arg-type]

    def done_err(exc: object) -> None:
        _live.discard(relay)
        if owner_gone():
            log.info("background operation finished after its window closed: %s", exc)
        elif on_failure is not None:
            on_failure(exc)  # type: ignore[arg-type]
        else:
            log.error("background operation failed: %s", exc)

    relay.succeeded.connect(done_ok)
    relay.failed.connect(done_err)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))
