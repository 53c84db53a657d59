"""``themestudio profiles`` end to end: real keyring, SeaweedFS, the fake DO API over HTTP, real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from studio.adapters.do_api import BASE_URL_ENV
from studio.adapters.secrets import SecretName, SecretStore
from studio.cli.profiles import main
from studio.core.profiles import ProfileStore, make_profile, now_utc
from tests.adapters.fake_do_api import FakeDigitalOcean
from tests.adapters.keyring_service import SecretServiceSession
from tests.backend.seaweed import SeaweedS3
from tests.conftest import REPO


def cli(
    args: list[str], env: dict[str, str], stdin: str = "", config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**env}
    if config is not None:
        full_env["THEMESTUDIO_CONFIG_DIR"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "studio.cli.profiles", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )


def test_add_list_test_remove_in_real_processes(
    tmp_path: Path, seaweed: SeaweedS3, secret_service: SecretServiceSession
) -> None:
    env = secret_service.env()
    added = cli(
        [
            "add", "ci", "--endpoint", seaweed.endpoint, "--region", seaweed.region,
            "--bucket", seaweed.bucket, "--access-key-id", seaweed.access_key,
            "--with-spaces-secret", "--secret-stdin",
        ],
        env,
        stdin=seaweed.secret_key + "\n",
        config=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert seaweed.secret_key not in (tmp_path / "profiles.toml").read_text()
    assert SecretStore().get("ci", SecretName.SPACES_SECRET) == seaweed.secret_key

    listed = cli(["list"], env, config=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "spaces-secret" in listed.stdout
    assert seaweed.secret_key not in listed.stdout

    tested = cli(["test", "ci"], env, config=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "✓ spaces key write" in tested.stdout

    SecretStore().set("ci", SecretName.SPACES_SECRET, "not-the-secret")
    failing = cli(["test", "ci"], env, config=tmp_path)
    assert failing.returncode == 1
    assert "✗ spaces key read: SignatureDoesNotMatch: the secret is wrong" in failing.stdout

    removed = cli(["remove", "ci"], env, config=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert SecretStore().get("ci", SecretName.SPACES_SECRET) is None
    assert ProfileStore(tmp_path / "profiles.toml").load() == {}


def test_create_key_through_the_do_api(
    tmp_path: Path, secret_service: SecretServiceSession, fake_do: FakeDigitalOcean
) -> None:
    env = {**secret_service.env(), BASE_URL_ENV: fake_do.url}
    result = cli(
        [
            "add",
            "prod",
            "--endpoint",
            "https://fra1.digitaloceanspaces.com",
            "--create-key",
            "--secret-stdin",
        ],
        env,
        stdin=fake_do.token + "\n",
        config=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    created = fake_do.created_keys[0]
    assert created["grants"] == [{"bucket": "themesystem-assets", "permission": "readwrite"}]
    profile = ProfileStore(tmp_path / "profiles.toml").get("prod")
    assert profile.region == "fra1"
    assert profile.access_key_id == created["access_key"]
    assert profile.spaces_key_created_at is not None
    assert abs(profile.spaces_key_created_at - now_utc()) < timedelta(minutes=1)
    store = SecretStore()
    assert store.get("prod", SecretName.SPACES_SECRET) == created["secret_key"]
    assert store.get("prod", SecretName.DO_TOKEN) == fake_do.token
    text = (tmp_path / "profiles.toml").read_text() + result.stdout + result.stderr
    assert created["secret_key"] not in text
    assert fake_do.token not in text
    store.delete_all("prod")


def test_create_key_with_a_wrong_token_writes_nothing(
    tmp_path: Path, secret_service: SecretServiceSession, fake_do: FakeDigitalOcean
) -> None:
    env = {**secret_service.env(), BASE_URL_ENV: fake_do.url}
    result = cli(
        ["add", "p", "--endpoint", "https://fra1.digitaloceanspaces.com", "--create-key", "--secret-stdin"],
        env,
        stdin="dop_v1_wrong\n",
        config=tmp_path,
    )
    assert result.returncode == 2
    assert "token was refused (401)" in result.stderr
    assert "dop_v1_wrong" not in result.stderr
    assert not (tmp_path / "profiles.toml").exists()
    assert SecretStore().present("p") == dict.fromkeys(SecretName, False)


def test_no_keyring_refuses_to_store_anything(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")
    }
    env["HOME"] = str(tmp_path)
    result = cli(
        ["add", "p", "--endpoint", "https://fra1.digitaloceanspaces.com", "--access-key-id", "AK",
         "--with-spaces-secret", "--secret-stdin"],
        env,
        stdin="top-secret-value\n",
        config=tmp_path / "cfg",
    )  # fmt: skip
    assert result.returncode == 2
    assert "No OS keyring is available" in result.stderr
    assert not (tmp_path / "cfg" / "profiles.toml").exists()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"top-secret-value" not in path.read_bytes()


def test_list_shows_local_marker_and_rotation_reminder(
    tmp_path: Path,
    secret_service: SecretServiceSession,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path))
    store = ProfileStore()
    store.put(make_profile("local", "http://127.0.0.1:8333", region="us-east-1", access_key_id="AK"))
    old = make_profile("prod", "https://fra1.digitaloceanspaces.com", access_key_id="DOOLD")
    store.put(old.with_spaces_key("DOOLD", now_utc() - timedelta(days=120)))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "local (local)" in out
    assert "120 d (rotate)" in out
    assert "reminder: profile prod: the Spaces key DOOLD is 120 days old" in out


def test_secret_is_never_an_argument() -> None:
    with pytest.raises(SystemExit):
        main(["add", "p", "--endpoint", "https://fra1.digitaloceanspaces.com", "--secret", "x"])


def test_prompt_reads_secrets_with_getpass(
    tmp_path: Path, secret_service: SecretServiceSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path))
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "tsk_backend")
    code = main(["add", "b", "--endpoint", "http://127.0.0.1:1", "--region", "us-east-1", "--mode",
                 "backend-grants", "--backend-url", "http://127.0.0.1:2",
                 "--with-backend-token"])  # fmt: skip
    assert code == 0
    assert prompts == ["backend API token for profile b: "]
    assert SecretStore().get("b", SecretName.BACKEND_TOKEN) == "tsk_backend"
    SecretStore().delete_all("b")
