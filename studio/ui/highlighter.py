"""CSS syntax highlighting for the code editor.

The highlighter is a small single-pass scanner over one precompiled regex. What a token *means* depends on
where it is (``#abc`` is an id selector before ``{`` and a colour after ``property:``), so each block's end
state carries the context the next block starts in: inside a comment, inside a declaration value, an at-rule
prelude waiting for its ``{``, and the stack of open ``{`` blocks with their kind (a rule list such as the top
level or ``@media``, or a declaration list such as a style rule).

The state deliberately does not depend on anything a letter or digit can change, so typing ordinary text
never cascades re-highlighting into the following blocks.

Every format carries its token kind in :data:`TOKEN_KIND` so the editor can find colours (swatches) and
comments/strings (bracket matching) without scanning the text again.
"""

from __future__ import annotations

import re
from typing import Final

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument, QTextFormat

from studio.core.css.named_colors import COLOR_KEYWORDS, NAMED_COLORS

# QTextFormat property holding the token kind (a str) of a highlighter format.
TOKEN_KIND: Final = int(QTextFormat.Property.UserProperty) + 1

COMMENT: Final = "comment"
SELECTOR: Final = "selector"
PSEUDO: Final = "pseudo"
PROPERTY: Final = "property"
CUSTOM_PROPERTY: Final = "custom-property"
VALUE: Final = "value"
STRING: Final = "string"
NUMBER: Final = "number"
COLOR: Final = "color"
AT_RULE: Final = "at-rule"
IMPORTANT: Final = "important"
URL: Final = "url"
FUNCTION: Final = "function"

# kind -> (light colour, dark colour, bold, italic). Dark colours are tuned for a ~#1e1e1e background, light
# ones for white; both keep comments quiet and make selectors/properties the two strongest hues.
_PALETTE: Final[dict[str, tuple[str, str, bool, bool]]] = {
    COMMENT: ("#6a737d", "#7f8c98", False, True),
    SELECTOR: ("#22863a", "#7ec699", False, False),
    PSEUDO: ("#6f42c1", "#c39ef0", False, False),
    PROPERTY: ("#005cc5", "#79b8ff", False, False),
    CUSTOM_PROPERTY: ("#b31d28", "#f0a06a", False, False),
    VALUE: ("#032f62", "#d6deeb", False, False),
    STRING: ("#a0522d", "#e5c07b", False, False),
    NUMBER: ("#098658", "#b5cea8", False, False),
    COLOR: ("#c2185b", "#f48fb1", False, False),
    AT_RULE: ("#d73a49", "#ff7b72", True, False),
    IMPORTANT: ("#d73a49", "#ff7b72", True, False),
    URL: ("#0366d6", "#56b6c2", False, False),
    FUNCTION: ("#6f42c1", "#c39ef0", False, False),
}

COLOR_FUNCTIONS: Final = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix", "light-dark",
})
_NAMED: Final = frozenset(NAMED_COLORS) | COLOR_KEYWORDS

# At-rules whose block holds rules (not declarations) when they appear among rules.
_GROUP_AT_RULES: Final = frozenset({
    "media", "supports", "layer", "container", "document", "scope", "starting-style", "keyframes",
    "-webkit-keyframes", "-moz-keyframes", "-o-keyframes", "-moz-document",
})

