"""``themestudio lint PATH...``: lint theme folders or CSS files (exit 1 on an error): text, JSON or SARIF."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.cli.common import add_format_option
from studio.core.css.lint import LintOptions, LintResult, lint_path
from studio.core.diagnostics import Severity
from studio.core.theme_files import CSS_NAME, MISSING, FileProblem, scan_theme_files


def register(subparsers: Any) -> None:
    lint = subparsers.add_parser("lint", help="lint theme folders or CSS files (exit 1 on any error)")
    lint.add_argument("paths", nargs="*", metavar="PATH")
    add_format_option(lint, ("text", "json", "sarif"))
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


def run(args: argparse.Namespace) -> int:
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
                from studio.cli.lint_fix import fix_file

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


