"""Size and nesting limits for every file the studio reads, so hostile or broken input gets a clear error.

A 5,000-deep ``theme.toml`` used to crash ``lint`` with a RecursionError, and a FIFO named ``theme.css`` would
block a read forever. Every reader goes through :func:`read_limited` (a regular file of bounded size, opened
without blocking) and, for structured text, :func:`load_toml` (nesting measured before the recursive parser
runs) / :func:`load_json` (the C parser stops deep input itself; the result's depth is checked after).
The errors name the file and the limit, and are ``OSError`` subclasses so the many callers that already
turn a failed read into a message show these too.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

KIB = 1024
MIB = 1024 * KIB

#: A stylesheet (``theme.css``, drafts and versions in history, files given to ``lint``/``preview``).
MAX_CSS_BYTES = 5 * MIB
#: ``theme.toml``: a few hundred bytes in practice.
MAX_MANIFEST_BYTES = 256 * KIB
#: Studio settings and records: profiles, the recent list, history metadata, sandbox records.
MAX_CONFIG_BYTES = 1 * MIB
#: The autosave journal holds a whole stylesheet as a JSON string (escapes can double or sextuple it).
MAX_JOURNAL_BYTES = 6 * MAX_CSS_BYTES + 64 * KIB
#: Nesting of ``[ ]`` and ``{ }``: our own files never go past 4; tomllib and json recurse per level.
MAX_NESTING = 64

#: Non-blocking: opening a named pipe returns at once (and is then refused) instead of waiting for a writer.
READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputLimitError(OSError):
    """A file the studio reads breaks a limit or is not a plain file; ``str()`` is fit for the user.

    Attributes:
        path: the file.
        message: what is wrong, with the limit and what to do.
    """

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(message)
        self.path = Path(path)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputTooLargeError(InputLimitError):
    """The file is larger than its limit. ``size`` is its size in bytes (at least ``limit + 1``)."""

    def __init__(self, path: Path | str, size: int, limit: int, what: str) -> None:
        super().__init__(
            path,
            f"{path} is {_human(size)}; {what} may be at most {_human(limit)}. Make it smaller "
            "(or check that this is the right file).",
        )
        self.size = size
        self.limit = limit


class InputTooDeepError(InputLimitError):
    """Brackets or braces are nested deeper than the limit."""

    def __init__(self, path: Path | str, limit: int, line: int | None = None) -> None:
        where = f" (line {line})" if line else ""
        super().__init__(
            path,
            f"{path} nests [ ] or {{ }} more than {limit} levels deep{where}; the studio reads at most "
            f"{limit} levels. Flatten it.",
        )
        self.limit = limit
        self.line = line


def _human(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    if size >= KIB:
        return f"{size / KIB:.0f} KiB"
    return f"{size} bytes"


def file_kind(mode: int) -> str | None:
    """``"a named pipe"`` etc. for anything that is not a regular file (or a symlink), else None."""
    for check, kind in _KINDS:
        if check(mode):
            return kind
    return None


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened non-blocking, so a named pipe or device is refused instead of waiting forever.

    Args:
        path: the file (a symlink to a regular file is followed: this is about reading, not publishing).
        limit: the largest size accepted.
        what: the file's role for the message, e.g. ``"theme.toml"`` or ``"a stylesheet"``.

    Raises:
        InputTooLargeError: the file is larger than ``limit``.
        InputLimitError: it is not a regular file.
        OSError: it cannot be opened or read (missing, permission denied).
    """
    fd = os.open(path, READ_FLAGS)
    try:
        info = os.fstat(fd)
        kind = file_kind(info.st_mode)
        if kind is not None:
            raise InputLimitError(path, f"{path} is {kind}, not a file; {what} must be a plain file.")
        if info.st_size > limit:
            raise InputTooLargeError(path, info.st_size, limit, what)
        chunks: list[bytes] = []
        remaining = limit + 1  # one byte more proves a file that grew while we read it
        while remaining > 0:
            chunk = os.read(fd, min(remaining, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputTooLargeError(path, len(data), limit, what)
    return data


def read_text_limited(path: Path, limit: int, what: str) -> str:
    """Like :func:`read_limited`, decoded as UTF-8 with the line endings kept.

    Raises:
        UnicodeDecodeError: not UTF-8 (a ``ValueError``).
    """
    return read_limited(path, limit, what).decode("utf-8")


# One token at a time: a whole string or comment (skipped by the regex engine, however long) or one bracket.
# Strings are matched "unrolled" (a run of plain characters, then one escape, and so on): linear time.
_BASIC = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'  # an unterminated one stops at the end of the line
_TOML_TOKENS = re.compile(
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*""""{0,2}'  # multi-line basic (1-2 quotes may end the content)
    r"|'''[^']*(?:'(?!'')[^']*)*''''{0,2}"  # multi-line literal
    r"|" + _BASIC + r"|'[^'\n]*'?"  # basic and literal strings
    r"|#[^\n]*"  # comment
    r"|[\[\]{}]"
)


def nesting_depth(text: str, limit: int = MAX_NESTING) -> tuple[int, int]:
    """The deepest nesting of TOML ``[``/``{`` outside strings and comments, and its 1-based line.

    Stops as soon as ``limit`` is exceeded (the returned depth is then ``limit + 1``). Malformed text is
    measured as well as it can be; the parser reports the syntax error itself.
    """
    depth = deepest = where = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
                if deepest > limit:
                    break
        elif token in ("]", "}"):
            depth = max(0, depth - 1)
    return deepest, text.count("\n", 0, where) + 1


def data_depth(value: Any, limit: int = MAX_NESTING) -> int:
    """The nesting depth of parsed JSON (lists and dicts), walked without recursion; stops past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def check_nesting(text: str, path: Path | str, limit: int = MAX_NESTING) -> None:
    """Refuse TOML text nested deeper than ``limit`` before the (recursive) parser sees it.

    Raises:
        InputTooDeepError: it is.
    """
    depth, line = nesting_depth(text, limit)
    if depth > limit:
        raise InputTooDeepError(path, limit, line)


def load_toml(text: str, path: Path | str, limit: int = MAX_NESTING) -> dict[str, Any]:
    """``tomllib.loads`` after the nesting check.

    Raises:
        InputTooDeepError: nested too deep (also when the parser recurses out of stack anyway).
        tomllib.TOMLDecodeError: not valid TOML.
    """
    check_nesting(text, path, limit)
    try:
        return tomllib.loads(text)
    except RecursionError:  # last resort: the pre-check should make this unreachable
        raise InputTooDeepError(path, limit) from None


def load_json(text: str | bytes, path: Path | str, limit: int = MAX_NESTING) -> Any:
    """``json.loads``, then the nesting check on the result.

    The C parser is fast and stops a deep document with a RecursionError (about a thousand levels) instead
    of crashing; the depth of what it returns is then checked without recursion, so a 5 MiB stylesheet in
    the autosave journal is not scanned character by character in Python.

    Raises:
        InputTooDeepError: nested too deep.
        ValueError: not valid JSON (``json.JSONDecodeError`` or ``UnicodeDecodeError``).
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise InputTooDeepError(path, limit) from None
    if data_depth(value, limit) > limit:
        raise InputTooDeepError(path, limit)
    return value


def read_json(path: Path, limit: int = MAX_CONFIG_BYTES, what: str = "a studio record") -> Any:
    """Read and parse a JSON file within the size and nesting limits.

    Raises:
        InputLimitError: too large, too deep or not a plain file (an ``OSError``).
        OSError: unreadable.
        ValueError: not UTF-8 or not JSON.
    """
    return load_json(read_limited(path, limit, what), path)
