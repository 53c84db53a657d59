"""One theme of the catalogue: its release live in the preview (any version), changelog and documentation.

Picking a version downloads that release's exact files (theme.css and assets) into a private temporary folder
and shows them in the studio's own :class:`PreviewView`, read-only (there is no editor here). Actions:
favourite / unfavourite, Start from this theme (a new local theme folder from the release), and copying the
embed snippet. Every request runs in the background; failures are shown and announced, never raised.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.adapters.browse_catalog import Documentation
from studio.adapters.release_download import ReleaseDownloadError
from studio.core.embed import EmbedError
from studio.core.limits import read_text_limited
from studio.ui.accessibility import announce, link_label, set_name, show_message
from studio.ui.analytics_view import AnalyticsView
from studio.ui.background import run_in_background
from studio.ui.browse.delegate import counts_text
from studio.ui.browse.docs_view import DocumentationView
from studio.ui.browse.embed import embed_snippet
from studio.ui.browse.source import CatalogSource, CatalogTheme, ThemeVersion
from studio.ui.preview import PreviewView, folder_url

MAX_CSS_BYTES = 5 * 1024 * 1024  # the studio's stylesheet limit (studio.core.limits)
ERROR_STYLE = "color: #c92a2a;"
#: Chooses the folder a new theme is created in (a dialog; tests pass their own).
ChooseFolder = Callable[[QWidget, CatalogTheme], Path | None]


def folder_name(name: str) -> str:
    """A folder name for a theme called ``name`` (letters, digits, dashes)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "theme"


