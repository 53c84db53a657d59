"""The diagnostic record every analysis produces and every view shows, and the fixes it may carry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """Errors block publishing (syntax and safety); warnings flag likely mistakes; hints are worth a look."""

    ERROR = "error"
    WARNING = "warning"
    HINT = "hint"


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text from (line, column) up to, not including, (end_line, end_column); 1-based."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "text": self.text}


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe automatic fix: edits that change nothing a browser renders except the problem itself.

    Attributes:
        description: what the fix does, for a menu or the ``--fix`` report ("Remove the duplicate ...").
        edits: non-overlapping edits, applied together as one change.
    """

    description: str
    edits: tuple[TextEdit, ...]

    def to_json(self) -> dict[str, object]:
        return {"description": self.description, "edits": [e.to_json() for e in self.edits]}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding in a stylesheet.

    Attributes:
        line: 1-based line of the finding; 0 for a finding about the theme folder's files (a symlinked
            ``assets``, an unsafe asset name), which has no place in the stylesheet.
        column: 1-based column (in characters) of the finding.
        severity: error, warning or hint.
        rule: stable rule id, e.g. ``syntax``, ``unknown-property``, ``safety/remote-import``.
        message: one sentence for the user saying what is wrong and, where useful, what to do.
        fix: a safe automatic fix, when the rule has one for this finding.
    """

    line: int
    column: int
    severity: Severity
    rule: str
    message: str
    fix: Fix | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def in_folder(self) -> bool:
        """A finding about the theme folder's files (line 0), not a place in the stylesheet."""
        return self.line == 0

    @property
    def location(self) -> str:
        """``line 3:5`` for the stylesheet, ``theme folder`` for a finding about the folder's files."""
        return "theme folder" if self.in_folder else f"line {self.line}:{self.column}"

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
        }
        if self.fix is not None:
            out["fix"] = self.fix.to_json()
        return out
