"""The live preview on a real QtWebEngine: restyles in place, emulates schemes and widths, stays offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWebEngineCore import QWebEngineSettings
from pytestqt.qtbot import QtBot

from studio.core.paths import resources_dir
from studio.ui.preview import PreviewView, folder_url, gallery_html

# Chromium's start-up chatter on a machine without a GPU (it falls back to software); not our code.
GPU_NOISE = ("QRhiGles2", "Failed to create RHI", "GPUInfo not initialized")
pytestmark = pytest.mark.qt_log_ignore(*GPU_NOISE)

LIGHT = resources_dir() / "themes" / "light"
PROBE_BG = "getComputedStyle(document.getElementById('probe-primary')).backgroundColor"


@pytest.fixture
def view(qtbot: QtBot) -> PreviewView:
    preview = PreviewView(base_url=folder_url(LIGHT))
    qtbot.addWidget(preview)
    preview.resize(1024, 700)
    preview.show()
    qtbot.waitUntil(preview.is_loaded, timeout=15_000)
    return preview


def evaluate(qtbot: QtBot, view: PreviewView, js: str) -> object:
    box: list[object] = []
    view.evaluate(js, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return box[0]


def apply_and_wait(qtbot: QtBot, view: PreviewView, css: str) -> int:
    with qtbot.waitSignal(view.applied, timeout=5_000) as blocker:
        generation = view.apply_css(css)
    assert blocker.args == [generation]
    return generation


def pixel_at(view: PreviewView, x: int, y: int) -> str:
    return QColor(view.grab().toImage().pixel(x, y)).name()


def test_gallery_inlines_its_script_and_layout_sheet() -> None:
    html = gallery_html()
    assert 'src="gallery.js"' not in html
    assert 'href="gallery-base.css"' not in html
    assert "window.__themePreview" in html
    assert html.count('<style id="theme-css"></style>') == 1


def test_apply_css_changes_computed_style_and_pixels(qtbot: QtBot, view: PreviewView) -> None:
    # The padding box of <main> holds no content, so its pixels are the body background.
    main_box = "var r = document.querySelector('main').getBoundingClientRect(); [r.left, r.top]"
    rect = evaluate(qtbot, view, main_box)
    assert isinstance(rect, list)
    x, y = int(rect[0]) + 4, int(rect[1]) + 4

    apply_and_wait(qtbot, view, "body { background: rgb(200, 30, 40); } #probe-primary { background: #0f0; }")
    assert evaluate(qtbot, view, PROBE_BG) == "rgb(0, 255, 0)"
    qtbot.waitUntil(lambda: pixel_at(view, x, y) == "#c81e28", timeout=3_000)

    apply_and_wait(qtbot, view, "body { background: rgb(10, 90, 160); }")
    assert evaluate(qtbot, view, "getComputedStyle(document.body).backgroundColor") == "rgb(10, 90, 160)"
    qtbot.waitUntil(lambda: pixel_at(view, x, y) == "#0a5aa0", timeout=3_000)


def test_applies_restyle_in_place_without_reloading(qtbot: QtBot, view: PreviewView) -> None:
    evaluate(qtbot, view, "window.__survivesApplies = 42")
    with qtbot.assertNotEmitted(view.loadedChanged), qtbot.assertNotEmitted(view.page().loadStarted):
        apply_and_wait(qtbot, view, "body { color: rgb(1, 2, 3); }")
        apply_and_wait(qtbot, view, "body { color: rgb(4, 5, 6); }")
    assert evaluate(qtbot, view, "window.__survivesApplies") == 42
    assert evaluate(qtbot, view, "document.querySelectorAll('style#theme-css').length") == 1


def test_a_burst_of_applies_is_coalesced_to_the_newest(qtbot: QtBot, view: PreviewView) -> None:
    seen: list[int] = []
    view.applied.connect(seen.append)
    generations = [view.apply_css(f"#probe-primary {{ background: rgb({i}, 0, 0); }}") for i in range(1, 31)]
    qtbot.waitUntil(lambda: generations[-1] in seen, timeout=5_000)
    assert seen == sorted(seen)
    assert len(seen) <= 3, "every keystroke of a burst went to the page"
    assert evaluate(qtbot, view, PROBE_BG) == "rgb(30, 0, 0)"
    assert view.applied_generation == generations[-1]


def test_css_applied_before_the_page_loaded_shows_once_it_has(qtbot: QtBot) -> None:
    preview = PreviewView(base_url=folder_url(LIGHT))
    qtbot.addWidget(preview)
    assert not preview.is_loaded()
    preview.apply_css("#probe-primary { background: rgb(1, 1, 1); }")
    generation = preview.apply_css("#probe-primary { background: rgb(9, 8, 7); }")
    preview.set_stale(True)
    with qtbot.waitSignal(preview.applied, timeout=15_000) as blocker:
        pass
    assert blocker.args == [generation]
    assert evaluate(qtbot, preview, PROBE_BG) == "rgb(9, 8, 7)"
    assert evaluate(qtbot, preview, "document.getElementById('stale-banner').hidden") is False


def test_apply_css_and_probe_confirms_in_one_round_trip(qtbot: QtBot, view: PreviewView) -> None:
    got: list[object] = []
    view.apply_css_and_probe("#probe-primary { background: rgb(7, 7, 7); }", PROBE_BG, got.append)
    view.apply_css_and_probe("#probe-primary { background: rgb(8, 8, 8); }", PROBE_BG, got.append)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5_000)
    assert got[-1] == "rgb(8, 8, 8)"


def test_standing_probe_reports_every_apply_until_stopped(qtbot: QtBot, view: PreviewView) -> None:
    got: list[object] = []
    view.set_standing_probe(PROBE_BG, got.append)
    apply_and_wait(qtbot, view, "#probe-primary { background: rgb(1, 2, 3); }")
    apply_and_wait(qtbot, view, "#probe-primary { background: rgb(4, 5, 6); }")
    assert got == ["rgb(1, 2, 3)", "rgb(4, 5, 6)"]
    view.set_standing_probe(None)
    apply_and_wait(qtbot, view, "#probe-primary { background: rgb(7, 8, 9); }")
    assert len(got) == 2


SCHEME_CSS = """
#probe-primary { background: rgb(0, 0, 1); }
@media (prefers-color-scheme: dark) { #probe-primary { background: rgb(0, 0, 2); } }
@media not (prefers-color-scheme: dark) { #probe-primary { color: rgb(0, 0, 3); } }
@supports (display: grid) {
  @media screen and (prefers-color-scheme: light) { #probe-primary { border-color: rgb(0, 0, 4); } }
}
[data-theme="dark"] body { background: rgb(0, 0, 5); }
"""


def test_set_scheme_switches_data_theme_and_prefers_color_scheme(qtbot: QtBot, view: PreviewView) -> None:
    state = ("var s=getComputedStyle(document.getElementById('probe-primary'));"
             "[document.documentElement.dataset.theme||null, s.backgroundColor, s.color, s.borderTopColor,"
             " getComputedStyle(document.body).backgroundColor]")
    apply_and_wait(qtbot, view, SCHEME_CSS)

    view.set_scheme("dark")
    dark = evaluate(qtbot, view, state)
    assert isinstance(dark, list)
    assert dark[0] == "dark"
    assert dark[1] == "rgb(0, 0, 2)"
    assert dark[2] != "rgb(0, 0, 3)"
    assert dark[3] != "rgb(0, 0, 4)"
    assert dark[4] == "rgb(0, 0, 5)"

    view.set_scheme("light")
    light = evaluate(qtbot, view, state)
    assert light == ["light", "rgb(0, 0, 1)", "rgb(0, 0, 3)", "rgb(0, 0, 4)", light[4]]
    assert light[4] != "rgb(0, 0, 5)"

    # A new apply while dark keeps the emulation (the rules are new CSSOM objects).
    view.set_scheme("dark")
    apply_and_wait(qtbot, view, SCHEME_CSS.replace("rgb(0, 0, 2)", "rgb(0, 0, 9)"))
    assert evaluate(qtbot, view, PROBE_BG) == "rgb(0, 0, 9)"


def test_light_starter_turns_dark_on_request(qtbot: QtBot, view: PreviewView) -> None:
    apply_and_wait(qtbot, view, (LIGHT / "theme.css").read_text(encoding="utf-8"))
    body_bg = "getComputedStyle(document.body).backgroundColor"
    assert evaluate(qtbot, view, body_bg) == "rgb(255, 255, 255)"
    view.set_scheme("dark")
    assert evaluate(qtbot, view, body_bg) == "rgb(15, 20, 27)"


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_set_viewport_constrains_the_page_width(qtbot: QtBot, view: PreviewView, width: int) -> None:
    view.resize(1400, 700)
    qtbot.waitUntil(lambda: evaluate(qtbot, view, "window.innerWidth") == 1400, timeout=5_000)
    apply_and_wait(qtbot, view, "body { margin: 0; }")
    body_width = "Math.round(document.body.getBoundingClientRect().width)"
    view.set_viewport(width)
    assert evaluate(qtbot, view, body_width) == width
    view.set_viewport(None)
    assert evaluate(qtbot, view, body_width) == evaluate(qtbot, view, "document.documentElement.clientWidth")


def test_set_viewport_rejects_nonsense(view: PreviewView) -> None:
    with pytest.raises(ValueError, match="positive"):
        view.set_viewport(0)


def test_stale_banner_shows_and_hides(qtbot: QtBot, view: PreviewView) -> None:
    shown = ("var b=document.getElementById('stale-banner');"
             "[b.hidden, b.getBoundingClientRect().height > 0]")
    assert evaluate(qtbot, view, shown) == [True, False]
    with qtbot.waitSignal(view.staleChanged) as blocker:
        view.set_stale(True)
    assert blocker.args == [True]
    assert view.is_stale()
    assert evaluate(qtbot, view, shown) == [False, True]
    view.set_stale(False)
    assert evaluate(qtbot, view, shown) == [True, False]


def test_remote_urls_and_imports_are_blocked_by_the_interceptor(qtbot: QtBot, view: PreviewView) -> None:
    # Chromium's own policy already refuses remote loads from a file:// page; lift it so the interceptor,
    # the layer that also covers navigations and future settings changes, has to do the blocking alone.
    view.settings().setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
    css = """
    @import url("https://example.invalid/remote.css");
    @font-face { font-family: Remote; src: url(https://fonts.example.invalid/f.woff2); }
    body { background-image: url(https://example.invalid/x.png); font-family: Remote, sans-serif; }
    #probe-primary { background-image: url("http://example.invalid/y.png"); }
    """
    apply_and_wait(qtbot, view, css)
    expected = {"https://example.invalid/remote.css", "https://example.invalid/x.png",
                "http://example.invalid/y.png", "https://fonts.example.invalid/f.woff2"}
    qtbot.waitUntil(lambda: expected <= set(view.blocked_requests), timeout=5_000)
    # Blocked, so the imported sheet never arrived.
    imported = "document.getElementById('theme-css').sheet.cssRules[0].styleSheet.cssRules.length"
    assert evaluate(qtbot, view, imported) in (None, 0)


@pytest.mark.parametrize("target", ["https://example.invalid/elsewhere", "file:///"])
def test_the_gallery_cannot_be_navigated_away(qtbot: QtBot, view: PreviewView, target: str) -> None:
    evaluate(qtbot, view, "window.__stillHere = true")
    with qtbot.assertNotEmitted(view.loadedChanged, wait=300):
        view.page().runJavaScript(f"location.href = {target!r}")
    assert view.is_loaded()
    # In-page jumps are not navigations and still work.
    evaluate(qtbot, view, "document.querySelector('a[href=\\'#buttons\\']').click()")
    assert evaluate(qtbot, view, "[window.__stillHere, location.hash]") == [True, "#buttons"]


def test_relative_assets_resolve_in_the_theme_folder(qtbot: QtBot, view: PreviewView) -> None:
    pattern = LIGHT / "assets" / "pattern.svg"
    assert pattern.is_file()
    resolved = evaluate(qtbot, view, "new URL('assets/pattern.svg', document.baseURI).href")
    assert resolved == Path(pattern).resolve().as_uri()
    assert not view.blocked_requests


def test_evaluate_decodes_json_and_reports_failures_as_none(qtbot: QtBot, view: PreviewView) -> None:
    assert evaluate(qtbot, view, "({a: [1, 2], b: 'x'})") == {"a": [1, 2], "b": "x"}
    assert evaluate(qtbot, view, "var n = 3; n * 2") == 6
    assert evaluate(qtbot, view, "undefined") is None
    assert evaluate(qtbot, view, "throw new Error('boom')") is None
