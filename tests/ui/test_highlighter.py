"""CssHighlighter: token kinds at positions, context carried across lines, stable block states."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QPlainTextDocumentLayout

from studio.ui import highlighter as hl
from studio.ui.highlighter import TOKEN_KIND, CssHighlighter


class _CountingHighlighter(CssHighlighter):
    """Counts highlightBlock calls, to see how far an edit cascades."""

    calls = 0

    def highlightBlock(self, text: str) -> None:
        self.calls += 1
        super().highlightBlock(text)


def _highlighted(
    css: str, cls: type[CssHighlighter] = CssHighlighter,
) -> tuple[QTextDocument, CssHighlighter]:
    doc = QTextDocument()
    doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
    doc.setPlainText(css)
    highlighter = cls(doc)
    highlighter.rehighlight()
    return doc, highlighter


def kind_at(doc: QTextDocument, line: int, needle: str, occurrence: int = 0) -> str | None:
    """Token kind of the first character of the ``occurrence``-th ``needle`` on 1-based ``line``."""
    block = doc.findBlockByNumber(line - 1)
    text = block.text()
    col = -1
    for _ in range(occurrence + 1):
        col = text.index(needle, col + 1)
    for rng in block.layout().formats():
        if rng.start <= col < rng.start + rng.length:
            kind = rng.format.property(TOKEN_KIND)
            return str(kind) if kind is not None else None
    return None


CSS = """\
/* header
   still comment */ .btn:hover > #main {
  --brand: #ff0000;
  color: var(--brand) !important;
  background: url(img/bg.png) oklch(62% 0.2 29) red;
  font-family: "Inter", sans-serif;
  margin: 1.5rem -2px 0;
}
@media (min-width: 40em) {
  .red, #abc {
    padding: 0;
  }
}
"""


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize(
    ("line", "needle", "kind"),
    [
        (1, "/*", hl.COMMENT),
        (2, "still", hl.COMMENT),
        (2, ".btn", hl.SELECTOR),
        (2, ":hover", hl.PSEUDO),
        (2, "#main", hl.SELECTOR),
        (3, "--brand", hl.CUSTOM_PROPERTY),
        (3, "#ff0000", hl.COLOR),
        (4, "color", hl.PROPERTY),
        (4, "var", hl.FUNCTION),
        (4, "--brand", hl.CUSTOM_PROPERTY),
        (4, "!important", hl.IMPORTANT),
        (5, "url(", hl.URL),
        (5, "bg.png", hl.URL),
        (5, "oklch(", hl.COLOR),
        (5, "0.2", hl.COLOR),
        (5, "red", hl.COLOR),
        (6, '"Inter"', hl.STRING),
        (6, "sans-serif", hl.VALUE),
        (7, "1.5rem", hl.NUMBER),
        (7, "-2px", hl.NUMBER),
        (9, "@media", hl.AT_RULE),
        (9, "40em", hl.NUMBER),
        (10, ".red", hl.SELECTOR),  # a class named like a colour is a selector...
        (10, "#abc", hl.SELECTOR),  # ...and so is an id that looks like a hex colour
        (11, "padding", hl.PROPERTY),  # inside @media > rule: a declaration
        (11, "0", hl.NUMBER),
    ],
)
def test_token_kinds(line: int, needle: str, kind: str) -> None:
    doc, _ = _highlighted(CSS)
    assert kind_at(doc, line, needle) == kind


@pytest.mark.usefixtures("qapp")
def test_multiline_comment_state() -> None:
    doc, _ = _highlighted("a {\n  /* one\n  color: red; {\n  two */ display: block;\n}\n")
    assert kind_at(doc, 3, "color") == hl.COMMENT
    assert kind_at(doc, 3, "{") == hl.COMMENT
    assert kind_at(doc, 4, "two") == hl.COMMENT
    assert kind_at(doc, 4, "display") == hl.PROPERTY  # the "{" inside the comment opened nothing
    assert kind_at(doc, 4, "block") == hl.VALUE
    assert doc.findBlockByNumber(1).userState() & 1  # "inside a comment" is carried to the next line
    assert not doc.findBlockByNumber(3).userState() & 1


@pytest.mark.usefixtures("qapp")
def test_context_across_lines() -> None:
    css = (
        "h1,\n"  # 1: selector list over two lines
        "h2 {\n"
        "  font-family:\n"  # 3: value continues on the next lines
        "    system-ui,\n"
        "    serif;\n"
        "  &:hover { color: #fff; }\n"  # 6: nested rule inside a rule
        "}\n"
        "@media screen\n"  # 8: at-rule prelude over two lines
        "  and (min-width: 1px) {\n"
        "  p { top: 0; }\n"
        "}\n"
        "p { top: 0; }\n"
    )
    doc, _ = _highlighted(css)
    assert kind_at(doc, 1, "h1") == hl.SELECTOR
    assert kind_at(doc, 2, "h2") == hl.SELECTOR
    assert kind_at(doc, 3, "font-family") == hl.PROPERTY
    assert kind_at(doc, 4, "system-ui") == hl.VALUE
    assert kind_at(doc, 5, "serif") == hl.VALUE
    assert kind_at(doc, 6, "&") == hl.SELECTOR
    assert kind_at(doc, 6, ":hover") == hl.PSEUDO
    assert kind_at(doc, 6, "color") == hl.PROPERTY
    assert kind_at(doc, 6, "#fff") == hl.COLOR
    assert kind_at(doc, 10, "p") == hl.SELECTOR  # @media's block holds rules
    assert kind_at(doc, 10, "top") == hl.PROPERTY
    assert kind_at(doc, 12, "p") == hl.SELECTOR  # back at the top level
    assert kind_at(doc, 12, "top") == hl.PROPERTY


@pytest.mark.usefixtures("qapp")
def test_typing_a_letter_does_not_cascade() -> None:
    css = "a {\n  color: red;\n}\n" * 200
    doc, highlighter = _highlighted(css, _CountingHighlighter)
    assert isinstance(highlighter, _CountingHighlighter)
    states = [doc.findBlockByNumber(i).userState() for i in range(doc.blockCount())]
    highlighter.calls = 0
    cursor = QTextCursor(doc.findBlockByNumber(1))
    cursor.setPosition(doc.findBlockByNumber(1).position() + 8)
    cursor.insertText("x")
    assert highlighter.calls == 1
    assert [doc.findBlockByNumber(i).userState() for i in range(doc.blockCount())] == states
    # Opening a comment, by contrast, must re-highlight what follows.
    cursor.insertText("/*")
    assert highlighter.calls > 100
    assert kind_at(doc, 101, "color") == hl.COMMENT  # line 101 is "  color: red;"


@pytest.mark.usefixtures("qapp")
def test_set_dark_switches_palette() -> None:
    doc, highlighter = _highlighted(".a { color: red; }")

    def foreground() -> str:
        block = doc.begin()
        rng = next(r for r in block.layout().formats() if r.format.property(TOKEN_KIND) == hl.PROPERTY)
        return rng.format.foreground().color().name()

    light = foreground()
    highlighter.set_dark(True)
    assert highlighter.is_dark()
    dark = foreground()
    assert dark != light
    # Dark-palette colours are light and vice versa, so they read on their backgrounds.
    assert QColor(dark).lightness() > QColor(light).lightness()
    QApplication.processEvents()
