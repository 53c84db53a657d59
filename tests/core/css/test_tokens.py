"""The design-token index: scopes and schemes, exact offsets, var() resolution, rewrites and diffs."""

from __future__ import annotations

import time

import pytest

from studio.core.css.colors import parse_color
from studio.core.css.tokens import (
    TokenChange,
    TokenDefinition,
    TokenIndex,
    custom_property_diff,
    index_tokens,
    rewrite_token_value,
)
from tests.conftest import CORPUS, REPO

THEME = """\
/* Example — a comment with { braces } and ; semicolons */
:root {
  color-scheme: light;
  --color-bg: #ffffff;
  --color-text: #1c1530;
  --color-link: var(--color-primary);
  --color-primary: #6b3fd4 !important;
  --shadow: 0 1px 2px rgb(0 0 0 / 0.1),
            0 4px 8px rgb(0 0 0 / 0.2);
}

[data-theme=dark] {
  --color-bg: #12101a;
  --color-text: #ece9f5;
}

@media (prefers-color-scheme:dark) {
  :root:not([data-theme]) {
    --color-bg: #0b0a10;
  }
}

body { color: var(--color-text); --not-a-token: 1px; }
"""


def _by_name(index: TokenIndex, name: str) -> list[TokenDefinition]:
    return [d for d in index.definitions if d.name == name]


def _assert_offsets(text: str, index: TokenIndex) -> None:
    lines = text.splitlines(keepends=True)
    for d in index.definitions:
        assert text[d.value_start : d.value_end] == d.value
        line = lines[d.line - 1]
        assert line[d.column - 1 :].startswith(d.name)


def test_indexes_definitions_with_scopes_schemes_and_positions() -> None:
    index = index_tokens(THEME)
    assert index.names() == ["--color-bg", "--color-text", "--color-link", "--color-primary", "--shadow"]
    scopes = [(d.name, d.scope, d.scheme) for d in _by_name(index, "--color-bg")]
    assert scopes == [
        ("--color-bg", ":root", None),
        ("--color-bg", '[data-theme="dark"]', "dark"),
        ("--color-bg", "@media (prefers-color-scheme: dark) :root:not([data-theme])", "dark"),
    ]
    first = index.definitions[0]
    assert (first.line, first.column, first.value) == (4, 3, "#ffffff")
    _assert_offsets(THEME, index)


def test_value_is_stripped_of_important_and_keeps_multiline_text() -> None:
    index = index_tokens(THEME)
    assert index.get("--color-primary") is not None
    assert index.get("--color-primary").value == "#6b3fd4"  # type: ignore[union-attr]
    shadow = index.get("--shadow")
    assert shadow is not None
    assert shadow.value == "0 1px 2px rgb(0 0 0 / 0.1),\n            0 4px 8px rgb(0 0 0 / 0.2)"


def test_get_prefers_the_last_scheme_definition_then_the_base() -> None:
    index = index_tokens(THEME)
    assert index.get("--color-bg").value == "#ffffff"  # type: ignore[union-attr]
    assert index.get("--color-bg", "dark").value == "#0b0a10"  # type: ignore[union-attr]
    assert index.get("--color-text", "dark").value == "#ece9f5"  # type: ignore[union-attr]
    assert index.get("--color-link", "dark").value == "var(--color-primary)"  # type: ignore[union-attr]
    assert index.get("--color-bg", "light").value == "#ffffff"  # type: ignore[union-attr]
    assert index.get("--missing") is None


@pytest.mark.parametrize(
    ("css", "scope", "scheme", "conditional"),
    [
        ("html { --x: 1 }", "html", None, False),
        (":root[data-theme='dark'] { --x: 1 }", ':root[data-theme="dark"]', "dark", False),
        ("[data-bs-theme=light] { --x: 1 }", '[data-bs-theme="light"]', "light", False),
        ("[data-color-scheme=dark-dimmed] { --x: 1 }", '[data-color-scheme="dark-dimmed"]', "dark", False),
        (".theme-dark { --x: 1 }", ".theme-dark", "dark", False),
        ("html.dark { --x: 1 }", "html.dark", "dark", False),
        ("[data-theme=ocean] { --x: 1 }", '[data-theme="ocean"]', None, True),
        ("@media print { :root { --x: 1 } }", "@media print :root", None, True),
        ("@media screen and (prefers-color-scheme: light) { :root { --x: 1 } }",
         "@media screen and (prefers-color-scheme: light) :root", "light", False),
        ("@layer tokens { :root { --x: 1 } }", "@layer tokens :root", None, False),
        ("@supports (color: oklch(0 0 0)) { @layer a { html { --x: 1 } } }",
         "@supports (color: oklch(0 0 0)) @layer a html", None, False),
        ("@media (prefers-color-scheme: dark) { [data-theme=light] { --x: 1 } }",
         '@media (prefers-color-scheme: dark) [data-theme="light"]', "dark", True),
        (":root { &[data-theme=dark] { --x: 1 } }", ':root[data-theme="dark"]', "dark", False),
        (":root { @media (prefers-color-scheme: dark) { --x: 1 } }",
         "@media (prefers-color-scheme: dark) :root", "dark", False),
        (":root,\n[data-bs-theme=light] { --x: 1 }", ':root, [data-bs-theme="light"]', None, False),
    ],
)
def test_scope_normalisation_and_scheme(css: str, scope: str, scheme: str | None, conditional: bool) -> None:
    [definition] = index_tokens(css).definitions
    assert (definition.scope, definition.scheme, definition.conditional) == (scope, scheme, conditional)


