"""Which files of a theme folder a release carries, and the folder's trust rules.

A release is ``theme.css`` plus the files under ``assets/``. The walk never follows a symbolic link: an
``assets`` folder that was itself a link once published whatever it pointed to (a private key went out with
a year of immutable cache). So ``theme.css`` or ``assets`` being a link, any link under ``assets/``, special
files (named pipes, devices, sockets), names that are not safe object-key segments and folders nested too
deep are **errors**: lint reports them and a publish plan refuses them, with the same message. Dot-files and
dot-folders (``.studio/`` history, ``.DS_Store``, editor leftovers) are simply never published.

The name rule is exactly the backend's release-grant rule (``backend/api/routes/grants.py``): every segment
under ``assets/`` matches :data:`SEGMENT` and there are at most :data:`MAX_ASSET_DEPTH` of them, so a
lint-clean theme is always grantable.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from studio.core.diagnostics import Diagnostic, Severity
from studio.core.limits import READ_FLAGS, file_kind

CSS_NAME = "theme.css"
ASSETS_NAME = "assets"
#: One path segment under ``assets/``, as the backend's grant route accepts it.
SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: Segments below ``assets/`` (``assets/a/b/c/d/e.png`` has five).
MAX_ASSET_DEPTH = 5

LINK = "theme-files/symlink"
SPECIAL = "theme-files/special-file"
NAME = "theme-files/asset-name"
DEPTH = "theme-files/too-deep"
UNREADABLE = "theme-files/unreadable"
MISSING = "theme-files/missing"


@dataclass(frozen=True)
class FileProblem:
    """Why one path of the theme folder blocks publishing.

    Attributes:
        path: the path relative to the theme folder, POSIX style (``assets/fonts/x.woff2``).
        rule: a stable rule id (``theme-files/symlink`` ...).
        message: one sentence for the user: what is wrong and what to do.
    """

    path: str
    rule: str
    message: str

    def diagnostic(self) -> Diagnostic:
        """As a lint error of the folder (line 0: it is about a file, not a place in the stylesheet)."""
        return Diagnostic(0, 0, Severity.ERROR, self.rule, self.message)


@dataclass(frozen=True)
class ThemeFiles:
    """The result of :func:`scan_theme_files`.

    Attributes:
        files: what a release carries, as POSIX paths relative to the theme folder: the assets sorted, then
            ``theme.css`` last (when it is a plain file).
        problems: everything that blocks publishing, in walk order; empty when the folder is clean.
    """

    files: tuple[str, ...]
    problems: tuple[FileProblem, ...]

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(problem.diagnostic() for problem in self.problems)


def _shown(relative: str) -> str:
    """A path for a message: quoted with escapes when it holds anything unprintable (a newline, say)."""
    return relative if relative.isprintable() and " " not in relative else repr(relative)


def _link_problem(root: Path, path: Path, relative: str, what: str) -> FileProblem:
    try:
        target = path.resolve(strict=False)
        outside = not target.is_relative_to(root)
        where = f" to {target}" if outside else ""
    except (OSError, RuntimeError):  # a link loop
        outside, where = True, ""
    reason = "outside the theme folder" if outside else "links are never published"
    return FileProblem(
        relative,
        LINK,
        f"{_shown(relative)} is a symbolic link{where} ({reason}); a theme's {what} must be real files "
        "inside the theme folder: replace the link with a copy of the file, or remove it.",
    )


def _unreadable(relative: str, exc: OSError) -> FileProblem:
    return FileProblem(
        relative,
        UNREADABLE,
        f"{_shown(relative)} cannot be read ({exc.strerror or exc}): check its permissions.",
    )


def _special_problem(relative: str, kind: str) -> FileProblem:
    return FileProblem(
        relative,
        SPECIAL,
        f"{_shown(relative)} is {kind}, not a file; only plain files are published: remove it from the theme "
        "folder.",
    )


def _check_css(root: Path) -> FileProblem | None:
    path = root / CSS_NAME
    try:
        info = path.lstat()
    except FileNotFoundError:
        return FileProblem(CSS_NAME, MISSING, f"{CSS_NAME} is missing from the theme folder {root}.")
    except OSError as exc:
        return _unreadable(CSS_NAME, exc)
    if stat.S_ISLNK(info.st_mode):
        return _link_problem(root, path, CSS_NAME, "stylesheet")
    kind = file_kind(info.st_mode)
    return _special_problem(CSS_NAME, kind) if kind else None


def _name_problem(relative: str, name: str, is_dir: bool) -> FileProblem | None:
    if SEGMENT.match(name):
        return None
    what = "folder" if is_dir else "file"
    return FileProblem(
        relative,
        NAME,
        f"The asset {what} {relative!r} cannot be published: a name must start with a letter or digit and "
        "use only letters, digits, '.', '_' and '-' (at most 100 characters, no spaces); rename it.",
    )


def scan_theme_files(root: Path) -> ThemeFiles:
    """List a theme folder's publishable files and everything that blocks publishing, without following links.

    Args:
        root: the theme folder (resolved here, so the folder itself may be reached through a link).
    """
    root = Path(root).resolve()
    problems: list[FileProblem] = []
    assets: list[str] = []
    assets_path = root / ASSETS_NAME
    try:
        info = assets_path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        problems.append(_unreadable(ASSETS_NAME, exc))
        info = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            problems.append(_link_problem(root, assets_path, ASSETS_NAME, "assets folder and its files"))
        elif not stat.S_ISDIR(info.st_mode):
            problems.append(
                FileProblem(
                    ASSETS_NAME,
                    SPECIAL,
                    f"{ASSETS_NAME} is not a folder; a theme's assets go in a folder named {ASSETS_NAME}: "
                    "rename or remove it.",
                )
            )
        else:
            _walk_assets(root, assets_path, (), assets, problems)
    css_problem = _check_css(root)
    if css_problem is not None:
        problems.append(css_problem)
    files = (*sorted(assets), CSS_NAME) if css_problem is None else tuple(sorted(assets))
    return ThemeFiles(files, tuple(problems))


def _walk_assets(
    root: Path, folder: Path, parts: tuple[str, ...], found: list[str], problems: list[FileProblem]
) -> None:
    relative_folder = "/".join((ASSETS_NAME, *parts))
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        problems.append(_unreadable(relative_folder, exc))
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue  # history, editor and OS leftovers: never published, never a problem
        relative = f"{relative_folder}/{name}"
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            problems.append(_unreadable(relative, exc))
            continue
        if stat.S_ISLNK(mode):
            problems.append(_link_problem(root, Path(entry.path), relative, "assets"))
            continue
        is_dir = stat.S_ISDIR(mode)
        if not is_dir and not stat.S_ISREG(mode):
            problems.append(_special_problem(relative, file_kind(mode) or "not a regular file"))
            continue
        named = _name_problem(relative, name, is_dir)
        if named is not None:
            problems.append(named)
            continue
        depth = len(parts) + 1
        if is_dir:
            if depth >= MAX_ASSET_DEPTH:
                if _has_visible_entries(Path(entry.path)):
                    problems.append(
                        FileProblem(
                            relative,
                            DEPTH,
                            f"{relative} nests assets more than {MAX_ASSET_DEPTH} folders deep below "
                            f"{ASSETS_NAME}/; move its files up.",
                        )
                    )
                continue
            _walk_assets(root, Path(entry.path), (*parts, name), found, problems)
        else:
            found.append(relative)


def _has_visible_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as listing:
            return any(not entry.name.startswith(".") for entry in listing)
    except OSError:
        return True


def open_regular_no_follow(path: Path) -> int:
    """Open a planned file for reading, refusing a symlink or special file swapped in after the scan.

    Returns:
        A file descriptor (the caller closes it).

    Raises:
        OSError: a link (``ELOOP``), not a regular file, or unreadable.
    """
    fd = os.open(path, READ_FLAGS | getattr(os, "O_NOFOLLOW", 0))
    kind = file_kind(os.fstat(fd).st_mode)
    if kind is not None:
        os.close(fd)
        raise OSError(f"{path} is {kind}, not a file")
    return fd
