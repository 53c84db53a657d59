"""``themestudio publish`` and the contrast gate, end to end: real backend, PostgreSQL, SeaweedFS, keyring.

A theme whose only WCAG 2 AA failure is in its dark scheme is blocked (exit 1, the pair named, nothing
uploaded); ``--accept-contrast REASON`` publishes it and the waiver lands in the release notes and in the
backend's version record.
"""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from studio.adapters.secrets import SecretName, SecretStore
from studio.cli import publish as publish_cli
from studio.core.profiles import ProfileStore, make_profile
from studio.core.starters import create_theme
from studio.core.theme import Theme
from tests.adapters.keyring_service import SecretServiceSession
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.seaweed import SeaweedS3

DARK_MUTED = "--color-text-muted: #9eaabb;"  # the light starter's dark-scheme muted text (two dark scopes)
FAILING_DARK_MUTED = "--color-text-muted: #3b4350;"


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    publish_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def profile(
    seaweed: SeaweedS3,
    live: LiveBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secret_service: SecretServiceSession,
) -> str:
    """A backend-grants profile (no bucket key here) in a private config dir and the test keyring."""
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    for name in (publish_cli.KEY_ENV, publish_cli.SECRET_ENV, publish_cli.BACKEND_TOKEN_ENV):
        monkeypatch.delenv(name, raising=False)
    name = f"p-{secrets.token_hex(4)}"
    ProfileStore().put(
        make_profile(
            name,
            seaweed.endpoint,
            region=seaweed.region,
            bucket=seaweed.bucket,
            cdn_base_url=live.public_base_url,
            backend_url=live.url,
            credential_mode="backend-grants",
        )
    )
    SecretStore().set(name, SecretName.BACKEND_TOKEN, live.author.token)
    return name


def dark_only_failure(root: Path) -> Theme:
    theme = create_theme(root, "light", "Dim captions")
    css = theme.read_css()
    assert css.count(DARK_MUTED) == 2
    theme.css_path.write_text(css.replace(DARK_MUTED, FAILING_DARK_MUTED), encoding="utf-8")
    return theme


def test_dark_only_failure_blocks_then_the_waiver_is_recorded(
    profile: str,
    live: LiveBackend,
    seaweed: SeaweedS3,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    theme = dark_only_failure(tmp_path / "t")
    argv = ["publish", str(theme.root), "--profile", profile, "--no-preview", "--changes", "Dimmer captions."]

    assert _run(argv) == 1
    err = capsys.readouterr().err
    assert "fail WCAG 2 AA contrast; publishing is blocked" in err
    assert "--color-text-muted on --color-bg [dark]" in err
    assert "[default]" not in err
    assert "[light]" not in err
    assert '--accept-contrast "REASON"' in err
    listed = seaweed.client().list_objects_v2(
        Bucket=seaweed.bucket, Prefix=f"themes-published/{theme.manifest.id}/"
    )
    assert listed.get("KeyCount", 0) == 0  # blocked before any byte moved

    reason = "Captions are decorative; tracked in #42"
    assert _run([*argv, "--accept-contrast", reason]) == 0
    out = capsys.readouterr().out
    assert f"Contrast waiver recorded (2 pair(s) below AA): {reason}" in out
    assert "Registered with the backend." in out

    with psycopg.connect(live.dsn) as conn:
        changes, waiver = conn.execute(
            "SELECT changes, contrast_waiver FROM theme_versions WHERE theme_id = %s",
            (theme.manifest.id,),
        ).fetchone()  # type: ignore[misc]
    assert changes.startswith("Dimmer captions.\n\nContrast waiver (WCAG 2 AA): " + reason)
    assert "--color-text-muted on --color-bg [dark]" in changes
    assert changes.count("Contrast waiver") == 1  # the backend did not add a second section
    assert waiver["reason"] == reason
    assert waiver["accepted_by"] == str(live.author.user_id)
    assert {(f["foreground"], f["background"], f["scheme"]) for f in waiver["failures"]} == {
        ("--color-text-muted", "--color-bg", "dark"),
        ("--color-text-muted", "--color-surface", "dark"),
    }
    assert all(f["ratio"] < 4.5 and f["apca"] < 0 for f in waiver["failures"])


def test_dry_run_lists_the_failures(profile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theme = dark_only_failure(tmp_path / "t")
    assert _run(["publish", str(theme.root), "--profile", profile, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Contrast: 2 pair(s) below WCAG 2 AA:" in out
    assert "--color-text-muted on --color-surface [dark]" in out
