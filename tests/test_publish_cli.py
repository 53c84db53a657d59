"""``themestudio publish``: dry run, a real publish to SeaweedFS, refusals and exit codes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from studio import publish_cli
from studio.core.starters import create_theme
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
