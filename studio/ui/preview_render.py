"""Render the preview gallery with a theme to a PNG, headless (``themestudio preview``, CI screenshots)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWidgets import QApplication, QWidget

from studio.ui.qt_env import prepare_qt_environment

#: Taller pages are cut here: a screenshot is for looking at, and Chromium tiles get costly beyond it.
MAX_HEIGHT = 6000
#: Generous: the first QtWebEngine start in a process takes ~1 s, a framework-sized theme a little more.
TIMEOUT_S = 30.0

_SENTINEL_ON_JS = ("var s=document.createElement('div');s.id='render-sentinel';"
                   "s.style.cssText='position:fixed;left:0;top:0;width:3px;height:3px;z-index:2147483647;"
                   "background:rgb(1,254,3)';document.documentElement.appendChild(s);true")
_SENTINEL_OFF_JS = "document.getElementById('render-sentinel').remove();true"


class PreviewRenderError(RuntimeError):
    """The gallery could not be loaded, styled or captured."""


def render_preview_png(theme_css: str, out: Path, *, width: int = 1280, scheme: str = "light",
                       base_dir: Path | None = None, height: int | None = None) -> None:
    """Render the gallery styled by ``theme_css`` and save it as a PNG.

    Args:
        theme_css: the stylesheet to preview.
        out: where to write the PNG (parent folders are created).
        width: page width in CSS px (the PNG is as wide, at device pixel ratio 1).
        scheme: ``"light"`` or ``"dark"``; sets ``data-theme`` and ``prefers-color-scheme``.
        base_dir: the theme folder, so the theme's relative ``url()`` find its assets.
        height: the PNG height; by default the whole page, capped at :data:`MAX_HEIGHT`.

    Raises:
        PreviewRenderError: loading, applying or saving failed or timed out.
        ValueError: a bad width, height or scheme.
    """
    if width <= 0 or (height is not None and height <= 0):
        raise ValueError(f"width and height must be positive, not {width} x {height}")
    if scheme not in ("light", "dark"):
        raise ValueError(f"scheme must be 'light' or 'dark', not {scheme!r}")
    app = _application()
    from studio.ui.preview import PreviewView, folder_url  # after the Qt environment is prepared

    view = PreviewView(base_url=folder_url(base_dir) if base_dir is not None else None)
    # Rendered but never put on a real screen: no flashing window when called from the running studio.
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.settings().setAttribute(QWebEngineSettings.WebAttribute.ShowScrollBars, False)
    view.resize(width, height or 900)
    try:
        view.show()
        view.set_scheme("light" if scheme == "light" else "dark")
        done: list[int] = []
        view.applied.connect(done.append)
        view.apply_css(theme_css)
        _wait(app, lambda: bool(done), "the gallery to load and apply the theme")
        if height is None:
            page_height = _evaluate(app, view, "document.documentElement.scrollHeight")
            if not isinstance(page_height, int | float) or page_height <= 0:
                raise PreviewRenderError(f"could not measure the gallery's height (got {page_height!r})")
            view.resize(width, min(int(page_height), MAX_HEIGHT))
            target = view.height()
            _wait(app, lambda: _evaluate(app, view, "window.innerHeight") == target,
                  "the page to take the new height")
        image = _grab_painted(app, view)
        out.parent.mkdir(parents=True, exist_ok=True)
        # PySide6 takes the format as str at run time; its stubs say bytes.
        if not image.save(str(out), "PNG"):  # type: ignore[call-overload]
            raise PreviewRenderError(f"could not write {out}")
    finally:
        view.close()
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # free page and profile now


def _application() -> QApplication:
    existing = QApplication.instance()
    if existing is not None:
        if not isinstance(existing, QApplication):
            raise PreviewRenderError("a non-widget Qt application exists; the preview needs a QApplication")
        return existing
    prepare_qt_environment()
    return QApplication([])


def _wait(app: QApplication, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise PreviewRenderError(f"timed out after {timeout:.0f} s waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)


def _evaluate(app: QApplication, view: object, js: str) -> object:
    from studio.ui.preview import PreviewView

    assert isinstance(view, PreviewView)
    box: list[object] = []
    view.evaluate(js, box.append)
    _wait(app, lambda: bool(box), f"the page to answer {js[:40]!r}")
    return box[0]


def _grab_painted(app: QApplication, view: object) -> QImage:
    """Grab the view once the compositor shows the page as it is now.

    Chromium delivers frames some 50-400 ms after the page changed (more under load), and a grab until then
    shows an older frame; a frame that merely stops changing proves nothing. So a sentinel pixel is painted
    in the corner and then removed: the first grab without it is newer than every change made before.
    """
    from studio.ui.preview import PreviewView

    assert isinstance(view, PreviewView)
    sentinel = QColor(1, 254, 3).rgb()
    _evaluate(app, view, _SENTINEL_ON_JS)
    _wait_for_grab(app, view, lambda image: image.pixel(0, 0) == sentinel, "the sentinel frame")
    _evaluate(app, view, _SENTINEL_OFF_JS)
    return _wait_for_grab(app, view, lambda image: image.pixel(0, 0) != sentinel, "the final frame")


def _wait_for_grab(app: QApplication, view: QWidget, ready: Callable[[QImage], bool], what: str) -> QImage:
    deadline = time.perf_counter() + TIMEOUT_S
    while True:
        image = view.grab().toImage()
        if image.width() >= view.width() and image.height() >= view.height() and ready(image):
            return image
        if time.perf_counter() > deadline:
            raise PreviewRenderError(f"timed out waiting for {what} to be painted")
        _pump(app, 0.01)


def _pump(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
