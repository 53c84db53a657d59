"""Colour values in highlighted editor lines, for the swatches the editor paints next to them.

The highlighter already knows which spans are colours (it tells ``#abc`` the id selector from ``#abc`` the
colour), so swatches reuse its formats instead of scanning the text again. Parsing is cached per token text
and per line, because paintEvent asks for the same visible lines on every repaint.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QTextBlock

from studio.core.css.colors import parse_color
from studio.ui.highlighter import COLOR, TOKEN_KIND

ColorSpan = tuple[int, int, QColor]  # (start, length, colour) in the block's text

_MAX_CACHED_LINES = 4000


@lru_cache(maxsize=4096)
def color_for_token(token: str) -> QColor | None:
    """The colour a CSS colour token means (``#f00``, ``oklch(...)``, ``rebeccapurple``), or None.

    ``currentcolor``, system colours and tokens with ``var()`` inside have no fixed colour and give None.
    """
    rgba = parse_color(token.strip())
    if rgba is None:
        return None
    return QColor.fromRgbF(rgba.r, rgba.g, rgba.b, rgba.a)


class SwatchCache:
    """Colour spans per editor line, keyed by what determines them: the line's text and its start state."""

    def __init__(self) -> None:
        self._lines: dict[tuple[int, str], list[ColorSpan]] = {}

    def spans(self, block: QTextBlock) -> list[ColorSpan]:
        """The colour values in ``block`` with their colours, as the highlighter marked them."""
        prev = block.previous()
        key = (prev.userState() if prev.isValid() else -1, block.text())
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        text = key[1]
        spans: list[ColorSpan] = []
        for rng in block.layout().formats():
            if rng.format.property(TOKEN_KIND) != COLOR:
                continue
            token = text[rng.start:rng.start + rng.length]
            end = rng.start + rng.length
            if end < len(text) and text[end] == "(":
                continue  # a colour *function name* (rgb( with var() inside): no fixed colour
            color = color_for_token(token)
            if color is not None:
                spans.append((rng.start, rng.length, color))
        if len(self._lines) >= _MAX_CACHED_LINES:
            self._lines.clear()
        # Only cache once the highlighter has run on this block (state >= 0), so a stale empty result
        # from an unhighlighted block is never kept.
        if block.userState() >= 0:
            self._lines[key] = spans
        return spans

    def clear(self) -> None:
        """Forget all lines (e.g. after the palette or highlighter changed)."""
        self._lines.clear()
