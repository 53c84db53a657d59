"""publisher_for: which mode and steps a profile gets, the errors that name the fix, the running sandbox."""

from __future__ import annotations

import argparse
import os
import secrets
import uuid
from pathlib import Path

import httpx
import pytest
from keyring.backends import fail

from studio.adapters.local_backend import LocalBackend, drop_database
from studio.adapters.object_store import S3Credentials
from studio.adapters.profile_services import connect_profile
from studio.adapters.publish_services import (
    PublishSetupError,
    env_credentials,
    local_sandbox_profile,
    publisher_for,
)
from studio.adapters.sandbox import Sandbox, keyring_saver
from studio.adapters.secrets import SecretName, SecretStore
from studio.cli import publish as publish_cli
from studio.core.profiles import LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE, Profile
from studio.core.starters import create_theme
from tests.adapters.keyring_service import SecretServiceSession


def _profile(**fields: object) -> Profile:
    base: dict[str, object] = {
        "name": f"s-{secrets.token_hex(4)}",
        "endpoint": "http://127.0.0.1:9",
        "region": "us-east-1",
        "backend_url": "http://127.0.0.1:9",
    }
    return Profile(**{**base, **fields}).validated()  # type: ignore[arg-type]


def test_key_mode_wires_registration_and_the_cdn_purge(secret_service: SecretServiceSession) -> None:
    profile = _profile(access_key_id="AK", cdn_endpoint_id="ep-1")
    store = SecretStore()
    store.set(profile.name, SecretName.SPACES_SECRET, "sk")
    store.set(profile.name, SecretName.BACKEND_TOKEN, "bt")
    store.set(profile.name, SecretName.DO_TOKEN, "dt")
    with publisher_for(profile) as session:
        assert not session.grant_mode
        assert session.store.has_credentials
        assert session.registers
        assert session.purges_cdn
        assert session.publisher.backend is None  # grants are only for keyless profiles
        assert session.notes == []
    store.delete(profile.name, SecretName.DO_TOKEN)
    with publisher_for(profile) as session:
        assert not session.purges_cdn
        assert "no DigitalOcean token" in session.notes[0]
        assert f"themestudio profiles add {profile.name} --with-do-token" in session.notes[0]


def test_grant_mode_has_no_key_and_asks_the_backend(secret_service: SecretServiceSession) -> None:
    profile = _profile(credential_mode="backend-grants")
    SecretStore().set(profile.name, SecretName.BACKEND_TOKEN, "bt")
    with publisher_for(profile, credentials=S3Credentials("ignored", "ignored")) as session:
        assert session.grant_mode
        assert not session.store.has_credentials
        assert session.publisher.backend is session.backend
        assert session.mode_label == "through backend grants"


def test_missing_pieces_raise_one_error_that_names_the_fix(secret_service: SecretServiceSession) -> None:
    no_key_id = _profile()
    with pytest.raises(PublishSetupError, match="has no access key id") as info:
        publisher_for(no_key_id)
    assert f"themestudio profiles add {no_key_id.name}" in str(info.value)
    no_token = _profile(access_key_id="AK", credential_mode="spaces-key")
    with pytest.raises(PublishSetupError, match="No backend token") as info:
        publisher_for(no_token, credentials=S3Credentials("AK", "sk"))
    assert "THEMESTUDIO_BACKEND_TOKEN" in str(info.value)
    with publisher_for(
        no_token, credentials=S3Credentials("AK", "sk"), environ={"THEMESTUDIO_BACKEND_TOKEN": "t"}
    ):
        pass
    with pytest.raises(PublishSetupError, match="No OS keyring"):
        publisher_for(no_token, SecretStore(fail.Keyring()))
    with pytest.raises(PublishSetupError, match="THEMESTUDIO_SPACES_SECRET is not set"):
        env_credentials({"THEMESTUDIO_SPACES_KEY": "AK"})
    assert env_credentials({}) is None


