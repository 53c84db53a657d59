"""``themestudio publish``: --endpoint and --profile (keyring, real backend, fake DO API) on SeaweedFS."""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from studio.adapters.do_api import BASE_URL_ENV
from studio.adapters.secrets import SecretName, SecretStore
from studio.cli import publish as publish_cli
from studio.core.profiles import ProfileStore, make_profile
from studio.core.starters import create_theme
from tests.adapters.fake_do_api import FakeDigitalOcean
from tests.adapters.keyring_service import SecretServiceSession
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.seaweed import SeaweedS3


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    publish_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def env(seaweed: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> SeaweedS3:
    monkeypatch.setenv(publish_cli.KEY_ENV, seaweed.access_key)
    monkeypatch.setenv(publish_cli.SECRET_ENV, seaweed.secret_key)
    return seaweed


def _args(server: SeaweedS3, path: Path, *extra: str) -> list[str]:
    return [
        "publish",
        str(path),
        "--endpoint",
        server.endpoint,
        "--bucket",
        server.bucket,
        "--region",
        server.region,
        "--no-preview",
        *extra,
    ]


def test_dry_run_changes_nothing(env: SeaweedS3, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theme = create_theme(tmp_path / "t", "light", "Cli")
    assert _run(_args(env, theme.root, "--version", "1.0.0", "--dry-run")) == 0
    out = capsys.readouterr().out
    assert f"themes-published/{theme.manifest.id}/1.0.0/theme.css" in out
    assert "Dry run" in out
    client = env.client()
    listed = client.list_objects_v2(Bucket=env.bucket, Prefix=f"themes-published/{theme.manifest.id}/")
    assert listed.get("KeyCount", 0) == 0


def test_dry_run_of_a_symlinked_assets_folder_refuses_and_lists_nothing(
    env: SeaweedS3, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The incident: ``assets`` linked to a folder holding a private key was listed and published."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "id_ed25519").write_text("PRIVATE KEY")
    theme = create_theme(tmp_path / "t", "light", "Cli")
    for child in theme.assets_dir.iterdir():
        child.unlink()
    theme.assets_dir.rmdir()
    theme.assets_dir.symlink_to(private, target_is_directory=True)
    assert _run(_args(env, theme.root, "--version", "1.0.0", "--dry-run")) == 1
    captured = capsys.readouterr()
    assert "id_ed25519" not in captured.out
    assert "Not published: 1 problem(s) with the theme's files block publishing" in captured.err
    assert f"theme folder theme-files/symlink: assets is a symbolic link to {private}" in captured.err
    for path in ("1.0.0", "1.0.0/assets/id_ed25519"):
        key = f"themes-published/{theme.manifest.id}/{path}"
        assert env.client().list_objects_v2(Bucket=env.bucket, Prefix=key).get("KeyCount", 0) == 0


def test_publish_then_bump_then_republish(
    env: SeaweedS3, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theme = create_theme(tmp_path / "t", "light", "Cli")
    assert _run(_args(env, theme.root, "--version", "1.0.0", "--changes", "first")) == 0
    assert "Published 1.0.0" in capsys.readouterr().out
    head = env.client().head_object(
        Bucket=env.bucket, Key=f"themes-published/{theme.manifest.id}/latest/theme.css"
    )
    assert head["CacheControl"] == "public, max-age=60"
    theme.css_path.write_text(theme.read_css() + "\n.x { color: red; }\n", encoding="utf-8")
    assert _run(_args(env, theme.root, "--bump", "minor")) == 0
    out = capsys.readouterr().out
    assert "Published 1.1.0" in out
    assert "+.x { color: red; }" in out
    assert _run(_args(env, theme.root, "--version", "1.1.0")) == 0
    assert "already published" in capsys.readouterr().out
    theme.css_path.write_text(theme.read_css() + "\n.y { color: red; }\n", encoding="utf-8")
    assert _run(_args(env, theme.root, "--version", "1.1.0")) == 1
    assert "immutable" in capsys.readouterr().err


def test_lint_errors_and_missing_keys_refuse(
    env: SeaweedS3, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = create_theme(tmp_path / "t", "light", "Cli")
    theme.css_path.write_text('a { background: url("javascript:alert(1)"); }\n', encoding="utf-8")
    assert _run(_args(env, theme.root, "--version", "1.0.0")) == 1
    assert "lint error" in capsys.readouterr().err
    monkeypatch.delenv(publish_cli.SECRET_ENV)
    assert _run(_args(env, theme.root, "--version", "1.0.0")) == 2
    assert publish_cli.SECRET_ENV in capsys.readouterr().err


# ---------------------------------------------------------------------- --profile (keyring, backend, CDN)
@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret_service: SecretServiceSession) -> Path:
    """A private profiles file and the test keyring; no CI key pair or token in the environment."""
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    for name in (publish_cli.KEY_ENV, publish_cli.SECRET_ENV, publish_cli.BACKEND_TOKEN_ENV):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "config"


def _save_profile(seaweed: SeaweedS3, live: LiveBackend, mode: str, **fields: str) -> str:
    name = f"p-{secrets.token_hex(4)}"
    ProfileStore().put(
        make_profile(
            name,
            seaweed.endpoint,
            region=seaweed.region,
            bucket=seaweed.bucket,
            cdn_base_url=live.public_base_url,
            backend_url=live.url,
            credential_mode=mode,
            **fields,
        )
    )
    SecretStore().set(name, SecretName.BACKEND_TOKEN, live.author.token)
    return name


def _published_by(live: LiveBackend, theme_id: str) -> list[str]:
    client = live.client(live.author)
    try:
        found = client.get_theme(theme_id)
    finally:
        client.close()
    assert found is not None
    return [str(v) for v in found["available_versions"]]


def test_profile_key_mode_publishes_registers_moves_latest_and_purges_the_cdn(
    seaweed: SeaweedS3,
    live: LiveBackend,
    config: Path,
    fake_do: FakeDigitalOcean,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    endpoint_id = next(iter(fake_do.cdn_endpoints))
    name = _save_profile(
        seaweed, live, "spaces-key", access_key_id=seaweed.access_key, cdn_endpoint_id=endpoint_id
    )
    SecretStore().set(name, SecretName.SPACES_SECRET, seaweed.secret_key)
    SecretStore().set(name, SecretName.DO_TOKEN, fake_do.token)
    monkeypatch.setenv(BASE_URL_ENV, fake_do.url)
    theme = create_theme(tmp_path / "t", "light", "Keyed")
    theme_id = theme.manifest.id

    assert _run(["publish", str(theme.root), "--profile", name, "--no-preview", "--changes", "first"]) == 0
    first = capsys.readouterr()
    assert "with the Spaces key" in first.out
    assert "Registered with the backend." in first.out
    assert _published_by(live, theme_id) == ["0.1.0"]

    theme.css_path.write_text(theme.read_css() + "\n.x { color: red; }\n", encoding="utf-8")
    argv = ["publish", str(theme.root), "--profile", name, "--bump", "minor", "--changes", "red x"]
    assert _run([*argv, "--no-preview"]) == 0
    out = capsys.readouterr()
    assert "Published 0.2.0 with the Spaces key" in out.out
    assert "+.x { color: red; }" in out.out  # diffed against 0.1.0
    latest_key = f"themes-published/{theme_id}/latest/theme.css"
    assert f"CDN purged: {latest_key}" in out.out
    for text in (out.out, out.err, first.out, first.err, (config / "profiles.toml").read_text()):
        assert seaweed.secret_key not in text
        assert live.author.token not in text
        assert fake_do.token not in text

    # Public, immutable objects; latest on 0.2.0; registered; the CDN purged for the alias, once per move.
    versioned = httpx.get(f"{live.public_base_url}/themes-published/{theme_id}/0.2.0/theme.css")
    assert versioned.status_code == 200
    assert versioned.content == theme.css_path.read_bytes()
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert httpx.get(f"{live.public_base_url}/{latest_key}").content == theme.css_path.read_bytes()
    assert sorted(_published_by(live, theme_id)) == ["0.1.0", "0.2.0"]
    assert fake_do.purges == [(endpoint_id, [latest_key]), (endpoint_id, [latest_key])]


def test_profile_backend_grants_publishes_with_no_key_and_registers(
    seaweed: SeaweedS3, live: LiveBackend, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = _save_profile(seaweed, live, "backend-grants")
    assert not SecretStore().has(name, SecretName.SPACES_SECRET)
    theme = create_theme(tmp_path / "t", "light", "Granted")
    (theme.root / "assets").mkdir(exist_ok=True)
    (theme.root / "assets" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    argv = ["publish", str(theme.root), "--profile", name, "--version", "1.2.0", "--changes", "granted"]
    assert _run([*argv, "--no-preview"]) == 0
    out = capsys.readouterr().out
    assert "Published 1.2.0 through backend grants" in out
    assert "Registered with the backend." in out
    assert "needs the bucket key" not in out  # the backend, which holds the key, moved latest
    base = f"{live.public_base_url}/themes-published/{theme.manifest.id}/1.2.0"
    assert httpx.get(f"{base}/theme.css").content == theme.css_path.read_bytes()
    latest = f"{live.public_base_url}/themes-published/{theme.manifest.id}/latest/theme.css"
    assert httpx.get(latest).content == theme.css_path.read_bytes()
    assert httpx.get(f"{base}/assets/logo.svg").status_code == 200
    assert _published_by(live, theme.manifest.id) == ["1.2.0"]
    # Run again: the same bytes are a no-op success, registration included.
    assert _run([*argv, "--no-preview"]) == 0
    assert "already published" in capsys.readouterr().out


def test_profile_without_its_secret_or_token_says_how_to_fix(
    seaweed: SeaweedS3, live: LiveBackend, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theme = create_theme(tmp_path / "t", "light", "Missing")
    name = _save_profile(seaweed, live, "spaces-key", access_key_id=seaweed.access_key)
    assert _run(["publish", str(theme.root), "--profile", name, "--no-preview"]) == 2
    err = capsys.readouterr().err
    assert "No Spaces key secret" in err
    assert f"themestudio profiles add {name}" in err
    SecretStore().set(name, SecretName.SPACES_SECRET, seaweed.secret_key)
    SecretStore().delete(name, SecretName.BACKEND_TOKEN)
    assert _run(["publish", str(theme.root), "--profile", name, "--no-preview"]) == 2
    err = capsys.readouterr().err
    assert "No backend token" in err
    assert publish_cli.BACKEND_TOKEN_ENV in err
    assert _run(["publish", str(theme.root), "--profile", "nope"]) == 2
    assert "no profile named 'nope'" in capsys.readouterr().err
