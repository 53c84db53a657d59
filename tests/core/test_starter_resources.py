"""Bundled starter themes and preview gallery: the whole token contract, valid manifests, nothing remote."""

from __future__ import annotations

import re
import tomllib
import uuid

import pytest
import tinycss2

from studio.core.paths import resources_dir

THEMES = resources_dir() / "themes"
STARTERS = {"light": "Light", "dark": "Dark", "high-contrast": "High Contrast"}

COLOR_TOKENS = [f"--color-{name}" for name in (
    "bg", "surface", "surface-alt", "text", "text-muted", "border", "primary", "on-primary", "primary-hover",
    "secondary", "on-secondary", "success", "on-success", "warning", "on-warning", "danger", "on-danger",
    "info", "on-info", "link", "focus", "code-bg", "code-text",
)]
TOKENS = [*COLOR_TOKENS, "--font-sans", "--font-mono", "--font-size-base", "--line-height", "--radius",
          "--radius-sm", *(f"--space-{i}" for i in range(1, 7)), "--shadow"]
# (foreground, background) pairs that carry text.
TEXT_PAIRS = [
    ("text", "bg"), ("text", "surface"), ("text", "surface-alt"), ("text-muted", "bg"), ("link", "bg"),
    ("code-text", "code-bg"),
    *((f"on-{x}", x) for x in ("primary", "secondary", "success", "warning", "danger", "info")),
]


def rules(css: str) -> list[tinycss2.ast.Node]:
    return list(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def declarations(rule: tinycss2.ast.QualifiedRule) -> dict[str, str]:
    decls = tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
    return {d.name: tinycss2.serialize(d.value).strip() for d in decls if d.type == "declaration"}


def token_blocks(css: str) -> dict[str, dict[str, str]]:
    """Selector (or ``@media … > selector``) -> declarations, for every rule that sets --color-bg."""
    found: dict[str, dict[str, str]] = {}
    for rule in rules(css):
        if rule.type == "qualified-rule":
            decls = declarations(rule)
            if "--color-bg" in decls:
                found[tinycss2.serialize(rule.prelude).strip()] = decls
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
            media = tinycss2.serialize(rule.prelude).strip()
            for inner in tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True):
                if inner.type == "qualified-rule" and "--color-bg" in (decls := declarations(inner)):
                    found[f"@media {media} > {tinycss2.serialize(inner.prelude).strip()}"] = decls
    return found


def contrast(a: str, b: str) -> float:
    def luminance(hex_colour: str) -> float:
        h = hex_colour.lstrip("#")
        channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def all_urls(css: str) -> list[str]:
    """Every url() and @import target in the sheet, however it is written."""
    urls: list[str] = []

    def walk(nodes: list[tinycss2.ast.Node] | None) -> None:
        for node in nodes or []:
            if node.type == "url":
                urls.append(node.value)
            elif node.type == "function" and node.lower_name in ("url", "src"):
                urls.extend(arg.value for arg in node.arguments if arg.type == "string")
            elif node.type == "at-rule":
                if node.lower_at_keyword == "import":
                    urls.extend(a.value for a in node.prelude if a.type == "string")  # url() is walked below
                walk(node.prelude)
                walk(tinycss2.parse_blocks_contents(node.content) if node.content else [])
            elif node.type == "qualified-rule":
                walk(node.prelude)
                walk(tinycss2.parse_blocks_contents(node.content))
            elif node.type == "declaration":
                walk(node.value)
            elif hasattr(node, "content") and isinstance(node.content, list):
                walk(node.content)
            if node.type == "function":
                walk(node.arguments)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return urls


def test_the_starter_set_is_what_the_studio_offers() -> None:
    assert {p.name for p in THEMES.iterdir() if p.is_dir()} >= set(STARTERS)


