"""The Browse view: search, tag, sort, favourites over a backend's catalogue; a paged list; one theme.

Used twice: in its own window (View → Browse Themes) and as the studio's start page when no theme is open.
The backend is picked among the targets given (the local sandbox, every profile with a backend URL); its
catalogue is built off the GUI thread (the keyring may be read) and every request runs in the background.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.ui.accessibility import announce, link_label, set_name
from studio.ui.background import run_in_background
from studio.ui.browse.delegate import ROW_HEIGHT, ThemeCardDelegate
from studio.ui.browse.detail import ChooseFolder, ThemeDetail, ask_for_folder
from studio.ui.browse.model import FAVOURITE_ROLE, ITEM_ROLE, CatalogModel, PageTiming
from studio.ui.browse.source import CatalogQuery, CatalogSource, CatalogTheme, Sort
from studio.ui.browse.state_page import StatePage
from studio.ui.browse.target import BrowseTarget
from studio.ui.browse.thumbnails import ThumbnailCache
from studio.ui.focus import chain_tab_order

SORTS: Final[tuple[tuple[str, Sort], ...]] = (
    ("Recently updated", "updated"),
    ("Most popular", "popular"),
    ("Newest", "new"),
    ("Most installed", "installs"),
)
SEARCH_DELAY_MS: Final = 300  # typing pauses this long before the search runs (Enter runs it at once)
OPEN_DELAY_MS: Final = 250  # the selection rests this long before the theme opens (Enter opens it at once)
#: Scrolling within this many rows of the end asks for the next page, so rows are there before they're needed.
PREFETCH_ROWS: Final = 8


@dataclass(frozen=True)
class ShownTiming:
    """Request → rows painted on screen, for one page (what the user waits for)."""

    first: bool
    rows: int
    seconds: float


def _close_all(sources: dict[str, CatalogSource], *_: object) -> None:
    found = list(sources.values())
    sources.clear()
    for source in found:
        source.close()


class _PaintWatch(QObject):
    """Calls ``done`` at the next paint of the list's viewport (the moment rows are on screen)."""

    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.pending: list[Callable[[], None]] = []
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.pending:
            waiting, self.pending = self.pending, []
            QTimer.singleShot(0, self, lambda: [fn() for fn in waiting])  # after this paint has finished
        return False


