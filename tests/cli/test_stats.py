"""``themestudio stats`` as CI runs it: a real process, a saved profile, the token from the environment."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.profiles import ProfileStore, make_profile
from tests.backend.analytics_seed import (
    AnalyticsBackend,
    analytics_backend,
    create_released_theme,
    db_counts,
    last_days,
    seed_events,
)
from tests.conftest import REPO


@pytest.fixture(scope="module")
def live() -> Iterator[AnalyticsBackend]:
    with analytics_backend() as backend:
        yield backend


@pytest.fixture(scope="module")
def theme(live: AnalyticsBackend) -> str:
    theme_id = create_released_theme(live.dsn, live.author, "Cli Stats")
    seed_events(live.dsn, theme_id, days=40, seed=11)
    return theme_id


@pytest.fixture
def config(tmp_path: Path, live: AnalyticsBackend, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(folder))
    ProfileStore().put(make_profile("prod", "http://127.0.0.1:1", region="us-east-1", backend_url=live.url))
    return folder


def stats(config: Path, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "THEMESTUDIO_CONFIG_DIR": str(config), "THEMESTUDIO_BACKEND_TOKEN": token}
    return subprocess.run(
        [sys.executable, "-m", "studio", "stats", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_csv_and_json_equal_the_database(live: AnalyticsBackend, theme: str, config: Path) -> None:
    first, last = last_days(30)
    result = stats(
        config,
        live.author.token,
        theme,
        "--days",
        "30",
        "--version",
        "1.2.0",
        "--format",
        "csv",
        "--profile",
        "prod",
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    want = db_counts(live.dsn, theme, first, last, "1.2.0")
    assert [
        (r["day"], r["version"], int(r["views"]), int(r["downloads"]), int(r["installs"])) for r in rows
    ] == [(day.isoformat(), "1.2.0", *c) for day, c in want.items()]
    result = stats(config, live.author.token, theme, "--days", "7", "--format", "json", "--profile", "prod")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    first, last = last_days(7)
    want = db_counts(live.dsn, theme, first, last)
    assert [(d["day"], d["views"], d["downloads"], d["installs"]) for d in report["days"]] == [
        (day.isoformat(), *c) for day, c in want.items()
    ]
    assert report["totals"]["views"] == sum(c[0] for c in want.values())
    assert set(report["rank"]) == {"position", "score", "ranked", "source"}
    text = stats(config, live.author.token, theme, "--days", "7", "--profile", "prod")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[-2].startswith("total")
    assert "Popularity:" in text.stdout


def test_refusals_say_why(live: AnalyticsBackend, theme: str, config: Path) -> None:
    other = stats(config, live.other_author.token, theme, "--profile", "prod")
    assert other.returncode == 1
    assert "Not authorised" in other.stderr
    assert live.other_author.token not in other.stderr + other.stdout
    bad_id = stats(config, live.author.token, "not-a-uuid", "--profile", "prod")
    assert bad_id.returncode == 2
    assert "not a theme id" in bad_id.stderr
    bad_days = stats(config, live.author.token, theme, "--days", "400", "--profile", "prod")
    assert bad_days.returncode == 2
    unknown = stats(config, live.author.token, theme, "--profile", "nope")
    assert unknown.returncode == 2
