"""``themestudio install ID[@VERSION] DIR`` against the real API and SeaweedFS: byte-identical files,
``forked_from``, the install recorded with a profile's token, exit codes for every refusal."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from studio.adapters.secrets import SecretName, SecretStore
from studio.cli import main
from studio.core.manifest import load_manifest
from studio.core.profiles import Profile, ProfileStore
from tests.adapters.catalog_world import World, catalog_world
from tests.adapters.keyring_service import SecretServiceSession
from tests.backend.seaweed import SeaweedS3


@pytest.fixture(scope="module")
def world(seaweed: SeaweedS3) -> Iterator[World]:
    with catalog_world(seaweed) as built:
        yield built


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "theme.toml"
    }


def test_install_latest_with_a_profile_records_the_install(
    secret_service: SecretServiceSession,
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))  # its own profiles, left behind
    ProfileStore().put(
        Profile(
            name="install-cli", endpoint="http://127.0.0.1:1", region="us-east-1", backend_url=world.live.url
        )
    )
    secrets = SecretStore()
    secrets.set("install-cli", SecretName.BACKEND_TOKEN, world.user.token)
    target = tmp_path / "fork"
    try:
        code = main(
            ["install", world.release.theme_id, str(target), "--profile", "install-cli", "--format", "json"]
        )
    finally:
        secrets.delete_all("install-cli")
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["forked_from"] == f"{world.release.theme_id}@1.1.0"
    assert out["install_recorded"] is True
    assert _files(target) == world.release.files
    manifest = load_manifest(target / "theme.toml")
    assert manifest.forked_from == out["forked_from"]
    assert manifest.id == out["id"] != world.release.theme_id
    with psycopg.connect(world.live.dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM theme_analytics "
            "WHERE theme_id = %s AND event_type = 'install' AND user_id = %s",
            (world.release.theme_id, world.user.user_id),
        ).fetchone()
    assert row == (1,)


def test_install_a_pinned_version_anonymously(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "pinned"
    args = ["install", f"{world.release.theme_id}@1.0.0", str(target), "--backend", world.live.url]
    assert main([*args, "--name", "My Harbor"]) == 0
    out = capsys.readouterr().out
    assert f"forked_from = '{world.release.theme_id}@1.0.0'" in out
    assert "not signed in" in out
    assert load_manifest(target / "theme.toml").name == "My Harbor"
    assert sorted(_files(target)) == ["theme.css"]
    assert main(args) == 2  # DIR exists and is not empty
    assert "not an empty folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("release", "message"),
    [
        ("not-an-id", "not ID[@VERSION]"),
        (f"{uuid.uuid4()}@1.0", "not a semantic version"),
        (f"{uuid.uuid4()}", "no published theme"),
    ],
)
def test_bad_releases_are_usage_errors(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], release: str, message: str
) -> None:
    assert main(["install", release, str(tmp_path / "x"), "--backend", world.live.url]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_a_version_that_is_not_released_is_a_usage_error(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["install", f"{world.release.theme_id}@9.9.9", str(tmp_path / "x"), "--backend", world.live.url]
    )
    assert code == 2
    assert "not released" in capsys.readouterr().err
