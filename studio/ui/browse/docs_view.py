"""A theme's documentation, rendered from Markdown, shown with remote loads blocked exactly like the preview.

The page comes from :func:`studio.core.docs_html.documentation_page` (no raw HTML, a strict CSP) and is shown
in a profile made by :func:`studio.ui.preview.local_only_profile`: off the record, every request that is not
local refused. JavaScript is off. A click on a link never navigates the view away; a link to another Markdown
file of the same documentation opens it here, anything else is only reported (``linkRefused``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from studio.core.docs_html import documentation_page
from studio.core.limits import InputLimitError, read_text_limited
from studio.ui.preview import folder_url, local_only_profile

MAX_DOC_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


class _DocsPage(QWebEnginePage):
    """Accepts only the loads the view starts; reports link clicks instead of following them."""

    def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
                                 line: int, source: str) -> None:
        # A README is untrusted text: what the engine says about it belongs in the debug log, not in warnings.
        log.debug("documentation page: %s (%s:%s)", message, source, line)

    linkClicked = Signal(QUrl)  # noqa: N815 (Qt signal names are camelCase)

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.expect_load = False

    def acceptNavigationRequest(self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType,
                                is_main_frame: bool) -> bool:
        if not is_main_frame:
            return False
        accepted, self.expect_load = self.expect_load, False
        if not accepted and nav_type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            self.linkClicked.emit(QUrl(url))
        return accepted


class DocumentationView(QWebEngineView):
    """Shows rendered Markdown; relative images load from the folder the documentation was fetched into.

    Signals:
        rendered(bool): a page finished loading (ok).
        linkRefused(str): a link was clicked that the view does not open (remote, or not documentation).
    """

    rendered = Signal(bool)
    linkRefused = Signal(str)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        profile, self._interceptor = local_only_profile()
        page = _DocsPage(profile, self)
        profile.setParent(page)  # the profile must outlive its page (see PreviewView)
        page.settings().setAttribute(QWebEngineSettings.WebAttribute.JavascriptEnabled, False)
        # Queued: loading another page from inside acceptNavigationRequest trips a Chromium check (a crash).
        page.linkClicked.connect(self._on_link, Qt.ConnectionType.QueuedConnection)
        page.loadFinished.connect(self.rendered)
        self.setPage(page)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Documentation")
        self._folder: Path | None = None
        self.html = ""

    @property
    def folder(self) -> Path | None:
        """Where the shown documentation's files are (its relative links resolve there)."""
        return self._folder

    @property
    def blocked_requests(self) -> list[str]:
        """Remote URLs the page tried to load and was refused, oldest first."""
        return list(self._interceptor.blocked)

    def show_markdown(self, markdown: str | None, title: str, folder: Path) -> None:
        """Render ``markdown``; its relative images resolve inside ``folder``."""
        self._folder = folder
        self.html = documentation_page(markdown, title)
        page = self.page()
        assert isinstance(page, _DocsPage)
        page.expect_load = True
        page.setHtml(self.html, folder_url(folder))

    def _on_link(self, url: QUrl) -> None:
        folder = self._folder
        if folder is not None and url.isLocalFile():
            path = Path(url.toLocalFile()).resolve()
            if path.suffix.lower() == ".md" and path.is_relative_to(folder.resolve()) and path.is_file():
                try:
                    text = read_text_limited(path, MAX_DOC_BYTES, "documentation page")
                except (InputLimitError, OSError, UnicodeDecodeError):
                    self.linkRefused.emit(url.toString())
                    return
                self.show_markdown(text, path.name, folder)
                return
        self.linkRefused.emit(url.toString())
