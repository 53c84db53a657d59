"""The contrast gate: a text/background token pair below WCAG 2 AA blocks publishing unless waived.

Every pair the theme declares (by the naming conventions of :mod:`studio.core.css.contrast`, plus pairs listed
in ``theme.toml`` under ``[contrast] pairs``) is checked in each scheme the theme defines. The studio checks
before uploading; the backend checks the verified ``theme.css`` again with this same code (it is the trust
boundary), so an old or modified client cannot skip it. An author who accepts a failure records a waiver: a
reason, kept with the failing pairs in the release notes and in the backend's version record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from studio.core.css.contrast import AA_NORMAL, contrast_pairs, schemes_to_check
from studio.core.css.tokens import index_tokens

MAX_REASON_LENGTH = 2000
#: The heading of the release-notes section a waiver adds (the backend looks for it before adding its own).
WAIVER_HEADING = "Contrast waiver (WCAG 2 AA)"


@dataclass(frozen=True, slots=True)
class ContrastFailure:
    """A token pair below AA (4.5:1, normal text) in one scheme; ``apca`` is its APCA Lc (advice)."""

    foreground: str
    background: str
    scheme: str | None
    ratio: float
    apca: float

    @property
    def scheme_label(self) -> str:
        return self.scheme or "default"

    def describe(self) -> str:
        return (
            f"{self.foreground} on {self.background} [{self.scheme_label}]: {self.ratio:.2f}:1 "
            f"(needs {AA_NORMAL}:1; APCA Lc {self.apca:.0f})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "foreground": self.foreground,
            "background": self.background,
            "scheme": self.scheme_label,
            "ratio": round(self.ratio, 2),
            "apca": round(self.apca, 1),
        }


def declared_pairs(manifest_extra: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Pairs listed in ``theme.toml`` as ``[contrast] pairs = [["--fg", "--bg"], ...]`` (bad entries are
    ignored: the manifest editor does not know this table)."""
    table = manifest_extra.get("contrast")
    raw = table.get("pairs") if isinstance(table, Mapping) else None
    pairs: list[tuple[str, str]] = []
    for entry in raw if isinstance(raw, list) else []:
        if (
            isinstance(entry, list | tuple)
            and len(entry) == 2
            and all(isinstance(n, str) and n.startswith("--") for n in entry)
        ):
            pairs.append((entry[0], entry[1]))
    return pairs


def contrast_failures(css: str, declared: Sequence[tuple[str, str]] = ()) -> list[ContrastFailure]:
    """Every pair below AA in every scheme ``css`` defines, in scheme then pair order."""
    index = index_tokens(css)
    failures = []
    for scheme in schemes_to_check(index):
        for check in contrast_pairs(index, scheme, declared):
            if not check.passes_aa:
                failures.append(
                    ContrastFailure(check.foreground, check.background, scheme, check.ratio, check.apca)
                )
    return failures


@dataclass(frozen=True, slots=True)
class ContrastWaiver:
    """The author's reason for publishing despite ``failures``."""

    reason: str
    failures: tuple[ContrastFailure, ...]

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "failures": [f.to_json() for f in self.failures]}


class ContrastBlockedError(ValueError):
    """Publishing is blocked: pairs fail AA and no waiver reason was given."""

    def __init__(self, failures: Sequence[ContrastFailure]) -> None:
        lines = "\n".join(f"  {f.describe()}" for f in failures)
        super().__init__(
            f"{len(failures)} text/background pair(s) fail WCAG 2 AA contrast; publishing is blocked:\n"
            f"{lines}\n"
            'Fix the colours, or publish anyway with a recorded reason: --accept-contrast "REASON".'
        )
        self.failures = tuple(failures)


def clean_reason(reason: str | None) -> str:
    """A waiver reason as recorded: stripped, at most :data:`MAX_REASON_LENGTH` characters.

    Raises:
        ValueError: the reason is longer than that.
    """
    text = (reason or "").strip()
    if len(text) > MAX_REASON_LENGTH:
        raise ValueError(f"The contrast waiver reason is longer than {MAX_REASON_LENGTH} characters.")
    return text


def gate(failures: Sequence[ContrastFailure], reason: str | None) -> ContrastWaiver | None:
    """Apply the gate: None when nothing fails, a waiver when a reason is given.

    Raises:
        ContrastBlockedError: pairs fail and ``reason`` is empty.
        ValueError: the reason is too long.
    """
    if not failures:
        return None
    text = clean_reason(reason)
    if not text:
        raise ContrastBlockedError(failures)
    return ContrastWaiver(text, tuple(failures))


def waiver_note(reason: str, failures: Sequence[Mapping[str, Any]]) -> str:
    """The release-notes section of a waiver (``failures`` as in :meth:`ContrastFailure.to_json`)."""
    lines = [f"{WAIVER_HEADING}: {reason}"]
    for f in failures:
        lines.append(
            f"- {f['foreground']} on {f['background']} [{f['scheme']}]: {float(f['ratio']):.2f}:1 "
            f"(APCA Lc {float(f['apca']):.0f})"
        )
    return "\n".join(lines)


def notes_with_waiver(changes: str, waiver: ContrastWaiver | None) -> str:
    """Release notes with the waiver's section appended (unchanged without a waiver, or when present)."""
    if waiver is None or WAIVER_HEADING in changes:
        return changes
    note = waiver_note(waiver.reason, [f.to_json() for f in waiver.failures])
    return f"{changes.rstrip()}\n\n{note}" if changes.strip() else note
