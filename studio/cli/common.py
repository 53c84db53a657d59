"""What every ``themestudio`` command shares: the ``--profile``/``--format`` options, loading a
profile, and one way to fail (:class:`CommandError`, printed by the entry point as
``themestudio <command>: <message>``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

#: Exit codes: 0 success, 1 the command ran and found a problem (lint errors, a refused publish), 2 bad usage
#: or setup (a missing profile, an unreadable file), 130 interrupted (Ctrl+C), like the shells.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A failure the user can act on: the message says what happened and what to do.

    Attributes:
        code: the exit code (:data:`EXIT_USAGE` by default).
        details: extra lines printed under the message (diagnostics, one per line).
    """

    def __init__(self, message: str, code: int = EXIT_USAGE, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.details = tuple(details)


def add_profile_option(parser: argparse.ArgumentParser, *, required: bool = False, help: str = "") -> None:
    """``--profile NAME``: a publishing profile (endpoint, bucket, CDN, backend; secrets in the keyring)."""
    parser.add_argument(
        "--profile",
        required=required,
        default=None if required else "",
        metavar="NAME",
        help=help or "the profile to use (`themestudio profiles list` shows them)",
    )


def add_format_option(
    parser: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json"), default: str = "text"
) -> None:
    parser.add_argument(
        "--format", choices=tuple(choices), default=default, help=f"output format ({default})"
    )


def load_profile(name: str) -> Any:
    """The saved profile ``name``, or :class:`CommandError` saying which profiles exist."""
    from studio.core.profiles import ProfileError, ProfileStore

    try:
        return ProfileStore().get(name)
    except (ProfileError, OSError) as exc:
        raise CommandError(str(exc)) from None


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def report(command: str, exc: CommandError) -> int:
    """Print ``exc`` for ``command`` on stderr; returns its exit code."""
    print(f"themestudio {command}: {exc}", file=sys.stderr)
    for line in exc.details:
        print(f"  {line}", file=sys.stderr)
    return exc.code
