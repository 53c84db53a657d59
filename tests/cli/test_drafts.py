"""``themestudio drafts``: submit, list, show, approve, request changes (real backend and storage)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from studio.cli import drafts as drafts_cli
from studio.core.profiles import ProfileStore, make_profile
from studio.core.starters import create_theme
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.seaweed import SeaweedS3


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    drafts_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def profile(seaweed: SeaweedS3, live: LiveBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A ``backend-grants`` profile (no bucket key anywhere on this side) in a private config dir."""
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    for name in (drafts_cli.KEY_ENV, drafts_cli.SECRET_ENV):
        monkeypatch.delenv(name, raising=False)
    ProfileStore().put(
        make_profile(
            "review",
            seaweed.endpoint,
            region=seaweed.region,
            bucket=seaweed.bucket,
            cdn_base_url=live.public_base_url,
            backend_url=live.url,
            credential_mode="backend-grants",
        )
    )
    return "review"


def test_submit_list_show_approve(
    live: LiveBackend,
    profile: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    theme = create_theme(tmp_path / "t", "light", "Cli Draft")
    monkeypatch.setenv(drafts_cli.BACKEND_TOKEN_ENV, live.author.token)
    assert _run(["drafts", "submit", str(theme.root), "--profile", profile]) == 0
    out = capsys.readouterr().out
    match = re.search(r"Submitted draft ([0-9a-f-]{36}) \(revision 1", out)
    assert match, out
    draft_id = match.group(1)
    assert "through a backend grant" in out
    assert "in review" in out

    monkeypatch.setenv(drafts_cli.BACKEND_TOKEN_ENV, live.reviewer.token)
    assert _run(["drafts", "list", "--profile", profile]) == 0
    assert draft_id in capsys.readouterr().out
    assert _run(["drafts", "show", draft_id, "--profile", profile, "--css"]) == 0
    shown = capsys.readouterr().out
    assert "No release yet" in shown
    assert theme.css_path.read_text().splitlines()[0] in shown
    assert _run(["drafts", "approve", draft_id, "--comment", "good", "--profile", profile]) == 0
    assert "is now approved. Comment: good" in capsys.readouterr().out
    assert _run(["drafts", "approve", draft_id, "--profile", profile]) == 1
    assert "illegal_transition" in capsys.readouterr().err

    # The author publishes exactly the approved bytes; a changed local file is refused first.
    monkeypatch.setenv(drafts_cli.BACKEND_TOKEN_ENV, live.author.token)
    approved = theme.css_path.read_bytes()
    theme.css_path.write_bytes(approved + b"\n/* not reviewed */\n")
    publish = ["drafts", "publish", draft_id, str(theme.root), "--version", "1.0.0", "--profile", profile]
    assert _run(publish) == 1
    assert "not the approved draft" in capsys.readouterr().err
    theme.css_path.write_bytes(approved)
    assert _run(publish) == 0
    out = capsys.readouterr().out
    assert "Published 1.0.0 from approved draft" in out
    url = out.strip().rsplit(" ", 1)[-1]
    assert httpx.get(url).content == approved


def test_request_changes_and_refusals(
    live: LiveBackend,
    profile: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    theme = create_theme(tmp_path / "t", "light", "Cli Changes")
    monkeypatch.setenv(drafts_cli.BACKEND_TOKEN_ENV, live.author.token)
    assert _run(["drafts", "submit", str(theme.root), "--profile", profile]) == 0
    draft_id = re.findall(r"Submitted draft ([0-9a-f-]{36})", capsys.readouterr().out)[0]
    assert _run(["drafts", "list", "--profile", profile]) == 1  # authors are not reviewers
    assert "forbidden" in capsys.readouterr().err
    theme.css_path.write_text('@import url("https://evil.example/x.css");\n')
    assert _run(["drafts", "submit", str(theme.root), "--profile", profile]) == 1
    err = capsys.readouterr().err
    assert "lint error" in err
    assert live.author.token not in err

    monkeypatch.setenv(drafts_cli.BACKEND_TOKEN_ENV, live.reviewer.token)
    argv = ["drafts", "request-changes", draft_id, "--comment", "more contrast", "--profile", profile]
    assert _run(argv) == 0
    assert "is now changes requested. Comment: more contrast" in capsys.readouterr().out
    assert _run(["drafts", "list", "--profile", "nope"]) == 2
    assert "no profile named 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _run(["drafts", "request-changes", draft_id, "--profile", profile])  # --comment is required
