"""The live preview: one QWebEngineView with the gallery page loaded once, restyled in place on every edit.

Every edit replaces the text of a single ``<style id="theme-css">`` through ``runJavaScript``; the page is
never reloaded (``setHtml`` costs ~100-170 ms and flashes white). The preview loads nothing from the network:
its private profile blocks every request whose scheme is not local.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from studio.core.paths import resources_dir

Scheme = Literal["light", "dark"]
ProbeCallback = Callable[[object], None]

#: Schemes the preview may load; everything else (http, https, ftp, ws, ...) is blocked.
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "qrc"})

#: Width of the preview's device frames, in CSS pixels.
VIEWPORT_PRESETS: dict[str, int | None] = {"mobile": 375, "tablet": 768, "desktop": 1280, "full": None}


def gallery_dir() -> Path:
    """The folder holding ``gallery.html`` and its helper script and layout sheet."""
    return resources_dir() / "preview"


def gallery_html() -> str:
    """The gallery page with its script and layout sheet inlined.

    The page is loaded with the *theme* folder as base URL (so the theme's relative ``url()`` find its
    assets), hence the gallery's own files cannot be referenced relatively and are inlined instead.
    """
    folder = gallery_dir()
    html = (folder / "gallery.html").read_text(encoding="utf-8")
    base_css = (folder / "gallery-base.css").read_text(encoding="utf-8")
    script = (folder / "gallery.js").read_text(encoding="utf-8")
    html = html.replace(
        '<link rel="stylesheet" href="gallery-base.css" id="gallery-base">',
        f'<style id="gallery-base">\n{base_css}</style>',
    )
    return html.replace('<script src="gallery.js" id="gallery-js"></script>', f"<script>\n{script}</script>")


def folder_url(folder: Path) -> QUrl:
    """A ``file://`` URL for a folder, with the trailing slash that makes relative URLs resolve inside it."""
    return QUrl.fromLocalFile(str(folder.resolve()) + "/")


class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request that would leave the machine and remembers what it blocked.

    Attributes:
        blocked: URLs refused so far, oldest first (for tests and for a "blocked requests" hint in the UI).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme().lower() not in LOCAL_SCHEMES:
            info.block(True)
            self.blocked.append(url.toString())


