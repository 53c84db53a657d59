"""``themestudio migrate-assets`` end to end against two SeaweedFS servers (explicit endpoints + env keys)."""

from __future__ import annotations

import argparse
import hashlib
import secrets
from collections.abc import Iterator

import pytest

from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.cli import migrate_assets as migrate_cli
from tests.backend.seaweed import SeaweedS3, run_seaweed


@pytest.fixture(scope="module")
def second() -> Iterator[SeaweedS3]:
    with run_seaweed() as server:
        yield server


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="themestudio")
    migrate_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


@pytest.fixture
def env(seaweed: SeaweedS3, second: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMESTUDIO_FROM_KEY", seaweed.access_key)
    monkeypatch.setenv("THEMESTUDIO_FROM_SECRET", seaweed.secret_key)
    monkeypatch.setenv("THEMESTUDIO_TO_KEY", second.access_key)
    monkeypatch.setenv("THEMESTUDIO_TO_SECRET", second.secret_key)


def test_migrate_then_rerun_skips(
    env: None, seaweed: SeaweedS3, second: SeaweedS3, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"themes-published/cli-{secrets.token_hex(4)}/"
    src = ObjectStore(
        S3Location(seaweed.endpoint, seaweed.region, seaweed.bucket),
        S3Credentials(seaweed.access_key, seaweed.secret_key),
    )
    for n in range(5):
        body = f".c{n}{{}}".encode()
        sha = hashlib.sha256(body).hexdigest()
        src.put(f"{prefix}{n}.css", body, {"Content-Type": "text/css", "x-amz-meta-sha256": sha}, sha256=sha)
    src.close()
    argv = ["migrate-assets", "--from-endpoint", seaweed.endpoint, "--to-endpoint", second.endpoint]
    assert _run([*argv, "--prefix", prefix]) == 0
    out = capsys.readouterr()
    assert "5 copied" in out.out
    assert "0 failed" in out.out
    assert _run([*argv, "--prefix", prefix, "--quiet"]) == 0
    out = capsys.readouterr()
    assert "0 copied (0 bytes), 5 skipped" in out.out
    assert out.err == ""


def test_failures_exit_1_and_usage_exits_2(
    env: None,
    seaweed: SeaweedS3,
    second: SeaweedS3,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prefix = f"themes-published/cli-fail-{secrets.token_hex(4)}/"
    src = ObjectStore(
        S3Location(seaweed.endpoint, seaweed.region, seaweed.bucket),
        S3Credentials(seaweed.access_key, seaweed.secret_key),
    )
    src.put(prefix + "a.css", b"a{}", {"Content-Type": "text/css"}, sha256=hashlib.sha256(b"a{}").hexdigest())
    src.close()
    wrong = "wrong-" + secrets.token_hex(8)
    monkeypatch.setenv("THEMESTUDIO_TO_SECRET", wrong)
    argv = ["migrate-assets", "--from-endpoint", seaweed.endpoint, "--to-endpoint", second.endpoint]
    assert _run([*argv, "--prefix", prefix]) == 1
    out = capsys.readouterr()
    assert "FAILED " + prefix + "a.css" in out.out
    assert "refused" in out.out
    assert wrong not in out.out + out.err

    assert _run(["migrate-assets", "--from-endpoint", seaweed.endpoint]) == 2
    assert "--to-profile or --to-endpoint" in capsys.readouterr().err
    monkeypatch.delenv("THEMESTUDIO_FROM_KEY")
    assert _run([*argv]) == 2
    assert "THEMESTUDIO_FROM_KEY" in capsys.readouterr().err
    monkeypatch.setenv("THEMESTUDIO_FROM_KEY", seaweed.access_key)
    assert (
        _run(["migrate-assets", "--from-endpoint", seaweed.endpoint, "--to-endpoint", seaweed.endpoint]) == 2
    )
