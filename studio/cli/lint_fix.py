"""``themestudio lint --fix``: apply the linter's safe fixes to a file, atomically, saying what changed."""

from __future__ import annotations

import sys
from pathlib import Path

from studio.core.atomic import atomic_write_bytes
from studio.core.css.fixes import fix_css
from studio.core.css.lint import LintOptions

_BOM = b"\xef\xbb\xbf"


def fix_file(path: Path, options: LintOptions) -> int:
    """Fix ``path`` in place; returns how many findings were fixed. Reports go to stderr.

    The file is rewritten only when something changed, keeping its BOM and CRLF newlines; a file that is not
    UTF-8, or mixes newline styles, is left alone (its offsets would not survive the round trip).
    """
    data = path.read_bytes()
    bom = data.startswith(_BOM)
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        print(f"{path}: not fixed: the file is not valid UTF-8", file=sys.stderr)
        return 0
    crlf = "\r\n" in text
    if "\f" in text or "\0" in text or (text.count("\r") != (text.count("\n") if crlf else 0)):
        print(
            f"{path}: not fixed: mixed newlines, form feeds or NUL characters; normalise the file first",
            file=sys.stderr,
        )
        return 0
    result = fix_css(text, options)
    if not result.fixed:
        return 0
    out = result.text.replace("\n", "\r\n") if crlf else result.text
    atomic_write_bytes(path, (_BOM if bom else b"") + out.encode("utf-8"))
    for d in result.fixed:
        assert d.fix is not None
        print(f"{path}:{d.line}:{d.column}: fixed [{d.rule}] {d.fix.description}", file=sys.stderr)
    print(f"{path}: applied {len(result.fixed)} fix(es)", file=sys.stderr)
    return len(result.fixed)
