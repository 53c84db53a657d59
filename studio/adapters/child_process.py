"""Servers that never outlive the studio (see ``docs/lifecycle.md``).

Every server the studio starts goes through :func:`spawn`. On Linux the child gets a parent-death signal
(``prctl(PR_SET_PDEATHSIG)``) between fork and exec, so the kernel kills it when the studio dies, however it
dies (SIGKILL, a crash, the OOM killer). Two details make that hold:

- The "parent" of PR_SET_PDEATHSIG is the *thread* that forked, not the process: a server started from a pool
  thread would die when that thread idles out. So every fork happens on one thread that lives as long as the
  process (:class:`_Spawner`).
- ``preexec_fn`` is documented as unsafe with threads: after fork only the forking thread exists in the child,
  and any lock another thread held (import lock, logging, a non-fork-safe malloc) stays locked forever. Ours
  takes no lock: it calls a ``prctl`` resolved in the parent with small integers, then ``getppid``/``kill``
  (plain syscalls). No import, no logging, no I/O. glibc's malloc is fork-safe (it resets its arenas in the
  child), and CPython re-initialises its own state (``PyOS_AfterFork_Child``) before calling it.

macOS and Windows have no PR_SET_PDEATHSIG: there :func:`spawn` starts the child plainly and the reaper
(``studio.adapters.reaper``, which watches a pipe from the studio) stops what the lock files record; a native
port would add kqueue ``EVFILT_PROC``/``NOTE_EXIT`` on the studio's PID (macOS) or a job object with
``JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE`` (Windows).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # a libc without prctl: the reaper still covers us
        return None
    return prctl


_PRCTL = _load_prctl()


def _death_signal_preexec(death_signal: int, parent_pid: int) -> Callable[[], None] | None:
    """The ``preexec_fn`` that arms the parent-death signal (see the module docstring for why it is safe)."""
    prctl = _PRCTL
    if prctl is None:
        return None

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
        if os.getppid() != parent_pid:  # the studio died between fork and prctl: nobody will signal us
            os.kill(os.getpid(), death_signal)

    return arm


class _Spawner:
    """One long-lived daemon thread forks every server: PR_SET_PDEATHSIG is tied to the forking thread."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, fn: Callable[[], Any]) -> Any:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="child-spawner", daemon=True)
                self._thread.start()
        future: Future[Any] = Future()
        self._jobs.put((fn, future))
        return future.result()

    def _loop(self) -> None:
        while True:  # never returns: its end would signal every child it forked
            fn, future = self._jobs.get()
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed back to the caller's thread
                future.set_exception(exc)


_SPAWNER = _Spawner()


def spawn(
    cmd: Sequence[str], *, death_signal: int = signal.SIGKILL, **popen_kwargs: Any
) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(cmd, start_new_session=True, **popen_kwargs)``, killed with ``death_signal`` when
    this process dies (Linux). Its own session makes it (and anything it forks) one process group to stop.

    SIGKILL by default: when the studio is gone nobody waits for a graceful stop, and each server here keeps
    acknowledged writes on disk (SeaweedFS) or in PostgreSQL (the API).
    """
    preexec = _death_signal_preexec(int(death_signal), os.getpid())
    popen_kwargs.setdefault("start_new_session", True)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(list(cmd), preexec_fn=preexec, **popen_kwargs)

    process: subprocess.Popen[bytes] = _SPAWNER.run(start)
    return process


# ------------------------------------------------------------------------------------------ process identity
def process_start_ticks(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), to tell it from a later process given the same PID;
    None when it is gone, a zombie, or this is not Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state is field 3, starttime 22
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def process_alive(pid: int, start_ticks: int | None = None) -> bool:
    """True when ``pid`` runs (a zombie does not) and, if ``start_ticks`` is given, is the same process."""
    if pid <= 0:
        return False
    if Path("/proc").is_dir():
        ticks = process_start_ticks(pid)
        return ticks is not None and (start_ticks is None or ticks == start_ticks)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def processes_with_argument(argument: str) -> list[int]:
    """PIDs (Linux) whose command line has exactly ``argument``, e.g. ``-dir=<our data folder>``: how a server
    left by a studio older than the lock files is found."""
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    wanted = argument.encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in args and process_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def terminate(pid: int, stop_signal: int, grace_s: float, start_ticks: int | None = None) -> bool:
    """Send ``stop_signal`` to ``pid`` (its whole group when it leads one), SIGKILL after ``grace_s``;
    True once it is gone. A process that is not ours (another PID by now) is left alone."""
    if not process_alive(pid, start_ticks):
        return True
    _signal(pid, stop_signal)
    if _wait_gone(pid, start_ticks, grace_s):
        return True
    _signal(pid, signal.SIGKILL)
    return _wait_gone(pid, start_ticks, 5.0)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def _wait_gone(pid: int, start_ticks: int | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while process_alive(pid, start_ticks):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # a zombie counts as gone: it holds no port or file
    return True