def free_folder(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``... when that exists already."""
    candidate, n = parent / name, 2
    while candidate.exists():
        candidate, n = parent / f"{name}-{n}", n + 1
    return candidate


def ask_for_folder(parent: QWidget, item: CatalogTheme) -> Path | None:
    title = f"Start from “{item.name}”: where should the new theme go?"
    chosen = QFileDialog.getExistingDirectory(parent, title)
    return Path(chosen) if chosen else None


def changelog_html(releases: list[ThemeVersion]) -> str:
    """Every release, newest first, with its changes (escaped: the text comes from the backend)."""
    if not releases:
        return "<p><i>No release yet.</i></p>"
    parts = []
    for r in releases:
        day = html.escape(r.created_at[:10])
        when = f" <span style='color:#59636e'>· {day}</span>" if r.created_at else ""
        body = html.escape(r.changes.strip()) or "<i>No notes.</i>"
        parts.append(f"<h3>{html.escape(r.version)}{when}</h3><p style='white-space:pre-wrap'>{body}</p>")
    return "".join(parts)


class ThemeDetail(QWidget):
    """The selected theme. Call :meth:`set_source` when the backend changes and :meth:`show_item` to open one.

    Signals:
        favouriteChanged(str, bool): theme id, and whether it is now a favourite.
        startedFrom(object): the Path of the theme folder made by Start from this theme.
        releaseShown(str): the preview now shows this version (its files are loaded and applied).
        documentationShown(str): the documentation of this version is rendered.
    """

    favouriteChanged = Signal(str, bool)  # noqa: N815 (Qt signal names are camelCase)
    startedFrom = Signal(object)  # noqa: N815
    releaseShown = Signal(str)  # noqa: N815
    documentationShown = Signal(str)  # noqa: N815

    def __init__(
        self, parent: QWidget | None = None, *, choose_folder: ChooseFolder = ask_for_folder
    ) -> None:
        super().__init__(parent)
        self._source: CatalogSource | None = None
        self._item: CatalogTheme | None = None
        self._favourite = False
        self._releases: list[ThemeVersion] = []
        self._choose_folder = choose_folder
        self._cache = Path(tempfile.mkdtemp(prefix="themestudio-browse-"))
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._ticket = 0  # bumped on every item/version change: late answers for older ones are dropped
        self.destroyed.connect(lambda *_: shutil.rmtree(self._cache, ignore_errors=True))
        self.shown_version: str | None = None
        self.documented_version: str | None = None
        self._build()
        self.clear()

    # -- layout ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel(self)
        self.title.setObjectName("browseDetailTitle")
        self.title.setStyleSheet("font-size: 17pt; font-weight: 600;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.byline = QLabel(self)
        self.byline.setWordWrap(True)
        self.counts = QLabel(self)
        self.description = QLabel(self)
        self.description.setWordWrap(True)

        self.version_box = QComboBox(self)
        self.version_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_box.setToolTip("The release shown in the preview, changelog and documentation")
        version_label = link_label(QLabel("&Version:", self), self.version_box,
                                   "The release shown in the preview and documentation")
        self.scheme_box = QComboBox(self)
        for label, scheme in (("Auto", None), ("Light", "light"), ("Dark", "dark")):
            self.scheme_box.addItem(label, scheme)
        scheme_label = link_label(QLabel("Sc&heme:", self), self.scheme_box, "Colour scheme of the preview")
        self.favourite_button = QPushButton("Add to &Favourites", self)
        self.favourite_button.setCheckable(True)
        self.start_button = QPushButton("&Start from This Theme…", self)
        self.start_button.setToolTip("Make a new local theme folder from this release's exact files")
        self.embed_button = QPushButton("Copy &Embed Snippet", self)
        self.embed_button.setToolTip("Copy the <link> (with SRI) for this version to the clipboard")
        set_name(self.favourite_button, "Add to favourites")
        set_name(self.start_button, "Start from this theme",
                 "Make a new local theme folder from this release and open it")
        set_name(self.embed_button, "Copy embed snippet",
                 "Copy the HTML that loads this version to the clipboard")

        actions = QHBoxLayout()
        actions.addWidget(version_label)
        actions.addWidget(self.version_box)
        actions.addWidget(scheme_label)
        actions.addWidget(self.scheme_box)
        actions.addSpacing(12)
        actions.addWidget(self.favourite_button)
        actions.addWidget(self.start_button)
        actions.addWidget(self.embed_button)
        actions.addStretch(1)

        self.status = QLabel(self)
        self.status.setObjectName("browseDetailStatus")
        self.status.setWordWrap(True)

        self.tabs = QTabWidget(self)
        set_name(self.tabs, "Theme details")
        self.preview = PreviewView(self)
        set_name(self.preview, "Release preview",
                 "The gallery page styled by the selected release, read-only")
        self.changelog = QTextBrowser(self)
        self.changelog.setOpenLinks(False)
        set_name(self.changelog, "Changelog")
        self.docs = DocumentationView(self)
        set_name(self.docs, "Documentation", "The theme's README, rendered")
        self.tabs.addTab(self.preview, "&Preview")
        self.tabs.addTab(self.changelog, "Chan&gelog")
        self.tabs.addTab(self.docs, "&Documentation")
        # Usage over time, read when the tab is shown (the backend answers the theme's author and admins).
        self.analytics_host = QWidget(self)
        QVBoxLayout(self.analytics_host).setContentsMargins(0, 0, 0, 0)
        self.analytics: AnalyticsView | None = None
        self.tabs.addTab(self.analytics_host, "Anal&ytics")

        # Everything below the header exists only while a theme is open (an unstyled gallery says nothing).
        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(actions)
        body.addWidget(self.status)
        body.addWidget(self.tabs, 1)

        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 8)
        box.addWidget(self.title)
        box.addWidget(self.byline)
        box.addWidget(self.counts)
        box.addWidget(self.description)
        box.addWidget(self.body, 1)
        self._filler = QWidget(self)  # keeps the header at the top while the body is hidden
        box.addWidget(self._filler, 1)

        self.version_box.currentIndexChanged.connect(self._on_version_picked)
        self.scheme_box.currentIndexChanged.connect(
            lambda _i: self.preview.set_scheme(self.scheme_box.currentData())
        )
        self.favourite_button.clicked.connect(self._toggle_favourite)
        self.start_button.clicked.connect(self.start_from_theme)
        self.embed_button.clicked.connect(self.copy_embed_snippet)
        self.tabs.currentChanged.connect(lambda _i: self._show_analytics())
        self.docs.rendered.connect(self._on_docs_rendered)
        self.docs.linkRefused.connect(
            lambda url: self._say(f"Links are not opened from the documentation: {url}")
        )

    def controls(self) -> list[QWidget]:
        """The Tab stops, in order."""
        return [self.version_box, self.scheme_box, self.favourite_button, self.start_button,
                self.embed_button, self.tabs]

    def add_tab(self, widget: QWidget, title: str) -> None:
        """Hook for more per-theme views (analytics): a tab beside Preview, Changelog and Documentation."""
        self.tabs.addTab(widget, title)

    # -- state -----------------------------------------------------------------------------------------
    @property
    def item(self) -> CatalogTheme | None:
        return self._item

    @property
    def favourite(self) -> bool:
        return self._favourite

    @property
    def releases(self) -> list[ThemeVersion]:
        return list(self._releases)

    def selected_release(self) -> ThemeVersion | None:
        index = self.version_box.currentIndex()
        return self._releases[index] if 0 <= index < len(self._releases) else None

    def set_source(self, source: CatalogSource | None) -> None:
        self._source = source
        self.clear()

    def clear(self) -> None:
        self._ticket += 1
        self._item = None
        self._releases = []
        self.title.setText("Select a theme")
        self.byline.setText("Its release shows here, live, with its changelog and documentation.")
        self.counts.clear()
        self.description.clear()
        self.body.setVisible(False)
        self._filler.setVisible(True)
        self.version_box.blockSignals(True)
        self.version_box.clear()
        self.version_box.blockSignals(False)
        for widget in (self.version_box, self.favourite_button, self.start_button, self.embed_button):
            widget.setEnabled(False)
        self.changelog.clear()
        self.status.clear()

    def show_item(self, item: CatalogTheme, favourite: bool = False) -> None:
        """Open ``item``: header now, then its releases, then the newest one in the preview."""
        same = self._item is not None and self._item.id == item.id
        self._item = item
        self._favourite = favourite
        self.body.setVisible(True)
        self._filler.setVisible(False)
        self._show_header(item)
        if same:
            return
        self._ticket += 1
        ticket, source = self._ticket, self._source
        self._releases = []
        self.version_box.blockSignals(True)
        self.version_box.clear()
        self.version_box.blockSignals(False)
        self.changelog.clear()
        for widget in (self.version_box, self.start_button, self.embed_button):
            widget.setEnabled(False)
        self._show_analytics()
        if source is None:
            return
        self._say(f"Loading the releases of {item.name}…")

        def done(releases: list[ThemeVersion]) -> None:
            if ticket != self._ticket:
                return
            self._releases = releases
            self.changelog.setHtml(changelog_html(releases))
            self.version_box.blockSignals(True)
            for r in releases:
                self.version_box.addItem(f"{r.version}  ({r.created_at[:10]})" if r.created_at else r.version)
            self.version_box.blockSignals(False)
            if releases:
                self.version_box.setEnabled(True)
                self.version_box.setCurrentIndex(0)
                self._on_version_picked(0)
            else:
                self._say(f"{item.name} has no release to preview yet.")

        failed = self._failed(ticket, "loading the releases")
        run_in_background(lambda: source.releases(item.id), done, failed,
                          owner=self, pool=self._pool)

    def _show_header(self, item: CatalogTheme) -> None:
        self.title.setText(item.name)
        tags = f" · tags: {', '.join(item.tags)}" if item.tags else ""
        self.byline.setText(f"by {item.author or 'unknown'} · latest {item.latest_version or '—'}{tags}")
        self.counts.setText(counts_text(item))
        self.description.setText(item.description)
        self.description.setVisible(bool(item.description))
        can = self._source is not None and self._source.can_favourite
        self.favourite_button.setEnabled(can)
        self.favourite_button.setChecked(self._favourite)
        text = "Remove from &Favourites" if self._favourite else "Add to &Favourites"
        self.favourite_button.setText(text)
        set_name(self.favourite_button, "Remove from favourites" if self._favourite else "Add to favourites")
        self.favourite_button.setToolTip(
            "" if can else "Sign in to this backend (a token in its profile) to keep favourites"
        )

    # -- release: preview and documentation ------------------------------------------------------------
    def _on_version_picked(self, index: int) -> None:
        item, source = self._item, self._source
        if item is None or source is None or not 0 <= index < len(self._releases):
            return
        release = self._releases[index]
        self._ticket += 1
        ticket = self._ticket
        self.start_button.setEnabled(True)
        self.embed_button.setEnabled(True)
        self._say(f"Loading {item.name} {release.version}…")
        folder = self._cache / item.id / release.version

        def fetch_release() -> tuple[Path, str]:
            where = source.download_release(item.id, release.version, folder / "release")
            return where, read_text_limited(where / "theme.css", MAX_CSS_BYTES, "theme.css")

        def shown(result: tuple[Path, str]) -> None:
            if ticket != self._ticket:
                return
            where, css = result
            self.preview.set_base_url(folder_url(where))
            done_once: list[int] = []

            def applied(_generation: int) -> None:
                if done_once:
                    return
                done_once.append(1)
                self.preview.applied.disconnect(applied)
                if ticket == self._ticket:
                    self.shown_version = release.version
                    self._say(f"Showing {item.name} {release.version}.")
                    self.releaseShown.emit(release.version)

            self.preview.applied.connect(applied)
            self.preview.apply_css(css)

        run_in_background(fetch_release, shown, self._failed(ticket, f"loading release {release.version}"),
                          owner=self, pool=self._pool)

        def fetch_docs() -> Documentation:
            return source.documentation(item.id, release.version, folder / "docs")

        def documented(docs: Documentation) -> None:
            if ticket != self._ticket:
                return
            self._docs_version = release.version
            self.docs.show_markdown(docs.markdown, f"{item.name} {release.version}", docs.folder)
            if docs.missing:
                self._say(f"Some documentation images could not be loaded: {', '.join(docs.missing[:3])}")

        run_in_background(fetch_docs, documented,
                          self._failed(ticket, f"loading the documentation of {release.version}"),
                          owner=self, pool=self._pool)

    _docs_version: str | None = None

    def _on_docs_rendered(self, ok: bool) -> None:
        if ok and self._docs_version is not None:
            self.documented_version = self._docs_version
            self.documentationShown.emit(self._docs_version)

    # -- actions ---------------------------------------------------------------------------------------
    def _toggle_favourite(self) -> None:
        item, source = self._item, self._source
        if item is None or source is None:
            return
        was = self._favourite
        on = not was
        self.favourite_button.setEnabled(False)

        def done(_: object) -> None:
            self.favourite_button.setEnabled(True)
            if self._item is not None and self._item.id == item.id:
                count = max(0, item.counts.favourites + (1 if on else -1))
                self._item = replace(item, counts=replace(item.counts, favourites=count))
                self._favourite = on
                self._show_header(self._item)
            self._say(f"{item.name} {'added to' if on else 'removed from'} your favourites.")
            self.favouriteChanged.emit(item.id, on)

        def failed(exc: Exception) -> None:
            self.favourite_button.setEnabled(True)
            self.favourite_button.setChecked(was)
            self._say(f"Could not change the favourite: {exc}", error=True)

        run_in_background(lambda: source.set_favourite(item.id, on), done, failed,
                          owner=self, pool=self._pool)

    def start_from_theme(self) -> None:
        """Ask for a folder, make a new theme there from the selected release, then report it (to open it)."""
        item, source, release = self._item, self._source, self.selected_release()
        if item is None or source is None or release is None:
            return
        parent = self._choose_folder(self, item)
        if parent is None:
            return
        dest = free_folder(parent, folder_name(item.name))
        self.start_button.setEnabled(False)
        self._say(f"Making {dest.name} from {item.name} {release.version}…")

        def done(folder: Path) -> None:
            self.start_button.setEnabled(True)
            self._say(f"Created {folder} from {item.name} {release.version}.")
            self.startedFrom.emit(folder)

        def failed(exc: Exception) -> None:
            self.start_button.setEnabled(True)
            self._say(f"Could not start from {item.name} {release.version}: {exc}", error=True)

        run_in_background(lambda: source.start_from(item.id, release.version, dest), done, failed,
                          owner=self, pool=self._pool)

    def _show_analytics(self) -> None:
        """While the Analytics tab is shown, it shows the open theme's usage (a new view per theme)."""
        item = self._item
        if self.tabs.currentWidget() is not self.analytics_host or item is None:
            return
        if self.analytics is not None and self.analytics.theme_id == item.id:
            return
        if self.analytics is not None:
            self.analytics.deleteLater()
        self.analytics = AnalyticsView(item.id, getattr(self._source, "analytics", None),
                                       theme_name=item.name, parent=self.analytics_host)
        layout = self.analytics_host.layout()
        assert layout is not None
        layout.addWidget(self.analytics)
        self.analytics.refresh()

    def copy_embed_snippet(self) -> str:
        """Put the selected version's embed snippet on the clipboard (and return it)."""
        item, release = self._item, self.selected_release()
        if item is None or release is None:
            return ""
        try:
            snippet = embed_snippet(item.id, release)
        except (EmbedError, ReleaseDownloadError) as exc:  # a release the backend lists wrongly
            self._say(f"No embed snippet for {item.name} {release.version}: {exc}", error=True)
            return ""
        QGuiApplication.clipboard().setText(snippet)
        self._say(f"Embed snippet for {item.name} {release.version} copied to the clipboard.")
        return snippet

    # -- messages --------------------------------------------------------------------------------------
    def _failed(self, ticket: int, what: str) -> Callable[[Exception], None]:
        def fail(exc: Exception) -> None:
            if ticket == self._ticket:
                self._say(f"Failed {what}: {exc}", error=True)

        return fail

    def _say(self, text: str, *, error: bool = False) -> None:
        if error:
            show_message(self.status, text, error=True, style=ERROR_STYLE)
        else:
            self.status.setStyleSheet("")
            self.status.setText(text)
            announce(self.status, text)
