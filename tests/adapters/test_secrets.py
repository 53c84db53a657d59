"""Profile secrets through a real Secret Service (gnome-keyring on a private D-Bus), and without one."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring.backends import fail, null
from keyring.backends.SecretService import Keyring as SecretServiceKeyring

from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore, service_name
from studio.core.profiles import ProfileStore, make_profile
from tests.adapters.keyring_service import (
    SecretServiceSession,
    collect_leaked_connections,
    start_bus,
    stop_process,
)
from tests.conftest import REPO

SECRET = "s3cr3t-Wq8vX2-never-in-files"


def test_round_trip_through_the_secret_service(secret_service: SecretServiceSession) -> None:
    store = SecretStore()
    assert store.get("rt", SecretName.SPACES_SECRET) is None
    store.set("rt", SecretName.SPACES_SECRET, SECRET)
    store.set("rt", SecretName.DO_TOKEN, "dop_v1_x")
    assert store.get("rt", SecretName.SPACES_SECRET) == SECRET
    assert store.present("rt") == {
        SecretName.SPACES_SECRET: True,
        SecretName.DO_TOKEN: True,
        SecretName.BACKEND_TOKEN: False,
    }
    # Another profile's service is separate.
    assert store.get("other", SecretName.SPACES_SECRET) is None
    assert sorted(store.delete_all("rt")) == sorted([SecretName.SPACES_SECRET, SecretName.DO_TOKEN])
    assert store.get("rt", SecretName.SPACES_SECRET) is None
    assert store.delete("rt", SecretName.SPACES_SECRET) is False


def test_secret_is_visible_to_other_keyring_clients(secret_service: SecretServiceSession) -> None:
    """The entry is a real Secret Service item: libsecret's secret-tool finds it under our service name."""
    SecretStore().set("tool", SecretName.BACKEND_TOKEN, SECRET)
    out = subprocess.run(
        ["secret-tool", "lookup", "service", service_name("tool"), "username", "backend-token"],
        env=secret_service.env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert out.stdout == SECRET
    SecretStore().delete_all("tool")


def test_check_names_the_backend(secret_service: SecretServiceSession) -> None:
    assert "SecretService" in SecretStore().check()


def test_secret_never_in_config_logs_exceptions_or_reprs(
    secret_service: SecretServiceSession, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = SecretStore()
    profiles = ProfileStore(tmp_path / "profiles.toml")
    profile = make_profile("leak", "https://fra1.digitaloceanspaces.com", access_key_id="DOKEY123")
    profiles.put(profile)
    store.set("leak", SecretName.SPACES_SECRET, SECRET)
    assert store.get("leak", SecretName.SPACES_SECRET) == SECRET
    with pytest.raises(ValueError, match="empty") as empty:
        store.set("leak", SecretName.SPACES_SECRET, "")
    texts = [
        (tmp_path / "profiles.toml").read_text(),
        caplog.text,
        repr(store),
        repr(profiles.get("leak")),
        str(empty.value),
    ]
    for text in texts:
        assert SECRET not in text
    assert "spaces-secret" in caplog.text  # the log does say what happened, just not the value
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()
    store.delete_all("leak")


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_unusable_backend_is_refused_with_help(backend: object) -> None:
    store = SecretStore(backend)  # type: ignore[arg-type]
    for call in (
        lambda: store.set("p", SecretName.SPACES_SECRET, SECRET),
        lambda: store.get("p", SecretName.SPACES_SECRET),
        store.check,
    ):
        with pytest.raises(KeyringUnavailable) as info:
            call()
        message = str(info.value)
        assert "No OS keyring is available" in message
        assert "apt-get install gnome-keyring" in message
        assert "gnome-keyring-daemon --unlock" in message
        assert SECRET not in message


def test_bus_without_secret_service_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A D-Bus session with nobody owning org.freedesktop.secrets: a clear error, not a hang or a file."""
    bus, address = start_bus(tmp_path)
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        store = SecretStore(SecretServiceKeyring())
        with pytest.raises(KeyringUnavailable, match="No OS keyring is available") as info:
            store.set("p", SecretName.SPACES_SECRET, SECRET)
        assert SECRET not in str(info.value)
        assert "Detail:" in str(info.value)
    finally:
        collect_leaked_connections()
        stop_process(bus)
    assert not list(tmp_path.rglob("*.toml"))


def test_no_dbus_at_all_in_a_fresh_process(tmp_path: Path) -> None:
    """As on a headless server: keyring picks its fail backend by itself, and we say how to get a keyring."""
    _assert_refused_and_nothing_written(_fresh_process_store(tmp_path), tmp_path)


def _fresh_process_store(tmp_path: Path, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """Store a secret from a fresh process with no D-Bus and the given keyring configuration."""
    code = textwrap.dedent(
        f"""
        import sys
        from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
        try:
            SecretStore().set("p", SecretName.SPACES_SECRET, {SECRET!r})
        except KeyringUnavailable as exc:
            print(exc)
            sys.exit(3)
        sys.exit(0)
        """
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")
    }
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def _assert_refused_and_nothing_written(result: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    assert "No OS keyring is available" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"


def test_plaintext_backend_from_the_environment_is_refused(tmp_path: Path) -> None:
    """keyrings.alt's file backend, chosen by PYTHON_KEYRING_BACKEND: refused, nothing written."""
    result = _fresh_process_store(tmp_path, PYTHON_KEYRING_BACKEND=PLAINTEXT)
    _assert_refused_and_nothing_written(result, tmp_path)
    assert f"keyring is set to use {PLAINTEXT}, which is not an OS secret store" in result.stdout
    assert "PYTHON_KEYRING_BACKEND selects it: unset it" in result.stdout


def test_plaintext_backend_from_keyringrc_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config" / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text(f"[backend]\ndefault-keyring = {PLAINTEXT}\n")
    result = _fresh_process_store(tmp_path)
    _assert_refused_and_nothing_written(result, tmp_path)
    assert f"{config} selects it (default-keyring): remove that line" in result.stdout


@pytest.mark.parametrize(
    "backend", ["keyring.backends.null.Keyring", "keyrings.alt.file.EncryptedKeyring", "no.such.Backend"]
)
def test_other_configured_non_stores_are_refused(tmp_path: Path, backend: str) -> None:
    result = _fresh_process_store(tmp_path, PYTHON_KEYRING_BACKEND=backend)
    _assert_refused_and_nothing_written(result, tmp_path)


def test_a_chain_uses_its_os_store_and_never_the_file_backend(
    secret_service: SecretServiceSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyring chains every viable backend; only the Secret Service in it is used."""
    from keyring.backends.chainer import ChainerBackend
    from keyrings.alt.file import PlaintextKeyring

    real = SecretServiceKeyring()
    real.preferred_collection = "/org/freedesktop/secrets/collection/login"
    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "plain.cfg")  # type: ignore[misc]
    monkeypatch.setattr(ChainerBackend, "backends", [plain, real])  # the file backend first, as a trap
    store = SecretStore(ChainerBackend())
    store.set("chain", SecretName.SPACES_SECRET, SECRET)
    assert store.get("chain", SecretName.SPACES_SECRET) == SECRET
    assert store.backend_name() == "keyring.backends.SecretService.Keyring"
    assert not (tmp_path / "plain.cfg").exists()
    store.delete_all("chain")

    monkeypatch.setattr(ChainerBackend, "backends", [plain])
    with pytest.raises(KeyringUnavailable, match="none of them an OS secret store"):
        SecretStore(ChainerBackend()).set("chain", SecretName.SPACES_SECRET, SECRET)
    assert not (tmp_path / "plain.cfg").exists()
