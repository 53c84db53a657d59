"""``themestudio sandbox start|status|stop`` as CI runs it: real processes, SeaweedFS, the bundled backend
on the run's PostgreSQL/Redis, a real keyring; then ``publish --profile local`` against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from studio.adapters.child_process import process_start_ticks
from studio.adapters.local_backend import drop_database
from studio.core.profiles import LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE
from studio.core.starters import create_theme
from tests.adapters.keyring_service import SecretServiceSession
from tests.conftest import REPO


def _studio(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_start_status_publish_stop(secret_service: SecretServiceSession, tmp_path: Path) -> None:
    database = f"sandbox_cli_{uuid.uuid4().hex[:8]}"
    env = {
        **secret_service.env(),
        "THEMESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "THEMESTUDIO_CONFIG_DIR": str(tmp_path / "config"),
        "THEMESTUDIO_LOCAL_DATABASE": database,
        "QT_QPA_PLATFORM": "offscreen",
    }
    assert _studio(env, "sandbox", "status").returncode == 1  # nothing runs yet: exit 1, says so
    try:
        started = _studio(env, "sandbox", "start", "--format", "json")
        assert started.returncode == 0, started.stdout + started.stderr
        info = json.loads(started.stdout)
        assert info["running"], info
        assert info["backend_ok"], info
        assert info["profiles"] == [LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE], info["notes"]
        assert httpx.get(f"{info['backend_url']}/readyz", timeout=5).status_code == 200
        supervisor = info["pid"]
        assert process_start_ticks(supervisor) is not None

        again = _studio(env, "sandbox", "start", "--format", "json")  # idempotent: the same one, not a second
        assert again.returncode == 0
        assert json.loads(again.stdout)["pid"] == supervisor

        status = _studio(env, "sandbox", "status", "--format", "json")
        assert status.returncode == 0
        assert json.loads(status.stdout)["backend_url"] == info["backend_url"]

        theme = create_theme(tmp_path / "t", "light", "Headless")
        published = _studio(env, "publish", str(theme.root), "--profile", LOCAL_PROFILE, "--no-preview")
        assert published.returncode == 0, published.stdout + published.stderr
        assert "Registered with the backend." in published.stdout
        key = f"themes-published/{theme.manifest.id}/0.1.0/theme.css"
        assert httpx.get(f"{info['cdn_base_url']}/{key}").content == theme.css_path.read_bytes()
        record = httpx.get(f"{info['backend_url']}/v1/themes/{theme.manifest.id}", timeout=5).json()
        assert record["available_versions"] == ["0.1.0"]
        secrets_file = Path(env["THEMESTUDIO_DATA_DIR"]) / "sandbox-service.json"
        assert "secret" not in secrets_file.read_text().lower()
    finally:
        stopped = _studio(env, "sandbox", "stop")
        drop_database(database, os.environ["THEMESTUDIO_LOCAL_POSTGRES"])
    assert stopped.returncode == 0, stopped.stderr
    assert process_start_ticks(supervisor) is None  # the supervisor is gone, and with it its servers
    for url in (f"{info['backend_url']}/healthz", info["cdn_base_url"]):
        try:
            httpx.get(url, timeout=2)
        except httpx.TransportError:
            continue
        raise AssertionError(f"{url} still answers after `sandbox stop`")
    after = _studio(env, "sandbox", "status", "--format", "json")
    assert after.returncode == 1
    assert json.loads(after.stdout)["running"] is False
