"""``themestudio``: opens the studio, or runs the core headless (``lint``, ``preview``) for scripts and CI."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studio.core.css.lint import LintOptions, LintResult, lint_path
from studio.core.diagnostics import Severity
from studio.core.limits import MAX_CSS_BYTES, read_text_limited
from studio.core.theme_files import CSS_NAME, MISSING, FileProblem, scan_theme_files

# Commands whose modules pull in boto3/httpx: imported only when used, so opening the studio stays fast.
LAZY_COMMANDS = {
    "publish": "studio.publish_cli",
    "profiles": "studio.profiles_cli",
    "drafts": "studio.drafts_cli",
    "migrate-assets": "studio.migrate_cli",
    "tokens": "studio.tokens_cli",
    "verify": "studio.verify_cli",
    "compare": "studio.compare_cli",
}
SUBCOMMANDS = ("lint", "preview", "open", *LAZY_COMMANDS)


@dataclass(frozen=True)
class LintTarget:
    """One stylesheet to lint, with the options its theme asks for.

    Attributes:
        folder_problems: for a theme folder, its files that block publishing (links, special files, unsafe
            names); when ``theme.css`` itself is one of them, ``lint_css`` is False and it is not read.
    """

    css_path: Path
    options: LintOptions
    manifest_error: str | None = None
    folder_problems: tuple[FileProblem, ...] = ()
    lint_css: bool = True


def resolve_lint_target(path: Path, extra_origins: Sequence[str] = ()) -> LintTarget:
    """A theme folder lints its ``theme.css`` with its ``allowed_origins`` and checks its files (see
    :mod:`studio.core.theme_files`); a CSS file lints alone."""
    from studio.core.manifest import ManifestError, load_manifest

    if path.is_dir():
        css = path / "theme.css"
        scan = scan_theme_files(path)
        if any(p.path == CSS_NAME and p.rule == MISSING for p in scan.problems):
            raise FileNotFoundError(f"{path} is not a theme folder: theme.css is missing")
        origins: list[str] = []
        error = None
        manifest_path = path / "theme.toml"
        if manifest_path.is_file():
            try:
                origins = list(load_manifest(manifest_path).allowed_origins)
            except (ManifestError, OSError) as exc:
                error = f"{manifest_path}: {exc}"
        css_ok = not any(p.path == CSS_NAME for p in scan.problems)
        options = LintOptions(tuple(origins) + tuple(extra_origins), asset_root=path)
        return LintTarget(css, options, error, scan.problems, css_ok)
    if not path.exists():  # a pipe or device is refused by the reader, with what it is
        raise FileNotFoundError(f"{path}: no such file or folder")
    root = path.parent
    return LintTarget(path, LintOptions(tuple(extra_origins), asset_root=root))


def _cmd_lint(args: argparse.Namespace) -> int:
    if args.explain:
        from studio.core.css.rules import RULES, explain

        text = explain(args.explain)
        if text is None:
            print(f"themestudio lint: no rule {args.explain!r}; rules: {', '.join(sorted(RULES))}",
                  file=sys.stderr)
            return 2
        print(text, end="")
        return 0
    if not args.paths:
        print("themestudio lint: give at least one PATH (or --explain RULE)", file=sys.stderr)
        return 2
    reports: list[tuple[Path, LintResult | None, str | None]] = []
    for raw in args.paths:
        try:
            target = resolve_lint_target(Path(raw), args.allow_origin)
            if args.fix and target.lint_css:
                from studio.lint_fix import fix_file

                fix_file(target.css_path, target.options)
            result = lint_path(target.css_path, target.options) if target.lint_css else LintResult(())
        except OSError as exc:  # missing, unreadable, too large, a pipe: a clear message, counted as an error
            reports.append((Path(raw), None, str(exc)))
            continue
        reports.append((target.css_path, result, target.manifest_error))
        for problem in target.folder_problems:
            reports.append((Path(raw) / problem.path, LintResult((problem.diagnostic(),)), None))

    errors = sum(1 for _, r, e in reports if e) + sum(
        sum(d.severity is Severity.ERROR for d in r.diagnostics) for _, r, _ in reports if r
    )
    warnings = sum(sum(d.severity is Severity.WARNING for d in r.diagnostics) for _, r, _ in reports if r)
    if args.format == "sarif":
        from studio.core.css.sarif import to_sarif

        print(json.dumps(to_sarif(reports), indent=2))
    elif args.format == "json":
        out = {
            "files": [
                {
                    "path": str(p),
                    "error": e,
                    "diagnostics": [d.to_json() for d in r.diagnostics] if r else [],
                }
                for p, r, e in reports
            ],
            "errors": errors,
            "warnings": warnings,
        }
        print(json.dumps(out, indent=2))
    else:
        for p, r, e in reports:
            if e:
                print(f"{p}: error: {e}")
            for d in r.diagnostics if r else ():
                where = f"{p}" if d.in_folder else f"{p}:{d.line}:{d.column}"
                print(f"{where}: {d.severity.value} [{d.rule}] {d.message}")
        print(f"{errors} error(s), {warnings} warning(s) in {len(reports)} file(s)", file=sys.stderr)
    return 1 if errors else 0


def _cmd_preview(args: argparse.Namespace) -> int:
    path = Path(args.path)
    css_path = path / "theme.css" if path.is_dir() else path
    try:
        css = read_text_limited(css_path, MAX_CSS_BYTES, "a stylesheet")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"themestudio preview: cannot read {css_path}: {exc}", file=sys.stderr)
        return 2
    from studio.ui.qt_env import prepare_qt_environment

    prepare_qt_environment()
    from studio.ui.preview_render import render_preview_png

    try:
        render_preview_png(
            css, Path(args.out), width=args.width, scheme=args.scheme, base_dir=css_path.parent
        )
    except (OSError, RuntimeError) as exc:
        print(f"themestudio preview: {exc}", file=sys.stderr)
        return 2
    print(args.out)
    return 0


def _cmd_open(path: str | None) -> int:
    from studio.ui.qt_env import prepare_qt_environment

    prepare_qt_environment()
    from studio.ui.app import run_studio

    return run_studio(Path(path) if path else None)


def build_parser(lazy: Sequence[str] = tuple(LAZY_COMMANDS)) -> argparse.ArgumentParser:
    """The CLI parser, with the ``lazy`` commands' parsers (their modules get imported) added."""
    parser = argparse.ArgumentParser(
        prog="themestudio",
        description="ThemeSystem Studio. With no command (or `open [PATH]`) it opens the studio.",
    )
    sub = parser.add_subparsers(dest="command")
    lint = sub.add_parser("lint", help="lint theme folders or CSS files (exit 1 on any error)")
    lint.add_argument("paths", nargs="*", metavar="PATH")
    lint.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    lint.add_argument("--fix", action="store_true",
                      help="apply the safe fixes first (atomic write), printing each change to stderr")
    lint.add_argument("--explain", metavar="RULE", help="print what a rule checks and why, then exit")
    lint.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="URL",
        help="trust remote @import/url() from this origin (a warning instead of an error)",
    )
    preview = sub.add_parser("preview", help="render the preview gallery with a theme to a PNG")
    preview.add_argument("path", metavar="PATH")
    preview.add_argument("--out", required=True, metavar="FILE.png")
    preview.add_argument("--width", type=int, default=1280)
    preview.add_argument("--scheme", choices=("light", "dark"), default="light")
    open_ = sub.add_parser("open", help="open the studio on a theme folder")
    open_.add_argument("path", nargs="?")
    for name in lazy:
        importlib.import_module(LAZY_COMMANDS[name]).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] not in SUBCOMMANDS and not args_list[0].startswith("-"):
        args_list.insert(0, "open")  # `themestudio PATH` opens PATH
    first = args_list[0] if args_list else None
    lazy = [first] if first in LAZY_COMMANDS else [] if first in SUBCOMMANDS else list(LAZY_COMMANDS)
    args = build_parser(lazy).parse_args(args_list)
    if args.command == "lint":
        return _cmd_lint(args)
    if args.command == "preview":
        return _cmd_preview(args)
    if args.command in LAZY_COMMANDS:
        exit_code: int = importlib.import_module(LAZY_COMMANDS[args.command]).run(args)
        return exit_code
    return _cmd_open(getattr(args, "path", None))
