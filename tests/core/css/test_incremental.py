"""Incremental linting gives exactly the full result, re-parsing only the chunks an edit touched."""

from __future__ import annotations

import random

import pytest
import tinycss2

from studio.core.css.incremental import IncrementalLinter
from studio.core.css.lint import LintOptions, lint_css
from studio.core.css.source import normalize_newlines, resplit_chunks, split_chunks
from tests.conftest import CORPUS

HOSTILE_BITS = """
/* a comment with { braces } and "quotes" and url( */
@import "parts/base.css";
@import url(https://evil.example/x.css) screen;
:root { --brand: #3366ff; --space: 4px; --hero: url("https://cdn.example/h.png"); }
.a { color: var(--brand); background: url(assets/a.png) no-repeat; content: "} { ; \\" '"; }
.b { width: calc(100% - var(--space)); margin: var(--missing); colr: red; }
.c { background-image: image-set("x.png" 1x, 'javascript:alert(1)' 2x); behavior: url(x.htc); }
.d { background: url(a\\)b.png); font: 12px/1.5 "Open Sans", sans-serif; }
.e { & .f { color: red; } @media (width > 1px) { color: blue } }
@media screen and (min-width: 40em) { .g { padding: 1rem } .h {} }
@font-face { font-family: X; src: url(fonts/x.woff2) format("woff2"); }
@supports (display: grid) { .i { display: grid; display: grid } }
.j { background: url( "\\6a avascript:x" ) }
@layer base, theme;
.k { color: red\\9; *zoom: 1; }
"""


def medium_sheet() -> str:
    bootstrap = (CORPUS / "bootstrap.css").read_text(encoding="utf-8")
    start = bootstrap.index(".btn {")
    return HOSTILE_BITS + bootstrap[start : start + 6000] + "\n}" + HOSTILE_BITS


EDIT_CHARACTERS = '{}()[];:"\'/*\\@ \n\tax-#,!'


STRUCTURAL = frozenset('{}()[];"\'/*\\')


def random_edit(rng: random.Random, text: str) -> str:
    """Insert or delete one character; half of the time right at or next to a structural character."""
    position = rng.randrange(len(text) + 1)
    if rng.random() < 0.5:
        for _ in range(50):
            probe = rng.randrange(len(text)) if text else 0
            if text and text[probe] in STRUCTURAL:
                position = min(len(text), max(0, probe + rng.choice((-1, 0, 0, 1))))
                break
    if text and rng.random() < 0.45:
        return text[:position] + text[position + 1 :]
    return text[:position] + rng.choice(EDIT_CHARACTERS) + text[position:]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_single_character_edits_match_full_lint(seed: int) -> None:
    rng = random.Random(seed)
    base = medium_sheet()
    options = LintOptions(allowed_origins=("https://cdn.example",))
    linter = IncrementalLinter(options)
    assert linter.lint(base) == lint_css(base, options)
    text = base
    for step in range(120):
        text = random_edit(rng, text)
        if step % 40 == 39:
            text = base  # drift back, so both broken and healthy states are covered
        assert linter.lint(text) == lint_css(text, options), f"seed {seed}, step {step}"


def test_edit_inside_one_rule_reparses_only_that_rule() -> None:
    base = medium_sheet()
    linter = IncrementalLinter()
    linter.lint(base)
    assert linter.reanalyzed_chunks > 20
    position = base.index("colr: red") + 3  # colr -> color
    edited = base[:position] + "o" + base[position:]
    result = linter.lint(edited)
    assert linter.reanalyzed_chunks == 1
    assert result == lint_css(edited)
    assert sum(d.rule == "unknown-property" for d in result.diagnostics) < sum(
        d.rule == "unknown-property" for d in lint_css(base).diagnostics)


def test_opening_a_comment_changes_everything_after_it() -> None:
    base = ".a { color: red }\n.b { colr: red }\n.c { colr: blue }\n"
    linter = IncrementalLinter()
    linter.lint(base)
    edited = "/*" + base
    assert linter.lint(edited) == lint_css(edited)
    assert [d.rule for d in linter.lint(edited).diagnostics] == ["syntax"]
    assert linter.lint(base) == lint_css(base)


