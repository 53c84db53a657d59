"""Servers started through ``spawn`` die with the process that started them, even on SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from studio.adapters.child_process import (
    process_alive,
    process_start_ticks,
    processes_with_argument,
    spawn,
    terminate,
)
from tests.conftest import REPO

# A parent that starts a server from a short-lived thread (as the studio's pool threads do), lets that thread
# end, reports the server's PID, then waits to be killed.
PARENT = """
import sys, threading
from studio.adapters.child_process import spawn
box = []
t = threading.Thread(target=lambda: box.append(spawn(["sleep", "300"])))
t.start(); t.join()
print(box[0].pid, flush=True)
sys.stdin.read()
"""


def wait_gone(pid: int, timeout: float) -> float:
    """Seconds until ``pid`` no longer runs (a zombie counts as gone); fails after ``timeout``."""
    start = time.monotonic()
    while process_alive(pid):
        assert time.monotonic() - start < timeout, f"PID {pid} still runs after {timeout} s"
        time.sleep(0.02)
    return time.monotonic() - start


def test_a_server_outlives_the_thread_that_started_it_but_not_the_process() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        time.sleep(0.3)  # the starting thread has ended: PR_SET_PDEATHSIG would have fired already
        assert process_alive(child)
        assert os.getpgid(child) == child  # its own process group: stopping it stops what it forks
        parent.kill()
    assert wait_gone(child, 2.0) < 2.0


def test_terminate_stops_the_group_and_leaves_a_reused_pid_alone() -> None:
    child = spawn(["sleep", "300"])
    ticks = process_start_ticks(child.pid)
    assert ticks is not None
    # Another start time means another process that got the same PID: not ours to stop.
    assert not process_alive(child.pid, ticks + 1)
    assert terminate(child.pid, signal.SIGTERM, 0.0, ticks + 1)
    assert process_alive(child.pid, ticks)
    assert terminate(child.pid, signal.SIGTERM, 2.0, ticks)
    assert child.wait(timeout=2) == -signal.SIGTERM


def test_processes_are_found_by_an_exact_argument(tmp_path: Path) -> None:
    marker = f"-dir={tmp_path}/data"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", marker])
    try:
        deadline = time.monotonic() + 5
        while proc.pid not in processes_with_argument(marker) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert processes_with_argument(marker) == [proc.pid]
        assert processes_with_argument(marker[:-1]) == []  # a prefix is another folder
    finally:
        proc.kill()
        proc.wait()
    assert processes_with_argument(marker) == []
