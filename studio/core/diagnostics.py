"""The diagnostic record every analysis produces and every view shows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """Errors block publishing (syntax and safety); warnings flag likely mistakes and style."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding in a stylesheet.

    Attributes:
        line: 1-based line of the finding; 0 for a finding about the theme folder's files (a symlinked
            ``assets``, an unsafe asset name), which has no place in the stylesheet.
        column: 1-based column (in characters) of the finding.
        severity: error or warning.
        rule: stable rule id, e.g. ``syntax``, ``unknown-property``, ``safety/remote-import``.
        message: one sentence for the user saying what is wrong and, where useful, what to do.
    """

    line: int
    column: int
    severity: Severity
    rule: str
    message: str

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
        return {
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
        }
