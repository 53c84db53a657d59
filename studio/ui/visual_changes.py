"""The *Visual changes* view: what a stylesheet change does to the rendered gallery, in both schemes and
three widths, with the token impact beside it.

Reusable: Reviewer Mode (draft vs. the last release), the Publish dialog (this release vs. the last) and
Versions & History (any two) embed it or open it in :class:`VisualChangesDialog`.

- the combinations that changed are listed with their changed-pixel ratio and sections; those that did not
  collapse into one line;
- *Side by side*: before and after with synchronised scrolling; *Overlay*: after over before, with a slider
  for opacity or a wipe; *Diff*: pixelmatch's picture (changed pixels red) with the regions outlined.

Rendering runs on the GUI thread (QtWebEngine's rule) but never holds it: every wait pumps the event loop,
progress is shown and Cancel stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.visual.sides import CompareSide
from studio.ui.background import run_in_background
from studio.ui.visual_compare import VisualComparison, compare_sides
from studio.ui.visual_render import GalleryRenderer, RenderCancelledError

Mode = Literal["side", "overlay", "diff"]
MODES: tuple[Mode, ...] = ("side", "overlay", "diff")
_MODE_LABELS = {"side": "Side by side", "overlay": "Overlay", "diff": "Diff highlight"}


def to_qimage(pixels: np.ndarray) -> QImage:
    """An RGBA array as a QImage that owns its copy of the pixels."""
    data = np.ascontiguousarray(pixels)
    height, width = data.shape[:2]
    return QImage(data.data, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


class OverlayCanvas(QWidget):
    """The after image over the before image: blended by ``value`` % (opacity) or revealed up to it (wipe)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._before = QImage()
        self._after = QImage()
        self.value = 50
        self.wipe = False

    def set_images(self, before: QImage, after: QImage) -> None:
        self._before, self._after = before, after
        self.setFixedSize(max(before.width(), after.width()), max(before.height(), after.height()))
        self.update()

    def set_value(self, value: int) -> None:
        self.value = value
        self.update()

    def set_wipe(self, wipe: bool) -> None:
        self.wipe = wipe
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor("#80858f"))
        painter.drawImage(QPoint(0, 0), self._before)
        if self.wipe:
            edge = round(self.width() * self.value / 100)
            painter.setClipRect(QRect(0, 0, edge, self.height()))
            painter.drawImage(QPoint(0, 0), self._after)
            painter.setClipping(False)
            painter.setPen(QPen(QColor("#ff2d55"), 2))
            painter.drawLine(edge, 0, edge, self.height())
        else:
            painter.setOpacity(self.value / 100)
            painter.drawImage(QPoint(0, 0), self._after)
        painter.end()


