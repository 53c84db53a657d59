"""Semantic versions (semver 2.0.0): parse and order, as the registry rule "greater than the latest" needs."""

from __future__ import annotations

import re
from functools import total_ordering

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


@total_ordering
class Version:
    """A parsed version; ordering follows semver precedence (build metadata ignored)."""

    __slots__ = ("core", "prerelease", "text")

    def __init__(self, text: str) -> None:
        match = _SEMVER.match(text) if len(text) <= 64 else None
        if match is None:
            raise ValueError(f"not a semantic version (MAJOR.MINOR.PATCH): {text[:64]!r}")
        self.text = text
        self.core = (int(match[1]), int(match[2]), int(match[3]))
        self.prerelease: tuple[tuple[int, int | str], ...] = tuple(
            (0, int(part)) if part.isdigit() else (1, part) for part in (match[4] or "").split(".") if part
        )

    def _key(self) -> tuple[tuple[int, int, int], int, tuple[tuple[int, int | str], ...]]:
        # A release sorts after every prerelease of the same core version.
        return (self.core, 0 if self.prerelease else 1, self.prerelease)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.text
