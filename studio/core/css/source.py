"""Split a stylesheet into top-level chunks without tokenising it.

A chunk is one top-level rule or at-rule (with its block, or up to its ``;``) together with the whitespace and
comments before it. Chunks are the unit of incremental analysis: each one is parsed on its own and its result
cached by its text, so a keystroke re-parses only the chunk it lands in.

The scan looks only at what decides block structure the way tinycss2 sees it: comments, strings, escapes,
unquoted ``url(...)`` tokens and the brackets ``{} () []`` (a closer that does not match the innermost open
bracket is a stray token, as in tinycss2). It never recurses, so any nesting depth is fine.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import tinycss2

# Brackets, quotes, escapes, comment starts and `url(` not preceded by an identifier character.
_STRUCTURE = re.compile(r"""[{}()\[\]"'\\]|/\*|(?<![-\w\\\x80-\U0010ffff])[uU][rR][lL]\(""")
# The same plus `;`, which ends an at-rule statement at depth 0.
_STRUCTURE_SEMI = re.compile(r"""[{}()\[\]"'\\;]|/\*|(?<![-\w\\\x80-\U0010ffff])[uU][rR][lL]\(""")
# Whitespace, complete comments and CDO/CDC before the first significant token of a chunk.
_TRIVIA = re.compile(r"(?:[ \t\n]+|/\*[\s\S]*?\*/|<!--|-->)*")
_STRING_BODY = {
    '"': re.compile(r'[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*'),
    "'": re.compile(r"[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*"),
}
_AT_KEYWORD_START = re.compile(r"@(?:-?[A-Za-z_\x80-\U0010ffff]|--|-?\\[^\n])")
_HEX_ESCAPE = re.compile(r"\\[0-9A-Fa-f]{1,6}[ \n\t]?")
_URL_PLAIN_RUN = re.compile(r"""[^)\s"'(\\\x00-\x08\x0b\x0e-\x1f\x7f]*""")
_IDENT_WITH_ESCAPES = re.compile(r"(?:[-\w\x80-\U0010ffff]|\\[0-9A-Fa-f]{1,6}[ \n\t]?|\\[^\n])+")
_IDENT_CHAR = re.compile(r"[-\w\x80-\U0010ffff]")
_CLOSER = {"{": "}", "(": ")", "[": "]"}


