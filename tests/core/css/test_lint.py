"""Lint rules other than safety: syntax, encoding, unknown properties, variables, duplicates, empty rules."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studio.core.css.lint import LintOptions, lint_bytes, lint_css, lint_path
from studio.core.diagnostics import Severity

E = Severity.ERROR
W = Severity.WARNING


def found(css: str, options: LintOptions = LintOptions()) -> list[tuple[int, int, Severity, str]]:  # noqa: B008
    return [(d.line, d.column, d.severity, d.rule) for d in lint_css(css, options).diagnostics]


MODERN = """\
@charset "utf-8";
@layer reset, base;
@property --angle { syntax: '<angle>'; inherits: false; initial-value: 0deg; }
:root { --brand: oklch(62% 0.2 250); --bg: light-dark(white, #111); color-scheme: light dark; }
@layer base {
  .card {
    container-type: inline-size;
    color: color-mix(in oklch, var(--brand) 60%, white);
    background-color: var(--bg);
    border-color: rgb(from var(--brand) r g b / 50%);
    &:hover { color: hsl(200 50% 50% / .5); }
    & .title { font-size: clamp(1rem, 2vw + 1rem, 3rem); }
    .icon:has(> svg) { inline-size: 1lh; rotate: var(--angle); }
    @media (width > 40em) { padding: 1rem 2rem; }
  }
}
@container card (min-width: 400px) { .card .title { width: fit-content; margin-inline: auto; } }
@scope (.card) to (.content) { img { border-radius: 50% / 10%; accent-color: AccentColor; } }
@supports (display: grid) and selector(:has(a)) { .grid { display: grid; gap: 1rem 2cqi; } }
@starting-style { .card { opacity: 0; } }
@keyframes spin { from { rotate: 0turn; } to { rotate: 1turn; } }
@font-face { font-family: Brand; src: url(assets/brand.woff2) format("woff2"); font-display: swap; }
@media (prefers-color-scheme: dark) { :root { --bg: #000; } }
@page :first { margin: 2cm; size: A4; }
.x { color: color(display-p3 1 0 0); background-color: #0f08; outline-color: lab(50% 40 59.5);
     caret-color: hwb(194 0% 0%); fill: lch(52.2% 72.2 50); text-decoration-color: oklab(40% 0.1 0.1); }
.y { width: calc(100% - var(--gutter, 1rem)); height: 100dvh; max-width: min(100%, 60ch);
     top: anchor(bottom); animation: spin 1s linear infinite; }
"""


def test_modern_css_gives_no_diagnostics() -> None:
    assert found(MODERN) == []


def test_empty_and_blank_files_give_nothing() -> None:
    assert found("") == []
    assert found("  \n/* just a comment */\n") == []
    assert lint_bytes(b"").diagnostics == ()


# --- syntax ---

def test_unclosed_brace_at_end_of_file() -> None:
    result = lint_css(".a { color: red }\n.b {\n  color: blue;\n")
    assert [(d.line, d.column, d.rule) for d in result.diagnostics] == [(2, 4, "syntax")]
    assert result.has_syntax_errors
    assert result.has_errors


def test_unclosed_parenthesis_reports_innermost_opener() -> None:
    assert found(".a { color: rgb(1, 2") == [(1, 16, E, "syntax")]


def test_unclosed_bracket_in_selector() -> None:
    assert found("a[href") == [(1, 2, E, "syntax")]


def test_stray_closing_brace_at_top_level() -> None:
    assert found(".a { color: red }\n}\n.b { color: blue }") == [(2, 1, E, "syntax")]


def test_unterminated_string_at_end_of_line() -> None:
    assert found('.a {\n  content: "abc\n}') == [(2, 12, E, "syntax")]


def test_unterminated_string_at_end_of_file() -> None:
    assert found('.a { content: "abc') == [(1, 4, E, "syntax"), (1, 15, E, "syntax")]


def test_bad_url() -> None:
    assert found(".a { background: url(a b.png) }") == [(1, 18, E, "syntax")]


def test_unclosed_comment() -> None:
    assert found(".a { color: red }\n/* todo") == [(2, 1, E, "syntax")]


def test_missing_colon_in_declaration() -> None:
    assert found(".a {\n  color red;\n  margin: 0;\n}") == [(2, 12, E, "syntax")]


def test_selector_without_block() -> None:
    assert found(".a { color: red }\n.b") == [(2, 2, E, "syntax")]


def test_half_typed_rule_marks_result_stale_but_good_sheet_does_not() -> None:
    assert lint_css(".a { color: red }\n.b { col").has_syntax_errors
    assert not lint_css(".a { color: red }").has_syntax_errors


def test_crlf_line_endings_keep_positions() -> None:
    assert found(".a { color: red }\r\n.b {\r\n  colr: blue;\r\n}\r\n") == [(3, 3, W, "unknown-property")]


def test_deep_nesting_does_not_recurse() -> None:
    started = time.perf_counter()
    result = lint_css(".a{" * 100_000)
    assert result.diagnostics[-1].rule == "syntax"
    assert (result.diagnostics[-1].line, result.diagnostics[-1].column) == (1, 300_000)
    closed = lint_css("a{" * 100_000 + "color:red" + "}" * 100_000)
    assert closed.diagnostics == ()
    parens = lint_css(".a{b:" + "f(" * 100_000)
    assert parens.has_syntax_errors
    assert time.perf_counter() - started < 30


# --- encoding ---

def test_invalid_utf8_reports_first_bad_byte_then_lints_the_rest() -> None:
    data = b".a { color: red }\n.b { content: \"\xff\xfe\"; colr: x }"
    result = lint_bytes(data)
    assert [(d.line, d.column, d.rule) for d in result.diagnostics] == [
        (2, 16, "encoding"), (2, 21, "unknown-property")]
    assert result.diagnostics[0].severity is E


def test_utf8_bom_is_ignored() -> None:
    assert lint_bytes(b"\xef\xbb\xbf.a { colr: red }").diagnostics[0].column == 6


def test_lint_path_reads_bytes(tmp_path: Path) -> None:
    sheet = tmp_path / "theme.css"
    sheet.write_bytes(b"\n\n.a { color: \xc3 }")
    first = lint_path(sheet).diagnostics[0]
    assert (first.line, first.column, first.rule) == (3, 13, "encoding")


def test_too_large_bytes() -> None:
    big = b"/*" + b"x" * (5 * 1024 * 1024) + b"*/"
    assert [d.rule for d in lint_bytes(big).diagnostics] == ["safety/too-large"]


# --- unknown properties ---

def test_unknown_property_with_suggestion() -> None:
    result = lint_css(".a {\n  colr: red;\n}")
    assert [(d.line, d.column, d.severity, d.rule) for d in result.diagnostics] == [
        (2, 3, W, "unknown-property")]
    assert "'color'" in result.diagnostics[0].message


def test_vendor_prefixed_and_custom_properties_are_never_unknown() -> None:
    assert found(".a { -webkit-frobnicate: 1; -ms-thing: 2; --anything-goes: 3; -epub-x: 4 }") == []


def test_descriptors_are_not_properties() -> None:
    css = ("@counter-style thumbs { system: cyclic; symbols: a b; suffix: ' '; }\n"
           "@font-palette-values --x { font-family: Bixa; override-colors: 0 red; }")
    assert found(css) == []


def test_ie_hacks_are_warnings_at_most() -> None:
    css = ".a { color: red\\9; width: 10px\\9; *zoom: 1; _height: 1px; filter: alpha(opacity=50); }"
    diagnostics = lint_css(css).diagnostics
    assert not any(d.severity is E for d in diagnostics)
    assert [(d.column, d.rule) for d in diagnostics] == [(35, "unknown-property"), (45, "unknown-property")]


# --- variables ---

def test_undefined_variable_without_fallback() -> None:
    assert found(".a {\n  color: var(--nope);\n}") == [(2, 10, W, "undefined-variable")]


def test_variable_defined_anywhere_in_sheet_or_with_fallback_is_fine() -> None:
    css = (".a { color: var(--later); margin: var(--missing, 0); padding: var(--empty,); }\n"
           "@media print { .b { --later: red; } }\n"
           "@property --registered { syntax: '*'; inherits: true }\n"
           ".c { rotate: var(--registered) }")
    assert found(css) == []


def test_undefined_variable_inside_a_fallback_is_reported() -> None:
    assert found(".a { color: var(--x, var(--y)); --x: red }") == [(1, 22, W, "undefined-variable")]


def test_custom_property_names_are_case_sensitive() -> None:
    assert found(".a { --Brand: red; color: var(--brand) }") == [(1, 27, W, "undefined-variable")]


# --- duplicates and empty rules ---

def test_duplicate_with_same_value() -> None:
    assert found(".a {\n  color: red;\n  color: red;\n}") == [(3, 3, W, "duplicate-declaration")]


def test_plain_override_is_a_duplicate() -> None:
    assert found(".a { margin: 0; margin: 10px }") == [(1, 17, W, "duplicate-declaration")]


def test_fallback_patterns_are_not_duplicates() -> None:
    css = (".a { display: -webkit-box; display: flex; height: 100vh; height: 100dvh;"
           " color: #333; color: rgba(0,0,0,.8); position: -webkit-sticky; position: sticky;"
           " width: 100%; width: -webkit-fill-available; width: stretch; font-size: 16px; font-size: 1rem }")
    assert found(css) == []


def test_a_later_important_copy_makes_the_earlier_dead() -> None:
    assert found(".a { color: red; color: red !important }") == [(1, 18, W, "duplicate-declaration")]
    assert found(".a { color: red !important; color: blue }") == []  # the earlier one wins


def test_same_property_in_nested_rule_is_not_a_duplicate() -> None:
    assert found(".a { color: red; &:hover { color: red } }") == []


def test_empty_rule() -> None:
    assert found(".a { color: red }\n.b {}\n.c { /* nothing */ }") == [
        (2, 1, W, "empty-rule"), (3, 1, W, "empty-rule")]


def test_nested_empty_rule_and_empty_media_block() -> None:
    assert found(".a { color: red; & .b { } }\n@media print {}") == [(1, 18, W, "empty-rule")]


# --- assets ---

def test_missing_asset_only_with_asset_root(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "ok.png").write_bytes(b"png")
    css = ".a { background: url(assets/ok.png) }\n.b { background: url('assets/gone.png?v=1') }"
    assert found(css) == []
    assert found(css, LintOptions(asset_root=tmp_path)) == [(2, 18, W, "missing-asset")]


def test_missing_asset_is_rechecked_on_every_lint(tmp_path: Path) -> None:
    css = ".a { background: url(late.png) }"
    options = LintOptions(asset_root=tmp_path)
    assert found(css, options) == [(1, 18, W, "missing-asset")]
    (tmp_path / "late.png").write_bytes(b"png")
    assert found(css, options) == []


# --- result shape ---

def test_diagnostics_are_sorted_and_json_ready() -> None:
    result = lint_css(".b { colr: x }\n.a { width: 10 }\n.c { color: var(--u) }")
    positions = [(d.line, d.column) for d in result.diagnostics]
    assert positions == sorted(positions)
    assert result.diagnostics[0].to_json()["rule"] == "unknown-property"
    assert not result.has_errors


@pytest.mark.parametrize("css", ["a{", "a{b:", "@media (", "a{b:url(", 'a{b:"', "/*", "a{b:c}}", "a["])
def test_half_typed_input_never_raises(css: str) -> None:
    assert lint_css(css).has_errors


def test_deeply_nested_values_in_messages_and_duplicates_do_not_recurse() -> None:
    deep = "(" * 30_000 + ")" * 30_000
    result = lint_css(f".a {{ color: {deep}; color: {deep} }}")
    assert [d.rule for d in result.diagnostics] == ["invalid-value", "duplicate-declaration", "invalid-value"]
    assert len(result.diagnostics[0].message) < 200


def test_many_hacks_in_one_block_stay_linear() -> None:
    started = time.perf_counter()
    result = lint_css(".a {" + "*zoom: 1;" * 20_000 + "}")
    assert len(result.diagnostics) == 20_000
    assert not result.has_errors
    assert time.perf_counter() - started < 10


def test_hostile_asset_paths_are_just_missing(tmp_path: Path) -> None:
    css = ".a { background: url(a%00b.png) }\n.b { background: url(" + "x" * 5000 + ".png) }"
    assert found(css, LintOptions(asset_root=tmp_path)) == [
        (1, 18, W, "missing-asset"), (2, 18, W, "missing-asset")]
