"""Safety rules: every way a theme could load something from outside itself or run script, one test each."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.css.lint import LintOptions, lint_css
from studio.core.css.safety import UrlPolicy, normalize_url, origin_of
from studio.core.diagnostics import Severity

E = Severity.ERROR
W = Severity.WARNING
FONTS = LintOptions(allowed_origins=("https://fonts.googleapis.com",))


def found(css: str, options: LintOptions = LintOptions()) -> list[tuple[int, int, Severity, str]]:  # noqa: B008
    return [(d.line, d.column, d.severity, d.rule) for d in lint_css(css, options).diagnostics]


# --- remote @import ---

def test_remote_import_url_function() -> None:
    assert found('.a { color: red }\n@import url("https://evil.example/x.css");\n') == [
        (2, 1, W, "import-after-rules"), (2, 9, E, "safety/remote-import")]


def test_remote_import_string() -> None:
    assert found('@import "http://evil.example/x.css";') == [(1, 9, E, "safety/remote-import")]


def test_remote_import_unquoted_url_token_with_media() -> None:
    assert found("@import url(ftp://evil.example/x.css) screen;") == [(1, 9, E, "safety/remote-import")]


def test_remote_import_any_scheme() -> None:
    assert found('@import "gopher://evil.example/x.css";') == [(1, 9, E, "safety/remote-import")]


def test_protocol_relative_import() -> None:
    assert found('@import "//evil.example/x.css";') == [(1, 9, E, "safety/remote-import")]


def test_escaped_at_import_keyword() -> None:
    assert found('@\\69mport "https://evil.example/x.css";') == [(1, 11, E, "safety/remote-import")]


def test_relative_import_of_own_file_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "base.css").write_text("a{}")
    assert found('@import "parts/base.css";', LintOptions(asset_root=tmp_path)) == []


def test_import_climbing_out_of_theme() -> None:
    assert found('@import "../other-theme/theme.css";') == [(1, 9, E, "safety/url-outside-theme")]


def test_import_of_data_url_is_refused() -> None:
    assert found('@import "data:text/css,a{color:red}";') == [(1, 9, E, "safety/remote-import")]


def test_trusted_import_is_a_warning() -> None:
    css = '@import url("https://fonts.googleapis.com/css2?family=Inter");'
    assert found(css, FONTS) == [(1, 9, W, "safety/remote-import")]


def test_import_from_other_origin_is_still_an_error() -> None:
    assert found('@import "https://fonts.gstatic.com/x.css";', FONTS) == [(1, 9, E, "safety/remote-import")]


@pytest.mark.parametrize("url", [
    "https://fonts.googleapis.com.evil.com/x.css",
    "https://fonts.googleapis.com@evil.com/x.css",
    "http://fonts.googleapis.com/x.css",
    "https://fonts.googleapis.com:8443/x.css",
    "https://evil.com/https://fonts.googleapis.com/x.css",
    "https:\\\\evil.com\\fonts.googleapis.com",
])
def test_trusted_origin_match_is_exact(url: str) -> None:
    assert found(f'@import "{url}";', FONTS) == [(1, 9, E, "safety/remote-import")]


def test_trusted_origin_with_explicit_default_port_and_protocol_relative() -> None:
    css = '@import "https://FONTS.googleapis.com:443/a.css";\n@import "//fonts.googleapis.com/b.css";'
    assert found(css, FONTS) == [(1, 9, W, "safety/remote-import"), (2, 9, W, "safety/remote-import")]


# --- remote url() and friends ---

def test_remote_url_token() -> None:
    assert found(".a {\n  background: url(https://evil.example/a.png);\n}") == [
        (2, 15, E, "safety/remote-url")]


def test_remote_url_protocol_relative() -> None:
    assert found(".a { background: url(//evil.example/x.css) }") == [(1, 18, E, "safety/remote-url")]


def test_remote_url_with_spaces_inside_parentheses() -> None:
    assert found('.a { background: url(  "https://evil.example/a.png"  ) }') == [
        (1, 18, E, "safety/remote-url")]


def test_escaped_url_function_name() -> None:
    assert found('.a { background: u\\72l("https://evil.example/a.png") }') == [
        (1, 18, E, "safety/remote-url")]


def test_escaped_url_token_name() -> None:
    assert found(".a { background: \\75 rl(https://evil.example/a.png) }") == [
        (1, 18, E, "safety/remote-url")]


def test_trusted_remote_url_is_a_warning() -> None:
    css = "@font-face { font-family: I; src: url(https://fonts.googleapis.com/i.woff2) }"
    assert found(css, FONTS) == [(1, 35, W, "safety/remote-url")]


def test_font_face_src_remote() -> None:
    css = ('@font-face {\n  font-family: X;\n'
           '  src: local(X), url("https://evil.example/x.woff2") format("woff2");\n}')
    assert found(css) == [(3, 18, E, "safety/remote-url")]


def test_image_set_bare_string_is_a_url() -> None:
    css = '.a { background-image: image-set("https://evil.example/a.png" 1x, "ok.png" 2x) }'
    assert found(css) == [(1, 34, E, "safety/remote-url")]


def test_webkit_image_set_bare_string() -> None:
    css = '.a { background-image: -webkit-image-set("//evil.example/a.png" 1x) }'
    assert found(css) == [(1, 42, E, "safety/remote-url")]


def test_image_function_string() -> None:
    assert found('.a { background-image: image("https://evil.example/a.png") }') == [
        (1, 30, E, "safety/remote-url")]


def test_cross_fade_with_remote_url() -> None:
    css = ".a { background-image: cross-fade(url(ok.png) 50%, url(https://evil.example/b.png)) }"
    assert found(css) == [(1, 52, E, "safety/remote-url")]


def test_src_function() -> None:
    assert found('.a { background-image: src("https://evil.example/a.png") }') == [
        (1, 24, E, "safety/remote-url")]


def test_custom_property_value_with_url_is_checked() -> None:
    assert found(":root {\n  --hero: url(https://evil.example/hero.jpg);\n}") == [
        (2, 11, E, "safety/remote-url")]


def test_url_in_selector_or_at_rule_prelude_is_checked() -> None:
    assert found("@supports (background: url(https://evil.example/a.png)) { .a { color: red } }") == [
        (1, 24, E, "safety/remote-url")]


def test_nested_rule_url() -> None:
    css = ".a {\n  color: red;\n  & .b { cursor: url(https://evil.example/c.cur), auto; }\n}"
    assert found(css) == [(3, 18, E, "safety/remote-url")]


def test_namespace_uri_is_not_a_load() -> None:
    assert found("@namespace svg url(http://www.w3.org/2000/svg);") == []


# --- script URLs ---

def test_javascript_url() -> None:
    assert found('.a { background: url("javascript:alert(1)") }') == [(1, 18, E, "safety/script-url")]


def test_javascript_url_uppercase() -> None:
    assert found(".a { background: url(JAVASCRIPT:alert) }") == [(1, 18, E, "safety/script-url")]


def test_javascript_url_with_css_escape_in_scheme() -> None:
    assert found(".a { background: url(java\\73 cript:alert) }") == [(1, 18, E, "safety/script-url")]


def test_javascript_url_with_escaped_tab_in_scheme() -> None:
    assert found('.a { background: url("java\\9 script:alert(1)") }') == [(1, 18, E, "safety/script-url")]


def test_javascript_url_with_escaped_newline_in_string() -> None:
    assert found('.a { background: url("java\\\nscript:alert(1)") }') == [(1, 18, E, "safety/script-url")]


def test_javascript_url_with_leading_control_characters() -> None:
    assert found('.a { background: url("\\1 \\20 javascript:alert(1)") }') == [
        (1, 18, E, "safety/script-url")]


def test_javascript_url_hidden_by_html_character_reference() -> None:
    assert found('.a { background: url("jav&#x09;ascript:alert(1)") }') == [(1, 18, E, "safety/script-url")]


def test_javascript_url_with_spaces_in_parentheses() -> None:
    assert found('.a { background: url( "javascript:alert(1)" ) }') == [(1, 18, E, "safety/script-url")]


def test_vbscript_and_livescript() -> None:
    css = ".a { background: url(vbscript:x) }\n.b { background: url(livescript:x) }"
    assert found(css) == [(1, 18, E, "safety/script-url"), (2, 18, E, "safety/script-url")]


def test_data_html_url() -> None:
    assert found('.a { background: url("data:text/html,<script>alert(1)</script>") }') == [
        (1, 18, E, "safety/script-url")]


def test_data_javascript_url() -> None:
    assert found(".a { background: url(data:application/javascript;base64,YWxlcnQoMSk=) }") == [
        (1, 18, E, "safety/script-url")]


def test_script_url_in_import() -> None:
    assert found('@import "javascript:alert(1)";') == [(1, 9, E, "safety/script-url")]


def test_script_url_in_image_set() -> None:
    assert found('.a { background: image-set("javascript:alert(1)" 1x) }') == [
        (1, 28, E, "safety/script-url")]


def test_data_image_urls_are_fine() -> None:
    css = ('.a { background: url("data:image/svg+xml,%3csvg xmlns=\'http://www.w3.org/2000/svg\'/%3e") }\n'
           ".b { background: url(data:image/png;base64,iVBORw0KGgo=) }")
    assert found(css) == []


# --- paths outside the theme ---

def test_absolute_path() -> None:
    assert found(".a { background: url(/images/a.png) }") == [(1, 18, E, "safety/url-outside-theme")]


def test_parent_directory() -> None:
    assert found(".a { background: url(../a.png) }") == [(1, 18, E, "safety/url-outside-theme")]


def test_percent_encoded_parent_directory() -> None:
    assert found(".a { background: url(%2e%2e/a.png) }") == [(1, 18, E, "safety/url-outside-theme")]


def test_double_percent_encoded_parent_directory() -> None:
    assert found(".a { background: url(assets/%252e%252e/%252e%252e/a.png) }") == [
        (1, 18, E, "safety/url-outside-theme")]


def test_backslash_parent_directory() -> None:
    assert found('.a { background: url("..\\\\secret.png") }') == [(1, 18, E, "safety/url-outside-theme")]


def test_parent_after_descending_is_fine_but_too_many_is_not() -> None:
    css = ".a { background: url(assets/x/../a.png) }\n.b { background: url(assets/../../a.png) }"
    assert found(css) == [(2, 18, E, "safety/url-outside-theme")]


def test_fragment_only_and_empty_urls_are_fine() -> None:
    assert found('.a { filter: url(#blur); mask: url("#m"); background: url("") }') == []


# --- legacy script vectors ---

def test_expression() -> None:
    assert found(".a {\n  zoom: expression(alert(1));\n}") == [(2, 9, E, "safety/legacy-script")]


def test_escaped_expression() -> None:
    assert found(".a { zoom: e\\78pression(alert(1)) }") == [(1, 12, E, "safety/legacy-script")]


def test_behavior() -> None:
    assert found(".a { behavior: url(x.htc) }") == [(1, 6, E, "safety/legacy-script")]


def test_ms_behavior() -> None:
    assert found(".a { -ms-behavior: url(x.htc) }") == [(1, 6, E, "safety/legacy-script")]


def test_moz_binding() -> None:
    assert found(".a { -moz-binding: url(x.xml#b) }") == [(1, 6, E, "safety/legacy-script")]


def test_behavior_behind_star_hack() -> None:
    assert found(".a { *behavior: url(x.htc) }") == [
        (1, 6, W, "unknown-property"), (1, 7, E, "safety/legacy-script")]


# --- size ---

def test_too_large_is_an_error_and_fast() -> None:
    import time

    big = ".a { color: red }\n" * 320_000  # 5.5 MiB
    started = time.perf_counter()
    assert found(big) == [(1, 1, E, "safety/too-large")]
    assert time.perf_counter() - started < 1.0


# --- the policy itself ---

def test_normalize_url_strips_controls_and_inner_whitespace() -> None:
    assert normalize_url("\x01 \tjava\tscr\nipt:x \x00") == "javascript:x"


def test_origin_of_handles_userinfo_ports_and_bad_ports() -> None:
    assert origin_of("https://u:p@Example.COM/x") == ("https", "example.com", 443)
    assert origin_of("http://example.com:8080") == ("http", "example.com", 8080)
    assert origin_of("https://example.com:99999/") is None
    assert origin_of("relative/path.png") is None


def test_policy_reports_asset_path_for_relative_urls() -> None:
    finding = UrlPolicy().check("assets/a%20b.png?v=2#x", "url()")
    assert finding.rule is None
    assert finding.asset == "assets/a b.png"