def _scroll(widget: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidget(widget)
    area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    return area


class VisualChangesView(QWidget):
    """Renders and compares two stylesheets, then shows the result.

    Signals:
        finished(object): the :class:`VisualComparison` is shown.
        failed(str): rendering failed or was cancelled (the message says which).
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison: VisualComparison | None = None
        self._renderer: GalleryRenderer | None = None
        self._cancel = False
        self._running = False
        self._key: str | None = None

        self.status = QLabel("Nothing compared yet.", self)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)

        self.combinations = QListWidget(self)
        self.combinations.setAccessibleName("Scheme and width combinations")
        self.combinations.setWordWrap(True)
        self.combinations.setSpacing(4)  # wrapped two-line entries stay apart
        self.combinations.currentItemChanged.connect(self._on_combination)

        self.mode_buttons = QButtonGroup(self)
        modes = QHBoxLayout()
        for index, mode in enumerate(MODES):
            button = QRadioButton(_MODE_LABELS[mode], self)
            self.mode_buttons.addButton(button, index)
            modes.addWidget(button)
        self.mode_buttons.button(0).setChecked(True)
        self.mode_buttons.idClicked.connect(lambda index: self.set_mode(MODES[index]))
        self.overlay_kind = QComboBox(self)
        self.overlay_kind.addItems(["Opacity", "Wipe"])
        self.overlay_kind.setAccessibleName("Overlay kind")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 100)
        self.slider.setValue(50)
        self.slider.setAccessibleName("Overlay position")
        self.fit_width = QCheckBox("Fit width", self)
        self.fit_width.setChecked(True)
        self.fit_width.toggled.connect(lambda _on: self._show_key(self._key))
        modes.addWidget(self.fit_width)
        modes.addStretch(1)
        modes.addWidget(self.overlay_kind)
        modes.addWidget(self.slider, 1)

        self.before_label, self.after_label, self.diff_label = QLabel(self), QLabel(self), QLabel(self)
        self.before_area = _scroll(self.before_label, self)
        self.after_area = _scroll(self.after_label, self)
        for source, target in ((self.before_area, self.after_area), (self.after_area, self.before_area)):
            source.verticalScrollBar().valueChanged.connect(target.verticalScrollBar().setValue)
            source.horizontalScrollBar().valueChanged.connect(target.horizontalScrollBar().setValue)
        side = QSplitter(Qt.Orientation.Horizontal, self)
        side.addWidget(self._titled("Before", self.before_area))
        side.addWidget(self._titled("After", self.after_area))
        self.overlay = OverlayCanvas(self)
        self.overlay_area = _scroll(self.overlay, self)
        self.slider.valueChanged.connect(self.overlay.set_value)
        self.overlay_kind.currentIndexChanged.connect(lambda index: self.overlay.set_wipe(index == 1))
        self.diff_area = _scroll(self.diff_label, self)
        self.pages = QStackedWidget(self)
        for page in (side, self.overlay_area, self.diff_area):
            self.pages.addWidget(page)

        self.impact = QTreeWidget(self)
        self.impact.setHeaderLabels(["Token impact", ""])
        self.impact.setAccessibleName("Token impact")
        self.impact.setColumnWidth(0, 180)

        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addLayout(modes)
        centre_layout.addWidget(self.pages, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.combinations)
        splitter.addWidget(centre)
        splitter.addWidget(self.impact)
        splitter.setSizes([230, 800, 280])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._refit = QTimer(self)  # re-fit once a resize settles, not on every pixel of a drag
        self._refit.setSingleShot(True)
        self._refit.setInterval(120)
        self._refit.timeout.connect(lambda: self._show_key(self._key))
        self._set_running(False)
        self.set_mode("side")

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(f"<b>{title}</b>"))
        layout.addWidget(widget, 1)
        return box

    # -- public API -------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    def mode(self) -> Mode:
        return MODES[self.pages.currentIndex()]

    def set_mode(self, mode: Mode) -> None:
        index = MODES.index(mode)
        self.pages.setCurrentIndex(index)
        self.mode_buttons.button(index).setChecked(True)
        overlay = mode == "overlay"
        self.slider.setVisible(overlay)
        self.overlay_kind.setVisible(overlay)
        if self.comparison is not None:
            self._show_key(self._key)  # each page fits its own width

    def compare(self, old: CompareSide, new: CompareSide) -> None:
        """Render and compare (starts on the next event-loop turn; ``finished`` or ``failed`` follows)."""
        if self._running:
            self.cancel()
            QTimer.singleShot(50, lambda: self.compare(old, new))
            return
        self._cancel = False
        self._set_running(True)
        self.status.setText(f"Rendering {old.label} and {new.label}…")
        QTimer.singleShot(0, lambda: self._run(old, new))

    def compare_loaded(self, load: Callable[[], tuple[CompareSide, CompareSide]]) -> None:
        """Fetch both sides off the GUI thread (a release, a draft), then compare them."""
        self._set_running(True)
        self.status.setText("Fetching the stylesheets…")
        self.progress.setRange(0, 0)

        def failed(exc: Exception) -> None:
            self._set_running(False)
            self.status.setText(f"Could not fetch the stylesheets: {exc}")
            self.failed.emit(str(exc))

        def loaded(sides: tuple[CompareSide, CompareSide]) -> None:
            self._running = False
            self.compare(*sides)

        run_in_background(load, loaded, failed, owner=self)

    def cancel(self) -> None:
        self._cancel = True

    def show_comparison(self, comparison: VisualComparison) -> None:
        """Show a finished comparison (also the end of :meth:`compare`)."""
        self.comparison = comparison
        report = comparison.report
        self.combinations.clear()
        unchanged = []
        first: QListWidgetItem | None = None
        for c in report.combinations:
            if not c.has_changes:
                unchanged.append(f"{c.scheme} {c.width}")
                continue
            sections = sorted({name for r in c.regions for name in r.sections})
            where = ", ".join(sections) or "outside the sections"
            item = QListWidgetItem(f"{c.scheme} · {c.width} px — {c.changed_ratio:.2%} changed, "
                                   f"{len(c.regions)} region(s)\nin {where}")
            item.setData(Qt.ItemDataRole.UserRole, c.key)
            self.combinations.addItem(item)
            first = first or item
        if unchanged:
            item = QListWidgetItem(f"Unchanged: {', '.join(unchanged)}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.combinations.addItem(item)
        changed = len(report.combinations) - len(unchanged)
        self.status.setText(f"{report.old_label} → {report.new_label}: "
                            + (f"{changed} of {len(report.combinations)} combinations changed."
                               if changed else "no visible change in any scheme or width."))
        self._fill_impact(report.token_impact)
        if first is not None:
            self.combinations.setCurrentItem(first)
        else:
            self._show_key(report.combinations[0].key if report.combinations else None)

    def show_key(self, key: str) -> None:
        """Show one combination, e.g. ``"light@375"`` (unchanged ones too)."""
        self._show_key(key)

    # -- internals --------------------------------------------------------------------------------------

    def _run(self, old: CompareSide, new: CompareSide) -> None:
        def progress(done: int, total: int, what: str) -> None:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status.setText(what[:1].upper() + what[1:] + "…")

        try:
            if self._renderer is None:
                self._renderer = GalleryRenderer(lambda: self._cancel, owner=self)
            comparison = compare_sides(old, new, renderer=self._renderer, progress=progress,
                                       cancelled=lambda: self._cancel)
        except RenderCancelledError:
            self._set_running(False)
            self.status.setText("Cancelled.")
            self.failed.emit("cancelled")
            return
        except (OSError, RuntimeError, ValueError) as exc:
            self._set_running(False)
            self.status.setText(f"Rendering failed: {exc}")
            self.failed.emit(str(exc))
            return
        self._set_running(False)
        self.show_comparison(comparison)
        self.finished.emit(comparison)

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        if running:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)

    def _on_combination(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(key, str):
            self._show_key(key)

    def _show_key(self, key: str | None) -> None:
        self._key = key
        if self.comparison is None or key is None:
            return
        for row in range(self.combinations.count()):
            item = self.combinations.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key and self.combinations.currentItem() is not item:
                self.combinations.setCurrentItem(item)  # comes back here through _on_combination
                return
        before = to_qimage(self.comparison.old_renders[key].pixels)
        after = to_qimage(self.comparison.new_renders[key].pixels)
        diff = to_qimage(self.comparison.diff(key))
        painter = QPainter(diff)
        painter.setPen(QPen(QColor("#0a58ff"), 2))
        for region in self.comparison.result(key).regions:
            b = region.box
            painter.drawRect(b.x - 3, b.y - 3, b.width + 5, b.height + 5)
        painter.end()
        for label, image, area in ((self.before_label, before, self.before_area),
                                   (self.after_label, after, self.after_area),
                                   (self.diff_label, diff, self.diff_area)):
            shown = self._fitted(image, area)
            label.setPixmap(QPixmap.fromImage(shown))
            label.resize(shown.size())
        area = self.overlay_area
        self.overlay.set_images(self._fitted(before, area), self._fitted(after, area))

    def _fitted(self, image: QImage, area: QScrollArea) -> QImage:
        """The image scaled down to the area's width when *Fit width* is on (never up)."""
        room = area.viewport().width() - 2
        if not self.fit_width.isChecked() or image.width() <= room or room <= 0:
            return image
        return image.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.fit_width.isChecked() and self.comparison is not None:
            self._refit.start()

    def _fill_impact(self, impact: dict[str, Any] | None) -> None:
        self.impact.clear()
        if impact is None:
            self.impact.addTopLevelItem(QTreeWidgetItem(["Token impact was not computed", ""]))
            return
        for item in impact_items(impact):
            self.impact.addTopLevelItem(item)
        self.impact.expandToDepth(0)

    def closeEvent(self, event: Any) -> None:
        self.cancel()
        super().closeEvent(event)

    def release(self) -> None:
        """Stop and free the hidden renderer (its web page); the view may still show its last result."""
        self.cancel()
        if self._renderer is not None and not self._running:
            self._renderer.close()
            self._renderer = None


def impact_items(impact: dict[str, Any]) -> list[QTreeWidgetItem]:
    """Tree rows for :meth:`TokenImpact.to_json`: renames, then each changed token with its values per
    scope, the rules that use it (directly or through other variables) and its contrast pairs."""
    rows = []
    for rename in impact.get("renames", []):
        rows.append(QTreeWidgetItem([f"renamed {rename['old']} → {rename['new']}", f"{rename['uses']} uses"]))
    for change in impact.get("changes", []):
        row = QTreeWidgetItem([f"{change['kind']} {change['name']}", f"{len(change['rules'])} rule(s)"])
        for scope in change.get("scopes", []):
            row.addChild(QTreeWidgetItem([scope["scope"], f"{scope['old'] or '—'} → {scope['new'] or '—'}"]))
        if change.get("dependents"):
            row.addChild(QTreeWidgetItem(["through", ", ".join(change["dependents"])]))
        if change.get("rules"):
            rules = QTreeWidgetItem(["used by", f"{len(change['rules'])} rule(s)"])
            for rule in change["rules"]:
                via = f" via {', '.join(rule['via'])}" if rule.get("via") else ""
                rules.addChild(QTreeWidgetItem([f"line {rule['line']}: {rule['selector']}",
                                                ", ".join(rule["properties"]) + via]))
            row.addChild(rules)
        for pair in change.get("pairs", []):
            fails = "  below AA" if pair.get("fails_aa") else ""
            row.addChild(QTreeWidgetItem([
                f"contrast {pair['foreground']} on {pair['background']} [{pair['scheme']}]",
                f"{pair['old_ratio']} → {pair['new_ratio']} "
                f"(APCA {pair['old_apca']} → {pair['new_apca']}){fails}",
            ]))
        rows.append(row)
    if not rows:
        rows.append(QTreeWidgetItem(["No custom property changed", ""]))
    return rows


class VisualChangesDialog(QDialog):
    """The view in a window of its own (Publish, Versions & History)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Visual changes — {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = VisualChangesView(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1320, 820)

    def done(self, result: int) -> None:
        self.view.release()
        super().done(result)


def open_visual_changes(parent: QWidget, labels: tuple[str, str], load: Callable[[], tuple[str, str]],
                        base_dir: Path | None = None) -> VisualChangesDialog:
    """Open a :class:`VisualChangesDialog` comparing ``load()``'s two stylesheets (read off the GUI thread).

    Args:
        labels: names of the old and the new side (``"1.2.0"``, ``"Editor"``).
        base_dir: the theme folder both sides' relative ``url()`` resolve in.
    """
    dialog = VisualChangesDialog(f"{labels[0]} → {labels[1]}", parent)

    def sides() -> tuple[CompareSide, CompareSide]:
        old, new = load()
        return CompareSide(labels[0], old, base_dir), CompareSide(labels[1], new, base_dir)

    dialog.view.compare_loaded(sides)
    dialog.open()
    return dialog


def add_visual_changes_tab(tabs: QTabWidget, load: Callable[[], tuple[CompareSide, CompareSide]],
                           title: str = "Visual changes") -> VisualChangesView:
    """A *Visual changes* tab that fetches and renders the first time it is shown (not before: rendering
    12 pages is work a reviewer may not want)."""
    view = VisualChangesView(tabs)
    index = tabs.addTab(view, title)

    def shown(current: int) -> None:
        if current == index and view.comparison is None and not view.running:
            view.compare_loaded(load)

    tabs.currentChanged.connect(shown)
    return view