class BrowseView(QWidget):
    """Search and browse themes; open one to preview it, read its changelog and docs, start from it.

    Signals:
        startedFrom(object): a theme folder (Path) was made by Start from this theme: open it.
        rowsShown(object): a :class:`ShownTiming` once a page's rows have been painted.
    """

    startedFrom = Signal(object)  # noqa: N815 (Qt signal names are camelCase)
    rowsShown = Signal(object)  # noqa: N815

    def __init__(
        self,
        targets: Sequence[BrowseTarget] = (),
        parent: QWidget | None = None,
        *,
        choose_folder: ChooseFolder = ask_for_folder,
        thumbnail_capacity: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._targets: list[BrowseTarget] = []
        self._sources: dict[str, CatalogSource] = {}
        self._connect_ticket = 0
        self._connect_pool = QThreadPool(self)
        self._connect_pool.setMaxThreadCount(1)
        self.model = CatalogModel(self)
        self.thumbnails = ThumbnailCache(self._fetch_thumbnail, parent=self,
                                         **({"capacity": thumbnail_capacity} if thumbnail_capacity else {}))
        self.shown_timings: list[ShownTiming] = []
        self._build(choose_folder)
        self._wire()
        # However the view goes (its window closed, the studio quit), its HTTP clients are closed with it.
        self.destroyed.connect(functools.partial(_close_all, self._sources))
        self.set_targets(targets)

    # -- layout ----------------------------------------------------------------------------------------
    def _build(self, choose_folder: ChooseFolder) -> None:
        self.backend_box = QComboBox(self)
        self.backend_box.setMinimumContentsLength(18)
        self.search_field = QLineEdit(self)
        self.search_field.setPlaceholderText("Name or description")
        self.search_field.setClearButtonEnabled(True)
        for button in self.search_field.findChildren(QToolButton):  # the clear button, spoken in words
            set_name(button, "Clear search")
        self.tag_field = QLineEdit(self)
        self.tag_field.setPlaceholderText("e.g. dark")
        self.tag_field.setMaximumWidth(140)
        self.sort_box = QComboBox(self)
        for label, sort in SORTS:
            self.sort_box.addItem(label, sort)
        self.favourites_box = QCheckBox("&My favourites", self)
        set_name(self.favourites_box, "Only my favourites")

        bar = QHBoxLayout()
        backend_label = link_label(QLabel("&Backend:", self), self.backend_box,
                                   "The backend whose themes are listed")
        bar.addWidget(backend_label)
        bar.addWidget(self.backend_box)
        bar.addSpacing(8)
        bar.addWidget(link_label(QLabel("Sear&ch:", self), self.search_field,
                                 "Find themes by words in their name or description"))
        bar.addWidget(self.search_field, 1)
        bar.addWidget(link_label(QLabel("T&ag:", self), self.tag_field, "Only themes with this tag"))
        bar.addWidget(self.tag_field)
        bar.addWidget(link_label(QLabel("S&ort:", self), self.sort_box, "Order of the list"))
        bar.addWidget(self.sort_box)
        bar.addWidget(self.favourites_box)

        self.list_view = QListView(self)
        self.list_view.setObjectName("browseList")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(ThemeCardDelegate(self.thumbnails, self.list_view))
        self.list_view.setUniformItemSizes(True)  # 100,000 rows: no per-row size queries
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_view.verticalScrollBar().setSingleStep(ROW_HEIGHT // 3)
        self.list_view.setMinimumWidth(420)
        set_name(self.list_view, "Themes", "Arrow keys move through the themes; more load as you go down")
        self._paint_watch = _PaintWatch(self.list_view.viewport())

        self.state_page = StatePage(self)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.list_view)
        self.list_stack.addWidget(self.state_page)
        self.status = QLabel(self)
        self.status.setObjectName("browseStatus")
        left = QWidget(self)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.list_stack, 1)
        left_box.addWidget(self.status)

        self.detail = ThemeDetail(self, choose_folder=choose_folder)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([520, 880])  # the list needs a card's width; the preview wants the rest

        self.banner = QLabel(self)
        self.banner.setObjectName("browseBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #e7f0fb; color: #1f3a5f; padding: 6px 10px;")  # 10:1
        self.banner.setVisible(False)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 8, 8, 4)
        box.addWidget(self.banner)
        box.addLayout(bar)
        box.addWidget(self.splitter, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        # Arrowing through the list opens the theme it rests on, not every theme it passes.
        self._open_timer = QTimer(self, singleShot=True, interval=OPEN_DELAY_MS)
        self._open_timer.timeout.connect(self._open_current)
        chain_tab_order([
            self.backend_box, self.search_field, self.tag_field, self.sort_box, self.favourites_box,
            self.list_view, self.state_page.retry_button, *self.detail.controls(),
        ])

    def _wire(self) -> None:
        # A state page (offline, nothing matches) takes the whole width: there is no theme to detail.
        self.list_stack.currentChanged.connect(
            lambda _i: self.detail.setVisible(self.list_stack.currentWidget() is self.list_view)
        )
        self.backend_box.currentIndexChanged.connect(self._on_backend_picked)
        self.search_field.textEdited.connect(lambda _t: self._search_timer.start())
        self.tag_field.textEdited.connect(lambda _t: self._search_timer.start())
        self.search_field.returnPressed.connect(self.apply_query)
        self.tag_field.returnPressed.connect(self.apply_query)
        self._search_timer.timeout.connect(self.apply_query)
        self.sort_box.currentIndexChanged.connect(lambda _i: self.apply_query())
        self.favourites_box.toggled.connect(lambda _on: self.apply_query())
        self.model.loadingChanged.connect(lambda _loading: self._update_state())
        self.model.modelReset.connect(self._update_state)
        self.model.pageLoaded.connect(self._on_page_loaded)
        self.model.failed.connect(self._on_failed)
        self.state_page.retryRequested.connect(self.retry)
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list_view.activated.connect(self._open_index)
        self.list_view.verticalScrollBar().valueChanged.connect(self._maybe_prefetch)
        self.thumbnails.loaded.connect(lambda _url: self.list_view.viewport().update())
        self.thumbnails.unavailable.connect(lambda _url: self.list_view.viewport().update())
        self.detail.favouriteChanged.connect(self.model.set_favourite_shown)
        self.detail.startedFrom.connect(self.startedFrom)

    def set_banner(self, text: str) -> None:
        """A line above the search bar (the start page says why it shows and what else to do)."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def controls(self) -> list[QWidget]:
        return [self.backend_box, self.search_field, self.tag_field, self.sort_box, self.favourites_box,
                self.list_view, *self.detail.controls()]

    # -- backends --------------------------------------------------------------------------------------
    def set_targets(self, targets: Sequence[BrowseTarget]) -> None:
        """Offer these backends (keeps the current one when it is still offered)."""
        current = self.backend_box.currentText()
        self._targets = list(targets)
        self.backend_box.blockSignals(True)
        self.backend_box.clear()
        for target in self._targets:
            self.backend_box.addItem(target.label)
        self.backend_box.blockSignals(False)
        labels = [t.label for t in self._targets]
        if not self._targets:
            self.model.set_source(None)
            self.detail.set_source(None)
            self._update_state()
        elif current in labels:
            self.backend_box.setCurrentIndex(labels.index(current))
        else:
            self.backend_box.setCurrentIndex(0)
            self._on_backend_picked(0)

    def current_target(self) -> BrowseTarget | None:
        index = self.backend_box.currentIndex()
        return self._targets[index] if 0 <= index < len(self._targets) else None

    def _on_backend_picked(self, index: int) -> None:
        if not 0 <= index < len(self._targets):
            return
        target = self._targets[index]
        self._connect_ticket += 1
        ticket = self._connect_ticket
        self.thumbnails.clear()
        self.detail.set_source(None)
        self.model.set_source(None)
        self.state_page.show_state("loading", f"Connecting to {target.label}…")
        self.list_stack.setCurrentWidget(self.state_page)
        known = self._sources.get(target.label)

        def connect() -> tuple[CatalogSource, set[str]]:
            # Building the client may read the keyring; the favourites are the first request to the backend.
            source = known if known is not None else target.connect()
            self._sources[target.label] = source
            return source, (source.favourite_ids() if source.can_favourite else set())

        def connected(result: tuple[CatalogSource, set[str]]) -> None:
            if ticket == self._connect_ticket:
                self._use_source(*result)

        def failed(exc: Exception) -> None:
            if ticket == self._connect_ticket:
                self._show_offline(str(exc))

        run_in_background(connect, connected, failed, owner=self, pool=self._connect_pool)

    def _use_source(self, source: CatalogSource, favourites: set[str]) -> None:
        self.detail.set_source(source)
        self.model.set_query(self.current_query(), fetch=False)
        self.model.set_source(source, favourites)  # fetches the first page of the current query
        self._update_state()

    def _fetch_thumbnail(self, url: str) -> bytes:
        source = self.model.source
        if source is None:
            raise RuntimeError("no backend")
        return source.preview_image(url)

    def close_sources(self) -> None:
        """Close every catalogue client made (the window is closing)."""
        _close_all(self._sources)

    # -- query -----------------------------------------------------------------------------------------
    def current_query(self) -> CatalogQuery:
        return CatalogQuery(
            text=self.search_field.text().strip(),
            tag=self.tag_field.text().strip().lower() or None,
            sort=self.sort_box.currentData(),
            favourites=self.favourites_box.isChecked(),
        )

    def apply_query(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.current_query())
        self._update_state()

    def retry(self) -> None:
        """Retry what failed: connecting to the backend, its first page, or the next page."""
        if self.model.source is None:
            self._on_backend_picked(self.backend_box.currentIndex())
            return
        self.model.retry()
        self._update_state()

    # -- list ------------------------------------------------------------------------------------------
    def _maybe_prefetch(self, *_: object) -> None:
        """Ask for the next page once the bottom of the viewport is within a few rows of the last one.

        Rows, not the scroll bar: right after rows are inserted the bar still has its old range (the list
        lays items out later), which would look like "at the end" and fetch a page nobody scrolled to.
        """
        if not self.model.canFetchMore(QModelIndex()):
            return
        viewport = self.list_view.viewport()
        bottom = self.list_view.indexAt(QPoint(viewport.width() // 2, viewport.height() - 1))
        last_seen = bottom.row() if bottom.isValid() else self.model.rowCount() - 1  # rows end above it
        if self.model.rowCount() - 1 - last_seen < PREFETCH_ROWS:
            self.model.fetchMore(QModelIndex())
            self._update_state()

    def _on_page_loaded(self, timing: PageTiming) -> None:
        started = time.perf_counter() - timing.seconds

        def painted() -> None:
            shown = ShownTiming(timing.first, timing.rows, time.perf_counter() - started)
            self.shown_timings.append(shown)
            self.rowsShown.emit(shown)

        self._paint_watch.pending.append(painted)
        self._update_state()
        self.list_view.viewport().update()
        if timing.first and self.model.rowCount() and not self.list_view.currentIndex().isValid():
            # The first theme is current (keyboard users start there) but not opened until asked.
            self.list_view.selectionModel().setCurrentIndex(
                self.model.index(0), self.list_view.selectionModel().SelectionFlag.NoUpdate
            )
        # A page that does not fill the view leaves nothing to scroll: ask for the next one at once.
        QTimer.singleShot(0, self, self._maybe_prefetch)  # dropped if the view is gone by then

    def _on_failed(self, message: str, first: bool) -> None:
        if first:
            self._show_offline(message)
        else:
            self._update_state()
            announce(self.status, f"Could not load more themes: {message}", assertive=True)

    def _show_offline(self, message: str) -> None:
        target = self.current_target()
        name = target.label if target is not None else "the backend"
        self.state_page.show_state(
            "offline",
            f"Cannot reach {name}",
            f"{message[:1].upper()}{message[1:]}\n\nThe themes cannot be listed until the backend answers. "
            "Check that it runs and that "
            "this computer can reach it, then press Retry.",
        )
        self.list_stack.setCurrentWidget(self.state_page)
        self.status.setText("Offline")

    def _update_state(self) -> None:
        model = self.model
        rows = model.rowCount()
        if not self._targets:
            self.state_page.show_state(
                "no-backend", "No backend to browse",
                "The local sandbox starts with the studio; or add a profile with a backend URL in "
                "File → Publishing Profiles.")
            self.list_stack.setCurrentWidget(self.state_page)
            self.status.clear()
            return
        if rows:
            self.list_stack.setCurrentWidget(self.list_view)
            if model.error is not None:
                self.status.setText(f"{rows:,} themes · could not load more: {model.error}")
            elif model.loading:
                self.status.setText(f"{rows:,} themes · loading more…")
            elif model.exhausted:
                self.status.setText(f"All {rows:,} matching themes shown")
            else:
                self.status.setText(f"{rows:,} themes shown · more load as you scroll")
            return
        if model.error is not None:
            return  # the offline page stays
        if model.loading or model.source is None:
            if self.state_page.state != "offline" or model.loading:
                self.state_page.show_state("loading", "Loading themes…")
                self.list_stack.setCurrentWidget(self.state_page)
            self.status.setText("Loading…")
            return
        query = model.query
        what = "your favourites" if query.favourites else "the catalogue"
        filters = [f"“{query.text}”" if query.text else "", f"tag {query.tag}" if query.tag else ""]
        said = " and ".join(f for f in filters if f)
        self.state_page.show_state(
            "empty",
            f"No themes in {what} match {said}" if said else f"No themes in {what} yet",
            "Try other words or another tag." if said else "",
        )
        self.list_stack.setCurrentWidget(self.state_page)
        self.status.setText("0 themes")

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self.list_view.selectionModel().isSelected(current):
            self._open_timer.start()

    def _open_current(self) -> None:
        current = self.list_view.currentIndex()
        if current.isValid() and self.list_view.selectionModel().isSelected(current):
            self._open_index(current)

    def _open_index(self, index: QModelIndex) -> None:
        self._open_timer.stop()
        item = index.data(ITEM_ROLE)
        if isinstance(item, CatalogTheme):
            selection = self.list_view.selectionModel()
            selection.select(index, selection.SelectionFlag.ClearAndSelect)
            self.detail.show_item(item, bool(index.data(FAVOURITE_ROLE)))

    def open_row(self, row: int) -> None:
        """Select and open the theme at ``row`` (as a click or Enter does)."""
        index = self.model.index(row)
        self.list_view.setCurrentIndex(index)
        self._open_index(index)