def test_positions_shift_when_lines_are_inserted_above() -> None:
    base = ".a { color: red }\n.b { colr: red }\n"
    linter = IncrementalLinter()
    assert [(d.line, d.column) for d in linter.lint(base).diagnostics] == [(2, 6)]
    assert [(d.line, d.column) for d in linter.lint("\n\n" + base).diagnostics] == [(4, 6)]
    assert [(d.line, d.column) for d in linter.lint(".x{}" + base).diagnostics] == [(1, 1), (2, 6)]


def test_undefined_variable_follows_definitions_in_other_rules() -> None:
    base = ":root { --brand: red }\n.a { color: var(--brand) }\n"
    linter = IncrementalLinter()
    assert linter.lint(base).diagnostics == ()
    renamed = base.replace("--brand: red", "--brnd: red")
    assert [d.rule for d in linter.lint(renamed).diagnostics] == ["undefined-variable"]
    assert linter.lint(base).diagnostics == ()


def test_crlf_and_huge_texts_match_full_lint() -> None:
    linter = IncrementalLinter()
    crlf = ".a {\r\n  colr: red;\r\n}\r\n"
    assert linter.lint(crlf) == lint_css(crlf)
    huge = ".a { color: red }\n" * 320_000
    assert linter.lint(huge) == lint_css(huge)
    assert linter.lint(crlf) == lint_css(crlf)


def test_bootstrap_edits_match_full_lint() -> None:
    bootstrap = (CORPUS / "bootstrap.css").read_text(encoding="utf-8")
    linter = IncrementalLinter()
    linter.lint(bootstrap)
    rng = random.Random(7)
    for _ in range(3):
        edited = random_edit(rng, bootstrap)
        assert linter.lint(edited) == lint_css(edited)
        assert linter.reanalyzed_chunks <= 2


# --- the chunk splitter ---

def test_chunks_parse_like_the_whole_sheet() -> None:
    for name in ("bootstrap.css", "normalize.css"):
        text = normalize_newlines((CORPUS / name).read_text(encoding="utf-8"))
        chunks = split_chunks(text)
        assert "".join(text[c.start : c.end] for c in chunks) == text
        whole = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
        pieces = [node for c in chunks for node in tinycss2.parse_stylesheet(
            text[c.start : c.end], skip_comments=True, skip_whitespace=True)]
        assert tinycss2.serialize(pieces) == tinycss2.serialize(whole)


@pytest.mark.parametrize("text", [
    ".a { b: url(x}y) } .c {}",
    ".a { b: u\\72l(x}y) } .c {}",
    '.a { b: "}" } .c {}',
    ".a { b: '}\n } .c {}",
    ".a { /* } */ } .c {}",
    ".a\\{ { b: c } .d {}",
    ".a { b: (}) } .c {}",
    "@import 'x;y'; .a{}",
    "@media x { .a { b: c; } } .d{}",
    "a; b { } c {}",
    "<!-- @import 'x'; --> .a{}",
])
def test_chunks_follow_tinycss2_block_structure(text: str) -> None:
    chunks = split_chunks(text)
    whole = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    pieces = [node for c in chunks for node in tinycss2.parse_stylesheet(
        text[c.start : c.end], skip_comments=True, skip_whitespace=True)]
    assert tinycss2.serialize(pieces) == tinycss2.serialize(whole)


@pytest.mark.parametrize("seed", [11, 12])
def test_resplit_equals_split(seed: int) -> None:
    rng = random.Random(seed)
    text = normalize_newlines(medium_sheet())
    chunks = split_chunks(text)
    for _ in range(300):
        edited = random_edit(rng, text)
        new_chunks = resplit_chunks(text, chunks, edited)
        assert new_chunks == split_chunks(edited)
        text, chunks = edited, new_chunks


@pytest.mark.parametrize("where", ["end", "middle", "start"])
def test_typing_a_rule_character_by_character(where: str) -> None:
    base = ".a { color: red }\n/* note */\n.b { margin: 0 }\n"
    at = {"end": len(base), "middle": base.index(".b"), "start": 0}[where]
    typed = '.z { background: url("x.png"); color: var(--c, red) }\n'
    linter = IncrementalLinter()
    linter.lint(base)
    for count in range(len(typed) + 1):
        text = base[:at] + typed[:count] + base[at:]
        assert linter.lint(text) == lint_css(text), repr(typed[:count])
        assert resplit_chunks(base, split_chunks(base), text) == split_chunks(text)