def _private_profile() -> tuple[QWebEngineProfile, LocalOnlyInterceptor]:
    """An off-the-record profile that never stores anything and never talks to the network."""
    profile = QWebEngineProfile()  # no storage name: off the record, nothing written to disk
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentCookiesPolicy(QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
    profile.setSpellCheckEnabled(False)
    profile.setPushServiceEnabled(False)
    interceptor = LocalOnlyInterceptor(profile)
    profile.setUrlRequestInterceptor(interceptor)
    settings = profile.settings()
    attr = QWebEngineSettings.WebAttribute
    for name, on in (
        (attr.LocalContentCanAccessFileUrls, True),  # the theme's assets/ beside theme.css
        (attr.LocalContentCanAccessRemoteUrls, False),
        (attr.DnsPrefetchEnabled, False),
        (attr.HyperlinkAuditingEnabled, False),
        (attr.PluginsEnabled, False),
        (attr.PdfViewerEnabled, False),
        (attr.AutoLoadIconsForPage, False),
        (attr.TouchIconsEnabled, False),
        (attr.WebGLEnabled, False),
        (attr.WebRTCPublicInterfacesOnly, True),
        (attr.JavascriptCanOpenWindows, False),
        (attr.JavascriptCanAccessClipboard, False),
        (attr.NavigateOnDropEnabled, False),  # a file dropped on the preview must not replace the gallery
        (attr.ErrorPageEnabled, False),
        (attr.ScrollAnimatorEnabled, False),
    ):
        settings.setAttribute(name, on)
    return profile, interceptor


def local_only_profile() -> tuple[QWebEngineProfile, LocalOnlyInterceptor]:
    """A profile like the preview's (off the record, every non-local request blocked), for other viewers of
    untrusted pages (a theme's documentation in Browse). Give it a parent that outlives its pages."""
    return _private_profile()


class GalleryPage(QWebEnginePage):
    """The gallery's page: it accepts only the loads the preview itself starts.

    A click on a link, a form submit or a script setting ``location`` would replace the gallery (and lose the
    applied theme); in-page ``#fragment`` jumps are not navigations and keep working.
    """

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.expect_load = False

    def acceptNavigationRequest(self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType,
                                is_main_frame: bool) -> bool:
        if not is_main_frame:
            return False
        accepted, self.expect_load = self.expect_load, False
        return accepted


@dataclass
class _Pending:
    """The newest CSS not yet sent to the page, and the probes waiting for it (or a later generation)."""

    css: str | None = None
    generation: int = 0
    probes: list[tuple[str, ProbeCallback]] = field(default_factory=list)


class PreviewView(QWebEngineView):
    """Shows the gallery styled by the theme under edit.

    Applies are coalesced: while one ``apply_css`` is on its way to the page, further calls only replace the
    pending text, so a burst of keystrokes costs at most two page updates. State set before the page has
    loaded (CSS, scheme, viewport, stale flag) is remembered and sent once it has.

    Signals:
        applied(int): the page now shows the CSS of this generation (and has dropped every older one);
            emitted after the JS call that set it returned, i.e. after style recalculation was forced.
        loadedChanged(bool): the gallery finished loading (True) or started loading again (False).
        staleChanged(bool): the stale banner was shown or hidden.
    """

    applied = Signal(int)
    loadedChanged = Signal(bool)  # noqa: N815  (Qt's signal naming, like the rest of the UI)
    staleChanged = Signal(bool)  # noqa: N815

    def __init__(self, parent: QWidget | None = None, *, base_url: QUrl | None = None) -> None:
        super().__init__(parent)
        profile, self._interceptor = _private_profile()
        page = GalleryPage(profile, self)
        # The profile must outlive its page: as the page's child it is deleted after ~QWebEnginePage ran.
        profile.setParent(page)
        self.setPage(page)
        # Tab passes over the page (its gallery holds dozens of links and fields, and Chromium takes Tab
        # asynchronously); a click or the main window's View → Go to Preview Page enters it, and Tab leaves it
        # again after its last control.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName("Preview")
        for child in self.findChildren(QWidget):
            self._adopt(child)
        self._loaded = False
        self._loading = False
        self._in_flight = False
        self._generation = 0
        self._applied_generation = 0
        self._pending = _Pending()
        self._css = ""
        self._scheme: Scheme | None = None
        self._viewport: int | None = None
        self._stale = False
        self._queued_js: list[tuple[str, ProbeCallback | None]] = []
        self._standing_probe: tuple[str, ProbeCallback] | None = None
        page.loadFinished.connect(self._on_load_finished)
        self._base_url = base_url if base_url is not None else folder_url(gallery_dir())
        self._load_gallery()

    @staticmethod
    def _adopt(child: QWidget) -> None:
        """The widget that shows the page (made by QtWebEngine, sometimes only once shown) and takes focus."""
        child.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        child.setAccessibleName("Preview page")

    def childEvent(self, event: QChildEvent) -> None:
        super().childEvent(event)
        child = event.child()
        if event.type() == QEvent.Type.ChildPolished and isinstance(child, QWidget):
            self._adopt(child)

    # -- public API -----------------------------------------------------------------------------------

    @property
    def blocked_requests(self) -> list[str]:
        """URLs the preview refused to load (remote ``url()``, ``@import`` ...), oldest first."""
        return list(self._interceptor.blocked)

    @property
    def current_css(self) -> str:
        """The newest CSS handed to :meth:`apply_css` (applied or still pending)."""
        return self._css

    @property
    def applied_generation(self) -> int:
        """The generation the page shows now (0 before the first apply completed)."""
        return self._applied_generation

    def set_base_url(self, base_url: QUrl) -> None:
        """Point relative ``url()`` at another theme folder; reloads the gallery (only on a theme switch)."""
        if base_url != self._base_url:
            self._base_url = base_url
            self._load_gallery()

    def apply_css(self, css: str) -> int:
        """Show ``css`` in the gallery without reloading it (with the standing probe, if one is set).

        Returns:
            The generation number of this text; ``applied`` carries it (or a later one) once it shows.
        """
        if self._standing_probe is not None:
            return self.apply_css_and_probe(css, *self._standing_probe)
        return self.apply_css_and_probe(css)

    def set_standing_probe(self, js_probe_expr: str | None, callback: ProbeCallback | None = None) -> None:
        """Evaluate ``js_probe_expr`` after every :meth:`apply_css`, in the same JS call, and pass its
        value to ``callback``: confirms what the page shows without another round trip (``None`` stops it)."""
        if js_probe_expr is None or callback is None:
            self._standing_probe = None
        else:
            self._standing_probe = (js_probe_expr, callback)

    def apply_css_and_probe(self, css: str, js_probe_expr: str | None = None,
                            callback: ProbeCallback | None = None) -> int:
        """Like :meth:`apply_css`, then evaluate ``js_probe_expr`` in the same JS call, once the text is set.

        One round trip both applies and confirms: the probe (e.g. ``getComputedStyle(el).color``) forces the
        style recalculation and its JSON-able value goes to ``callback``. If a newer apply supersedes this one
        before it is sent, the probe runs after the newer text instead.
        """
        self._css = css
        self._generation += 1
        self._pending.css = css
        self._pending.generation = self._generation
        if js_probe_expr is not None and callback is not None:
            self._pending.probes.append((js_probe_expr, callback))
        self._flush()
        return self._generation

    def set_stale(self, stale: bool) -> None:
        """Show or hide the "stale: last good render" banner."""
        if stale == self._stale:
            return
        self._stale = stale
        self._run_when_loaded(f"window.__themePreview.setStale({json.dumps(stale)})")
        self.staleChanged.emit(stale)

    def is_stale(self) -> bool:
        return self._stale

    def set_scheme(self, scheme: Scheme | None) -> None:
        """Preview the light or dark scheme.

        Sets ``data-theme`` on ``<html>`` and makes ``@media (prefers-color-scheme: …)`` rules match
        ``scheme`` by rewriting their media text in the CSSOM (``None``: the engine's own preference).
        """
        if scheme not in ("light", "dark", None):
            raise ValueError(f"scheme must be 'light' or 'dark', not {scheme!r}")
        self._scheme = scheme
        self._run_when_loaded(f"window.__themePreview.setScheme({json.dumps(scheme)})")

    def scheme(self) -> Scheme | None:
        return self._scheme

    def set_viewport(self, width: int | None) -> None:
        """Constrain the gallery to a device-like frame ``width`` CSS px wide (``None``: the full view)."""
        if width is not None and width <= 0:
            raise ValueError(f"viewport width must be positive, not {width}")
        self._viewport = width
        self._run_when_loaded(f"window.__themePreview.setViewport({json.dumps(width)})")

    def viewport_width(self) -> int | None:
        return self._viewport

    def is_loaded(self) -> bool:
        return self._loaded

    def evaluate(self, js: str, callback: ProbeCallback) -> None:
        """Evaluate ``js`` (an expression or statements; the last value counts) and pass its value to
        ``callback`` as JSON-decoded Python (``None`` if it threw or is not JSON-able).

        Runs once the gallery has loaded. Keep ``callback`` trivial: Qt swallows exceptions raised in it.
        """
        self._run_when_loaded(_json_eval(js), callback)

    # -- internals ------------------------------------------------------------------------------------

    def _load_gallery(self) -> None:
        page = self.page()
        assert isinstance(page, GalleryPage)
        page.expect_load = True
        self._loading = True
        if self._loaded:
            self._loaded = False
            self.loadedChanged.emit(False)
        page.setHtml(gallery_html(), self._base_url)

    def _on_load_finished(self, ok: bool) -> None:
        # Only our own loads count: refused navigations also report loadStarted/loadFinished(False).
        if not self._loading:
            return
        self._loading = False
        if not ok:
            return
        self._loaded = True
        self._in_flight = False
        # Restore everything in one call: a reload (theme switch) must come back exactly as it was.
        state = (f"window.__themePreview.setStale({json.dumps(self._stale)});"
                 f"window.__themePreview.setViewport({json.dumps(self._viewport)});"
                 f"window.__themePreview.setScheme({json.dumps(self._scheme)});")
        self.page().runJavaScript(state)
        if self._css and self._pending.css is None:
            self._pending.css = self._css
            self._pending.generation = self._generation
        self._flush()  # before the queued evaluations, so they already see the theme
        queued, self._queued_js = self._queued_js, []
        for js, callback in queued:
            self._run(js, callback)
        self.loadedChanged.emit(True)

    def _run_when_loaded(self, js: str, callback: ProbeCallback | None = None) -> None:
        if self._loaded:
            self._run(js, callback)
        else:
            self._queued_js.append((js, callback))

    def _run(self, js: str, callback: ProbeCallback | None) -> None:
        if callback is None:
            self.page().runJavaScript(js)
        else:
            self.page().runJavaScript(js, 0, lambda raw: callback(_decode(raw)))

    def _flush(self) -> None:
        """Send the pending CSS unless an apply is still on its way (then its completion sends it)."""
        if not self._loaded or self._in_flight or self._pending.css is None:
            return
        pending, self._pending = self._pending, _Pending()
        probes = ",".join(f"function(){{return ({expr});}}" for expr, _ in pending.probes)
        # The CSS travels as a JSON string literal: no escaping issues, and V8 parses it fast.
        js = (f"(function(){{window.__themePreview.setCss({json.dumps(pending.css)});"
              f"var probes=[{probes}],out=[];"
              f"for(var i=0;i<probes.length;i++){{try{{out.push(probes[i]());}}catch(e){{out.push(null);}}}}"
              f"return JSON.stringify(out);}})()")
        callbacks = [cb for _, cb in pending.probes]
        generation = pending.generation
        self._in_flight = True
        self.page().runJavaScript(js, 0, lambda raw: self._on_applied(generation, raw, callbacks))

    def _on_applied(self, generation: int, raw: object, callbacks: list[ProbeCallback]) -> None:
        self._in_flight = False
        self._applied_generation = generation
        values = _decode(raw)
        ok = isinstance(values, list) and len(values) == len(callbacks)
        results = values if ok and isinstance(values, list) else [None] * len(callbacks)
        self.applied.emit(generation)
        for callback, value in zip(callbacks, results, strict=True):
            callback(value)
        self._flush()


def _json_eval(js: str) -> str:
    """Wrap ``js`` so the page returns its value as a JSON string (runJavaScript mangles arrays/objects)."""
    return ("(function(){try{var r=(0,eval)(" + json.dumps(js) + ");"
            "return JSON.stringify(r===undefined?null:r);}catch(e){return 'null';}})()")


def _decode(raw: object) -> object:
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
