"""``themestudio tokens import|export``: design tokens in and out of a theme, headless.

``import FILE... --into THEME`` reads DTCG 2025.10 files, a DTCG resolver document, or a Tokens Studio export
(one file, or its folder with ``$themes.json``/``$metadata.json``), prints the changes per scheme and, unless
``--dry-run``, saves ``theme.css`` (as a draft revision) and the token metadata. ``export THEME --format F``
writes DTCG, a DTCG resolver (schemes as contexts) or Tokens Studio JSON and lists what it skipped and why.
Exit codes: 0 done, 1 the token files have errors (nothing written), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from studio.cli.common import add_format_option
from studio.core.atomic import StorageError, atomic_write_text
from studio.core.theme import Theme, ThemeError
from studio.core.tokens.apply import Mode, plan_import
from studio.core.tokens.export import FORMATS, dumps, export_documents, single_file, theme_tokens
from studio.core.tokens.meta import load_meta, save_meta
from studio.core.tokens.model import TokenFileError
from studio.core.tokens.sources import open_token_files


def register(subparsers: Any) -> None:
    """Add the ``tokens`` sub-command to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "tokens", help="import or export design tokens (DTCG 2025.10, Tokens Studio)"
    )
    sub = parser.add_subparsers(dest="tokens_command", required=True)
    imp = sub.add_parser("import", help="write tokens into a theme's custom properties")
    imp.add_argument(
        "files", nargs="+", metavar="FILE", help="token files, a resolver file or a Tokens Studio folder"
    )
    imp.add_argument("--into", required=True, metavar="THEME", help="theme folder")
    imp.add_argument(
        "--mode",
        action="append",
        default=[],
        metavar="MODIFIER=VALUE[:SCHEME]",
        help="choose a modifier context, for one scheme (base, light, dark) or for all; repeatable",
    )
    imp.add_argument("--prefix", default=None, help="custom property prefix (ds → --ds-color-...)")
    imp.add_argument(
        "--prune", action="store_true", help="remove properties an earlier import wrote that are gone"
    )
    imp.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    exp = sub.add_parser("export", help="write a theme's custom properties as design tokens")
    exp.add_argument("theme", metavar="THEME")
    add_format_option(exp, FORMATS, default="dtcg")
    exp.add_argument(
        "--out", metavar="FILE|DIR", help="a file, or a folder (one file per set); default stdout"
    )
    exp.add_argument(
        "--scheme", choices=("light", "dark"), help="dtcg only: the scheme to flatten (default: base)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``tokens import`` or ``tokens export``; returns the exit code."""
    try:
        if args.tokens_command == "import":
            return _import(args)
        return _export(args)
    except (ThemeError, TokenFileError, OSError, StorageError, ValueError) as exc:
        print(f"tokens {args.tokens_command}: {exc}", file=sys.stderr)
        return 2


def _import(args: argparse.Namespace) -> int:
    theme = Theme.open(Path(args.into))
    modes = [Mode.parse(m) for m in args.mode]
    source = open_token_files([Path(f) for f in args.files])
    meta = load_meta(theme.root)
    prefix = meta.prefix if args.prefix is None else args.prefix
    text = theme.read_css()
    plan = plan_import(text, source, modes, prefix, meta, prune=args.prune)
    for issue in plan.issues:
        print(issue, file=sys.stderr)
    if plan.errors:
        print(f"{len(plan.errors)} error(s): nothing was written", file=sys.stderr)
        return 1
    inputs = "; ".join(
        f"{t}: {', '.join(f'{k}={v}' for k, v in i.items()) or '(no modifiers)'}"
        for t, i in plan.inputs.items()
    )
    print(f"{plan.token_count} token(s) from {source.label} [{inputs}]")
    for change in plan.changes:
        sign = {"added": "+", "changed": "~", "removed": "-"}[change.kind]
        detail = (
            change.new
            if change.kind == "added"
            else f"{change.old} → {change.new}"
            if change.new
            else change.old
        )
        print(f"  {sign} [{change.scheme}] {change.name}: {detail}")
    for scheme, counts in plan.summary().items():
        print(f"{scheme}: {counts['added']} added, {counts['changed']} changed, {counts['removed']} removed")
    if not plan.changes:
        print("the theme already has these tokens")
    if args.dry_run:
        return 0
    if plan.new_text != text:
        revision = theme.save(plan.new_text)
        print(f"saved {theme.css_path} (draft r{revision.number})")
    save_meta(theme.root, plan.meta)
    return 0


def _export(args: argparse.Namespace) -> int:
    theme = Theme.open(Path(args.theme))
    themed = theme_tokens(theme.read_css(), load_meta(theme.root))
    files = export_documents(themed, args.format, args.scheme)
    for skipped in themed.skipped:
        print(f"skipped [{skipped.scheme}] {skipped.name}: {skipped.reason}", file=sys.stderr)
    count = sum(len(t) for t in themed.schemes.values())
    out = Path(args.out) if args.out else None
    if out is None:
        sys.stdout.write(dumps(single_file(files)))
    elif out.is_dir() or (len(files) > 1 and not out.suffix):
        out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            atomic_write_text(out / name, dumps(data))
        print(f"wrote {len(files)} file(s) to {out}", file=sys.stderr)
    else:
        atomic_write_text(out, dumps(single_file(files)))
        print(f"wrote {out}", file=sys.stderr)
    print(f"{count} token(s) exported, {len(themed.skipped)} skipped", file=sys.stderr)
    return 0
