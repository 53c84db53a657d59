"""A theme's usage over time: views, downloads and installs per day as a chart, totals, rank, CSV export.

:class:`AnalyticsView` is a reusable widget: give it a theme id and a ``fetch`` (an
:class:`~studio.core.analytics.AnalyticsQuery` → :class:`~studio.core.analytics.AnalyticsReport` function that
may block: it runs on a pool thread) and it shows the last 7, 30 or 90 days for every release or one, with
clear states for a backend that is offline, a token that may not read the theme, and a range with no events.
The Analytics dialog wraps it with a profile chooser; the Browse window embeds it per theme.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDate, QDateTime, QMargins, QPointF, Qt, QTime, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QStyle,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics import (
    METRIC_LABELS,
    METRICS,
    RANGES,
    AnalyticsQuery,
    AnalyticsReport,
    Metric,
    report_csv,
    suggested_csv_name,
)
from studio.core.atomic import atomic_write_text
from studio.ui.accessibility import announce, link_label, set_name
from studio.ui.background import run_in_background

Fetch = Callable[[AnalyticsQuery], AnalyticsReport]
Classify = Callable[[Exception], tuple[str, str, str]]  # exception → (state, title, detail)

COLORS: dict[Metric, str] = {"views": "#1c7ed6", "downloads": "#2b8a3e", "installs": "#e8590c"}
ALL_RELEASES = "All releases"
MESSAGE_ICONS = {
    "empty": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "setup": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "not_authorised": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "offline": QStyle.StandardPixmap.SP_MessageBoxWarning,
}
MIDNIGHT = QTime(0, 0)


def default_classify(exc: Exception) -> tuple[str, str, str]:
    from studio.adapters.analytics import classify_failure

    failure = classify_failure(exc)
    return failure.kind.value, failure.title, failure.detail


def day_to_ms(day: date) -> float:
    """A day as the chart's x value: its local midnight, so the axis (which labels in local time) shows the
    day itself on the tick under its point."""
    return float(QDateTime(QDate(day.year, day.month, day.day), MIDNIGHT).toMSecsSinceEpoch())


def ms_to_day(ms: float) -> date:
    day = QDateTime.fromMSecsSinceEpoch(round(ms)).date()
    return date(day.year(), day.month(), day.day())


def tick_step(span_days: int) -> tuple[int, int]:
    """(days between date ticks, number of intervals) for a range of ``span_days`` days: ticks on whole
    days, at most 8 intervals, the axis running past the last day as little as possible."""
    last = max(span_days - 1, 1)
    best: tuple[int, int, int] | None = None  # (days past the end, step, intervals)
    for step in (1, 2, 3, 5, 7, 10, 14, 15, 30, 60):
        intervals = -(-last // step)
        if intervals <= 8:
            candidate = (step * intervals - last, step, intervals)
            if best is None or candidate[0] < best[0]:
                best = candidate
    assert best is not None  # 60-day steps cover a year in 7 intervals
    return best[1], best[2]


def value_ticks(peak: int) -> tuple[int, int]:
    """(axis maximum, tick count) for counts up to ``peak``: whole-number steps of 1, 2 or 5 × 10^n, at most
    5 intervals, so every tick label is an integer."""
    step = 1
    while -(-max(peak, 1) // step) > 5:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if -(-max(peak, 1) // step) <= 5:
                break
    intervals = max(-(-max(peak, 1) // step), 2)
    return step * intervals, intervals + 1


class _Total(QFrame):
    """One total: a big number over its caption, in the metric's colour."""

    def __init__(self, metric: Metric, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"total_{metric}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(130)
        self.setStyleSheet(
            f"#total_{metric} {{ border: 1px solid #dee2e6; border-left: 4px solid {COLORS[metric]}; "
            "border-radius: 4px; background: palette(base); }"
        )
        self.number = QLabel("–")
        font = QFont(self.number.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.number.setFont(font)
        caption = QLabel(METRIC_LABELS[metric])
        caption.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.number)
        layout.addWidget(caption)
        self.kind = metric
        set_name(self, METRIC_LABELS[metric])

    def show_total(self, value: int | None) -> None:
        self.number.setText("–" if value is None else f"{value:,}")
        spoken = "unknown" if value is None else f"{value:,}"
        self.setAccessibleName(f"{METRIC_LABELS[self.kind]}: {spoken}")


class AnalyticsView(QWidget):
    """Views, downloads and installs per day for one theme (7 / 30 / 90 days, all releases or one).

    Signals:
        loaded(object): a report was shown (the :class:`AnalyticsReport`).
        failed(str): reading failed; the state (``offline``, ``not_authorised``, …) is in ``state``.
        exported(str): the CSV was written to this path.
    """

    loaded = Signal(object)
    failed = Signal(str)
    exported = Signal(str)

    PAGE_CHART, PAGE_MESSAGE = 0, 1

    def __init__(
        self,
        theme_id: str,
        fetch: Fetch | None = None,
        *,
        theme_name: str = "",
        classify: Classify = default_classify,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme_id = theme_id
        self.theme_name = theme_name
        self._fetch = fetch
        self._classify = classify
        self._generation = 0
        self.report: AnalyticsReport | None = None
        self.state = "idle"
        self.csv_dialog: QFileDialog | None = None

        self.range_box = QComboBox(self)
        for days in RANGES:
            self.range_box.addItem(f"Last {days} days", days)
        self.range_box.setCurrentIndex(RANGES.index(30))
        self.version_box = QComboBox(self)
        self.version_box.addItem(ALL_RELEASES, None)
        self.version_box.setMinimumContentsLength(12)
        self.refresh_button = QPushButton("&Refresh")
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setEnabled(False)
        self.export_button.setToolTip("Save the counts per day shown here as a CSV file")
        controls = QHBoxLayout()
        controls.addWidget(link_label(QLabel("R&ange:"), self.range_box))
        controls.addWidget(self.range_box)
        controls.addSpacing(12)
        controls.addWidget(link_label(QLabel("Re&lease:"), self.version_box))
        controls.addWidget(self.version_box)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        controls.addWidget(self.export_button)

        self.totals = {metric: _Total(metric, self) for metric in METRICS}
        self.rank_label = QLabel("")
        self.rank_label.setObjectName("rankLabel")
        self.rank_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        rank_font = QFont(self.rank_label.font())
        rank_font.setBold(True)
        self.rank_label.setFont(rank_font)
        set_name(self.rank_label, "Popularity rank")
        summary = QHBoxLayout()
        for total in self.totals.values():
            summary.addWidget(total)
        summary.addStretch(1)
        summary.addWidget(self.rank_label)

        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # series are read back in tests
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        title_font = QFont(self.font())
        title_font.setBold(True)
        self.chart.setTitleFont(title_font)
        self.series: dict[Metric, QLineSeries] = {}
        for metric in METRICS:
            line = QLineSeries()
            line.setName(METRIC_LABELS[metric])
            line.setPen(QPen(QColor(COLORS[metric]), 2.2))
            line.hovered.connect(lambda point, state, m=metric: self._hover(m, point, state))
            self.chart.addSeries(line)
            self.series[metric] = line
        self.x_axis = QDateTimeAxis()
        self.x_axis.setTitleText("Day (UTC)")
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText("Events per day")
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setMinorTickCount(0)
        self.chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        for line in self.series.values():
            line.attachAxis(self.x_axis)
            line.attachAxis(self.y_axis)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("analyticsChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)
        self.chart_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        set_name(self.chart_view, "Views, downloads and installs per day")

        self.message_title = QLabel("")
        self.message_title.setObjectName("analyticsMessageTitle")
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        self.message_title.setFont(big)
        self.message_detail = QLabel("")
        self.message_detail.setWordWrap(True)
        self.message_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_detail.setFixedWidth(480)
        self.message_icon = QLabel()
        self.message_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = QPushButton("&Try Again")
        message_page = QFrame()
        message_page.setObjectName("analyticsMessage")
        message_page.setStyleSheet("#analyticsMessage { background: palette(base); border-radius: 6px; }")
        message_layout = QVBoxLayout(message_page)
        message_layout.setSpacing(10)
        message_layout.addStretch(1)
        for widget in (self.message_icon, self.message_title, self.message_detail):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            message_layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        message_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        message_layout.addStretch(1)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.chart_view)
        self.pages.addWidget(message_page)

        self.status = QLabel("")
        self.status.setObjectName("analyticsStatus")
        self.status.setStyleSheet("color: palette(placeholder-text);")

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(summary)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)

        self.range_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.version_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.retry_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.ask_export)
        self._show_totals(None)

    # ----------------------------------------------------------------- reading
    @property
    def days(self) -> int:
        return int(self.range_box.currentData())

    @property
    def version(self) -> str | None:
        data = self.version_box.currentData()
        return data if isinstance(data, str) else None

    def query(self) -> AnalyticsQuery:
        return AnalyticsQuery(self.theme_id, days=self.days, version=self.version)

    def set_fetch(self, fetch: Fetch | None) -> None:
        """Read from another backend (a profile change) and reload."""
        self._fetch = fetch
        self.refresh()

    def set_range(self, days: int) -> None:
        """Show the last ``days`` days (7, 30 or 90); reloads."""
        self.range_box.setCurrentIndex(RANGES.index(days))

    def set_version(self, version: str | None) -> None:
        """Show one release (or all with None); reloads. The release must be in the list."""
        index = self.version_box.findData(version) if version is not None else 0
        if index < 0:
            raise ValueError(f"{version} is not a release of this theme")
        self.version_box.setCurrentIndex(index)

    def refresh(self) -> None:
        """Read the current range and release in the background; a newer request supersedes this one."""
        self._generation += 1
        generation, fetch, query = self._generation, self._fetch, self.query()
        if fetch is None:
            self._show_message(
                "setup",
                "No backend to ask",
                "Analytics come from a backend. Add a profile with a backend URL in File → Publishing "
                "Profiles, or wait for the local sandbox to start.",
            )
            return
        self.state = "loading"
        self.status.setText("Loading…")
        self.refresh_button.setEnabled(False)

        def done(report: AnalyticsReport) -> None:
            if generation == self._generation:
                self.set_report(report)

        def failed(exc: Exception) -> None:
            if generation == self._generation:
                state, title, detail = self._classify(exc)
                self._show_message(state, title, detail)

        run_in_background(lambda: fetch(query), done, failed, owner=self)

    # ----------------------------------------------------------------- showing
    def set_report(self, report: AnalyticsReport) -> None:
        """Draw ``report``: the three series, the axes, totals, rank and the release list."""
        self.report = report
        self._fill_versions(report)
        span = (report.last_day - report.first_day).days + 1
        for metric, line in self.series.items():
            line.setPointsVisible(span <= 31)  # dots help read a month; over 90 days they only clutter
            line.replace([QPointF(day_to_ms(day), count) for day, count in report.series(metric)])
        step, intervals = tick_step(span)
        start = QDateTime(
            QDate(report.first_day.year, report.first_day.month, report.first_day.day), MIDNIGHT
        )
        self.x_axis.setRange(start, start.addDays(step * intervals))
        self.x_axis.setTickCount(intervals + 1)
        self.x_axis.setFormat("MMM d" if span > 7 else "ddd MMM d")
        top, ticks = value_ticks(report.peak + max(1, report.peak // 10))  # headroom over the peak
        self.y_axis.setRange(0, top)
        self.y_axis.setTickCount(ticks)
        release = f"release {report.version}" if report.version else "all releases"
        period = f"{report.first_day:%b %-d} to {report.last_day:%b %-d, %Y}"
        self.chart.setTitle(f"{self.theme_name or 'Theme'} — {period}, {release}")
        self._show_totals(report)
        summary = ", ".join(f"{report.total(m):,} {m}" for m in METRICS)
        self.chart_view.setAccessibleDescription(
            f"Line chart, one point per day from {report.first_day} to {report.last_day} ({release}): "
            f"{summary}."
        )
        self.export_button.setEnabled(True)
        self.refresh_button.setEnabled(True)
        if report.empty:
            subject = f"release {report.version}" if report.version else "this theme"
            self.state = "empty"
            self._show_message(
                "empty",
                "No events in this range",
                f"Nobody viewed, downloaded or installed {subject} between {report.first_day} and "
                f"{report.last_day}. Try a longer range or all releases.",
                keep_report=True,
            )
        else:
            self.state = "data"
            self.pages.setCurrentIndex(self.PAGE_CHART)
            self.status.setText(
                f"{span} days, {release}. Each user counts once a day per release; days are UTC."
            )
        announce(self, f"Analytics loaded: {summary}")
        self.loaded.emit(report)

    def _fill_versions(self, report: AnalyticsReport) -> None:
        """Offer every release (newest first), keeping the current choice, without triggering a reload."""
        wanted = [None, *reversed(report.versions)]
        have = [self.version_box.itemData(i) for i in range(self.version_box.count())]
        if have == wanted:
            return
        current = self.version
        self.version_box.blockSignals(True)
        self.version_box.clear()
        self.version_box.addItem(ALL_RELEASES, None)
        for version in reversed(report.versions):
            self.version_box.addItem(version, version)
        index = self.version_box.findData(current) if current is not None else 0
        self.version_box.setCurrentIndex(max(index, 0))
        self.version_box.blockSignals(False)

    def _show_totals(self, report: AnalyticsReport | None) -> None:
        for metric, total in self.totals.items():
            total.show_total(None if report is None else report.total(metric))
        if report is None:
            self.rank_label.setText("")
            self.rank_label.setAccessibleName("Popularity rank: unknown")
            return
        text = f"Popularity: {report.rank.describe()}"
        self.rank_label.setText(text)
        self.rank_label.setAccessibleName(text)
        self.rank_label.setToolTip(
            f"Downloads + installs of all time: {report.rank.score:,.0f} (ranking from {report.rank.source})"
            if report.rank.source
            else ""
        )

    def _show_message(self, state: str, title: str, detail: str, *, keep_report: bool = False) -> None:
        self.state = state
        self.message_title.setText(title)
        self.message_detail.setText(detail)
        # A wrapped label in a box layout gets its one-line height: give it the height its text needs.
        self.message_detail.setFixedHeight(self.message_detail.heightForWidth(self.message_detail.width()))
        icon = MESSAGE_ICONS.get(state, QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.message_icon.setPixmap(self.style().standardIcon(icon).pixmap(48, 48))
        set_name(self.message_title, title, detail)
        self.retry_button.setVisible(state not in ("empty", "setup"))
        self.pages.setCurrentIndex(self.PAGE_MESSAGE)
        self.refresh_button.setEnabled(True)
        if not keep_report:
            self.report = None
            self.export_button.setEnabled(False)
            self._show_totals(None)
            self.status.setText("")
            announce(self, f"{title}. {detail}", assertive=True)
            self.failed.emit(state)
        else:
            self.status.setText("")

    def _hover(self, metric: Metric, point: QPointF, state: bool) -> None:
        if not state:
            QToolTip.hideText()
            return
        day = ms_to_day(point.x())
        QToolTip.showText(
            self.cursor().pos(), f"{day:%a %b %-d}: {round(point.y()):,} {METRIC_LABELS[metric].lower()}"
        )

    def chart_series(self, metric: Metric) -> list[tuple[date, int]]:
        """What the chart draws for ``metric``: (day, count) read back from its line series."""
        return [(ms_to_day(p.x()), round(p.y())) for p in self.series[metric].points()]

    # ----------------------------------------------------------------- export
    def ask_export(self) -> None:
        """Ask where to save the CSV (a non-blocking file dialog), then write it."""
        if self.report is None:
            return
        dialog = QFileDialog(self, "Export Analytics as CSV")
        dialog.setObjectName("analyticsCsvDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(suggested_csv_name(self.report, self.theme_name))
        dialog.fileSelected.connect(lambda path: self.export_csv(Path(path)))
        dialog.finished.connect(dialog.deleteLater)
        self.csv_dialog = dialog
        dialog.open()

    def export_csv(self, path: Path) -> None:
        """Write the shown report as CSV to ``path`` (atomically, off the GUI thread)."""
        if self.report is None:
            return
        text = report_csv(self.report)

        def done(_: None) -> None:
            self.status.setText(f"Saved {path}")
            announce(self, f"Saved {path.name}")
            self.exported.emit(str(path))

        def failed(exc: Exception) -> None:
            self.status.setText(f"Could not save {path}: {exc}")
            announce(self, f"Could not save {path.name}: {exc}", assertive=True)

        run_in_background(lambda: atomic_write_text(path, text), done, failed, owner=self)
