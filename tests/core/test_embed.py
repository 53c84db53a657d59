"""Embed snippets: exact markup for latest and pinned, escaping, and which release gets pinned."""

from __future__ import annotations

import html.parser

import pytest

from studio.core.embed import (
    EmbedError,
    Release,
    build_snippets,
    choose_release,
    parse_releases,
)

THEME = "3f0c9a2e-1111-4222-8333-444455556666"
CDN = "https://assets.fra1.cdn.digitaloceanspaces.com/"
API = "https://api.example.com/"
SRI = "sha384-" + "Ab+/" * 16


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(markup)
    return parser.tags


def test_pinned_link_carries_sri_and_crossorigin() -> None:
    found = build_snippets(THEME, CDN, api_base=API, pinned=Release("1.2.0", SRI))
    assert found.pinned_link is not None
    [(tag, attrs)] = tags(found.pinned_link.code)
    assert tag == "link"
    assert attrs == {
        "rel": "stylesheet",
        "id": f"theme-{THEME}",
        "href": f"https://assets.fra1.cdn.digitaloceanspaces.com/themes-published/{THEME}/1.2.0/theme.css",
        "integrity": SRI,
        "crossorigin": "anonymous",
    }


def test_latest_link_has_no_integrity() -> None:
    found = build_snippets(THEME, CDN, api_base=API, pinned=Release("1.2.0", SRI))
    [(_, attrs)] = tags(found.latest_link.code)
    assert attrs["href"] == f"{CDN}themes-published/{THEME}/latest/theme.css"
    assert "integrity" not in attrs
    assert "crossorigin" not in attrs


def test_loader_snippets_call_themesystem_load_with_the_options() -> None:
    found = build_snippets(THEME, CDN, api_base=API, pinned=Release("1.2.0", SRI), loader_src="/js/tl.js")
    assert found.pinned_loader is not None
    code = found.pinned_loader.code
    assert tags(code)[0] == ("script", {"src": "/js/tl.js"})
    assert f'themeId: "{THEME}"' in code
    assert 'version: "1.2.0"' in code
    assert 'cdnBase: "https://assets.fra1.cdn.digitaloceanspaces.com"' in code
    assert 'apiBase: "https://api.example.com"' in code
    assert f'integrity: "{SRI}"' in code
    latest = found.latest_loader.code
    assert 'version: "latest"' in latest
    assert "integrity" not in latest
    assert [s.title for s in found.snippets()] == [
        "Stylesheet link, pinned to 1.2.0",
        "Loader, pinned to 1.2.0",
        "Stylesheet link, latest",
        "Loader, latest",
    ]
    assert "Pin a version in production" in found.note


def test_values_cannot_break_out_of_the_markup() -> None:
    found = build_snippets(THEME, 'https://cdn.test/"><script>x</script>', loader_src='a"b.js')
    assert "<script>x" not in found.latest_link.code
    assert "</script><script>x" not in found.latest_loader.code
    assert 'src="a&quot;b.js"' in found.latest_loader.code


def test_without_a_pinned_release_only_latest_with_the_reason() -> None:
    found = build_snippets(THEME, CDN, problem="no backend")
    assert (found.pinned_link, found.pinned_loader, found.problem) == (None, None, "no backend")
    assert "apiBase" not in found.latest_loader.code
    assert found.as_json()["snippets"]["pinned_link"] is None


@pytest.mark.parametrize("theme_id", ["", "../x", "3f0c9a2e", THEME + "/../"])
def test_bad_theme_ids_are_refused(theme_id: str) -> None:
    with pytest.raises(EmbedError, match="not a theme id"):
        build_snippets(theme_id, CDN)


def test_choose_release() -> None:
    releases = parse_releases(
        [
            {"version": "1.10.0", "sri": SRI, "yanked_at": "2026-11-01T00:00:00Z"},
            {"version": "1.9.0", "sri": SRI, "yanked_at": None},
            {"version": "1.2.0", "sri": None, "yanked_at": None},
            {"version": "2.0.0-rc.1", "sri": "md5-nope", "yanked_at": None},
        ]
    )
    # The newest not yanked is the rc; its malformed SRI was dropped, never passed on.
    with pytest.raises(EmbedError, match=r"2\.0\.0-rc\.1 has no integrity"):
        choose_release(releases, None)
    assert choose_release(releases, "1.10.0").version == "1.10.0"  # yanked but asked for: its bytes stay
    with pytest.raises(EmbedError, match="not published"):
        choose_release(releases, "3.0.0")
    with pytest.raises(EmbedError, match="not a semantic version"):
        choose_release(releases, "1.0")
    with pytest.raises(EmbedError, match="no published version"):
        choose_release([], None)
    newest = parse_releases([{"version": "1.9.0", "sri": SRI}, {"version": "1.10.0", "sri": SRI}])
    assert choose_release(newest, None).version == "1.10.0"  # semver order, not text order


def test_malformed_version_lists_are_refused() -> None:
    for data in ({"version": "1.0.0"}, [{"sri": SRI}], [1]):
        with pytest.raises(EmbedError):
            parse_releases(data)
