"""Semantic versions exactly as SemVer 2.0.0 defines them, so theme versions order the same everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Literal

# The official regular expression from semver.org (section "Is there a suggested regular expression").
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z",
    re.ASCII,
)

BumpPart = Literal["patch", "minor", "major"]


def _identifier_key(ident: str) -> tuple[int, int, str]:
    """Numeric identifiers sort numerically and before alphanumeric ones, which sort in ASCII order."""
    if ident.isdigit():
        return (0, int(ident), "")
    return (1, 0, ident)


@total_ordering
@dataclass(frozen=True)
class Version:
    """A parsed semantic version; ordering is SemVer precedence (build metadata is ignored there).

    Equality also ignores build metadata, so ``==`` agrees with the ordering; ``str()`` keeps it.
    """

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse ``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]``.

        Raises:
            ValueError: the text is not a SemVer 2.0.0 version; the message says what is expected.
        """
        match = _SEMVER.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.4.0)")
        major, minor, patch, pre, build = match.groups()
        return cls(
            int(major),
            int(minor),
            int(patch),
            tuple(pre.split(".")) if pre else (),
            tuple(build.split(".")) if build else (),
        )

    def bump(self, part: BumpPart) -> Version:
        """The next release: bumping resets lower parts and drops prerelease and build labels.

        A prerelease bumps to its own release first (``1.0.0-rc.1`` → patch → ``1.0.0``), as npm and
        the SemVer FAQ intend, because ``1.0.0`` is already greater than ``1.0.0-rc.1``.
        """
        if part == "major":
            if self.prerelease and self.minor == 0 and self.patch == 0:
                return Version(self.major, 0, 0)
            return Version(self.major + 1, 0, 0)
        if part == "minor":
            if self.prerelease and self.patch == 0:
                return Version(self.major, self.minor, 0)
            return Version(self.major, self.minor + 1, 0)
        if part == "patch":
            if self.prerelease:
                return Version(self.major, self.minor, self.patch)
            return Version(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown version part {part!r} (expected patch, minor or major)")

    def _precedence_key(self) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
        # A release (no prerelease) has higher precedence than any of its prereleases.
        return (
            self.major,
            self.minor,
            self.patch,
            0 if self.prerelease else 1,
            tuple(_identifier_key(i) for i in self.prerelease),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence_key() == other._precedence_key()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence_key() < other._precedence_key()

    def __hash__(self) -> int:
        return hash(self._precedence_key())

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text


def is_valid(text: str) -> bool:
    """Whether ``text`` is a SemVer 2.0.0 version."""
    return _SEMVER.match(text) is not None
