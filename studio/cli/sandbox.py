"""``themestudio sandbox start|stop|status``: the local platform without the GUI, for CI and scripts.

``start`` runs a detached supervisor (``sandbox serve``, also usable in the foreground, e.g. in a container)
that starts :class:`~studio.adapters.local_platform.LocalPlatform` (SeaweedFS, the bundled backend, embedded
PostgreSQL/Redis when none answer), puts the ``local`` profiles' secrets in the keyring and records its
URLs in ``user_data_dir()/sandbox-service.json`` (no secret in it). Its servers die with it; ``stop`` sends
it SIGTERM.
Then ``themestudio publish --profile local`` works exactly as beside a running studio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from studio.cli.common import EXIT_FAILED, CommandError, add_format_option, print_json
from studio.core.atomic import atomic_write_text
from studio.core.limits import read_json
from studio.core.paths import user_data_dir
from studio.core.profiles import LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE

START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


def state_path() -> Path:
    return user_data_dir() / "sandbox-service.json"


def log_path() -> Path:
    return user_data_dir() / "sandbox-service.log"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="start, stop or inspect the local platform (storage + backend) without the GUI"
    )
    sub = parser.add_subparsers(dest="sandbox_command", required=True, metavar="{start,stop,status}")
    start = sub.add_parser("start", help="start it in the background; prints its URLs")
    start.add_argument("--timeout", type=float, default=START_TIMEOUT_S, help="seconds to wait (120)")
    add_format_option(start)
    sub.add_parser("stop", help="stop it (its servers stop with it)")
    status = sub.add_parser("status", help="is it running, and where (exit 1 when it is not)")
    add_format_option(status)
    sub.add_parser("serve", help=argparse.SUPPRESS)  # the supervisor itself, in the foreground


def run(args: argparse.Namespace) -> int:
    command: str = args.sandbox_command
    if command == "serve":
        return _serve()
    if command == "start":
        return _start(args.timeout, args.format)
    if command == "stop":
        return _stop()
    return _status(args.format)


# ---------------------------------------------------------------------------------------------- state
def _read_state() -> dict[str, Any] | None:
    try:
        state = read_json(state_path(), what="the sandbox service record")
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _alive(state: dict[str, Any]) -> bool:
    """The supervisor the record names still runs (and is that process, not a later one with its PID)."""
    from studio.adapters.child_process import process_start_ticks

    pid, ticks = state.get("pid"), state.get("start_ticks")
    return isinstance(pid, int) and process_start_ticks(pid) == ticks and ticks is not None


def _write_state(**fields: Any) -> None:
    from studio.adapters.child_process import process_start_ticks

    record = {"pid": os.getpid(), "start_ticks": process_start_ticks(os.getpid()), **fields}
    atomic_write_text(state_path(), json.dumps(record, indent=2))


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=2.0).status_code < 500
    return False


def _describe(state: dict[str, Any]) -> dict[str, Any]:
    running = _alive(state) and state.get("status") == "ready"
    backend = state.get("backend_url")
    return {
        "running": running,
        "status": state.get("status") if _alive(state) else "stopped",
        "pid": state.get("pid"),
        "backend_url": backend,
        "backend_ok": bool(running and backend and _answers(f"{backend}/healthz")),
        "s3_endpoint": state.get("s3_endpoint"),
        "cdn_base_url": state.get("cdn_base_url"),
        "bucket": state.get("bucket"),
        "profiles": state.get("profiles", []),
        "notes": state.get("notes", []),
        "log": str(log_path()),
    }


def _print(info: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print_json(info)
        return
    if not info["running"]:
        print(f"The local sandbox is not running ({info['status']}). Log: {info['log']}")
        return
    print(f"backend:  {info['backend_url']}" + ("" if info["backend_ok"] else "  (not answering)"))
    print(f"storage:  {info['s3_endpoint'] or 'none'}  bucket {info['bucket'] or '-'}")
    print(f"public:   {info['cdn_base_url'] or '-'}")
    print(f"profiles: {', '.join(info['profiles']) or 'none (see notes)'}")
    for note in info["notes"]:
        print(f"note:     {note}")


# ---------------------------------------------------------------------------------------------- commands
def _serve() -> int:
    """Run the platform in the foreground until SIGTERM/SIGINT; the record says where it is."""
    from studio.adapters.local_backend import LocalBackendError
    from studio.adapters.local_platform import LocalPlatform

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    platform = LocalPlatform()
    _write_state(status="starting")
    try:
        url = platform.start(cancel=stop)
    except (LocalBackendError, OSError) as exc:
        _write_state(status="failed", error=str(exc), notes=platform.notes)
        print(f"themestudio sandbox: {exc}", file=sys.stderr)
        return EXIT_FAILED
    sandbox = platform.sandbox
    profiles = [LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE] if sandbox.backend_url else []
    _write_state(
        status="ready",
        backend_url=url,
        s3_endpoint=sandbox.endpoint if sandbox.running else None,
        cdn_base_url=sandbox.cdn_base_url if sandbox.running else None,
        bucket=sandbox.location().bucket if sandbox.running else None,
        profiles=profiles,
        notes=platform.notes,
    )
    print(f"themestudio sandbox: ready, backend {url} ({platform.describe()})", flush=True)
    try:
        stop.wait()
    finally:
        platform.stop()
        state_path().unlink(missing_ok=True)
    return 0


def _start(timeout: float, fmt: str) -> int:
    from studio.adapters.python_command import studio_command

    state = _read_state()
    if state is not None and _alive(state):
        if state.get("status") == "ready":
            _print(_describe(state), fmt)
            return 0
        raise CommandError(f"a sandbox service (pid {state.get('pid')}) is still starting; see {log_path()}")
    state_path().unlink(missing_ok=True)
    log_path().parent.mkdir(parents=True, exist_ok=True)
    with log_path().open("ab") as log, Path(os.devnull).open("rb") as devnull:
        # Its own session: it outlives this command and a Ctrl+C in this terminal.
        process = subprocess.Popen(
            studio_command("sandbox", "serve"), stdin=devnull, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _read_state()
        ours = state is not None and state.get("pid") == process.pid
        if state is not None and ours and state.get("status") in ("ready", "failed"):
            if state["status"] == "failed":
                process.wait(timeout=30)
                why = f"the local platform did not start: {state.get('error')} (log: {log_path()})"
                raise CommandError(why, EXIT_FAILED)
            _print(_describe(state), fmt)
            return 0
        if process.poll() is not None:
            raise CommandError(f"the sandbox service exited at start; see {log_path()}", EXIT_FAILED)
        time.sleep(0.2)
    process.terminate()
    raise CommandError(f"the local platform did not start in {timeout:.0f} s; see {log_path()}", EXIT_FAILED)


def _stop() -> int:
    state = _read_state()
    if state is None or not _alive(state):
        state_path().unlink(missing_ok=True)
        print("The local sandbox is not running.")
        return 0
    pid = int(state["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not _alive(state):
            print(f"Stopped the local sandbox (pid {pid}).")
            return 0
        time.sleep(0.2)
    raise CommandError(f"the sandbox service (pid {pid}) did not stop in {STOP_TIMEOUT_S:.0f} s", EXIT_FAILED)


def _status(fmt: str) -> int:
    state = _read_state()
    info = _describe(state) if state is not None else _describe({"status": "stopped"})
    _print(info, fmt)
    return 0 if info["running"] else EXIT_FAILED