def normalize_newlines(text: str) -> str:
    """Apply tinycss2's input preprocessing so offsets, lines and columns agree with its tokens."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        text = text.replace("\f", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    return text


class Chunk(NamedTuple):
    """One top-level piece of the stylesheet.

    Attributes:
        start: offset of the chunk's first character in the whole text.
        end: offset just past its last character.
        closed: True when a ``}`` or ``;`` ended it; False when it runs to the end of the text.
        unclosed: for a chunk cut off by the end of the text, the chunk-relative offset and character of the
            innermost bracket still open; else None.
        open_comment: chunk-relative offset of a ``/*`` never closed; else None.
    """

    start: int
    end: int
    closed: bool
    unclosed: tuple[int, str] | None = None
    open_comment: int | None = None


def _url_end(text: str, pos: int) -> int | None:
    """End of the unquoted url token whose ``(`` ends just before ``pos``; None when it is a quoted url()."""
    n = len(text)
    while pos < n and text[pos] in " \n\t":
        pos += 1
    if pos >= n:
        return n
    if text[pos] in "\"'":
        return None
    while True:
        pos = _URL_PLAIN_RUN.match(text, pos).end()  # type: ignore[union-attr]  # `*` always matches
        if pos >= n:
            return n
        c = text[pos]
        if c == ")":
            return pos + 1
        if c in " \n\t":
            while pos < n and text[pos] in " \n\t":
                pos += 1
            if pos >= n:
                return n
            if text[pos] == ")":
                return pos + 1
            break
        if c == "\\" and not text.startswith("\\\n", pos):
            hex_escape = _HEX_ESCAPE.match(text, pos)
            pos = hex_escape.end() if hex_escape else pos + 2
            continue
        break  # a quote, `(`, a non-printable or `\` + newline: a bad url; skip its remnants
    while pos < n:
        if text.startswith("\\)", pos):
            pos += 2
        elif text[pos] == ")":
            return pos + 1
        else:
            pos += 1
    return n


def _escaped_function_is_url(text: str, backslash: int) -> tuple[int, bool]:
    """For an identifier containing an escape: where it ends, and whether it is the function ``url(``."""
    start = backslash
    while start > 0 and _IDENT_CHAR.match(text, start - 1):
        start -= 1
    match = _IDENT_WITH_ESCAPES.match(text, start)
    end = match.end() if match else backslash + 1
    if not text.startswith("(", end):
        return end, False
    tokens = tinycss2.parse_component_value_list(text[start : end + 1])
    is_url = bool(tokens) and tokens[-1].type == "function" and tokens[-1].lower_name == "url"
    return end, is_url


def scan_chunk(text: str, start: int) -> Chunk:
    """Scan one chunk beginning at ``start`` (which must be at top level)."""
    n = len(text)
    pos = _TRIVIA.match(text, start).end()  # type: ignore[union-attr]  # `*` always matches
    if pos >= n:
        return Chunk(start, n, closed=False)
    if text.startswith("/*", pos):
        return Chunk(start, n, closed=False, open_comment=pos - start)
    at_rule = _AT_KEYWORD_START.match(text, pos) is not None
    closers: list[str] = []
    openers: list[int] = []
    search = _STRUCTURE.search
    search_semi = _STRUCTURE_SEMI.search
    while True:
        match = search_semi(text, pos) if at_rule and not closers else search(text, pos)
        if match is None:
            break
        i = match.start()
        c = text[i]
        if c in "{([":
            closers.append(_CLOSER[c])
            openers.append(i)
            pos = i + 1
        elif c in "})]":
            pos = i + 1
            if closers and closers[-1] == c:
                closers.pop()
                openers.pop()
                if c == "}" and not closers:
                    return Chunk(start, pos, closed=True)
        elif c == ";":
            return Chunk(start, i + 1, closed=True)
        elif c == '"' or c == "'":
            end = _STRING_BODY[c].match(text, i + 1).end()  # type: ignore[union-attr]  # `*` always matches
            if end < n and text[end] == c:
                pos = end + 1
            elif end < n and text[end] == "\n":
                pos = end  # a bad string ends before the newline
            else:
                pos = n
        elif c == "/":
            close = text.find("*/", i + 2)
            if close == -1:
                return Chunk(start, n, closed=False, unclosed=_innermost(openers, closers, start),
                             open_comment=i - start)
            pos = close + 2
        elif c == "\\":
            if text.startswith("\\\n", i):
                pos = i + 1
                continue
            end, is_url = _escaped_function_is_url(text, i)
            if is_url:
                url_end = _url_end(text, end + 1)
                if url_end is not None:
                    pos = url_end
                    continue
            pos = end
        else:  # `url(`
            url_end = _url_end(text, match.end())
            if url_end is None:  # url("...") is an ordinary function
                closers.append(")")
                openers.append(match.end() - 1)
                pos = match.end()
            else:
                pos = url_end
    return Chunk(start, n, closed=False, unclosed=_innermost(openers, closers, start))


def _innermost(openers: list[int], closers: list[str], start: int) -> tuple[int, str] | None:
    if not openers:
        return None
    opener = {"}": "{", ")": "(", "]": "["}[closers[-1]]
    return openers[-1] - start, opener


def split_chunks(text: str, start: int = 0) -> list[Chunk]:
    """Split ``text`` (already passed through :func:`normalize_newlines`) into chunks from ``start`` on."""
    chunks: list[Chunk] = []
    n = len(text)
    while start < n:
        chunk = scan_chunk(text, start)
        chunks.append(chunk)
        start = chunk.end
    return chunks


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # largest k with a[:k] == b[:k]; each probe is one memcmp
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def resplit_chunks(old_text: str, old_chunks: list[Chunk], new_text: str) -> list[Chunk]:
    """Chunks of ``new_text``, re-scanning only around the edit that turned ``old_text`` into it.

    The result always equals ``split_chunks(new_text)``: a chunk boundary resets the scanner completely, so
    chunks that end with ``}``/``;`` before the edit are unchanged, and once a re-scanned boundary lands on an
    old boundary inside the unchanged tail, every later chunk is the old one shifted.
    """
    if old_text == new_text:
        return list(old_chunks)
    prefix = _common_prefix(old_text, new_text)
    suffix = _common_suffix(old_text, new_text, min(len(old_text), len(new_text)) - prefix)
    delta = len(new_text) - len(old_text)
    keep = 0
    while keep < len(old_chunks) and old_chunks[keep].closed and old_chunks[keep].end <= prefix:
        keep += 1
    chunks = old_chunks[:keep]
    start = chunks[-1].end if chunks else 0
    old_starts = {c.start: i for i, c in enumerate(old_chunks)}
    tail_from = len(new_text) - suffix
    n = len(new_text)
    while start < n:
        if start >= tail_from:
            index = old_starts.get(start - delta)
            if index is not None:
                chunks.extend(
                    Chunk(c.start + delta, c.end + delta, c.closed, c.unclosed, c.open_comment)
                    for c in old_chunks[index:]
                )
                return chunks
        chunk = scan_chunk(new_text, start)
        chunks.append(chunk)
        start = chunk.end
    return chunks


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)
