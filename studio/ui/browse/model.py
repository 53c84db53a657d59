"""The catalogue as a paged list model: one page per request, fetched by cursor as the view scrolls.

Qt asks :meth:`CatalogModel.canFetchMore` / :meth:`CatalogModel.fetchMore` when the view nears the end of the
rows it has; the model then asks its source for the next page on a worker thread and appends it. Only the
rows seen so far are held, so 100,000 themes cost what the user scrolled through. A new query (search, tag,
sort, favourites) starts over; answers to an older query are dropped when they arrive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)

from studio.ui.background import run_in_background
from studio.ui.browse.source import CatalogPage, CatalogQuery, CatalogSource, CatalogTheme

ITEM_ROLE: Final = Qt.ItemDataRole.UserRole + 1
FAVOURITE_ROLE: Final = Qt.ItemDataRole.UserRole + 2
#: One catalogue request at a time per model, on its own thread (thumbnails and the detail use others).
_REQUEST_THREADS: Final = 1

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class PageTiming:
    """How long one page took from the request to its rows being in the model."""

    first: bool
    rows: int
    seconds: float


def describe(item: CatalogTheme, favourite: bool = False) -> str:
    """What a screen reader says for a theme in the list."""
    c = item.counts
    version = f"version {item.latest_version}" if item.latest_version else "no release"
    tags = f"; tags {', '.join(item.tags)}" if item.tags else ""
    in_favourites = "; in your favourites" if favourite else ""
    counts = ", ".join(plural(n, noun) for n, noun in (
        (c.installs, "install"), (c.downloads, "download"), (c.views, "view"), (c.favourites, "favourite")))
    return f"{item.name} by {item.author or 'unknown author'}, {version}; {counts}{tags}{in_favourites}"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


class CatalogModel(QAbstractListModel):
    """Themes of one query from one source, appended page by page.

    Signals:
        loadingChanged(bool): a request started (True) or ended (False).
        pageLoaded(object): a :class:`PageTiming` once a page's rows are in the model.
        failed(str, bool): a request failed (the message, and whether it was the first page: then the list
            is empty because of the failure, not because nothing matches).
        sourceChanged(): another source (profile) was set.
    """

    loadingChanged = Signal(bool)  # noqa: N815 (Qt signal names are camelCase)
    pageLoaded = Signal(object)  # noqa: N815
    failed = Signal(str, bool)
    sourceChanged = Signal()  # noqa: N815

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[CatalogTheme] = []
        self._favourites: set[str] = set()
        self._source: CatalogSource | None = None
        self._query = CatalogQuery()
        self._cursor: str | None = None
        self._exhausted = True
        self._loading = False
        self._error: str | None = None
        self._generation = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(_REQUEST_THREADS)
        self.timings: list[PageTiming] = []

    # -- state ---------------------------------------------------------------------------------------
    @property
    def source(self) -> CatalogSource | None:
        return self._source

    @property
    def query(self) -> CatalogQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def error(self) -> str | None:
        """The last failure, until a retry or a new query (None when the last request succeeded)."""
        return self._error

    @property
    def exhausted(self) -> bool:
        """True when every page of the query is loaded (or no source is set)."""
        return self._exhausted

    def item(self, row: int) -> CatalogTheme:
        return self._items[row]

    def row_of(self, theme_id: str) -> int | None:
        return next((i for i, item in enumerate(self._items) if item.id == theme_id), None)

    # -- commands ------------------------------------------------------------------------------------
    def is_favourite(self, theme_id: str) -> bool:
        return theme_id in self._favourites

    def set_source(self, source: CatalogSource | None, favourites: set[str] | None = None) -> None:
        """Browse another backend (the previous source is closed by whoever made it); ``favourites``: the
        caller's favourite theme ids there."""
        self._source = source
        self._favourites = set(favourites or ())
        self.sourceChanged.emit()
        self.reload()

    def set_query(self, query: CatalogQuery, *, fetch: bool = True) -> None:
        """Show the themes of ``query`` from the first page (no-op when it is the current query and shown).

        ``fetch=False`` only remembers it (the next :meth:`set_source` fetches it).
        """
        if query == self._query and (self._items or self._loading or not fetch):
            self._query = query
            return
        self._query = query
        if fetch:
            self.reload()

    def reload(self) -> None:
        """Drop every row and fetch the first page again (Retry, or a changed query/source)."""
        self._generation += 1
        self.beginResetModel()
        self._items = []
        self._cursor = None
        self._error = None
        self._exhausted = self._source is None
        self.endResetModel()
        self._set_loading(False)
        if self._source is not None:
            self._request()

    def retry(self) -> None:
        """After a failure: the first page again if nothing is shown, else the page that failed."""
        if not self._items:
            self.reload()
        elif self._error is not None:
            self._error = None
            self._request()

    def set_favourite_shown(self, theme_id: str, on: bool) -> None:
        """Show a favourite toggled (its heart, and its count one up or down) without asking the backend."""
        if (theme_id in self._favourites) == on:
            return
        (self._favourites.add if on else self._favourites.discard)(theme_id)
        row = self.row_of(theme_id)
        if row is not None:
            old = self._items[row]
            count = max(0, old.counts.favourites + (1 if on else -1))
            self._items[row] = replace(old, counts=replace(old.counts, favourites=count))
            index = self.index(row)
            self.dataChanged.emit(index, index)

    # -- QAbstractListModel --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == ITEM_ROLE:
            return item
        if role == FAVOURITE_ROLE:
            return item.id in self._favourites
        if role == Qt.ItemDataRole.DisplayRole:
            return item.name
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return describe(item, item.id in self._favourites)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return item.description
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return (
            not parent.isValid()
            and self._source is not None
            and not self._exhausted
            and not self._loading
            and self._error is None
            and bool(self._items)  # the first page is requested by reload(), never by the view
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._request()

    # -- internals -----------------------------------------------------------------------------------
    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loadingChanged.emit(loading)

    def _request(self) -> None:
        source, query, cursor, generation = self._source, self._query, self._cursor, self._generation
        assert source is not None
        first = not self._items
        started = time.perf_counter()
        self._set_loading(True)

        def done(page: CatalogPage) -> None:
            if generation != self._generation:  # an answer to an older query or source
                return
            if page.items:
                self.beginInsertRows(QModelIndex(), len(self._items), len(self._items) + len(page.items) - 1)
                self._items.extend(page.items)
                self.endInsertRows()
            self._cursor = page.next_cursor
            self._exhausted = page.next_cursor is None or not page.items
            self.timings.append(PageTiming(first, len(page.items), time.perf_counter() - started))
            self._set_loading(False)
            self.pageLoaded.emit(self.timings[-1])

        def fail(exc: Exception) -> None:
            if generation != self._generation:
                return
            self._error = str(exc) or type(exc).__name__
            self._set_loading(False)
            self.failed.emit(self._error, first)

        run_in_background(lambda: source.page(query, cursor), done, fail, owner=self, pool=self._pool)