def test_cli_publishes_to_the_running_sandbox_as_the_local_profile(
    secret_service: SecretServiceSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("THEMESTUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    for name in (publish_cli.KEY_ENV, publish_cli.SECRET_ENV, publish_cli.BACKEND_TOKEN_ENV):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(PublishSetupError, match="No local sandbox found"):
        local_sandbox_profile()

    sandbox = Sandbox(save_secret=keyring_saver())
    sandbox.start()
    # As the studio does: the bundled backend on the sandbox, its author token in the keyring, its URL noted.
    servers = (os.environ["DATABASE_URL"], os.environ["REDIS_URL"])  # the run's (tests/local_servers.py)
    database = f"publish_local_{uuid.uuid4().hex[:8]}"
    backend = LocalBackend(tmp_path / "backend", database=database, server_urls=servers)
    backend.storage_env = sandbox.backend_env()
    try:
        url = backend.start()
        assert backend.token is not None
        SecretStore().set(LOCAL_PROFILE, SecretName.BACKEND_TOKEN, backend.token)
        sandbox.record_backend(url)
        profile, credentials = local_sandbox_profile()
        assert profile == sandbox.profile()
        assert profile.backend_url == url
        assert credentials == sandbox.credentials()
        theme = create_theme(tmp_path / "t", "light", "Local")
        parser = argparse.ArgumentParser()
        publish_cli.register(parser.add_subparsers())
        args = parser.parse_args(["publish", str(theme.root), "--profile", LOCAL_PROFILE, "--no-preview"])
        assert args.func(args) == 0
        out = capsys.readouterr().out
        assert "Profile local (local): uploading with the Spaces key." in out
        assert "Registered with the backend." in out
        css_key = f"themes-published/{theme.manifest.id}/0.1.0/theme.css"
        published = httpx.get(f"{sandbox.cdn_base_url}/{css_key}")
        assert published.content == theme.css_path.read_bytes()
        assert published.headers["content-type"] == "text/css; charset=utf-8"
        assert published.headers["cache-control"] == "public, max-age=31536000, immutable"
        latest = f"{sandbox.cdn_base_url}/themes-published/{theme.manifest.id}/latest/theme.css"
        assert httpx.get(latest).content == theme.css_path.read_bytes()
        got = httpx.get(f"{url}/v1/themes/{theme.manifest.id}", timeout=5).json()
        assert got["available_versions"] == ["0.1.0"]
        assert credentials.secret_key not in out

        # Review on the same machine: the local author submits a draft, the local reviewer (a second identity,
        # as nobody may review their own drafts) approves it, seeing exactly its bytes.
        store = SecretStore()
        store.set(LOCAL_REVIEWER_PROFILE, SecretName.BACKEND_TOKEN, backend.reviewer_token or "")
        store.set(LOCAL_REVIEWER_PROFILE, SecretName.SPACES_SECRET, credentials.secret_key)
        theme.css_path.write_text(theme.read_css() + "\n/* for review */\n", encoding="utf-8")
        with connect_profile(sandbox.profile()) as author:
            draft = author.review.submit(theme)
        with connect_profile(sandbox.reviewer_profile()) as reviewer:
            assert [d.id for d in reviewer.review.awaiting()] == [draft.id]
            fetched = reviewer.review.fetch(draft.id)
            assert fetched.css == theme.css_path.read_bytes()
            assert reviewer.review.approve(draft.id, "ship it").status == "approved"

        SecretStore().set(LOCAL_PROFILE, SecretName.SPACES_SECRET, "an-older-sandbox-secret")
        with pytest.raises(PublishSetupError, match="older sandbox"):
            local_sandbox_profile()
    finally:
        backend.stop()
        drop_database(backend.database)
        sandbox.stop()
    assert not (sandbox.data_dir / "backend.json").exists()
    with pytest.raises(PublishSetupError, match="The local sandbox is not running"):
        local_sandbox_profile()
