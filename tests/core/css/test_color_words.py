"""Colours in words: exact CSS names, shade and hue otherwise, opacity when translucent."""

from __future__ import annotations

import pytest

from studio.core.css.color_words import describe_color
from studio.core.css.colors import parse_color


@pytest.mark.parametrize(
    ("css", "words"),
    [
        ("#ff0000", "red"),
        ("#000", "black"),
        ("#808080", "gray"),
        ("#2f5bd3", "blue"),
        ("#0b1f4d", "dark blue"),
        ("#eceef0", "very light grey"),
        ("#1b7f3b", "dark green"),
        ("#ffc9c9", "light red"),
        ("#b7791f", "orange"),
        ("#7a5d9a", "greyish purple"),
        ("rgb(255 0 0 / 50%)", "red, 50% opaque"),
    ],
)
def test_describe_color(css: str, words: str) -> None:
    color = parse_color(css)
    assert color is not None
    assert describe_color(color) == words
