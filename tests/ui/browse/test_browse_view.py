"""Browse against the real backend with 1,000 seeded themes: list, search, tags, sort, paging by scrolling,
favourites, the detail (release preview, changelog, documentation), Start from this theme, offline and Retry.

Screenshots of each state go to ``/tmp/shots-browse-ui/`` (looked at when the UI changes).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.ui.browse.browse_view import BrowseView
from studio.ui.browse.source import CatalogTheme
from studio.ui.browse.target import BrowseTarget
from tests.backend.servers import TcpProxy
from tests.ui.browse.conftest import BrowseBackend

SHOTS = Path("/tmp/shots-browse-ui")
TIMEOUT = 20_000


def shot(widget: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


def items(view: BrowseView) -> list[CatalogTheme]:
    return [view.model.item(row) for row in range(view.model.rowCount())]


def api_page(backend: BrowseBackend, **params: str) -> dict[str, object]:
    r = httpx.get(f"{backend.live.url}/v1/themes", params=params, timeout=10)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
def view(qtbot: QtBot, browse_backend: BrowseBackend, tmp_path: Path) -> Iterator[BrowseView]:
    v = BrowseView([browse_backend.target()], choose_folder=lambda _parent, _item: tmp_path)
    qtbot.addWidget(v)
    v.resize(1400, 900)
    v.show()
    qtbot.waitExposed(v)
    qtbot.waitUntil(lambda: v.model.rowCount() > 0, timeout=TIMEOUT)
    yield v
    v.close_sources()


def wait_idle(qtbot: QtBot, view: BrowseView) -> None:
    qtbot.waitUntil(lambda: not view.model.loading, timeout=TIMEOUT)


def test_first_page_matches_the_api_and_thumbnails_load_lazily(
    qtbot: QtBot, view: BrowseView, browse_backend: BrowseBackend
) -> None:
    wait_idle(qtbot, view)
    page = api_page(browse_backend, sort="updated", limit="30")
    expected = [item["id"] for item in page["items"]]  # type: ignore[attr-defined]
    assert [t.id for t in items(view)][:30] == expected
    assert view.list_stack.currentWidget() is view.list_view
    qtbot.waitUntil(lambda: bool(view.shown_timings), timeout=TIMEOUT)  # request → rows painted
    assert view.shown_timings[0].first
    assert view.shown_timings[0].rows == 30
    assert "more load as you scroll" in view.status.text()
    shot(view, "list")

    search(qtbot, view, "real release")
    assert sorted(t.name for t in items(view)) == ["Beacon Contrast", "Harbour Light", "Nocturne Dark"]
    harbour = next(t for t in items(view) if t.name == "Harbour Light")
    assert harbour.latest_version == "1.1.0"
    assert harbour.preview_url
    assert harbour.preview_url.endswith(f'/themes-previews/{harbour.id}/1.1.0.png')
    # Thumbnails load for the rows painted: the real releases' previews arrive and are shown.
    qtbot.waitUntil(lambda: all(t.preview_url in view.thumbnails for t in items(view)), timeout=TIMEOUT)
    view.list_view.viewport().repaint()
    shot(view, "list-search")


def search(qtbot: QtBot, view: BrowseView, text: str = "", tag: str = "") -> None:
    view.search_field.setText(text)
    view.tag_field.setText(tag)
    view.apply_query()
    wait_idle(qtbot, view)


def open_theme(qtbot: QtBot, view: BrowseView, name: str) -> CatalogTheme:
    search(qtbot, view, name)
    row = next(i for i, t in enumerate(items(view)) if t.name == name)
    view.open_row(row)
    item = view.model.item(row)
    detail = view.detail
    qtbot.waitUntil(lambda: detail.shown_version is not None and detail.item == item, timeout=TIMEOUT)
    return item


def probe(qtbot: QtBot, view: BrowseView, js: str) -> object:
    got: list[object] = []
    view.detail.preview.evaluate(js, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=TIMEOUT)
    return got[0]


ACCENT_JS = "getComputedStyle(document.documentElement).getPropertyValue('--browse-accent').trim()"


def test_detail_previews_any_version_read_only_with_changelog_and_docs(
    qtbot: QtBot, view: BrowseView, browse_backend: BrowseBackend
) -> None:
    harbour = next(p for p in browse_backend.published if p.name == "Harbour Light")
    author = {"Authorization": f"Bearer {browse_backend.live.author.token}"}
    sent = httpx.post(
        f"{browse_backend.live.url}/v1/analytics/events",
        json={"events": [{"theme_id": harbour.id, "event_type": kind, "version": "1.1.0"}
                         for kind in ("view", "download")]},
        headers=author,
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    open_theme(qtbot, view, "Harbour Light")
    detail = view.detail
    # Chromium's own policy refuses remote loads from a file:// page already; lift it so the request filter
    # (the preview's) has to block the README's remote image alone, as in the preview's own test.
    detail.docs.page().settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True
    )
    assert [r.version for r in detail.releases] == ["1.1.0", "1.0.0"]
    qtbot.waitUntil(lambda: detail.shown_version == "1.1.0", timeout=TIMEOUT)
    # The preview shows the release's exact theme.css: 1.1.0 added the accent.
    assert detail.preview.current_css == harbour.releases["1.1.0"].decode()
    assert probe(qtbot, view, ACCENT_JS) == "#0a7d55"
    assert "Greener accent for links." in detail.changelog.toPlainText()
    assert "First release." in detail.changelog.toPlainText()
    qtbot.waitUntil(lambda: detail.documented_version == "1.1.0", timeout=TIMEOUT)
    shot(view, "detail-preview")

    detail.version_box.setCurrentIndex(1)  # any version: 1.0.0 has no accent
    qtbot.waitUntil(lambda: detail.shown_version == "1.0.0", timeout=TIMEOUT)
    assert detail.preview.current_css == harbour.releases["1.0.0"].decode()
    assert probe(qtbot, view, ACCENT_JS) == ""

    # Documentation: Markdown rendered, raw HTML shown as text, local image loaded, remote ones blocked.
    qtbot.waitUntil(lambda: detail.documented_version == "1.0.0", timeout=TIMEOUT)
    html = detail.docs.html
    assert '<h1>Harbour Light 1.0.0</h1>' in html
    assert '<table>' in html
    assert '<strong>Start from it</strong>' in html
    assert '<script>' not in html
    assert '&lt;script&gt;' in html
    detail.tabs.setCurrentWidget(detail.docs)
    loaded: list[object] = []

    def check_images() -> bool:
        detail.docs.page().runJavaScript(
            "JSON.stringify(Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth]))",
            1,  # the application world: page scripts are off
            lambda raw: loaded.append(json.loads(raw) if isinstance(raw, str) else raw),
        )
        qtbot.waitUntil(lambda: bool(loaded), timeout=TIMEOUT)
        return loaded.pop() == [["docs/swatches.png", 240], ["https://tracker.example.invalid/pixel.png", 0]]

    qtbot.waitUntil(check_images, timeout=TIMEOUT)
    assert "https://tracker.example.invalid/pixel.png" in detail.docs.blocked_requests
    qtbot.wait(400)  # the web view paints its first frame after the tab switch
    shot(view, "detail-docs")
    # A link to another page of the documentation opens it here; a remote link is only reported.
    with qtbot.waitSignal(detail.docs.rendered, timeout=TIMEOUT):
        detail.docs.page().runJavaScript("document.querySelector('a[href=\"docs/guide.md\"]').click()", 1)
    assert "<h1>Guide</h1>" in detail.docs.html
    with qtbot.waitSignal(detail.docs.linkRefused, timeout=TIMEOUT) as refused:
        detail.docs.show_markdown("[site](https://example.invalid/)", "x", detail.docs.folder)
        qtbot.waitSignal(detail.docs.rendered, timeout=TIMEOUT).wait()
        detail.docs.page().runJavaScript("document.querySelector('a').click()", 1)
    assert refused.args == ["https://example.invalid/"]
    detail.tabs.setCurrentWidget(detail.changelog)
    shot(view, "detail-changelog")


def test_favourite_then_filter_to_my_favourites(
    qtbot: QtBot, view: BrowseView, browse_backend: BrowseBackend
) -> None:
    item = open_theme(qtbot, view, "Nocturne Dark")
    detail = view.detail
    before = item.counts.favourites
    assert detail.favourite_button.isEnabled()
    assert not detail.favourite
    detail.favourite_button.click()
    qtbot.waitUntil(lambda: detail.favourite, timeout=TIMEOUT)
    assert detail.favourite_button.text() == "Remove from &Favourites"
    assert view.model.is_favourite(item.id)
    r = httpx.get(f"{browse_backend.live.url}/v1/me/themes", params={"relation": "favorite"},
                  headers=browse_backend.live.author.headers, timeout=10)
    assert item.id in {row["theme_id"] for row in r.json()}

    view.search_field.clear()
    view.favourites_box.setChecked(True)
    wait_idle(qtbot, view)
    assert [t.id for t in items(view)] == [item.id]
    assert items(view)[0].counts.favourites == before + 1
    shot(view, "favourites")

    view.open_row(0)
    qtbot.waitUntil(lambda: detail.item is not None and detail.item.id == item.id, timeout=TIMEOUT)
    detail.favourite_button.click()
    qtbot.waitUntil(lambda: not detail.favourite, timeout=TIMEOUT)
    view.apply_query()  # the same query: favourites again
    view.model.reload()
    wait_idle(qtbot, view)
    assert items(view) == []
    assert view.state_page.state == 'empty'
    assert 'your favourites' in view.state_page.heading.text()


def test_start_from_this_theme_makes_a_byte_identical_fork_and_reports_it(
    qtbot: QtBot, view: BrowseView, browse_backend: BrowseBackend, tmp_path: Path
) -> None:
    beacon = next(p for p in browse_backend.published if p.name == "Beacon Contrast")
    open_theme(qtbot, view, "Beacon Contrast")
    with qtbot.waitSignal(view.startedFrom, timeout=TIMEOUT) as started:
        view.detail.start_button.click()
    folder = started.args[0]
    assert folder == tmp_path / "beacon-contrast"
    assert (folder / "theme.css").read_bytes() == beacon.releases["1.0.0"]
    manifest = tomllib.loads((folder / "theme.toml").read_text())
    assert manifest["forked_from"] == f"{beacon.id}@1.0.0"
    assert manifest["id"] != beacon.id
    assert "Created" in view.detail.status.text()

    snippet = view.detail.copy_embed_snippet()
    assert QApplication.clipboard().text() == snippet
    assert f'themes-published/{beacon.id}/1.0.0/theme.css' in snippet
    assert 'integrity="sha384-' in snippet


def test_search_and_tag_narrow_the_list_like_the_api(
    qtbot: QtBot, view: BrowseView, browse_backend: BrowseBackend
) -> None:
    search(qtbot, view, "", "tag1")
    shown = items(view)
    assert shown
    assert all('tag1' in t.tags for t in shown)
    page = api_page(browse_backend, tag="tag1", sort="updated", limit="30")
    assert [t.id for t in shown[:30]] == [i["id"] for i in page["items"]]  # type: ignore[attr-defined]

    search(qtbot, view, "harbour")
    assert [t.name for t in items(view)] == ["Harbour Light"]

    search(qtbot, view, "zzzz-no-such-theme")
    assert items(view) == []
    assert view.state_page.state == 'empty'
    assert view.list_stack.currentWidget() is view.state_page
    assert "zzzz-no-such-theme" in view.state_page.heading.text()

    view.search_field.clear()
    view.tag_field.clear()
    view.sort_box.setCurrentIndex(view.sort_box.findData("installs"))
    wait_idle(qtbot, view)
    installs = [t.counts.installs for t in items(view)]
    assert installs == sorted(installs, reverse=True)
    assert installs[0] > 0


def test_scrolling_fetches_pages_by_cursor_until_the_end(
    qtbot: QtBot, view: BrowseView, browse_backend: BrowseBackend
) -> None:
    search(qtbot, view, "", "tag2")
    expected: list[str] = []
    cursor = None
    while True:
        params = {"tag": "tag2", "sort": "updated", "limit": "30", **({"cursor": cursor} if cursor else {})}
        page = api_page(browse_backend, **params)
        expected += [i["id"] for i in page["items"]]  # type: ignore[attr-defined]
        cursor = page["next_cursor"]  # type: ignore[assignment]
        if not cursor:
            break
    assert len(expected) > 60, "tag2 must span several pages for this test"
    first = view.model.rowCount()
    assert first == 30
    bar = view.list_view.verticalScrollBar()
    for _ in range(50):
        if view.model.exhausted:
            break
        rows = view.model.rowCount()
        bar.setValue(bar.maximum())  # as a user dragging to the end
        qtbot.waitUntil(lambda: view.model.rowCount() > rows or view.model.exhausted, timeout=TIMEOUT)  # noqa: B023
        wait_idle(qtbot, view)
    assert [t.id for t in items(view)] == expected  # every page, in order, none twice
    assert view.status.text() == f"All {len(expected):,} matching themes shown"
    more = [t for t in view.shown_timings if not t.first]
    assert more, "scroll fetches were timed"


def test_unreachable_backend_shows_offline_then_retry_lists(
    qtbot: QtBot, browse_backend: BrowseBackend
) -> None:
    port = int(browse_backend.live.url.rsplit(":", 1)[1])
    proxy = TcpProxy(("127.0.0.1", port))  # not open yet: nothing listens on its port
    from studio.adapters.browse_catalog import BrowseCatalog

    target = BrowseTarget("flaky backend", lambda: BrowseCatalog.for_url(f"http://127.0.0.1:{proxy.port}"))
    view = BrowseView([target])
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(lambda: view.state_page.state == "offline", timeout=TIMEOUT)
    assert view.list_stack.currentWidget() is view.state_page
    assert "Cannot reach flaky backend" in view.state_page.heading.text()
    assert view.state_page.retry_button.isVisible()
    shot(view, "offline")
    proxy.open()
    try:
        view.state_page.retry_button.click()
        qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT)
        assert view.list_stack.currentWidget() is view.list_view
    finally:
        proxy.close()
        view.close_sources()


def test_analytics_tab_shows_the_open_themes_usage_as_its_author_reads_it(
    qtbot: QtBot, view: BrowseView, browse_backend: BrowseBackend, tmp_path: Path
) -> None:
    harbour = next(p for p in browse_backend.published if p.name == "Harbour Light")
    author = {"Authorization": f"Bearer {browse_backend.live.author.token}"}
    sent = httpx.post(
        f"{browse_backend.live.url}/v1/analytics/events",
        json={"events": [{"theme_id": harbour.id, "event_type": kind, "version": "1.1.0"}
                         for kind in ("view", "download")]},
        headers=author,
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    open_theme(qtbot, view, "Harbour Light")
    detail = view.detail
    assert detail.analytics is None  # nothing is asked until the tab is shown
    detail.tabs.setCurrentWidget(detail.analytics_host)
    analytics = detail.analytics
    assert analytics is not None
    assert analytics.theme_id == harbour.id
    qtbot.waitUntil(lambda: analytics.report is not None or analytics.state not in ("idle", "loading"),
                    timeout=TIMEOUT)
    assert analytics.report is not None, analytics.state
    expected = httpx.get(
        f"{browse_backend.live.url}/v1/themes/{harbour.id}/analytics",
        params={"days": str(analytics.days)},
        headers=author,
        timeout=10,
    ).json()
    assert sum(d.views for d in analytics.report.days) >= 1
    assert sum(d.downloads for d in analytics.report.days) >= 1
    assert [d.day.isoformat() for d in analytics.report.days] == [d["day"] for d in expected["days"]]
    assert [d.views for d in analytics.report.days] == [d["views"] for d in expected["days"]]
    detail.grab().save(str(tmp_path / "browse-analytics.png"))

    snippet = detail.copy_embed_snippet()  # the shared studio.core.embed snippet, pinned with the API's SRI
    assert snippet.startswith(f'<link rel="stylesheet" id="theme-{harbour.id}"')
    assert 'integrity="sha384-' in snippet
