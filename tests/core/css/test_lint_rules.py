"""One fixture per lint rule: CSS that must get the finding and CSS that must not (fallbacks, vendor hacks,
legacy values browsers accept), and the 28-mistake file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studio.core.css.incremental import IncrementalLinter
from studio.core.css.lint import lint_css, lint_path
from studio.core.css.rules import RULES
from studio.core.diagnostics import Severity
from tests.conftest import REPO

MISTAKES = REPO / "tests" / "data" / "lint" / "mistakes.css"

# rule -> (CSS that must report it, CSS that must not)
FIXTURES: dict[str, tuple[list[str], list[str]]] = {
    "invalid-value": (
        [
            ".a { display: flexbox }",
            ".a { transition: opacity 2 }",
            ".a { border: 1px solid redd }",
            ".a { transform: rotate(45) }",
            ".a { z-index: 1.5 }",
            ".a { color: colour(red) }",
            ".a { font-weight: bolde }",
            ".a { position: fixd }",
            ".a { cursor: hand-pointer }",
            ".a { padding: -1px }",
            ".a { box-shadow: 1px }",
        ],
        [
            ".a { display: inline flex }",
            ".a { transition: opacity .2s ease-in-out, transform 1s }",
            ".a { transform: rotate(45deg) translate(10px, 20%) }",
            ".a { display: -ms-flexbox }",
            ".a { text-align: -webkit-match-parent }",
            ".a { word-wrap: break-word }",
            ".a { width: var(--w) }",
            ".a { margin: env(safe-area-inset-top) auto }",
            ".a { color: inherit }",
            ".a { background: url(a.png) no-repeat center / cover, linear-gradient(red, blue) }",
            ".a { font: 600 1.1rem/1.3 Inter, sans-serif }",
            ".a { box-shadow: inset 0 1px 2px #000, 0 0 1px red }",
            ".a { color: rgba(0,0,0,.5); fill: currentColor; outline-color: invert }",
            ".a { clip: rect(0,0,0,0); zoom: 1; filter: alpha(opacity=50) }",
            ".a { color: rgb(from red r g calc(b + 20)) }",
            ".a { grid-template-columns: [full] 1fr [end] }",
            "@page { size: A4; margin: 1cm }",
            ".a { width: calc(100% - 10px) }",
            ".a { color: red\\9 }",
        ],
    ),
    "shorthand-override": (
        [
            ".a { background-color: blue; background: red }",
            ".a { border-top-color: red; border: 0 }",
            ".a { margin-left: 1px; margin: 0 }",
            ".a { font-weight: bold; font: 12px serif }",
        ],
        [
            ".a { background: red; background-color: blue }",
            ".a { margin: 0; margin-left: 1px }",
            ".a { margin-left: 1px !important; margin: 0 }",
        ],
    ),
    "duplicate-declaration": (
        [
            ".a { color: red; color: red }",
            ".a { --gap: 1px; --gap: 2px }",
            ".a { box-shadow: 0 1px 2px rgba(0,0,0,.1); box-shadow: none }",
            ".a { width: 10px; width: 20px }",
        ],
        [
            ".a { --Gap: 1px; --gap: 2px }",
            ".a { display: -webkit-box; display: flex }",
            ".a { height: 100vh; height: 100dvh }",
            ".a { font-size: 16px; font-size: 1rem }",
            ".a { text-decoration: underline; text-decoration: underline dotted }",
            ".a { color: #333; color: rgba(0,0,0,.8) }",
            ".a { background: red; background: linear-gradient(red, blue) }",
            ".a { color: red !important; color: blue }",
        ],
    ),
    "unknown-pseudo-class": (
        ["a:hovr { }", ".a:not(:hovr) { color: red }", "a:focus-visble { color: red }"],
        [
            "a:hover, a:focus-visible, a:is(.x), a:not(:first-child), a:nth-child(2n+1) { color: red }",
            "input:-moz-focusring, input:-ms-input-placeholder { color: red }",
            "a:before, a:after { color: red }",
            ":root, :host, :where(.a) { color: red }",
        ],
    ),
    "unknown-pseudo-element": (
        ["p::befor { color: red }", "p::placholder { color: red }"],
        [
            "p::before, p::after, ::selection, ::placeholder, ::marker { color: red }",
            "::-webkit-scrollbar, ::-moz-selection, ::-webkit-input-placeholder { color: red }",
            "::part(label), ::slotted(span) { color: red }",
        ],
    ),
    "selector-never-matches": (
        [
            "html :root { color: red }",
            "div > :root { color: red }",
            ".a { & :root { color: red } }",
            ".x, body :root { color: red }",
        ],
        [
            ":root { color: red }",
            "html:root { color: red }",
            ":root .a, :root > body { color: red }",
            ":root:has(.x) { color: red }",
        ],
    ),
    "unknown-media-feature": (
        [
            "@media (max-widht: 600px) { a { color: red } }",
            "@media (prefers-colour-scheme: dark) { a { color: red } }",
            "@media (min-hover: hover) { a { color: red } }",
        ],
        [
            "@media (max-width: 600px) and (min-resolution: 2dppx) { a { color: red } }",
            "@media (-webkit-min-device-pixel-ratio: 2), (min--moz-device-pixel-ratio: 2) { a { top: 0 }}",
            "@media (400px <= width <= 700px) { a { color: red } }",
            "@media (hover) and (pointer: fine) { a { color: red } }",
            "@media (prefers-reduced-motion: reduce) { a { color: red } }",
        ],
    ),
    "invalid-media-query": (
        [
            "@media screen and max-width: 600px { a { color: red } }",
            "@media (max-width 600px) { a { color: red } }",
            "@media screen, { a { color: red } }",
            "@media screen and (a: 1) or (b: 2) { a { color: red } }",
        ],
        [
            "@media screen and (max-width: 600px) { a { color: red } }",
            "@media only screen { a { color: red } }",
            "@media not print { a { color: red } }",
            "@media (min-width: 1px) or (max-width: 2px) { a { color: red } }",
            "@media { a { color: red } }",
            "@media not all and (monochrome) { a { color: red } }",
        ],
    ),
    "import-after-rules": (
        [
            "a { color: red }\n@import 'x.css';",
            "@font-face { font-family: X; src: url(x.woff) }\n@import 'x.css';",
        ],
        ["@charset 'utf-8';\n@layer base;\n@import 'x.css';\n@import 'y.css';\na { color: red }"],
    ),
    "keyframes-important": (
        ["@keyframes k { from { opacity: 0 !important } }"],
        ["@keyframes k { from { opacity: 0 } }\na { animation: k 1s; color: red !important }"],
    ),
    "unknown-at-rule": (
        ["@meida screen { a { color: red } }", "@keyframe k { from { opacity: 0 } }"],
        [
            "@-moz-document url-prefix() { a { color: red } }",
            "@container (width > 1px) { a { color: red } }",
            "@layer x { a { color: red } }",
            "@supports (display: grid) { a { color: red } }",
        ],
    ),
    "undefined-keyframes": (
        [
            "a { animation: fadeIn 1s }",
            "a { animation-name: spin }",
            "@keyframes Spin { }\na { animation: spin 1s }",
        ],
        [
            "@keyframes spin { }\na { animation: spin 1s linear infinite }",
            "a { animation: none }",
            "a { animation: var(--anim) 1s }",
            "@keyframes k { }\n:root { --name: k }\na { animation-name: var(--name) }",
        ],
    ),
    "unused-keyframes": (
        ["@keyframes lonely { from { opacity: 0 } }"],
        ["@keyframes k { }\n:root { --spinner: k }", "@keyframes k { }\na { animation: 1s k }"],
    ),
    "font-family-no-generic": (
        ["a { font-family: Helvetica }", "a { font-family: 'Fira Code', Menlo }"],
        [
            "a { font-family: Helvetica, Arial, sans-serif }",
            "a { font-family: var(--font) }",
            "a { font-family: inherit }",
            "@font-face { font-family: Brand; src: url(x.woff2) }",
            "a { font-family: system-ui }",
        ],
    ),
    "calc-operator-spacing": (
        [
            "a { width: calc(100%-10px) }",
            "a { width: calc(100% -10px) }",
            "a { width: calc(100% +10px) }",
            "a { width: calc(1px+ 2px) }",
            "a { width: calc(100px-10px) }",
            "a { width: min(100%, 1rem -2px) }",
            "a { width: calc(var(--a)-10px) }",
        ],
        [
            "a { width: calc(100% - 10px) }",
            "a { width: calc(-1 * 10px) }",
            "a { margin: calc(2 * -1px) }",
            "a { width: min(10px, -5px) }",
            "a { width: clamp(-1rem, 2vw, 3rem) }",
            "a { margin: -10px 5px }",
        ],
    ),
    "double-slash-comment": (
        ["a {\n  // color: red;\n  color: blue;\n}", "// note\na { color: red }"],
        [
            "a { background: url(//example.com/x.png) }",
            "a { grid-area: 1 / 2 / 3 }",
            "/* ok */ a { color: red }",
        ],
    ),
    "extra-semicolon": (
        ["a { color: red;; }", "a { ; color: red }"],
        ["a { color: red; }", "a { color: red; & b { color: blue; } }"],
    ),
}


def rules_of(css: str) -> list[str]:
    return [d.rule for d in lint_css(css).diagnostics]


@pytest.mark.parametrize(("rule", "css"), [(r, c) for r, (pos, _) in FIXTURES.items() for c in pos])
def test_rule_reports(rule: str, css: str) -> None:
    assert rule in rules_of(css)


@pytest.mark.parametrize(("rule", "css"), [(r, c) for r, (_, neg) in FIXTURES.items() for c in neg])
def test_rule_stays_quiet(rule: str, css: str) -> None:
    assert rule not in rules_of(css)


def test_every_new_rule_is_documented_and_has_a_fixture() -> None:
    for rule in FIXTURES:
        assert rule in RULES
    fixable = {r for r, doc in RULES.items() if doc.fixable}
    assert fixable == {
        "duplicate-declaration",
        "extra-semicolon",
        "keyframes-important",
        "font-family-no-generic",
        "calc-operator-spacing",
    }


def test_unused_keyframes_is_a_hint_not_a_warning() -> None:
    [d] = lint_css("@keyframes lonely { from { opacity: 0 } }").diagnostics
    assert d.severity is Severity.HINT


def test_custom_properties_are_compared_case_sensitively() -> None:
    assert rules_of(":root { --Gap: 1px; --gap: 2px; }") == []
    assert rules_of(":root { --gap: 1px; --gap: 2px; }") == ["duplicate-declaration"]


def test_messages_point_at_the_offending_token() -> None:
    [d] = lint_css(".a { border: 1px solid redd }").diagnostics
    assert (d.line, d.column) == (1, 24)
    assert "'redd'" in d.message
    assert "border" in d.message
    [d] = lint_css("a:hovr { color: red }").diagnostics
    assert "Did you mean ':hover'?" in d.message
    [d] = lint_css("@media (max-widht: 1px) { a { color: red } }").diagnostics
    assert "Did you mean 'max-width'?" in d.message


@pytest.mark.parametrize(
    "css",
    [
        ":root { --brand: redd } a { color: var(--brand) }",
        ":root { --w: 10 } a { width: var(--w) }",
        ":root { --a: var(--b); --b: flexbox } a { display: var(--a) }",
        "a { color: var(--nope, redd) }",
        ":root { --t: opacity 2 } a { transition: var(--t) }",
    ],
)
def test_values_with_var_are_judged_once_resolved(css: str) -> None:
    [d] = [d for d in lint_css(css).diagnostics if d.rule == "invalid-value"]
    assert "once its var() are substituted" in d.message


@pytest.mark.parametrize(
    "css",
    [
        ":root { --c: red } .dark { --c: 10px } a { color: var(--c) }",  # depends on where it is used
        ":root { --x: var(--x) } a { color: var(--x) }",  # a cycle: invalid, but not ours to judge
        ":root { --s: 1px solid } a { border: var(--s) red }",
        ":root { --w: 10 } a { width: calc(var(--w) * 1px) }",
        ":root { --c: initial } a { color: var(--c) }",
        "a { color: var(--undefined) }",  # reported as undefined-variable instead
    ],
)
def test_values_with_var_that_may_be_fine_stay_quiet(css: str) -> None:
    assert "invalid-value" not in rules_of(css)


def test_editing_a_custom_property_updates_the_verdict_incrementally() -> None:
    linter = IncrementalLinter()
    base = ":root {\n  --brand: red;\n}\n" + "".join(f".c{n} {{ color: var(--brand) }}\n" for n in range(50))
    assert linter.lint(base).diagnostics == ()
    broken = base.replace("--brand: red", "--brand: redd")
    assert len([d for d in linter.lint(broken).diagnostics if d.rule == "invalid-value"]) == 50
    assert linter.lint(base).diagnostics == ()
    assert linter.lint(broken).diagnostics == lint_css(broken).diagnostics


def _expectations(path: Path) -> list[tuple[int, str]]:
    marker = re.compile(r"expect: ([a-z-]+)")
    return [
        (n, m.group(1))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if (m := marker.search(line)) and not line.startswith("/* 28")
    ]


def test_the_28_typical_mistakes_are_all_caught_and_nothing_else() -> None:
    expected = _expectations(MISTAKES)
    assert len(expected) == 28
    got = [(d.line, d.rule) for d in lint_path(MISTAKES).diagnostics if d.rule != "missing-asset"]
    assert sorted(got) == sorted(expected)
