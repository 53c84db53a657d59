"""A real Secret Service for tests: a private D-Bus session bus with gnome-keyring unlocked on it.

``run_secret_service`` starts ``dbus-daemon --session`` and ``gnome-keyring-daemon --foreground --unlock
--components=secrets`` (password on stdin) with a throwaway HOME, so nothing touches the user's keyring. The
``secret_service`` fixture (session scope) exports ``DBUS_SESSION_BUS_ADDRESS`` and sets keyring's backend to
``keyring.backends.SecretService.Keyring`` explicitly; both processes are killed at the end. A missing binary
fails the run with the apt command; it never skips.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from keyring.backends.SecretService import Keyring as SecretServiceKeyring

APT_HINT = "sudo apt-get install -y gnome-keyring libsecret-tools dbus-x11"
BACKEND = "keyring.backends.SecretService.Keyring"
START_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class SecretServiceSession:
    """A running private bus with an unlocked gnome-keyring on it."""

    bus_address: str
    home: Path
    dbus_pid: int
    keyring_pid: int

    def env(self) -> dict[str, str]:
        """Environment for a child process that must use this keyring (and only this one)."""
        return {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "PYTHON_KEYRING_BACKEND": BACKEND,
        }


def _require(binary: str) -> str:
    found = shutil.which(binary)
    if not found:
        raise RuntimeError(
            f"`{binary}` is not installed; the keyring tests need a real Secret Service: {APT_HINT}"
        )
    return found


def start_bus(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start a private session bus; returns the process and its address."""
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["HOME"] = str(home)
    proc = subprocess.Popen(
        [_require("dbus-daemon"), "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().decode().strip()
    if not address:
        proc.kill()
        proc.wait()
        raise RuntimeError("dbus-daemon printed no bus address")
    return proc, address


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate (then kill) a process we started and close its pipes."""
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def collect_leaked_connections() -> None:
    """Collect the D-Bus sockets keyring leaks when the Secret Service is absent, without failing the test.

    keyring's ``SecretService.get_preferred_collection`` opens a connection and does not close it when
    finding the collection fails; at garbage collection that is a ResourceWarning, an error under our
    strict pytest settings.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


LOGIN_COLLECTION = "/org/freedesktop/secrets/collection/login"


@contextlib.contextmanager
def run_secret_service(
    base: Path | None = None, password: str = "test-keyring-pw"
) -> Iterator[SecretServiceSession]:
    """Run a bus and an unlocked gnome-keyring until the block ends."""
    keyring_bin = _require("gnome-keyring-daemon")
    own = base is None
    home = Path(tempfile.mkdtemp(prefix="keyring-home-")) if base is None else base
    (home / "run").mkdir(parents=True, exist_ok=True)
    (home / "run").chmod(0o700)
    bus, address = start_bus(home)
    daemon: subprocess.Popen[bytes] | None = None
    try:
        env = {
            **{k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"},
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "DBUS_SESSION_BUS_ADDRESS": address,
        }
        daemon = subprocess.Popen(
            [keyring_bin, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(password.encode())
        daemon.stdin.close()
        session = SecretServiceSession(address, home, bus.pid, daemon.pid)
        _wait_ready(session, daemon)
        yield session
    finally:
        if daemon is not None:
            stop_process(daemon)
        stop_process(bus)
        if own:
            shutil.rmtree(home, ignore_errors=True)


def _wait_ready(session: SecretServiceSession, daemon: subprocess.Popen[bytes]) -> None:
    """Wait until a round trip through the Secret Service works (the default collection exists)."""
    old = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = session.bus_address
    backend = SecretServiceKeyring()
    backend.preferred_collection = LOGIN_COLLECTION
    deadline = time.monotonic() + START_TIMEOUT_S
    last = ""
    try:
        # Attempts before the daemon is up leak keyring's D-Bus connection: keep only the text of each
        # failure and collect the sockets quietly (see collect_leaked_connections).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            login = session.home / "data" / "keyrings" / "login.keyring"
            while time.monotonic() < deadline:
                if daemon.poll() is not None:
                    raise RuntimeError(f"gnome-keyring-daemon exited with {daemon.returncode}")
                if not login.exists():
                    # Asking before the unlocked login collection exists makes gnome-keyring try to prompt.
                    time.sleep(0.02)
                    continue
                try:
                    backend.set_password("themesystem-studio/__ready__", "probe", "ok")
                    backend.delete_password("themesystem-studio/__ready__", "probe")
                    return
                except Exception as exc:  # not up yet
                    last = f"{type(exc).__name__}: {exc}"
                time.sleep(0.05)
            raise RuntimeError(f"gnome-keyring did not become usable within {START_TIMEOUT_S:.0f} s: {last}")
    finally:
        collect_leaked_connections()
        if old is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = old


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretServiceSession]:
    """An unlocked gnome-keyring on a private bus, made keyring's backend for the whole session."""
    with run_secret_service(tmp_path_factory.mktemp("keyring")) as session:
        old_addr = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        old_backend = keyring.get_keyring()
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = session.bus_address
        backend = SecretServiceKeyring()
        # Address the unlocked login collection directly: resolving the "default" alias raced gnome-keyring
        # under load, and a miss makes keyring try to create a collection, which needs a prompt.
        backend.preferred_collection = LOGIN_COLLECTION
        keyring.set_keyring(backend)
        try:
            yield session
        finally:
            keyring.set_keyring(old_backend)
            if old_addr is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = old_addr
