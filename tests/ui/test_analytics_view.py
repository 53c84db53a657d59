"""The Analytics view against the real backend: the chart draws the database's counts, CSV equals them,
ranges and releases filter, and offline / not authorised / empty each get their own state."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from studio.adapters.backend_client import BackendClient
from studio.core.analytics import METRICS, AnalyticsQuery, AnalyticsReport
from studio.core.profiles import Profile
from studio.ui.accessibility import unnamed_controls
from studio.ui.analytics_dialog import AnalyticsDialog
from studio.ui.analytics_view import AnalyticsView
from tests.backend.analytics_seed import (
    RELEASES,
    AnalyticsBackend,
    analytics_backend,
    create_released_theme,
    db_counts,
    last_days,
    seed_events,
)
from tests.backend.helpers import free_port

SHOTS = Path("/tmp/shots-analytics")


@pytest.fixture(scope="module")
def live() -> Iterator[AnalyticsBackend]:
    with analytics_backend() as backend:
        yield backend


@pytest.fixture(scope="module")
def theme(live: AnalyticsBackend) -> str:
    theme_id = create_released_theme(live.dsn, live.author, "Aurora Dusk")
    seed_events(live.dsn, theme_id, days=100)
    return theme_id


@pytest.fixture
def author(live: AnalyticsBackend) -> Iterator[BackendClient]:
    client = BackendClient(live.url, live.author.token)
    yield client
    client.close()


def shot(widget: AnalyticsView | AnalyticsDialog, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # pending layout requests (new texts and sizes) first
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def make_view(qtbot: QtBot, theme_id: str, fetch: object, name: str = "Aurora Dusk") -> AnalyticsView:
    view = AnalyticsView(theme_id, fetch, theme_name=name)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.resize(960, 600)
    view.show()
    return view


def expected(
    live: AnalyticsBackend, theme: str, days: int, version: str | None
) -> dict[str, list[tuple[date, int]]]:
    first, last = last_days(days)
    counts = db_counts(live.dsn, theme, first, last, version)
    return {metric: [(day, c[i]) for day, c in counts.items()] for i, metric in enumerate(METRICS)}


def test_the_chart_draws_the_database_counts_for_each_range_and_release(
    qtbot: QtBot, live: AnalyticsBackend, theme: str, author: BackendClient
) -> None:
    view = make_view(qtbot, theme, author.theme_analytics)
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        view.refresh()
    assert view.state == "data"
    assert [view.version_box.itemText(i) for i in range(view.version_box.count())] == [
        "All releases",
        *reversed(RELEASES),
    ]
    for days in (30, 7, 90):
        if days != view.days:
            with qtbot.waitSignal(view.loaded, timeout=15_000):
                view.set_range(days)
        want = expected(live, theme, days, None)
        for metric in METRICS:
            assert view.chart_series(metric) == want[metric]
            assert view.totals[metric].number.text() == f"{sum(c for _, c in want[metric]):,}"
        assert view.rank_label.text().startswith("Popularity: ")
        shot(view, f"analytics-{days}-days")
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        view.set_version("1.1.0")
    want = expected(live, theme, 90, "1.1.0")
    assert view.report is not None
    assert view.report.version == "1.1.0"
    for metric in METRICS:
        assert view.chart_series(metric) == want[metric]
    assert "1.1.0" in view.chart.title()
    shot(view, "analytics-90-days-release-1.1.0")
    assert unnamed_controls([view]) == []


def test_csv_export_equals_the_database(
    qtbot: QtBot, live: AnalyticsBackend, theme: str, author: BackendClient, tmp_path: Path
) -> None:
    view = make_view(qtbot, theme, author.theme_analytics)
    view.range_box.blockSignals(True)
    view.set_range(7)
    view.range_box.blockSignals(False)
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        view.refresh()
    view.export_button.click()
    dialog = view.findChild(QFileDialog, "analyticsCsvDialog")
    assert dialog is not None
    assert dialog.selectedFiles()[0].endswith(".csv")
    target = tmp_path / "out" / "usage.csv"
    target.parent.mkdir()
    with qtbot.waitSignal(view.exported, timeout=10_000) as exported:
        dialog.selectFile(str(target))
        dialog.accept()
    assert exported.args == [str(target)]
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    first, last = last_days(7)
    counts = db_counts(live.dsn, theme, first, last)
    assert [
        (r["day"], r["version"], int(r["views"]), int(r["downloads"]), int(r["installs"])) for r in rows
    ] == [(day.isoformat(), "all", *c) for day, c in counts.items()]
    assert [p.name for p in target.parent.iterdir()] == ["usage.csv"]  # atomic: no temporary file left


def test_another_author_is_not_authorised(qtbot: QtBot, live: AnalyticsBackend, theme: str) -> None:
    other = BackendClient(live.url, live.other_author.token)
    try:
        view = make_view(qtbot, theme, other.theme_analytics)
        with qtbot.waitSignal(view.failed, timeout=15_000) as failed:
            view.refresh()
        assert failed.args == ["not_authorised"]
        assert view.message_title.text() == "Not authorised"
        assert not view.export_button.isEnabled()
        assert view.totals["views"].number.text() == "–"
        shot(view, "analytics-not-authorised")
    finally:
        other.close()


def test_an_offline_backend_says_so_and_retries(qtbot: QtBot, live: AnalyticsBackend, theme: str) -> None:
    offline = BackendClient(f"http://127.0.0.1:{free_port()}", live.author.token)
    online = BackendClient(live.url, live.author.token)
    backends = [offline]

    def fetch(query: AnalyticsQuery) -> AnalyticsReport:
        return backends[-1].theme_analytics(query)

    try:
        view = make_view(qtbot, theme, fetch)
        with qtbot.waitSignal(view.failed, timeout=15_000) as failed:
            view.refresh()
        assert failed.args == ["offline"]
        assert view.message_title.text() == "The backend is offline"
        assert view.retry_button.isVisibleTo(view)
        shot(view, "analytics-offline")
        backends.append(online)  # the backend is back: Try Again shows the data
        with qtbot.waitSignal(view.loaded, timeout=15_000):
            view.retry_button.click()
        assert view.state == "data"
    finally:
        offline.close()
        online.close()


def test_a_range_without_events_is_empty_not_an_error(
    qtbot: QtBot, live: AnalyticsBackend, author: BackendClient
) -> None:
    quiet = create_released_theme(live.dsn, live.author, "Quiet Meadow")
    view = make_view(qtbot, quiet, author.theme_analytics, "Quiet Meadow")
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        view.refresh()
    assert view.state == "empty"
    assert view.message_title.text() == "No events in this range"
    assert view.export_button.isEnabled()  # 30 rows of zeros are still an answer
    assert view.totals["views"].number.text() == "0"
    assert view.rank_label.text() == "Popularity: Not ranked yet (no downloads or installs)"
    shot(view, "analytics-empty")


def test_dialog_reads_through_the_chosen_profile(qtbot: QtBot, live: AnalyticsBackend, theme: str) -> None:
    profiles = [
        Profile(
            name="author", endpoint="http://127.0.0.1:1", region="us-east-1", backend_url=live.url
        ).validated(),
        Profile(
            name="stranger", endpoint="http://127.0.0.1:1", region="us-east-1", backend_url=live.url
        ).validated(),
    ]
    tokens = {"author": live.author.token, "stranger": live.other_author.token}
    dialog = AnalyticsDialog(
        theme,
        "Aurora Dusk",
        profiles,
        client_for=lambda p: BackendClient(p.backend_url or "", tokens[p.name]),
    )
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.view.loaded, timeout=15_000):
        dialog.show()
    assert dialog.view.state == "data"
    shot(dialog, "analytics-dialog")
    with qtbot.waitSignal(dialog.view.failed, timeout=15_000):
        dialog.profile_box.setCurrentIndex(1)
    assert dialog.view.state == "not_authorised"
    assert unnamed_controls([dialog]) == []
    dialog.reject()


def test_theme_menu_opens_analytics_for_the_open_theme(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studio.core.starters import create_theme
    from studio.ui.main_window import StudioWindow

    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))  # no profile other tests saved
    theme = create_theme(tmp_path / "aurora", "light", "Aurora Menu")
    win = StudioWindow()
    try:
        assert win.open_theme(theme.root)
        action = next(
            a
            for m in win.menuBar().actions()
            if m.menu()
            for a in m.menu().actions()
            if a.text() == "&Analytics…"
        )
        assert action.shortcut().toString() == "Ctrl+Shift+A"
        action.trigger()
        dialog = win.analytics_dialog
        assert isinstance(dialog, AnalyticsDialog)
        assert dialog.view.theme_id == theme.manifest.id
        assert dialog.windowTitle() == "Analytics — Aurora Menu"
        assert dialog.view.state == "setup"  # no saved profile and no sandbox here: it says what to do
        assert "Publishing Profiles" in dialog.view.message_detail.text()
        shot(dialog, "analytics-no-profile")
        dialog.reject()
    finally:
        win.editor.document().setModified(False)
        win._saved_text = win.editor.toPlainText()
        win.close()
        win.deleteLater()