@pytest.mark.parametrize(
    "css",
    [
        ".btn-dark { --x: 1 }",  # a component, not a theme
        ".card { --x: 1 }",
        ":root .card { --x: 1 }",
        "[data-theme=dark] .card { --x: 1 }",
        ":root { .card { --x: 1 } }",  # nested without & is a descendant
        "@font-face { --x: 1 }",
        "@keyframes spin { from { --x: 1 } }",
        ":root { color: red }",
        "#root { --x: 1 }",
    ],
)
def test_non_scopes_are_not_indexed(css: str) -> None:
    assert index_tokens(css).definitions == []


def test_conditional_definitions_never_answer_get() -> None:
    index = index_tokens(":root { --x: a } @media print { :root { --x: b } } [data-theme=sepia] { --x: c }")
    assert [d.value for d in index.definitions] == ["a", "b", "c"]
    assert index.get("--x").value == "a"  # type: ignore[union-attr]
    assert index.get("--x", "dark").value == "a"  # type: ignore[union-attr]


def test_resolve_substitutes_recursively_per_scheme() -> None:
    css = """
    :root { --brand: #6b3fd4; --link: var(--brand); --ring: 0 0 0 2px var(--link, red); }
    [data-theme=dark] { --brand: #b69cff; }
    """
    index = index_tokens(css)
    assert index.resolve("--ring") == "0 0 0 2px #6b3fd4"
    assert index.resolve("--ring", "dark") == "0 0 0 2px #b69cff"
    assert index.resolved_color("--link", "dark") == parse_color("#b69cff")
    assert index.resolve("--brand") == "#6b3fd4"  # no var(): the value exactly as written


def test_resolve_honours_fallbacks_cycles_and_depth() -> None:
    css = """:root {
      --a: var(--b); --b: var(--a);
      --c: var(--a, blue);
      --d: var(--b, green) ;
      --e: var(--undefined, var(--also-undefined, rgb(0 128 0)));
      --f: var(--undefined);
      --g: var(--g, red);
      --h: color-mix(in srgb, var(--e) 50%, white);
    }"""
    index = index_tokens(css)
    assert index.resolve("--a") is None
    assert index.resolve("--b") is None
    assert index.resolve("--c") == "blue"  # --c is not in the cycle, so its fallback applies
    assert index.resolve("--d") == "green"
    assert index.resolve("--e") == "rgb(0 128 0)"
    assert index.resolve("--f") is None
    assert index.resolve("--g") is None  # self-reference is a cycle even with a fallback
    assert index.resolved_color("--h") == parse_color("color-mix(in srgb, rgb(0 128 0) 50%, white)")
    chain = ":root { --v0: 1px; " + " ".join(f"--v{i}: var(--v{i - 1});" for i in range(1, 60)) + "}"
    deep = index_tokens(chain)
    assert deep.resolve("--v10") == "1px"
    assert deep.resolve("--v59") is None


def test_resolved_color_is_none_for_non_colours() -> None:
    index = index_tokens(THEME)
    assert index.resolved_color("--shadow") is None
    assert index.resolved_color("--color-link") == parse_color("#6b3fd4")


def test_rewrite_changes_only_the_value_span() -> None:
    text = (
        "/* héllo — ünïcode before */\r\n"
        ":root {\r\n"
        "  --a: /* lead */ #fff /* trail */ !important;\r\n"
        "  --b:\r\n    1px\r\n    2px;\r\n"
        "  --c:;\r\n"
        "  --d: red\r\n"
        "}\r\n"
    )
    index = index_tokens(text)
    _assert_offsets(text, index)
    a, b, c, d = index.definitions
    assert (a.value, b.value, c.value, d.value) == ("#fff", "1px\r\n    2px", "", "red")
    assert a.line == 3
    assert b.line == 4

    out = rewrite_token_value(text, a, "#000")
    assert out == text.replace("#fff /* trail */", "#000 /* trail */")
    assert out[: a.value_start] == text[: a.value_start]
    assert out[a.value_start + 4 :] == text[a.value_end :]

    assert rewrite_token_value(text, b, "3px") == text.replace("1px\r\n    2px", "3px")
    assert rewrite_token_value(text, c, "blue") == text.replace("--c:;", "--c:blue;")
    assert rewrite_token_value(text, d, "green") == text.replace("--d: red\r\n", "--d: green\r\n")
    rewritten = index_tokens(rewrite_token_value(text, a, "#000"))
    assert rewritten.get("--a").value == "#000"  # type: ignore[union-attr]


