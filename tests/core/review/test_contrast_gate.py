"""The contrast gate: failures per scheme, declared pairs, the waiver and its release-notes section."""

from __future__ import annotations

import pytest

from studio.core.review.contrast_gate import (
    WAIVER_HEADING,
    ContrastBlockedError,
    contrast_failures,
    declared_pairs,
    gate,
    notes_with_waiver,
)
from tests.conftest import REPO

DARK_ONLY = """
:root { --color-bg: #ffffff; --color-text: #111111; --color-text-muted: #555555; }
[data-theme="dark"] { --color-bg: #101010; --color-text: #eeeeee; --color-text-muted: #3a3a3a; }
"""


@pytest.mark.parametrize("starter", ["light", "dark", "high-contrast"])
def test_starters_pass(starter: str) -> None:
    css = (REPO / "resources" / "themes" / starter / "theme.css").read_text(encoding="utf-8")
    assert contrast_failures(css) == []


def test_a_failure_in_dark_only_is_found_in_dark_only() -> None:
    [failure] = contrast_failures(DARK_ONLY)
    assert (failure.foreground, failure.background, failure.scheme_label) == (
        "--color-text-muted",
        "--color-bg",
        "dark",
    )
    assert failure.ratio < 4.5
    assert abs(failure.apca) < 15  # APCA: far below any use (it clips to 0 this low)
    assert failure.describe().startswith("--color-text-muted on --color-bg [dark]: 1.")


def test_light_dark_failure_in_dark_only() -> None:
    css = ":root { --color-bg: light-dark(#fff, #101010); --color-text: light-dark(#111, #3a3a3a); }"
    failures = contrast_failures(css)
    assert [(f.foreground, f.scheme) for f in failures] == [("--color-text", "dark")]


def test_large_text_level_does_not_pass_the_gate() -> None:
    # 3.5:1 meets AA for large text only; a token pair does not know its text size, so it is held to 4.5:1.
    css = ":root { --color-bg: #ffffff; --color-text: #8a8a8a; }"
    [failure] = contrast_failures(css)
    assert 3 <= failure.ratio < 4.5


def test_declared_pairs_from_the_manifest() -> None:
    extra = {"contrast": {"pairs": [["--ink", "--paper"], ["--bad"], "nope", [1, 2]]}}
    assert declared_pairs(extra) == [("--ink", "--paper")]
    assert declared_pairs({}) == []
    css = ":root { --ink: #aaaaaa; --paper: #ffffff; }"
    assert contrast_failures(css) == []
    [failure] = contrast_failures(css, declared_pairs(extra))
    assert (failure.foreground, failure.background) == ("--ink", "--paper")


def test_gate_blocks_without_reason_and_records_a_waiver() -> None:
    failures = contrast_failures(DARK_ONLY)
    assert gate([], None) is None
    assert gate([], "unused") is None
    with pytest.raises(ContrastBlockedError) as blocked:
        gate(failures, "   ")
    assert "--color-text-muted on --color-bg [dark]" in str(blocked.value)
    assert '--accept-contrast "REASON"' in str(blocked.value)
    with pytest.raises(ValueError, match="longer than"):
        gate(failures, "x" * 2001)
    waiver = gate(failures, "  decorative captions  ")
    assert waiver is not None
    assert waiver.reason == "decorative captions"
    assert waiver.to_json()["failures"][0]["scheme"] == "dark"

    notes = notes_with_waiver("Dimmer captions.", waiver)
    head = f"Dimmer captions.\n\n{WAIVER_HEADING}: decorative captions\n- --color-text-muted"
    assert notes.startswith(head)
    assert notes_with_waiver(notes, waiver) == notes  # added once
    assert notes_with_waiver("", waiver).startswith(WAIVER_HEADING)
    assert notes_with_waiver("plain", None) == "plain"
