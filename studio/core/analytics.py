"""A theme's usage over time, as the backend reports it: per-day series, totals, popularity rank, CSV.

Qt-free: the Analytics widget draws these series, ``themestudio stats`` prints them, and both export the
same CSV. :meth:`AnalyticsReport.from_json` reads the backend's ``AnalyticsReport`` answer and fills any
missing day with zeros, so a series always has one point per day of the range.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

Metric = Literal["views", "downloads", "installs"]
METRICS: tuple[Metric, ...] = ("views", "downloads", "installs")
METRIC_LABELS: dict[Metric, str] = {"views": "Views", "downloads": "Downloads", "installs": "Installs"}
RANGES = (7, 30, 90)  # the ranges the studio offers (the backend takes 1-366 days, or from/to dates)
MAX_DAYS = 366
CSV_HEADER = ("day", "version", "views", "downloads", "installs")


class AnalyticsError(ValueError):
    """The backend's answer is not an analytics report, or a query is out of range."""


@dataclass(frozen=True)
class AnalyticsQuery:
    """What to ask for: the last ``days`` UTC days (today included), or ``first``..``last``; one release or
    all (``version`` None)."""

    theme_id: str
    days: int | None = 30
    version: str | None = None
    first: date | None = None
    last: date | None = None

    def __post_init__(self) -> None:
        if (self.first is None) != (self.last is None):
            raise AnalyticsError("give both the first and the last day, or neither")
        if self.first is not None and self.last is not None:
            if self.first > self.last:
                raise AnalyticsError(f"the first day ({self.first}) is after the last ({self.last})")
            if (self.last - self.first).days + 1 > MAX_DAYS:
                raise AnalyticsError(f"a range covers at most {MAX_DAYS} days")
        elif self.days is None or not 1 <= self.days <= MAX_DAYS:
            raise AnalyticsError(f"days must be between 1 and {MAX_DAYS}")

    def params(self) -> dict[str, str]:
        """The query string of ``GET /v1/themes/{id}/analytics``."""
        params: dict[str, str] = {}
        if self.first is not None and self.last is not None:
            params["from"], params["to"] = self.first.isoformat(), self.last.isoformat()
        else:
            params["days"] = str(self.days)
        if self.version is not None:
            params["version"] = self.version
        return params


@dataclass(frozen=True)
class DailyUsage:
    """One UTC day's counts."""

    day: date
    views: int = 0
    downloads: int = 0
    installs: int = 0

    def count(self, metric: Metric) -> int:
        value: int = getattr(self, metric)
        return value


@dataclass(frozen=True)
class Rank:
    """The theme's place in the popular-themes ranking (downloads + installs)."""

    position: int | None
    score: float = 0.0
    ranked: int = 0
    source: str = "redis"

    def describe(self) -> str:
        if self.position is None:
            return "Not ranked yet (no downloads or installs)"
        return f"#{self.position} of {self.ranked} ranked theme{'s' if self.ranked != 1 else ''}"


@dataclass(frozen=True)
class AnalyticsReport:
    """Counts per day over ``first_day``..``last_day`` (one entry per day), for one release or all."""

    theme_id: str
    version: str | None
    first_day: date
    last_day: date
    days: tuple[DailyUsage, ...]
    versions: tuple[str, ...] = ()
    rank: Rank = field(default_factory=lambda: Rank(None))

    @classmethod
    def from_json(cls, data: Any) -> AnalyticsReport:
        """Parse the backend's answer; days it left out count zero.

        Raises:
            AnalyticsError: the answer is not an analytics report.
        """
        try:
            first = date.fromisoformat(data["first_day"])
            last = date.fromisoformat(data["last_day"])
            given = {
                date.fromisoformat(d["day"]): DailyUsage(
                    date.fromisoformat(d["day"]), int(d["views"]), int(d["downloads"]), int(d["installs"])
                )
                for d in data["days"]
            }
            rank = data.get("rank") or {}
            position = rank.get("position")
            report = cls(
                theme_id=str(data["theme_id"]),
                version=None if data.get("version") is None else str(data["version"]),
                first_day=first,
                last_day=last,
                days=fill_days(given, first, last),
                versions=tuple(str(v) for v in data.get("versions", [])),
                rank=Rank(
                    None if position is None else int(position),
                    float(rank.get("score", 0.0)),
                    int(rank.get("ranked", 0)),
                    str(rank.get("source", "")),
                ),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise AnalyticsError(
                f"the backend answered with something that is not a report ({exc})"
            ) from None
        if last < first or (last - first).days + 1 > MAX_DAYS:
            raise AnalyticsError(f"the backend reported an impossible range {first}..{last}")
        return report

    def series(self, metric: Metric) -> list[tuple[date, int]]:
        """(day, count) for every day of the range, oldest first."""
        return [(d.day, d.count(metric)) for d in self.days]

    def total(self, metric: Metric) -> int:
        return sum(d.count(metric) for d in self.days)

    @property
    def totals(self) -> dict[Metric, int]:
        return {metric: self.total(metric) for metric in METRICS}

    @property
    def empty(self) -> bool:
        """No event at all in the range."""
        return not any(self.totals.values())

    @property
    def peak(self) -> int:
        """The highest daily count of any metric (0 for an empty report): the chart's scale."""
        return max((d.count(m) for d in self.days for m in METRICS), default=0)

    @property
    def version_label(self) -> str:
        return self.version or "all"

    def to_json(self) -> dict[str, Any]:
        """The report as ``themestudio stats --format json`` prints it."""
        return {
            "theme_id": self.theme_id,
            "version": self.version,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "days": [
                {"day": d.day.isoformat(), "views": d.views, "downloads": d.downloads, "installs": d.installs}
                for d in self.days
            ],
            "totals": dict(self.totals),
            "versions": list(self.versions),
            "rank": {
                "position": self.rank.position,
                "score": self.rank.score,
                "ranked": self.rank.ranked,
                "source": self.rank.source,
            },
        }


def fill_days(given: Mapping[date, DailyUsage], first: date, last: date) -> tuple[DailyUsage, ...]:
    """One entry per day from ``first`` to ``last``: the given ones, zeros for the others."""
    span = (last - first).days + 1
    return tuple(
        given.get(first + timedelta(days=n), DailyUsage(first + timedelta(days=n)))
        for n in range(max(span, 0))
    )


def report_csv(report: AnalyticsReport) -> str:
    """``day,version,views,downloads,installs``, one row per day, oldest first (``version`` is ``all`` for
    every release together). Spreadsheet-safe: no cell starts with a formula character."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    label = _cell(report.version_label)
    for d in report.days:
        writer.writerow((d.day.isoformat(), label, d.views, d.downloads, d.installs))
    return out.getvalue()


def suggested_csv_name(report: AnalyticsReport, theme_name: str = "") -> str:
    """A file name for the export: ``<theme>-<version|all>-<first>-<last>.csv`` (safe characters only)."""
    stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in (theme_name or report.theme_id))
    stem = "-".join(part for part in stem.split("-") if part) or "theme"
    return f"{stem}-{report.version_label}-{report.first_day}-{report.last_day}.csv"


def _cell(text: str) -> str:
    # Versions are semver on the backend, but a cell starting with = + - @ is a formula to a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