def test_rewrite_rejects_a_definition_from_another_text() -> None:
    definition = index_tokens(":root { --a: red; }").definitions[0]
    with pytest.raises(ValueError, match="--a"):
        rewrite_token_value(":root { --a: blue; }", definition, "green")


def test_offsets_survive_lone_cr_form_feed_and_non_ascii() -> None:
    text = "/* ☃ */\r:root {\f --ä: 1;\n  --b: \"a;b}\" ; --c: url(x;y) }"
    index = index_tokens(text)
    assert [d.name for d in index.definitions] == ["--ä", "--b", "--c"]
    assert [d.value for d in index.definitions] == ["1", '"a;b}"', "url(x;y)"]
    assert [(d.line, d.column) for d in index.definitions] == [(3, 2), (4, 3), (4, 17)]
    _assert_offsets(text.replace("\r", "\n").replace("\f", "\n"), index)


def test_escaped_names_are_unescaped() -> None:
    [definition] = index_tokens(r":root { --a\2c b: 1 }").definitions
    assert definition.name == "--a,b"


@pytest.mark.parametrize(
    "text",
    [
        ":root { --a: red",
        ":root { --a: 'unterminated",
        ":root { --a: red; /* unterminated",
        ":root { --a: (red; } --b: 1",
        "}}} :root { --a: red } {{{",
        ":root { --a: { nested: block }; --b: 2 }",
        "@media (prefers-color-scheme: dark) { :root { --a: red }",
        ":root { --a: red; & { --b: blue",
        "@media",
        "@media {",
        ":root {",
        ":root { --",
        ":root { --a",
        ":root { --a:",
        "",
    ],
)
def test_broken_css_never_raises_and_offsets_hold(text: str) -> None:
    index = index_tokens(text)
    _assert_offsets(text, index)


def test_truncations_of_a_real_theme_never_raise() -> None:
    text = (REPO / "resources" / "themes" / "dark" / "theme.css").read_text(encoding="utf-8")
    full = len(index_tokens(text).definitions)
    assert full >= 36
    for cut in range(0, len(text), 97):
        _assert_offsets(text[:cut], index_tokens(text[:cut]))


def test_bootstrap_index() -> None:
    text = (CORPUS / "bootstrap.css").read_text(encoding="utf-8")
    started = time.perf_counter()
    index = index_tokens(text)
    elapsed = time.perf_counter() - started
    _assert_offsets(text, index)
    assert len(index.names()) > 100
    body_bg = index.get("--bs-body-bg")
    assert body_bg is not None
    assert body_bg.scope == ':root, [data-bs-theme="light"]'
    assert body_bg.value == "#fff"
    assert index.get("--bs-body-bg", "dark").value == "#212529"  # type: ignore[union-attr]
    assert index.resolved_color("--bs-body-color", "dark") == parse_color("#dee2e6")
    assert index.resolve("--bs-body-font-family", "dark") == index.resolve("--bs-font-sans-serif")
    # Component-level properties (.btn { --bs-btn-* }) are not design tokens.
    assert "--bs-btn-padding-x" not in index.names()
    assert index.get("--bs-btn-close-filter").value == ""  # type: ignore[union-attr]  # `--x: ;` is empty
    assert {d.scheme for d in index.definitions} == {None, "dark"}
    assert elapsed < 1.0  # generous for a shared machine; measured ~40 ms


def test_diff_reports_added_removed_and_changed_per_scope() -> None:
    old = ":root { --a: 1; --b: 2; --c: 3 } [data-theme=dark] { --a: 10 }"
    new = ":root {\n  --a: 1;\n  --b: 20;\n  --d: 4;\n}\n[data-theme='dark'] { --a: 11; --c: 30 }"
    assert custom_property_diff(old, new) == [
        TokenChange("--b", ":root", "changed", "2", "20"),
        TokenChange("--d", ":root", "added", None, "4"),
        TokenChange("--a", '[data-theme="dark"]', "changed", "10", "11"),
        TokenChange("--c", '[data-theme="dark"]', "added", None, "30"),
        TokenChange("--c", ":root", "removed", "3", None),
    ]
    assert custom_property_diff(old, old) == []


@pytest.mark.parametrize(
    ("declaration", "value"),
    [
        ("--a:  red  ", "red"),
        ("--a: 'wow!'  ", "'wow!'"),
        ("--a: \\31 px ", "\\31 px"),
        ("--a: 1px!IMPORTANT", "1px"),
        ("--a: /* only a comment */ ", ""),
        ("--a: a /* mid */ b", "a /* mid */ b"),
    ],
)
def test_value_trimming_matches_css_tokenization(declaration: str, value: str) -> None:
    text = f":root {{ {declaration}; }}"
    [definition] = index_tokens(text).definitions
    assert definition.value == value
    assert text[definition.value_start : definition.value_end] == value
