"""The consumer loader in a real browser: QtWebEngine, a page on 127.0.0.1, releases in SeaweedFS, the API.

Everything is real: the releases are published through the backend (grants, verification, SRI computed from
the stored bytes), the page is served over HTTP from another origin than the store and the API, the loader
fetches the SRI from the API (CORS), loads the sheet from the store's public URL (CORS + SRI), and its views
reach PostgreSQL through ``POST /v1/analytics/beacon``.

"No unstyled frame" is checked three ways while the new sheet is slowed down by a delaying CDN in front of the
store: a MutationObserver that counts the theme sheets applied after every DOM change, a
requestAnimationFrame sampler of the body's computed background, and screenshots of the view. A naive swap
(remove the old link, add the new one) on the same page is caught by the same checks: the test can fail.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from studio.ui.qt_env import prepare_qt_environment

prepare_qt_environment()  # before pytest-qt creates the QApplication

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.adapters.backend_client import GrantedFile  # noqa: E402
from studio.adapters.publisher import Registration  # noqa: E402
from tests.adapters.test_backend_client import LiveBackend, keyless_store, running_backend  # noqa: E402
from tests.backend.helpers import free_port, sha  # noqa: E402
from tests.backend.seaweed import SeaweedS3  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore(
    "QRhiGles2",
    "Failed to create RHI",
    "GPUInfo not initialized",
    "Failed to find a valid digest in the 'integrity' attribute",  # the tampered release: expected
)

REPO = Path(__file__).resolve().parents[2]
LOADER = REPO / "resources" / "loader" / "theme-loader.js"
SHOTS = Path("/tmp/shots-loader")
RED, GREEN, BLUE = (200, 30, 30), (30, 160, 60), (40, 60, 200)
CDN_DELAY_S = 0.8  # how long the slow CDN holds each sheet: the swap window the checks look into

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>consumer</title>
<script src="theme-loader.js"></script>
<script>
window.probe = {changes: 0, bare: 0, frames: 0, unstyled: 0};
function themeSheets() {
  var n = 0;
  for (var i = 0; i < document.styleSheets.length; i++) {
    var node = document.styleSheets[i].ownerNode;
    if (node && node.href && node.href.indexOf("/themes-published/") > 0) n++;
  }
  return n;
}
// After every change of <head> (a microtask, before the next frame), count the theme sheets in effect.
new MutationObserver(function () {
  probe.changes++;
  if (themeSheets() === 0) probe.bare++;
}).observe(document.head, {childList: true, subtree: true, attributes: true});
// Every frame, the body's computed background: transparent means no theme applies.
(function sample() {
  probe.frames++;
  var body = document.body;
  if (body && getComputedStyle(body).backgroundColor === "rgba(0, 0, 0, 0)") probe.unstyled++;
  requestAnimationFrame(sample);
})();
// Beacons the loader sends (counted, then passed on to the browser's own sendBeacon).
window.beacons = [];
var realBeacon = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = function (url, data) {
  var sent = realBeacon(url, data); beacons.push(sent); return sent;
};
function resetProbe() { probe.changes = probe.bare = probe.frames = probe.unstyled = 0; }
function run(promise) {
  window.outcome = null;
  promise.then(function (link) { outcome = {ok: true, id: link.id, integrity: link.integrity || ""}; },
               function (e) { outcome = {ok: false, error: String(e && e.message)}; });
}
// What a naive ThemeProvider does: drop the old link, then add the new one.
function naiveSwap(href) {
  var old = document.querySelector('link[id^="theme-"]');
  if (old) old.remove();
  var link = document.createElement("link");
  link.rel = "stylesheet"; link.id = "theme-naive"; link.href = href;
  document.head.appendChild(link);
}
</script></head>
<body><h1>Consumer page</h1><p>Styled by a ThemeSystem theme.</p></body></html>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def slow_cdn(upstream: str, delay_s: float) -> type[http.server.BaseHTTPRequestHandler]:
    """A CDN edge in front of the store that holds every answer ``delay_s`` (headers passed through)."""

    class SlowCdn(_Quiet):
        def do_GET(self) -> None:
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("origin", "accept")}
            answer = httpx.get(upstream + self.path, headers=headers, timeout=10)
            time.sleep(delay_s)
            self.send_response(answer.status_code)
            for name in ("content-type", "access-control-allow-origin", "vary"):
                if name in answer.headers:
                    self.send_header(name, answer.headers[name])
            self.send_header("content-length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

    return SlowCdn


def page_server(folder: Path) -> type[http.server.BaseHTTPRequestHandler]:
    class Page(_Quiet):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

    return Page


def theme_css(rgb: tuple[int, int, int]) -> bytes:
    r, g, b = rgb
    return (f":root {{ --surface: rgb({r}, {g}, {b}); }}\n"
            "body { background: var(--surface); color: #fff; margin: 0; min-height: 100vh; }\n").encode()


def publish(live: LiveBackend, seaweed: SeaweedS3, theme_id: str, version: str, css: bytes) -> None:
    """A release the way the studio publishes one: grant, upload without the bucket key, register."""
    with contextlib.closing(live.client(live.author)) as author:
        if version == "1.0.0":
            author.create_theme(theme_id, f"Loader {theme_id[:8]}")
        grants = author.release_grants(
            theme_id, version, [GrantedFile("theme.css", "text/css; charset=utf-8", len(css), sha(css))]
        )
        with contextlib.closing(keyless_store(seaweed, live)) as store:
            key = f"themes-published/{theme_id}/{version}/theme.css"
            store.put(key, css, {}, sha256=sha(css), grant=grants[key])
        assert author.register_release(Registration(theme_id, version, "", sha(css), len(css))).created


class Browser:
    """One QWebEngineView on the consumer page, driven through runJavaScript (answers as JSON)."""

    def __init__(self, app: QApplication, url: str) -> None:
        self.app = app
        self.view = QWebEngineView()
        self.view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.view.resize(480, 320)
        self.view.show()
        loaded: list[bool] = []
        self.view.loadFinished.connect(loaded.append)
        self.view.load(QUrl(url))
        self.wait(lambda: bool(loaded), "the consumer page")
        assert loaded == [True]

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            self.app.processEvents()
            time.sleep(0.005)

    def js(self, script: str) -> Any:
        box: list[Any] = []
        self.view.page().runJavaScript(f"JSON.stringify({script})", 0, box.append)
        self.wait(lambda: bool(box), script[:60])
        return json.loads(box[0]) if isinstance(box[0], str) and box[0] else None

    def load(self, options: dict[str, str], *, on_frame: Callable[[QImage], None] | None = None) -> Any:
        """Call ThemeSystem.load(options) and wait for its promise; ``on_frame`` sees grabs meanwhile."""
        self.js(f"run(ThemeSystem.load({json.dumps(options)})) || 1")
        outcome: list[Any] = []

        def settled() -> bool:
            if on_frame is not None:
                on_frame(self.view.grab().toImage())
            answer = self.js("window.outcome")
            if answer is not None:
                outcome.append(answer)
            return bool(outcome)

        self.wait(settled, f"ThemeSystem.load({options['version']})")
        return outcome[0]

    def background(self) -> str:
        return str(self.js("getComputedStyle(document.body).backgroundColor"))

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def rgb_css(rgb: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*rgb)


def is_colour(image: QImage, rgb: tuple[int, int, int]) -> bool:
    """Whether the page's background (a point left of centre, away from the text) shows ``rgb``."""
    colour = QColor(image.pixel(image.width() // 3, image.height() - 20))
    return max(abs(colour.red() - rgb[0]), abs(colour.green() - rgb[1]), abs(colour.blue() - rgb[2])) <= 6


@pytest.fixture(scope="module")
def consumer(seaweed: SeaweedS3, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The page server, the API (allowing the page's origin), the slow CDN, and three published themes."""
    folder = tmp_path_factory.mktemp("consumer")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    shutil.copy(LOADER, folder / "theme-loader.js")
    with serve(page_server(folder)) as page, running_backend(seaweed, {"CORS_ORIGINS": page}) as live:
        red, green, tampered = (str(uuid.uuid4()) for _ in range(3))
        publish(live, seaweed, red, "1.0.0", theme_css(RED))
        publish(live, seaweed, green, "1.0.0", theme_css(GREEN))
        publish(live, seaweed, green, "1.1.0", theme_css(BLUE))
        publish(live, seaweed, tampered, "1.0.0", theme_css(BLUE))
        # Someone with the bucket key rewrites a published object: the API's SRI still names the original.
        seaweed.client().put_object(
            Bucket=seaweed.bucket,
            Key=f"themes-published/{tampered}/1.0.0/theme.css",
            Body=theme_css((250, 250, 0)),
            ContentType="text/css; charset=utf-8",
        )
        with serve(slow_cdn(live.public_base_url, CDN_DELAY_S)) as cdn:
            yield {
                "page": page, "live": live, "cdn": cdn,
                "red": red, "green": green, "tampered": tampered,
            }  # fmt: skip


def test_loader_swaps_without_unstyled_frame_refuses_tampered_bytes_and_counts_views(
    qapp: QApplication, qtlog: Any, consumer: dict[str, Any]
) -> None:
    live: LiveBackend = consumer["live"]
    api, store, cdn = live.url, live.public_base_url, consumer["cdn"]
    red, green, tampered = consumer["red"], consumer["green"], consumer["tampered"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser = Browser(qapp, consumer["page"] + "/index.html")
    try:
        assert browser.background() == "rgba(0, 0, 0, 0)"  # nothing styles the page yet

        # 1. A pinned release straight from the store's public URL; its SRI comes from the API.
        first = browser.load({"themeId": red, "version": "1.0.0", "cdnBase": store, "apiBase": api})
        assert first["ok"], first
        assert first["id"] == f"theme-{red}"
        assert first["integrity"].startswith("sha384-")
        assert browser.background() == rgb_css(RED)
        browser.js("resetProbe() || 1")

        # 2. Switch theme through the slow CDN: every check must see a theme applied at every moment.
        frames: list[QImage] = []
        swapped = browser.load(
            {"themeId": green, "version": "1.0.0", "cdnBase": cdn, "apiBase": api}, on_frame=frames.append
        )
        assert swapped["ok"], swapped
        assert browser.background() == rgb_css(GREEN)
        probe = browser.js("probe")
        assert probe["changes"] >= 2  # the new link added, the old one removed (and the id set)
        assert probe["frames"] >= 10, probe  # the sampler ran through the swap window
        assert (probe["bare"], probe["unstyled"]) == (0, 0), probe
        assert browser.js('document.querySelectorAll("link[rel=stylesheet]").length') == 1
        # The screen catches up some frames later: keep grabbing until it shows green.
        def shows_green() -> bool:
            frames.append(browser.view.grab().toImage())
            return is_colour(frames[-1], GREEN)

        browser.wait(shows_green, "the green frame")
        colours = [next((c for c in (RED, GREEN) if is_colour(image, c)), None) for image in frames]
        assert None not in colours, "a frame showed neither theme (unstyled)"
        switch = colours.index(GREEN)
        assert switch >= 5, "the sequence should show the old theme while the new one loads"
        assert set(colours[switch:]) == {GREEN}
        for name, image in (("swap-1-old", frames[0]), ("swap-2-last-old", frames[switch - 1]),
                            ("swap-3-first-new", frames[switch])):  # fmt: skip
            image.save(str(SHOTS / f"{name}.png"))

        # 3. "latest" of the same theme (1.1.0, blue): no SRI for the moving alias, still no gap.
        browser.js("resetProbe() || 1")
        latest = browser.load({"themeId": green, "version": "latest", "cdnBase": cdn, "apiBase": api})
        assert latest["ok"], latest
        assert latest["integrity"] == ""
        assert browser.background() == rgb_css(BLUE)
        probe = browser.js("probe")
        assert (probe["bare"], probe["unstyled"]) == (0, 0), probe

        # 4. A release whose stored bytes were changed after publishing: SRI refuses it, blue stays.
        refused = browser.load({"themeId": tampered, "version": "1.0.0", "cdnBase": store, "apiBase": api})
        assert not refused["ok"]
        assert "could not load" in refused["error"]
        blocked = f"{tampered}/1.0.0/theme.css"
        assert any(blocked in r.message and "integrity" in r.message for r in qtlog.records)
        assert browser.background() == rgb_css(BLUE)
        assert browser.js('document.querySelectorAll("link[rel=stylesheet]").length') == 1
        # Without SRI the same tampered bytes would apply (yellow): the refusal was SRI's doing.
        assert httpx.get(f"{store}/themes-published/{tampered}/1.0.0/theme.css").content == theme_css(
            (250, 250, 0)
        )
        # A pinned version with no SRI source is refused before any request.
        bare = browser.load({"themeId": green, "version": "1.0.0", "cdnBase": store})
        assert not bare["ok"]
        assert "integrity" in bare["error"]
        # A wrong integrity given as an option (no API round trip) is refused the same way.
        wrong = browser.load(
            {"themeId": red, "version": "1.0.0", "cdnBase": store, "integrity": "sha384-" + "A" * 64}
        )
        assert not wrong["ok"]
        # An unknown version: the API has no SRI for it.
        unknown = browser.load({"themeId": green, "version": "9.0.0", "cdnBase": store, "apiBase": api})
        assert not unknown["ok"]
        assert browser.background() == rgb_css(BLUE)

        # 5. The control: a naive swap through the same slow CDN leaves the page unstyled meanwhile.
        browser.js("resetProbe() || 1")
        browser.js(f'naiveSwap("{cdn}/themes-published/{red}/latest/theme.css") || 1')
        browser.wait(lambda: browser.background() == rgb_css(RED), "the naive swap")
        probe = browser.js("probe")
        assert probe["bare"] >= 1, probe
        assert probe["unstyled"] >= 1, probe

        # The right integrity given as an option (what the Embed snippet carries) applies the release.
        given = sri(theme_css(GREEN))
        pinned = browser.load({"themeId": green, "version": "1.0.0", "cdnBase": store, "integrity": given})
        assert pinned["ok"], pinned
        assert pinned["integrity"] == given
        assert browser.background() == rgb_css(GREEN)

        # 6. Views arrive through the beacon: one per theme for this address and day (green was loaded
        # twice, pinned and latest: whichever came first counts, with the version it showed).
        browser.js("ThemeSystem.flush() || 1")
        sent = browser.js("beacons")
        assert sent
        assert all(sent)  # the browser accepted every batch (one, or two if the 5 s timer fired first)
        rows = wait_for_views(browser, live.dsn, {red, green})
        assert len(rows) == 2, rows
        assert (red, "1.0.0") in rows
        assert rows & {(green, "1.0.0"), (green, "1.1.0")}, rows
        with psycopg.connect(live.dsn) as conn:
            refused_rows = conn.execute(
                "SELECT count(*) FROM theme_analytics WHERE theme_id = %s", (tampered,)
            ).fetchone()
        assert refused_rows == (0,)  # a sheet that never applied is not a view
    finally:
        browser.close()


def wait_for_views(browser: Browser, dsn: str, themes: set[str]) -> set[tuple[str, str]]:
    """The anonymous views in PostgreSQL once every theme in ``themes`` has one (Qt events keep flowing:
    QtWebEngine's browser side, which sends the beacon, runs on this thread)."""
    found: set[tuple[str, str]] = set()

    def arrived() -> bool:
        with psycopg.connect(dsn) as conn:
            rows = conn.execute(
                "SELECT theme_id::text, version FROM theme_analytics "
                "WHERE event_type = 'view' AND visitor IS NOT NULL AND user_id IS NULL"
            ).fetchall()
        found.clear()
        found.update((theme, version) for theme, version in rows)
        return {theme for theme, _ in found} >= themes

    browser.wait(arrived, "the views in PostgreSQL", timeout=15)
    return found
