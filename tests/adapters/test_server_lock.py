"""One owner per data folder: a live owner refuses others; what a dead owner left is stopped, not duplicated.

The "servers" here are real processes listening on real ports (a Python one-liner), started so that they do
not die with their owner, as the embedded PostgreSQL and Redis daemonise.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.adapters.child_process import process_alive
from studio.adapters.server_lock import FolderInUseError, ServerLock, read_lock
from tests.conftest import REPO

# An owner: takes the lock, starts a listening server that survives it, records it, prints its PID and port,
# then (with "reaper") starts the reaper too; it waits on stdin until it is killed.
OWNER = """
import os, subprocess, sys
from pathlib import Path
from studio.adapters.server_lock import ServerLock, ServerRecord
lock_path = Path(sys.argv[1])
if "reaper" in sys.argv:
    from studio.adapters.reaper import start_reaper
    reaper = start_reaper([lock_path])
lock = ServerLock(lock_path)
lock.acquire()
server = subprocess.Popen(
    [sys.executable, "-c", "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen();"
     " print(s.getsockname()[1], flush=True); time.sleep(300)"],
    stdout=subprocess.PIPE, start_new_session=True)
port = int(server.stdout.readline())
lock.add(ServerRecord.of("Test server", server.pid, role="daemon", ports=(port,), log="/dev/null"))
print(server.pid, port, flush=True)
sys.stdin.read()
"""


def port_listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_owner(lock_path: Path, *extra: str) -> tuple[subprocess.Popen[str], int, int]:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(lock_path), *extra],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    pid, port = map(int, owner.stdout.readline().split())
    assert process_alive(pid)
    assert port_listening(port)
    return owner, pid, port


def kill_owner(owner: subprocess.Popen[str]) -> None:
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    for stream in (owner.stdin, owner.stdout):
        if stream is not None:
            stream.close()


def test_a_live_owner_refuses_others_and_a_dead_owners_server_is_stopped(tmp_path: Path) -> None:
    lock_path = tmp_path / "sandbox" / "owner.lock"
    owner, server_pid, port = start_owner(lock_path)
    try:
        with pytest.raises(FolderInUseError) as refused:
            ServerLock(lock_path).acquire()
        assert refused.value.owner_pid == owner.pid
        assert str(owner.pid) in str(refused.value)
    finally:
        kill_owner(owner)  # SIGKILL: nothing of the owner's cleanup runs; its server keeps running
    assert process_alive(server_pid)
    assert read_lock(lock_path).servers[0].pid == server_pid

    lock = ServerLock(lock_path)
    stopped = lock.acquire()
    try:
        assert stopped == [
            f"Stopped the daemon (PID {server_pid}) left by a studio that ended (PID {owner.pid})"
        ]
        assert not process_alive(server_pid)
        assert not port_listening(port)
        record = json.loads(lock_path.read_text())
        assert record == {"owner_pid": os.getpid(), "servers": []}
    finally:
        lock.release()
    assert lock_path.read_text() == ""
    assert ServerLock(lock_path).acquire() == []  # released: the next owner starts clean


def test_the_reaper_stops_what_a_killed_owner_left_at_once(tmp_path: Path) -> None:
    lock_path = tmp_path / "backend" / "owner.lock"
    owner, server_pid, port = start_owner(lock_path, "reaper")
    kill_owner(owner)
    deadline = time.monotonic() + 5
    while process_alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not process_alive(server_pid), "the reaper did not stop the server within 5 s"
    assert not port_listening(port)
    while read_lock(lock_path).servers and time.monotonic() < deadline:
        time.sleep(0.02)
    assert read_lock(lock_path).servers == []
