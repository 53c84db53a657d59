"""Deterministic full-page renders of the preview gallery, for the rendered before/after comparison.

One hidden :class:`~studio.ui.preview.PreviewView` renders every scheme x width of both stylesheets (the
page is loaded once; each render only swaps the theme's ``<style>`` text). What would make two renders of the
same stylesheet differ is switched off:

- **fonts**: every element uses the DejaVu families bundled under ``resources/fonts`` (whatever the machine
  has installed and whatever the theme asks for: a font-family change shows in the token impact, not here);
- **motion**: animations, transitions and smooth scrolling off; the text caret is transparent;
- **pixel ratio**: one image pixel per CSS px (a HiDPI grab is scaled down to it);
- **frame**: a capture is taken from the first frame that shows a sentinel colour unique to the render, set
  after the stylesheet, so it is never an older frame. The sentinel is a strip below the captured page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QRect, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWidgets import QWidget

from studio.core.paths import resources_dir
from studio.core.visual.regions import Box, Section
from studio.core.visual.report import Render, Scheme
from studio.ui.preview_render import MAX_HEIGHT, TIMEOUT_S, PreviewRenderError, _application

#: Height of the sentinel strip below the captured page, in px.
STRIP = 2
#: The view height used to measure a page the first time at each width (scrollHeight is at least this).
PROBE_HEIGHT = 64
#: How long each wait sleeps between checks, in ms.
POLL_MS = 4
SANS = "Studio Render Sans"
MONO = "Studio Render Mono"


class RenderCancelledError(Exception):
    """The caller asked to stop between two waits."""


def fonts_dir() -> Path:
    return resources_dir() / "fonts" / "dejavu"


def freeze_css() -> str:
    """The sheet that makes renders deterministic (placed after the theme's, every rule ``!important``)."""
    def url(name: str) -> str:
        return QUrl.fromLocalFile(str((fonts_dir() / name).resolve())).toString()

    return f"""
@font-face {{ font-family: "{SANS}"; src: url("{url('DejaVuSans.ttf')}"); font-weight: 1 550; }}
@font-face {{ font-family: "{SANS}"; src: url("{url('DejaVuSans-Bold.ttf')}"); font-weight: 551 1000; }}
@font-face {{ font-family: "{MONO}"; src: url("{url('DejaVuSansMono.ttf')}"); }}
*, *::before, *::after, ::placeholder {{
  font-family: "{SANS}" !important;
  animation: none !important;
  transition: none !important;
  caret-color: transparent !important;
  scroll-behavior: auto !important;
}}
code, kbd, pre, samp, code *, kbd *, pre *, samp * {{ font-family: "{MONO}" !important; }}
#stale-banner {{ display: none !important; }}
"""


_PREPARE_JS = """(function(){
  var s = document.getElementById('render-freeze');
  if (!s) { s = document.createElement('style'); s.id = 'render-freeze'; document.body.appendChild(s); }
  s.textContent = %s;
  var bar = document.getElementById('render-sentinel');
  if (!bar) {
    bar = document.createElement('div'); bar.id = 'render-sentinel';
    bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;height:%dpx;z-index:2147483647;margin:0;'
      + 'padding:0;border:0;background:rgb(0,0,0)';
    document.documentElement.appendChild(bar);
  }
  window.__renderFontsReady = false;
  Promise.all([document.fonts.load('16px "%s"'), document.fonts.load('bold 16px "%s"'),
               document.fonts.load('16px "%s"')]).then(function(){ window.__renderFontsReady = true; });
  return true;
})()"""

# Images the theme's sheet paints (backgrounds, list markers, masks...) load asynchronously: a frame taken
# before they arrive shows them missing. Each URL is loaded once more through an Image (sharing Chromium's
# memory cache with the sheet's own request) and the count still loading is returned; 0 means all are in.
_IMAGES_PENDING_JS = r"""(function(){
  var props = ['backgroundImage', 'listStyleImage', 'borderImageSource', 'maskImage', 'webkitMaskImage',
               'content'];
  var urls = {};
  document.querySelectorAll('*').forEach(function(el){
    [null, '::before', '::after', '::marker'].forEach(function(pseudo){
      var cs = getComputedStyle(el, pseudo);
      props.forEach(function(p){
        var v = cs[p], re = /url\("?([^")]+)"?\)/g, m;
        if (v && v.indexOf('url(') >= 0) while ((m = re.exec(v))) urls[m[1]] = true;
      });
    });
  });
  var cache = window.__renderImages = window.__renderImages || {};
  var pending = 0;
  Object.keys(urls).forEach(function(u){
    var img = cache[u];
    if (!img) { img = new Image(); img.src = u; cache[u] = img; }
    if (!img.complete) pending++;
  });
  return pending;
})()"""

_MEASURE_JS = """(function(){
  var root = document.documentElement;
  return {scroll: root.scrollHeight, html: Math.ceil(root.getBoundingClientRect().height),
          inner: window.innerHeight};
})()"""

_SECTIONS_AND_SENTINEL_JS = """(function(){
  document.getElementById('render-sentinel').style.background = '%s';
  var out = [];
  document.querySelectorAll('body > nav, .gallery-section').forEach(function(s){
    var r = s.getBoundingClientRect();
    var t = s.querySelector('.gallery-title');
    var id = s.id || s.className.split(' ')[0] || s.tagName.toLowerCase();
    out.push([id, t ? t.textContent.trim() : s.getAttribute('aria-label') || id,
              r.left + scrollX, r.top + scrollY, r.width, r.height]);
  });
  return out;
})()"""


@dataclass(frozen=True)
class RenderRequest:
    """One render: which stylesheet (and its folder for ``url()`` assets), scheme and width."""

    css: str
    scheme: Scheme
    width: int
    base_dir: Path | None = None


class GalleryRenderer:
    """Renders the gallery for many stylesheets, schemes and widths through one hidden page.

    Must be used on the GUI thread (QtWebEngine's rule); waits pump the event loop, so a window stays
    responsive, and ``cancelled`` is polled during every wait.
    """

    def __init__(self, cancelled: Callable[[], bool] | None = None, owner: QWidget | None = None) -> None:
        """Args:
            cancelled: polled during every wait; true stops the render with :class:`RenderCancelledError`.
            owner: a widget whose deletion also deletes the hidden page (a window of its own, never shown).
        """
        self._app = _application()
        from studio.ui.preview import PreviewView  # after the Qt environment is prepared

        self._cancelled = cancelled or (lambda: False)
        self._view = PreviewView(owner)
        if owner is not None:
            self._view.setWindowFlag(Qt.WindowType.Window, True)
        self._view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self._view.settings().setAttribute(QWebEngineSettings.WebAttribute.ShowScrollBars, False)
        self._view.resize(1280, PROBE_HEIGHT)
        self._view.show()
        self._base_dir: Path | None = None
        self._prepared = False
        self._counter = 0
        self._width = 0
        self._capture_height = 0
        self._generation_seen = 0
        self._view.applied.connect(self._on_applied)

    def close(self) -> None:
        if not shiboken6.isValid(self._view):  # its owner is gone, and the page with it
            return
        self._view.close()
        self._view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def __enter__(self) -> GalleryRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def render_many(self, requests: Iterable[RenderRequest],
                    progress: Callable[[int], None] | None = None) -> list[Render]:
        """Render each request in order (``progress(i)`` after the i-th, from 1)."""
        out = []
        for index, request in enumerate(requests, 1):
            out.append(self.render(request))
            if progress is not None:
                progress(index)
        return out

    def render(self, request: RenderRequest) -> Render:
        """Render one stylesheet at one scheme and width, full page (capped at ``MAX_HEIGHT`` px).

        Raises:
            PreviewRenderError: the page could not be loaded, styled or captured in time.
            RenderCancelledError: ``cancelled()`` turned true.
            ValueError: a width outside 1..4096 or an unknown scheme.
        """
        if not 0 < request.width <= 4096:
            raise ValueError(f"width must be within 1..4096 px, not {request.width}")
        if request.scheme not in ("light", "dark"):
            raise ValueError(f"scheme must be 'light' or 'dark', not {request.scheme!r}")
        self._use_folder(request.base_dir)
        if request.width != self._width:
            self._width = request.width
            self._resize(PROBE_HEIGHT)
        self._view.set_scheme(request.scheme)
        generation = self._view.apply_css(request.css)
        self._wait(lambda: self._generation_seen >= generation, "the theme to be applied")
        if "url(" in request.css:
            self._wait(lambda: self._evaluate(_IMAGES_PENDING_JS) == 0, "the theme's images to load")
        self._fit_height()
        self._counter += 1
        colour = QColor((self._counter * 37) % 256, (self._counter * 101) % 256, 200 - self._counter % 97)
        sections_raw = self._evaluate(_SECTIONS_AND_SENTINEL_JS % colour.name())
        image = self._grab(colour.rgb())
        return Render(_to_rgba(image, self._capture_height), _sections(sections_raw))

    # -- internals --------------------------------------------------------------------------------------

    def _on_applied(self, generation: int) -> None:
        self._generation_seen = generation

    def _use_folder(self, base_dir: Path | None) -> None:
        resolved = base_dir.resolve() if base_dir is not None else None
        if self._prepared and resolved == self._base_dir:
            return
        from studio.ui.preview import folder_url, gallery_dir

        if resolved != self._base_dir:
            self._base_dir = resolved
            self._view.set_base_url(folder_url(resolved if resolved is not None else gallery_dir()))
        self._wait(self._view.is_loaded, "the gallery to load")
        self._evaluate(_PREPARE_JS % (json.dumps(freeze_css()), STRIP, SANS, SANS, MONO))
        self._wait(lambda: self._evaluate("window.__renderFontsReady === true") is True,
                   "the bundled fonts to load")
        self._prepared = True
        self._width = 0  # the reload reset the layout: measure again

    def _fit_height(self) -> None:
        """Size the view to the page's height plus the sentinel strip."""
        m = self._evaluate(_MEASURE_JS)
        if not isinstance(m, dict):
            raise PreviewRenderError(f"could not measure the gallery (got {m!r})")
        scroll, html, inner = int(m["scroll"]), int(m["html"]), int(m["inner"])
        if scroll > inner:
            # Taller than the view: its own height, rounded up as below (scrollHeight rounds 4910.5 down,
            # which the next render, in a view that tall, would measure as 4911: a 1-px false change).
            wanted = max(scroll, html)
        elif html < inner:  # shorter: the root box is the page's height
            wanted = html
        else:  # the root box follows the view's height (100vh-style layout): keep the height we have
            wanted = max(inner - STRIP, 1)
        self._capture_height = min(max(wanted, 1), MAX_HEIGHT)
        if self._capture_height + STRIP != inner:
            self._resize(self._capture_height + STRIP)

    def _resize(self, height: int) -> None:
        self._view.resize(self._width or self._view.width(), height)
        size = [self._view.width(), height]
        self._wait(lambda: self._evaluate("[window.innerWidth, window.innerHeight]") == size,
                   "the page to take its new size")

    def _grab(self, sentinel: int) -> QImage:
        """Poll the sentinel strip (a cheap 2-px grab) until this render's colour shows, then grab it all."""
        deadline = time.perf_counter() + TIMEOUT_S
        view = self._view
        strip = QRect(0, view.height() - STRIP, view.width(), STRIP)
        while True:
            corner = _at_css_pixels(view.grab(strip).toImage(), view.width(), STRIP)
            if corner.width() == view.width() and corner.pixel(0, STRIP - 1) == sentinel \
                    and corner.pixel(corner.width() - 1, STRIP - 1) == sentinel:
                image = _at_css_pixels(view.grab().toImage(), view.width(), view.height())
                if image.pixel(0, image.height() - 1) == sentinel:
                    return image
            if self._cancelled():
                raise RenderCancelledError()
            if time.perf_counter() > deadline:
                raise PreviewRenderError("timed out waiting for the render to be painted")
            self._pause()

    def _pause(self) -> None:
        """Handle events for a few ms, sleeping while there are none (Chromium needs the CPU, not a spin)."""
        loop = QEventLoop()
        QTimer.singleShot(POLL_MS, loop.quit)
        loop.exec()

    def _evaluate(self, js: str) -> object:
        box: list[object] = []
        self._view.evaluate(js, box.append)
        self._wait(lambda: bool(box), f"the page to answer {js[:40]!r}")
        return box[0]

    def _wait(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.perf_counter() + TIMEOUT_S
        while not condition():
            if self._cancelled():
                raise RenderCancelledError()
            if time.perf_counter() > deadline:
                raise PreviewRenderError(f"timed out after {TIMEOUT_S:.0f} s waiting for {what}")
            self._pause()


def _at_css_pixels(image: QImage, width: int, height: int) -> QImage:
    """One pixel per CSS px: a HiDPI grab is scaled down without smoothing (the same on both sides)."""
    if image.width() == width and image.height() == height:
        return image
    return image.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.FastTransformation)


def _to_rgba(image: QImage, height: int) -> np.ndarray:
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width = rgba.width()
    stride = rgba.bytesPerLine()
    buffer = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=stride * rgba.height())
    rows = buffer.reshape(rgba.height(), stride)[:height, :width * 4]
    return rows.reshape(height, width, 4).copy()


def _sections(raw: object) -> tuple[Section, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if isinstance(item, list) and len(item) == 6:
            ident, title, x, y, w, h = item
            out.append(Section(str(ident), str(title), Box(int(x), int(y), max(int(w), 1), max(int(h), 1))))
    return tuple(out)


def save_rgba_png(pixels: np.ndarray, out: Path) -> None:
    height, width = pixels.shape[:2]
    data = np.ascontiguousarray(pixels)
    image = QImage(data.data, width, height, width * 4, QImage.Format.Format_RGBA8888)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Quality 80 = light zlib compression: ~35% faster than the default for ~15% larger files.
    if not image.save(str(out), "PNG", 80):  # type: ignore[call-overload]
        raise PreviewRenderError(f"could not write {out}")

