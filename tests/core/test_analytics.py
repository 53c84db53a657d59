"""Analytics reports: parsing the backend's answer (gaps filled), series, totals, CSV, queries."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest

from studio.core.analytics import (
    CSV_HEADER,
    AnalyticsError,
    AnalyticsQuery,
    AnalyticsReport,
    report_csv,
    suggested_csv_name,
)

THEME = "0b8f3a3e-6a52-4c1e-9a57-3c2f4a8e1d10"


def answer(days: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "theme_id": THEME,
        "version": None,
        "first_day": "2026-11-01",
        "last_day": "2026-11-07",
        "days": days,
        "totals": {},
        "versions": ["1.0.0", "1.1.0"],
        "rank": {"position": 4, "score": 12, "ranked": 30, "source": "redis"},
        **extra,
    }


def test_report_fills_missing_days_with_zeros() -> None:
    report = AnalyticsReport.from_json(
        answer(
            [
                {"day": "2026-11-02", "views": 5, "downloads": 1, "installs": 0},
                {"day": "2026-11-06", "views": 2, "downloads": 0, "installs": 3},
            ]
        )
    )
    assert [d.day for d in report.days] == [date(2026, 11, 1) + timedelta(days=n) for n in range(7)]
    assert report.series("views") == [
        (date(2026, 11, 1) + timedelta(days=n), c) for n, c in enumerate([0, 5, 0, 0, 0, 2, 0])
    ]
    assert report.totals == {"views": 7, "downloads": 1, "installs": 3}
    assert report.peak == 5
    assert not report.empty
    assert report.versions == ("1.0.0", "1.1.0")
    assert report.rank.describe() == "#4 of 30 ranked themes"
    assert report.to_json()["totals"] == {"views": 7, "downloads": 1, "installs": 3}


def test_empty_report_and_unranked_theme() -> None:
    report = AnalyticsReport.from_json(answer([], rank={"position": None, "score": 0, "ranked": 3}))
    assert report.empty
    assert report.peak == 0
    assert len(report.days) == 7
    assert report.rank.describe().startswith("Not ranked yet")


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"first_day": "yesterday"},
        {"days": [{"day": "2026-11-02", "views": "many", "downloads": 0, "installs": 0}]},
        {"first_day": "2026-11-09"},  # after the last day
        {"first_day": "2020-01-01"},  # longer than a range may be
    ],
)
def test_a_broken_answer_is_refused(broken: dict[str, Any]) -> None:
    data = answer([]) if broken else {}
    data.update(broken)
    with pytest.raises(AnalyticsError):
        AnalyticsReport.from_json(data)


def test_csv_has_one_row_per_day_and_round_trips() -> None:
    report = AnalyticsReport.from_json(
        answer([{"day": "2026-11-03", "views": 9, "downloads": 2, "installs": 1}], version="1.1.0")
    )
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 8
    assert rows[3] == ["2026-11-03", "1.1.0", "9", "2", "1"]
    assert all(r[1] == "1.1.0" for r in rows[1:])
    assert suggested_csv_name(report, "Aurora Dusk!") == "Aurora-Dusk-1.1.0-2026-11-01-2026-11-07.csv"


def test_csv_cells_cannot_become_formulas() -> None:
    report = AnalyticsReport.from_json(answer([], version="=cmd()"))
    assert report_csv(report).splitlines()[1].split(",")[1] == "'=cmd()"


def test_query_parameters_and_limits() -> None:
    assert AnalyticsQuery(THEME, days=7).params() == {"days": "7"}
    assert AnalyticsQuery(THEME, days=90, version="1.2.0").params() == {"days": "90", "version": "1.2.0"}
    ranged = AnalyticsQuery(THEME, first=date(2026, 1, 1), last=date(2026, 1, 31))
    assert ranged.params() == {"from": "2026-01-01", "to": "2026-01-31"}
    for bad in (
        {"days": 0},
        {"days": 367},
        {"first": date(2026, 1, 2), "last": date(2026, 1, 1)},
        {"first": date(2026, 1, 1)},
        {"first": date(2024, 1, 1), "last": date(2026, 1, 1)},
    ):
        with pytest.raises(AnalyticsError):
            AnalyticsQuery(THEME, **bad)  # type: ignore[arg-type]
