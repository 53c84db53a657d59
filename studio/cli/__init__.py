"""``themestudio``: opens the studio, or runs its core headless for scripts and CI.

One module per command group (``studio.cli.<module>``), each with ``register(subparsers)`` and
``run(args) -> int``. Modules are imported only for the command that runs, so opening the studio or linting
never pays for boto3/httpx. Failures the user can act on raise :class:`studio.cli.common.CommandError`;
this entry point prints them the same way for every command.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from studio.cli.common import EXIT_INTERRUPTED, CommandError, report

#: command → module, in the order ``--help`` lists them.
COMMANDS = {
    "open": "studio.cli.gui",
    "lint": "studio.cli.lint",
    "preview": "studio.cli.preview",
    "publish": "studio.cli.publish",
    "verify": "studio.cli.verify",
    "browse": "studio.cli.browse",
    "install": "studio.cli.install",
    "embed": "studio.cli.embed",
    "drafts": "studio.cli.drafts",
    "profiles": "studio.cli.profiles",
    "sandbox": "studio.cli.sandbox",
    "tokens": "studio.cli.tokens",
    "migrate-assets": "studio.cli.migrate_assets",
    "stats": "studio.cli.stats",
    "compare": "studio.cli.compare",
}


def command_module(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name])


def build_parser(commands: Sequence[str] = tuple(COMMANDS)) -> argparse.ArgumentParser:
    """The CLI parser with ``commands``' parsers (their modules get imported)."""
    parser = argparse.ArgumentParser(
        prog="themestudio",
        description="ThemeSystem Studio. With no command (or `open [PATH]`) it opens the studio.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    for name in commands:
        command_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] not in COMMANDS and not args_list[0].startswith("-"):
        args_list.insert(0, "open")  # `themestudio PATH` opens PATH
    first = args_list[0] if args_list else "open"
    # Only the command that runs is imported (all of them for `--help`).
    args = build_parser([first] if first in COMMANDS else list(COMMANDS)).parse_args(args_list or ["open"])
    command = args.command or "open"
    try:
        exit_code: int = command_module(command).run(args)
    except CommandError as exc:
        return report(command, exc)
    except KeyboardInterrupt:
        print(f"themestudio {command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return exit_code