_TOKEN: Final = re.compile(
    r"""
     (?P<comment>/\*)
    |(?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)
    |(?P<url>\burl\(\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^)"'\s]*)\s*\)?)
    |(?P<open>\{)
    |(?P<close>\})
    |(?P<semi>;)
    |(?P<colon>::?)
    |(?P<at>@-?[a-zA-Z_][\w-]*)
    |(?P<important>!\s*important\b)
    |(?P<hash>\#[\w-]+)
    |(?P<colorfn>\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\([^(){};]*\))
    |(?P<func>-?[a-zA-Z_][\w-]*\()
    |(?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:%|[a-zA-Z]+)?)
    |(?P<custom>--[\w-]*)
    |(?P<ident>-?[a-zA-Z_][\w-]*)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_COMMENT_END: Final = re.compile(r"\*/")
_IDENT: Final = re.compile(r"-?[a-zA-Z_][\w-]*\(?")
_PROPERTY_START: Final = re.compile(r"(?:--[\w-]*|-?[a-zA-Z_][\w-]*)\s*:")
_STATEMENT_END: Final = re.compile(r"[;{}]")
_HEX_COLOR: Final = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")

# Block state bit layout (QSyntaxHighlighter stores one int; -1 means "never highlighted").
_IN_COMMENT: Final = 1
_IN_VALUE: Final = 2
_PENDING_GROUP: Final = 4  # an at-rule prelude like "@media ..." spans lines and awaits its "{"
_DEPTH_SHIFT: Final = 3
_DEPTH_MASK: Final = 0xF
_MAX_DEPTH: Final = 15
_KIND_SHIFT: Final = 6  # bit (6 + level) set: the block opened at that level holds rules, not declarations

# Statement modes.
_START, _SELECTOR, _PROPERTY, _VALUE, _AT = range(5)


def _is_rule_list(kinds: int, depth: int) -> bool:
    return depth == 0 or bool(kinds & (1 << (_KIND_SHIFT + depth)))


class CssHighlighter(QSyntaxHighlighter):
    """Highlights CSS: comments, selectors, properties, values, colours, at-rules, custom properties, urls."""

    def __init__(self, document: QTextDocument, *, dark: bool = False) -> None:
        super().__init__(document)
        self._dark = dark
        self._formats: dict[str, QTextCharFormat] = self._build_formats(dark)

    @staticmethod
    def _build_formats(dark: bool) -> dict[str, QTextCharFormat]:
        formats: dict[str, QTextCharFormat] = {}
        for kind, (light_hex, dark_hex, bold, italic) in _PALETTE.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark_hex if dark else light_hex))
            if bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            if italic:
                fmt.setFontItalic(True)
            fmt.setProperty(TOKEN_KIND, kind)
            formats[kind] = fmt
        return formats

    def is_dark(self) -> bool:
        """Whether the palette for dark editor backgrounds is in use."""
        return self._dark

    def set_dark(self, dark: bool) -> None:
        """Switch between the palettes for light and dark editor backgrounds and re-highlight."""
        if dark == self._dark:
            return
        self._dark = dark
        self._formats = self._build_formats(dark)
        self.rehighlight()

    def format_for(self, kind: str) -> QTextCharFormat:
        """The format used for a token kind (one of the module's kind constants)."""
        return self._formats[kind]

    def highlightBlock(self, text: str) -> None:
        """Highlight one line, starting from the context the previous line ended in."""
        state = self.previousBlockState()
        if state < 0:
            state = 0
        fmt = self._formats
        set_format = self.setFormat
        depth = (state >> _DEPTH_SHIFT) & _DEPTH_MASK
        kinds = state & ((1 << (_KIND_SHIFT + depth + 1)) - 1) & ~((1 << _KIND_SHIFT) - 1)
        pending = bool(state & _PENDING_GROUP)
        in_comment = bool(state & _IN_COMMENT)
        mode = _VALUE if state & _IN_VALUE else (_AT if pending else _START)
        seg_start = 0  # where the current selector text began (selector mode only)
        stmt_pos = 0  # where the current statement began (after the last "{", "}", ";" or comment)
        n = len(text)
        pos = 0

        if in_comment:
            end = _COMMENT_END.search(text)
            if end is None:
                set_format(0, n, fmt[COMMENT])
                self.setCurrentBlockState(state)
                return
            set_format(0, end.end(), fmt[COMMENT])
            pos = seg_start = stmt_pos = end.end()
            in_comment = False

        search = _TOKEN.search
        while True:
            m = search(text, pos)
            if m is None:
                break
            group = m.lastgroup
            start, pos = m.span()

            if group == "comment":
                if mode == _SELECTOR:
                    set_format(seg_start, start - seg_start, fmt[SELECTOR])
                end = _COMMENT_END.search(text, pos)
                if end is None:
                    set_format(start, n - start, fmt[COMMENT])
                    in_comment = True
                    pos = seg_start = n
                    break
                set_format(start, end.end() - start, fmt[COMMENT])
                pos = seg_start = end.end()
                if mode == _START:
                    stmt_pos = pos
                continue

            if group == "open" or group == "close" or group == "semi":
                if mode == _SELECTOR:
                    set_format(seg_start, start - seg_start, fmt[SELECTOR])
                if group == "open":
                    rule_list = mode == _AT and pending and _is_rule_list(kinds, depth)
                    if depth < _MAX_DEPTH:
                        depth += 1
                        if rule_list:
                            kinds |= 1 << (_KIND_SHIFT + depth)
                elif group == "close" and depth > 0:
                    kinds &= ~(1 << (_KIND_SHIFT + depth))
                    depth -= 1
                pending = False
                mode = _START
                stmt_pos = pos
                continue

            if mode == _START:
                if group == "at":
                    mode = _AT
                elif not _is_rule_list(kinds, depth) and _PROPERTY_START.match(text, start):
                    end_m = _STATEMENT_END.search(text, start)
                    mode = _SELECTOR if end_m is not None and end_m.group() == "{" else _PROPERTY
                else:
                    mode = _SELECTOR
                if mode == _SELECTOR:
                    # Include the leading "." / "*" / ">" the token scan skipped, but not the indentation.
                    seg_start = stmt_pos + len(text[stmt_pos:start]) - len(text[stmt_pos:start].lstrip())

            if mode == _SELECTOR:
                if group == "string":
                    set_format(seg_start, start - seg_start, fmt[SELECTOR])
                    set_format(start, pos - start, fmt[STRING])
                    seg_start = pos
                elif group == "colon":
                    set_format(seg_start, start - seg_start, fmt[SELECTOR])
                    ident = _IDENT.match(text, pos)
                    if ident is not None:
                        pos = ident.end()
                    set_format(start, pos - start, fmt[PSEUDO])
                    seg_start = pos
                continue

            if mode == _PROPERTY:
                if group == "custom":
                    set_format(start, pos - start, fmt[CUSTOM_PROPERTY])
                elif group == "ident":
                    set_format(start, pos - start, fmt[PROPERTY])
                elif group == "colon":
                    mode = _VALUE
                continue

            if mode == _AT and group == "at":
                set_format(start, pos - start, fmt[AT_RULE])
                if m.group()[1:].lower() in _GROUP_AT_RULES:
                    pending = True
                continue
            # In an at-rule the prelude ("screen and (min-width: 40em)") is highlighted like a value below.

            # Value (and at-rule prelude) tokens.
            if group == "ident":
                kind = COLOR if m.group().lower() in _NAMED else VALUE
                set_format(start, pos - start, fmt[kind])
            elif group == "number":
                set_format(start, pos - start, fmt[NUMBER])
            elif group == "custom":
                set_format(start, pos - start, fmt[CUSTOM_PROPERTY])
            elif group == "hash":
                if _HEX_COLOR.fullmatch(m.group()):
                    set_format(start, pos - start, fmt[COLOR])
            elif group == "colorfn":
                set_format(start, pos - start, fmt[COLOR])
            elif group == "func":
                name = m.group()[:-1].lower()
                set_format(start, pos - start - 1, fmt[COLOR if name in COLOR_FUNCTIONS else FUNCTION])
            elif group == "string":
                set_format(start, pos - start, fmt[STRING])
            elif group == "url":
                set_format(start, pos - start, fmt[URL])
            elif group == "important":
                set_format(start, pos - start, fmt[IMPORTANT])
            elif group == "at":
                set_format(start, pos - start, fmt[AT_RULE])

        if mode == _SELECTOR and seg_start < n:
            set_format(seg_start, n - seg_start, fmt[SELECTOR])
        new_state = (depth << _DEPTH_SHIFT) | kinds
        if in_comment:
            new_state |= _IN_COMMENT
        if mode == _VALUE:
            new_state |= _IN_VALUE
        if pending:
            new_state |= _PENDING_GROUP
        self.setCurrentBlockState(new_state)
