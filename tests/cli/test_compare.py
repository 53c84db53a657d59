"""``themestudio compare``: rendered before/after comparison, headless (real QtWebEngine, real backend)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import Publisher
from studio.adapters.review import ReviewService
from studio.cli import compare as compare_cli
from studio.cli import drafts as drafts_cli
from studio.cli.common import CommandError
from studio.core.paths import resources_dir
from studio.core.profiles import ProfileStore, make_profile
from studio.core.publish_plan import plan_release
from studio.core.starters import create_theme
from tests.adapters.test_backend_client import LiveBackend, keyless_store, running_backend
from tests.backend.seaweed import SeaweedS3

REPO = Path(__file__).resolve().parents[2]
PRIMARY = "--color-primary: #2f5bd3;"


def themestudio(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300, check=False)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(resources_dir() / "themes" / "light", old)
    shutil.copytree(resources_dir() / "themes" / "light", new)
    css = (new / "theme.css").read_text(encoding="utf-8")
    (new / "theme.css").write_text(css.replace(PRIMARY, "--color-primary: #2f5bd4;", 1), encoding="utf-8")
    return old, new


def test_a_one_unit_change_is_reported_with_pngs_json_and_fail_on_change(
        pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    out = tmp_path / "out"
    done = themestudio("compare", str(old), str(new), "--out", str(out), "--format", "json",
                       "--fail-on-change")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["changed"] is True
    by_key = {f"{c['scheme']}@{c['width']}": c for c in report["combinations"]}
    assert sorted(by_key) == ["dark@1280", "dark@375", "dark@768", "light@1280", "light@375", "light@768"]
    for key, combination in by_key.items():
        if key.startswith("light"):  # the dark scheme sets its own primary
            assert combination["changed_ratio"] > 0
            assert "buttons" in combination["sections"]
            assert combination["regions"][0]["width"] > 0
        else:
            assert combination["changed_ratio"] == 0
            assert combination["regions"] == []
    changes = report["token_impact"]["changes"]
    assert [c["name"] for c in changes] == ["--color-primary"]
    assert len(report["images"]) == 18
    assert all(Path(p).stat().st_size > 1000 for p in report["images"])
    assert (out / "light-375-diff.png").is_file()


def test_identical_stylesheets_exit_zero_even_with_fail_on_change(tmp_path: Path) -> None:
    folder = resources_dir() / "themes" / "dark"
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)  # with its assets: the sheet's url() images must load on both sides
    done = themestudio("compare", str(folder / "theme.css"), str(copy), "--fail-on-change")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert sum(line.strip().endswith("unchanged") for line in lines) == 6
    assert "Token impact:" in lines
    assert "no token changes" in lines


def test_bad_input_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    css = resources_dir() / "themes" / "dark" / "theme.css"
    missing = themestudio("compare", str(tmp_path / "nope"), str(css))
    assert missing.returncode == 2
    assert "no such file or folder" in missing.stderr
    remote = themestudio("compare", "draft:123", str(css))
    assert remote.returncode == 2
    assert "--profile" in remote.stderr
    threshold = themestudio("compare", str(css), str(css), "--threshold", "3")
    assert threshold.returncode == 2


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    compare_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_a_release_against_a_draft_through_a_profile(
    seaweed: SeaweedS3, live: LiveBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    theme = create_theme(tmp_path / "t", "light", "Compared")
    author = live.client(live.author)
    store = ObjectStore(S3Location(seaweed.endpoint, seaweed.region, seaweed.bucket),
                        S3Credentials(seaweed.access_key, seaweed.secret_key), workers=2)
    drafts = keyless_store(seaweed, live)
    service = ReviewService(author, drafts)
    try:
        service.ensure_theme(theme)
        publisher = Publisher(store, register=author.register_release, backend=author)
        publisher.publish(plan_release(theme, "1.0.0"))
        css = theme.css_path.read_text(encoding="utf-8")
        theme.css_path.write_text(css.replace(PRIMARY, "--color-primary: #2f5bd4;", 1), encoding="utf-8")
        draft = service.submit(theme)
    finally:
        service.close()
        drafts.close()
        store.close()
        author.close()

    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    for name in (drafts_cli.KEY_ENV, drafts_cli.SECRET_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(drafts_cli.BACKEND_TOKEN_ENV, live.reviewer.token)
    ProfileStore().put(make_profile(
        "review", seaweed.endpoint, region=seaweed.region, bucket=seaweed.bucket,
        cdn_base_url=live.public_base_url, backend_url=live.url, credential_mode="backend-grants"))
    theme_id = theme.manifest.id
    code = _run(["compare", f"{theme_id}@1.0.0", f"draft:{draft.id}", "--profile", "review",
                 "--format", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["old"] == f"{theme_id}@1.0.0"
    assert report["new"] == f"draft {draft.revision} of {theme_id}"
    changed = [f"{c['scheme']}@{c['width']}" for c in report["combinations"] if c["changed_ratio"] > 0]
    assert changed == ["light@375", "light@768", "light@1280"]

    with pytest.raises(CommandError, match=r"no release 9\.9\.9"):
        _run(["compare", f"{theme_id}@9.9.9", f"draft:{draft.id}", "--profile", "review"])
