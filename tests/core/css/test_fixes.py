"""Safe fixes round-trip: after fixing, the linter reports none of the fixed findings, and each fix changes
only what it says."""

from __future__ import annotations

import pytest

from studio.core.css.fixes import apply_once, fix_css
from studio.core.css.lint import lint_css
from tests.conftest import CORPUS, REPO

MISTAKES = REPO / "tests" / "data" / "lint" / "mistakes.css"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (".a { color: red; color: red }", ".a { color: red }"),
        (".a {\n  color: red;\n  margin: 0;\n  color: red;\n}", ".a {\n  margin: 0;\n  color: red;\n}"),
        (".a { width: calc(100%-10px) }", ".a { width: calc(100% - 10px) }"),
        (".a { width: calc(100% -10px) }", ".a { width: calc(100% - 10px) }"),
        (".a { width: calc(100% +10px) }", ".a { width: calc(100% + 10px) }"),
        (".a { width: calc(1px+ 2px) }", ".a { width: calc(1px + 2px) }"),
        (".a { width: calc(100px-10px) }", ".a { width: calc(100px - 10px) }"),
        (".a { width: calc(100%-10px-2px) }", ".a { width: calc(100% - 10px - 2px) }"),
        (".a { font-family: Helvetica }", ".a { font-family: Helvetica, sans-serif }"),
        (
            ".a { font-family: 'Fira Code' !important; }",
            ".a { font-family: 'Fira Code', monospace !important; }",
        ),
        (".a { font-family: Georgia /* body */; }", ".a { font-family: Georgia, serif /* body */; }"),
        (".a { color: red;; }", ".a { color: red; }"),
        (
            "@keyframes k {\n  from { opacity: 0 !important; color: red }\n}\n.a { animation: k 1s }",
            "@keyframes k {\n  from { color: red }\n}\n.a { animation: k 1s }",
        ),
    ],
)
def test_fix_result(before: str, after: str) -> None:
    result = fix_css(before)
    assert result.text == after
    assert result.fixed
    fixed_rules = {d.rule for d in result.fixed}
    assert not {d.rule for d in lint_css(result.text).diagnostics} & fixed_rules


def test_the_mistake_file_round_trips() -> None:
    text = MISTAKES.read_text(encoding="utf-8")
    before = lint_css(text).diagnostics
    result = fix_css(text)
    after = lint_css(result.text).diagnostics
    assert {d.rule for d in result.fixed} == {
        "calc-operator-spacing",
        "font-family-no-generic",
        "keyframes-important",
        "duplicate-declaration",
    }
    assert not any(d.fix for d in after)  # nothing fixable is left
    # What had no fix is still reported, and nothing new appeared.
    unfixed = sorted((d.rule, d.message) for d in before if d.fix is None)
    assert sorted((d.rule, d.message) for d in after) == unfixed


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    assert fix_css(".a { color: red; color: red; color: red }").text == ".a { color: red }"
    text = ".a { font-family: Helvetica; font-family: Helvetica }"
    _once, fixed = apply_once(text, lint_css(text).diagnostics)
    assert [d.rule for d in fixed] == [
        "font-family-no-generic"
    ] * 2  # removing the first one overlaps: it waits
    assert fix_css(text).text == ".a { font-family: Helvetica, sans-serif }"


@pytest.mark.parametrize("name", ["bootstrap.css", "bulma.css", "normalize.css"])
def test_fixing_a_framework_only_removes_its_exact_duplicates(name: str) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    result = fix_css(text)
    assert {d.rule for d in result.fixed} <= {"duplicate-declaration"}
    assert not lint_css(result.text).has_errors
    assert len(result.text) <= len(text)
