"""The studio as a user starts it: a real process with its bundled backend and sandbox, and a clean exit."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from studio.adapters.child_process import process_alive
from studio.adapters.server_lock import LockRecord, ServerRecord, read_lock
from studio.core.recent import RecentThemes
from studio.core.starters import create_theme
from tests.conftest import REPO


def processes_mentioning(text: str) -> list[str]:
    """Processes whose command line or environment mentions ``text`` (the bundled servers inherit it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if text in cmdline or text in environ:
            found.append(f"{proc.name} {cmdline[:200]}")
    return found


def test_quitting_right_after_the_first_paint_leaves_no_server_behind(tmp_path: Path) -> None:
    """The bundled backend and sandbox start after the first preview; quitting mid-start must stop them."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "THEMESTUDIO_EXIT_AFTER_PAINT": "1",
        "THEMESTUDIO_CONFIG_DIR": str(tmp_path / "config"),
        "THEMESTUDIO_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("THEMESYSTEM_API_URL", None)
    env.pop("THEMESTUDIO_LOCAL_BACKEND", None)
    proc = subprocess.run(
        [sys.executable, "-m", "studio"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "first-preview-painted" in proc.stdout
    assert (tmp_path / "data" / "themes" / "my-theme" / "theme.css").is_file()  # opened on a starter theme
    deadline = time.monotonic() + 10
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_mentioning(str(tmp_path)) == []


# -------------------------------------------------------------------------- signals, crashes, one instance
def studio_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "THEMESTUDIO_CONFIG_DIR": str(tmp_path / "config"),
        "THEMESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # never the developer's keyring
    }
    for name in ("THEMESYSTEM_API_URL", "THEMESTUDIO_LOCAL_BACKEND", "THEMESTUDIO_EXIT_AFTER_PAINT"):
        env.pop(name, None)
    return env


def launch(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    log = (tmp_path / "studio.log").open("ab")
    with log:
        return subprocess.Popen(
            [sys.executable, "-m", "studio", *args],
            cwd=REPO,
            env=studio_env(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_for_servers(studio: subprocess.Popen[bytes], tmp_path: Path) -> tuple[ServerRecord, ServerRecord]:
    """The studio's SeaweedFS and API once both serve (read from their lock files, owned by ``studio``)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert studio.poll() is None, (tmp_path / "studio.log").read_text()[-3000:]
        sandbox, backend = (read_lock(tmp_path / "data" / d / "owner.lock") for d in ("sandbox", "backend"))
        if sandbox.owner_pid == backend.owner_pid == studio.pid and sandbox.servers and backend.servers:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(backend.servers[0].url + "/healthz", timeout=1).status_code == 200:
                    return sandbox.servers[0], backend.servers[0]
        time.sleep(0.1)
    log = (tmp_path / "studio.log").read_text()
    raise AssertionError("the local servers did not come up: " + log[-3000:])


def descendants(pid: int) -> set[int]:
    """Every live process under ``pid`` (by parent PID, from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found and process_alive(child):
                found.add(child)
                todo.append(child)
    return found


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def assert_all_gone(pids: set[int], ports: set[int], since: float, within: float = 5.0) -> float:
    """Every PID ended and every port closed within ``within`` s of ``since``; returns how long it took."""
    while True:
        alive = {p for p in pids if process_alive(p)}
        open_ports = {p for p in ports if listening(p)}
        elapsed = time.monotonic() - since
        if not alive and not open_ports:
            return elapsed
        assert elapsed < within, f"after {within} s still running: {alive}, still listening: {open_ports}"
        time.sleep(0.05)


def test_signals_crashes_and_second_launches_never_leave_or_duplicate_a_server(tmp_path: Path) -> None:
    """Two real launches (each ~12 s here: the bundled backend's start dominates), every exit path checked."""
    sandbox_lock, backend_lock = (tmp_path / "data" / d / "owner.lock" for d in ("sandbox", "backend"))
    first = launch(tmp_path)
    try:
        sandbox, api = wait_for_servers(first, tmp_path)

        # Another launch with a path hands it to the running studio, which opens it; it exits 0 at once.
        other = create_theme(tmp_path / "other", "dark", "Other").root
        handed = subprocess.run(
            [sys.executable, "-m", "studio", str(other)],
            cwd=REPO,
            env=studio_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert handed.returncode == 0, handed.stderr[-2000:]
        assert f"already running (PID {first.pid})" in handed.stdout
        recent = RecentThemes(tmp_path / "config" / "recent.json")
        deadline = time.monotonic() + 10
        while recent.list()[:1] != [other] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert recent.list()[:1] == [other], "the running studio did not open the handed-over folder"
        # Still one SeaweedFS: the same process, still the lock's only server, still serving its port.
        assert [s.pid for s in read_lock(sandbox_lock).servers] == [sandbox.pid]
        assert process_alive(sandbox.pid, sandbox.start_ticks)
        assert listening(sandbox.ports[-2])  # the S3 port

        # SIGKILL of the studio and of its reaper at once: the kernel's parent-death signal alone must end
        # the servers; the lock files are left stale, as by a crash.
        family = descendants(first.pid)
        assert {sandbox.pid, api.pid} <= family
        cmdlines = {p: Path(f"/proc/{p}/cmdline").read_bytes() for p in family}
        (reaper,) = (p for p, cmd in cmdlines.items() if b"studio.adapters.reaper" in cmd)
        since = time.monotonic()
        os.kill(reaper, signal.SIGKILL)
        first.kill()
        first.wait(timeout=5)
        took = assert_all_gone(family, {*sandbox.ports, *api.ports}, since)
        print(f"SIGKILL: all gone in {took:.2f} s")
        assert read_lock(sandbox_lock).owner_pid == first.pid  # stale: nobody cleaned it up
    finally:
        first.kill()
        first.wait()

    # A stale lock from a killed studio: the next launch takes over and starts cleanly, on the same ports.
    second = launch(tmp_path)
    try:
        sandbox2, api2 = wait_for_servers(second, tmp_path)
        assert sandbox2.ports == sandbox.ports
        assert sandbox2.pid != sandbox.pid

        # SIGTERM quits like File → Quit: exit 0, and within 5 s nothing it started runs or listens; the
        # lock files are released empty, so the next launch starts as cleanly as this one did.
        family = descendants(second.pid)
        assert {sandbox2.pid, api2.pid} <= family
        since = time.monotonic()
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=5) == 0
        took = assert_all_gone(family, {*sandbox2.ports, *api2.ports}, since)
        print(f"SIGTERM: all gone in {took:.2f} s")
        assert read_lock(sandbox_lock) == read_lock(backend_lock) == LockRecord()
    finally:
        second.kill()
        second.wait()