@pytest.mark.parametrize("folder", STARTERS)
def test_manifest_is_complete_and_fixed(folder: str) -> None:
    manifest = tomllib.loads((THEMES / folder / "theme.toml").read_text(encoding="utf-8"))
    assert set(manifest) == {"id", "name", "description", "author", "author_url", "tags", "version",
                             "license", "allowed_origins"}
    assert str(uuid.UUID(manifest["id"])) == manifest["id"]
    assert manifest["name"] == STARTERS[folder]
    assert manifest["author"] == "ThemeSystem"
    assert manifest["author_url"] == ""
    assert manifest["version"] == "1.0.0"
    assert manifest["license"] == "MIT"
    assert manifest["allowed_origins"] == []
    assert manifest["description"]
    assert manifest["tags"]
    assert all(isinstance(t, str) and t for t in manifest["tags"])


def test_starter_ids_differ() -> None:
    ids = [tomllib.loads((THEMES / f / "theme.toml").read_text(encoding="utf-8"))["id"] for f in STARTERS]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("folder", STARTERS)
def test_root_defines_the_whole_token_contract(folder: str) -> None:
    css = (THEMES / folder / "theme.css").read_text(encoding="utf-8")
    blocks = token_blocks(css)
    assert ":root" in blocks
    assert [t for t in TOKENS if t not in blocks[":root"]] == []
    # The other scheme: an attribute scope and the OS-preference scope, each with every colour token.
    attribute = [sel for sel in blocks if re.fullmatch(r'\[data-theme="(light|dark)"\]', sel)]
    media = [sel for sel in blocks if sel.startswith("@media (prefers-color-scheme:")
             and sel.endswith(":root:not([data-theme])")]
    assert len(attribute) == 1
    assert len(media) == 1
    for sel in attribute + media:
        assert [t for t in COLOR_TOKENS if t not in blocks[sel]] == [], sel


@pytest.mark.parametrize("folder", STARTERS)
def test_text_colours_meet_wcag(folder: str) -> None:
    """AA (4.5:1) for every text pairing in every scheme; AAA (7:1) for High Contrast."""
    minimum = 7.0 if folder == "high-contrast" else 4.5
    blocks = token_blocks((THEMES / folder / "theme.css").read_text(encoding="utf-8"))
    checked = 0
    for sel, decls in blocks.items():
        for fg, bg in TEXT_PAIRS:
            ratio = contrast(decls[f"--color-{fg}"], decls[f"--color-{bg}"])
            assert ratio >= minimum, f"{sel}: {fg} on {bg} is {ratio:.2f}:1"
            checked += 1
    assert checked == 3 * len(TEXT_PAIRS)


@pytest.mark.parametrize("folder", STARTERS)
def test_nothing_remote_and_every_asset_exists(folder: str) -> None:
    root = THEMES / folder
    css = (root / "theme.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert not re.search(r"https?:|//[a-z]", css, re.IGNORECASE)
    urls = all_urls(css)
    assert urls, "each starter shows at least one of its own assets"
    for url in urls:
        assert not re.match(r"[a-z][a-z0-9+.-]*:|/", url, re.IGNORECASE), url
        assert (root / url).resolve().is_relative_to(root.resolve())
        assert (root / url).is_file(), url
    assert 4_000 < len(css.encode()) < 20_000


def test_url_finder_sees_every_spelling() -> None:
    css = '@import "a.css"; @import url(b.css); x { y: url("c.svg") url(d.svg) } @media all{z{w:url(e)}}'
    assert sorted(all_urls(css)) == ["a.css", "b.css", "c.svg", "d.svg", "e"]


def test_gallery_is_self_contained() -> None:
    folder = resources_dir() / "preview"
    html = (folder / "gallery.html").read_text(encoding="utf-8")
    assert html.count('<style id="theme-css"></style>') == 1
    assert 'id="stale-banner"' in html
    assert 'hidden>' in html.split('id="stale-banner"', 1)[1].split("\n", 1)[0]
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    for name in ("gallery.js", "gallery-base.css"):
        text = (folder / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), name
    sections = ("typography", "buttons", "forms", "cards", "tables", "alerts", "navigation", "badges", "code")
    for section in sections:
        assert f'<section class="gallery-section" id="{section}"' in html
