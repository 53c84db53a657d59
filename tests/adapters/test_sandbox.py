"""The local sandbox: a real SeaweedFS started by the studio, public prefixes readable, drafts private."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from studio.adapters.child_process import process_alive, processes_with_argument
from studio.adapters.object_store import AccessDeniedError, ObjectStore
from studio.adapters.sandbox import Sandbox, SandboxError, identities_file
from tests.adapters.test_local_backend import POISON, assert_clean_environment, environ_of
from tests.conftest import REPO

# A studio from before the parent-death signal, killed: its SeaweedFS outlives it on the folder.
OLD_STUDIO = """
import json, os, subprocess, sys
from pathlib import Path
import studio.adapters.sandbox as sandbox
sandbox.spawn = lambda cmd, **kw: subprocess.Popen(cmd, start_new_session=True, **kw)
box = sandbox.Sandbox(Path(sys.argv[1]))
box.start()
print(json.dumps({"pid": box.servers()[0].pid, "endpoint": box.endpoint, "owner": os.getpid()}), flush=True)
os._exit(0)
"""


def _put(store: ObjectStore, key: str, body: bytes) -> None:
    store.put(key, body, {"Content-Type": "text/css; charset=utf-8"}, sha256=hashlib.sha256(body).hexdigest())


def test_sandbox_serves_public_prefixes_keeps_drafts_private_and_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in POISON.items():
        monkeypatch.setenv(name, value)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    saved: list[str] = []
    sandbox = Sandbox(tmp_path / "sandbox", save_secret=saved.append)
    profile = sandbox.start()
    try:
        assert sandbox._process is not None
        assert_clean_environment(environ_of(sandbox._process.pid))  # SeaweedFS got none of our secrets
        assert profile.is_local
        assert profile.label == "local (local)"
        assert profile.cdn_base_url == f"{sandbox.endpoint}/themesystem-assets"
        old_credentials = sandbox.credentials()
        secret = old_credentials.secret_key
        assert saved == [secret]
        assert sandbox.secret_saved

        # The secret is on disk only in the 0600 identities file SeaweedFS needs, in the runtime dir.
        identities = sandbox.identities_path
        assert identities.is_relative_to(runtime)
        assert stat.S_IMODE(identities.stat().st_mode) == 0o600
        assert stat.S_IMODE(identities.parent.stat().st_mode) == 0o700
        holders = [p for p in tmp_path.rglob("*") if p.is_file() and secret in p.read_text("latin-1")]
        assert holders == [identities]
        assert secret not in repr(sandbox)
        assert secret not in repr(profile)

        store = ObjectStore(sandbox.location(), sandbox.credentials())
        try:
            _put(store, "themes-published/t1/1.0.0/theme.css", b":root{--a:1}")
            _put(store, "themes-drafts/t1/u1/1/theme.css", b":root{--a:2}")
            public = httpx.get(f"{profile.cdn_base_url}/themes-published/t1/1.0.0/theme.css")
            assert public.status_code == 200
            assert public.content == b":root{--a:1}"
            draft = httpx.get(f"{profile.cdn_base_url}/themes-drafts/t1/u1/1/theme.css")
            assert draft.status_code == 403
            head = store.head("themes-drafts/t1/u1/1/theme.css")  # signed: the owner reads it
            assert head is not None
            assert head.size == 12
        finally:
            store.close()

        env = sandbox.backend_env()
        assert env["SPACES_ENDPOINT"] == sandbox.endpoint
        assert env["SPACES_SECRET"] == secret
    finally:
        ports = json.loads((tmp_path / "sandbox" / "ports.json").read_text())
        endpoint = sandbox.endpoint
        sandbox.stop()
    assert not sandbox.running
    assert not identities.exists()  # the secret does not outlive the sandbox
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and secret in p.read_text("latin-1")]
    with pytest.raises(httpx.HTTPError):
        httpx.get(endpoint + "/", timeout=1.0)
    with pytest.raises(SandboxError):
        sandbox.credentials()

    # Started again: same ports (URLs stay stable), data kept, a new key pair; the old one is refused.
    restarted = Sandbox(tmp_path / "sandbox")
    again = restarted.start()
    try:
        assert again.endpoint == f"http://127.0.0.1:{ports['s3']}"
        assert httpx.get(f"{again.cdn_base_url}/themes-published/t1/1.0.0/theme.css").status_code == 200
        assert restarted.credentials().secret_key != secret
        stale = ObjectStore(restarted.location(), old_credentials)
        try:
            with pytest.raises(AccessDeniedError):
                _put(stale, "themes-published/t1/1.0.1/theme.css", b"x")
        finally:
            stale.close()
    finally:
        restarted.stop()


def test_identities_fall_back_to_the_private_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runtime dir others can read (or none) is not used for the secret."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    assert identities_file(tmp_path / "sb") == tmp_path / "sb" / "s3-identities.json"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert identities_file(tmp_path / "sb") == tmp_path / "sb" / "s3-identities.json"
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(private))
    one, two = identities_file(tmp_path / "a"), identities_file(tmp_path / "b")
    assert one.is_relative_to(private)
    assert one != two  # two data dirs never share a secret file


def test_a_sandbox_left_by_a_dead_studio_is_stopped_and_never_duplicated(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    old = subprocess.run(
        [sys.executable, "-c", OLD_STUDIO, str(data)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    left = json.loads(old.stdout)
    assert process_alive(left["pid"])
    assert httpx.get(left["endpoint"] + "/", timeout=5).status_code == 403  # serving, unsigned

    sandbox = Sandbox(data)
    sandbox.start()
    try:
        assert sandbox.recovered == [
            f"Stopped the local sandbox (PID {left['pid']}) left by a studio that ended (PID {left['owner']})"
        ]
        assert not process_alive(left["pid"])
        assert sandbox.endpoint == left["endpoint"]  # its ports were freed, and the URLs stay the same
        (server,) = sandbox.servers()
        assert server.pid != left["pid"]
        assert processes_with_argument(f"-dir={data / 'data'}") == [server.pid]  # one SeaweedFS on it

        with pytest.raises(SandboxError, match=f"already running: .* in use by process {os.getpid()}"):
            Sandbox(data).start()
        assert processes_with_argument(f"-dir={data / 'data'}") == [server.pid]
    finally:
        sandbox.stop(grace_s=0)  # the graceful stop is tested above
    assert not process_alive(server.pid)
    assert processes_with_argument(f"-dir={data / 'data'}") == []
