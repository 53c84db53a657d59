"""Lint as the author types: re-analyse only the top-level rules an edit touched.

Each top-level chunk's facts are cached by its text (:class:`~studio.core.css.lint.ChunkEngine`), and the
chunk boundaries themselves are found again only around the edit
(:func:`~studio.core.css.source.resplit_chunks`).
The result is always exactly what :func:`~studio.core.css.lint.lint_css` returns for the same text.
"""

from __future__ import annotations

from studio.core.css.lint import ChunkEngine, LintOptions, LintResult, oversize, too_large
from studio.core.css.source import Chunk, normalize_newlines, resplit_chunks, split_chunks


class IncrementalLinter:
    """Keeps the previous text, its chunks and their facts between calls.

    Not thread-safe: use one instance per thread (e.g. one owned by the analysis worker).
    """

    def __init__(self, options: LintOptions = LintOptions()) -> None:  # noqa: B008  # LintOptions is frozen
        self._engine = ChunkEngine(options)
        self._text = ""
        self._chunks: list[Chunk] = []

    @property
    def reanalyzed_chunks(self) -> int:
        """How many top-level chunks the last :meth:`lint` had to parse; the others came from the cache."""
        return self._engine.analyzed_chunks

    def lint(self, text: str) -> LintResult:
        """Lint ``text``; equal to ``lint_css(text, options)``, but fast after a small edit."""
        size = oversize(text)
        if size is not None:
            return too_large(size)
        text = normalize_newlines(text)
        if self._chunks or self._text:
            chunks = resplit_chunks(self._text, self._chunks, text)
        else:
            chunks = split_chunks(text)
        result = self._engine.run(text, chunks)
        self._text = text
        self._chunks = chunks
        return result
