"""A release's documentation: ``README.md`` and ``docs/``, published under
``themes-documentation/<id>/<version>/`` beside the release and as immutable as it.

One policy for the studio (it plans only these files), the service's grants and its verification of a release
(they refuse anything else): Markdown (``.md``, UTF-8, at most :data:`MAX_MARKDOWN_BYTES` each) and the
raster and SVG images an asset may be (checked the same way: the first bytes must say the same type as the
extension, an SVG must pass :func:`~studio.core.release_assets.svg_problems`). No HTML, no script, no other
text: a documentation page is rendered by the reader (Markdown to HTML, remote loads blocked), never served
as a page from the CDN's origin. Images carry ``Content-Disposition: attachment`` like assets do.

Why versioned and immutable, where DESIGN's table first said "short" for documentation: a README describes
one release (its tokens, its class names); a reader looking at 1.2.0 must see 1.2.0's documentation, and an
author fixing the docs publishes a new version like for any other change. ``Cache-Control`` is the release's.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from studio.core.release_assets import ASSET_CONTENT_TYPES, SVG_TYPE, sniff_matches, svg_problems
from studio.core.theme_files import MAX_ASSET_DEPTH, SEGMENT, FileProblem

DOCS_PREFIX = "themes-documentation"
README_NAME = "README.md"
DOCS_DIR = "docs"
MARKDOWN_TYPE = "text/markdown; charset=utf-8"
#: One Markdown file: a long README is ~50 KB.
MAX_MARKDOWN_BYTES = 512 * 1024
#: One image in docs/.
MAX_DOC_IMAGE_BYTES = 2 * 1024 * 1024
#: Files in README.md + docs/, and their total size.
MAX_DOC_FILES = 100
MAX_DOCS_BYTES = 10 * 1024 * 1024
#: Images docs/ may hold (fonts belong in assets/).
DOC_IMAGE_TYPES: dict[str, str] = {
    ext: kind for ext, kind in ASSET_CONTENT_TYPES.items() if kind.startswith("image/")
}
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})

DOCS_RULE = "theme-files/docs"


def docs_prefix(theme_id: str, version: str) -> str:
    """``themes-documentation/<id>/<version>/``."""
    return f"{DOCS_PREFIX}/{theme_id}/{version}/"


def readme_key(theme_id: str, version: str) -> str:
    """``themes-documentation/<id>/<version>/README.md``."""
    return docs_prefix(theme_id, version) + README_NAME


def safe_doc_path(path: str) -> bool:
    """``README.md`` or ``docs/<name>`` by the asset name rule (at most MAX_ASSET_DEPTH segments)."""
    if path == README_NAME:
        return True
    parts = path.split("/")
    return (
        parts[0] == DOCS_DIR
        and 1 <= len(parts) - 1 <= MAX_ASSET_DEPTH
        and all(SEGMENT.match(p) for p in parts[1:])
    )


def doc_content_type(path: str) -> str | None:
    """The one Content-Type a documentation file is stored with; None when it may not be published."""
    if not safe_doc_path(path):
        return None
    suffix = PurePosixPath(path).suffix.lower()
    if suffix == ".md":
        return MARKDOWN_TYPE
    if path == README_NAME:
        return None
    return DOC_IMAGE_TYPES.get(suffix)


def doc_size_cap(content_type: str) -> int:
    """The largest file of ``content_type`` documentation may hold."""
    return MAX_MARKDOWN_BYTES if content_type == MARKDOWN_TYPE else MAX_DOC_IMAGE_BYTES


def doc_disposition(content_type: str) -> str:
    """Images download when navigated to (as assets do); Markdown is text, which browsers never render."""
    return "" if content_type == MARKDOWN_TYPE else "attachment"


def refusal(path: str) -> str:
    """Why ``path`` may not be documentation (for a path :func:`doc_content_type` refuses)."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return f"{path[:100]} is an HTML file; documentation is Markdown (.md) and images, never HTML."
    if not safe_doc_path(path):
        return (
            f"{path[:100]!r} cannot be published as documentation: README.md, or docs/ names of letters, "
            "digits, '.', '_' and '-' (at most 5 levels)."
        )
    kinds = ", ".join(sorted(ext.lstrip(".") for ext in DOC_IMAGE_TYPES))
    return f"{path[:100]} may not be published: docs/ holds Markdown (.md) and images ({kinds})."


def content_problems(content_type: str, data: bytes) -> list[str]:
    """What is wrong with a documentation file's bytes (empty when nothing): size, UTF-8 Markdown without NUL
    characters, an image whose first bytes agree with its type, an SVG without script or remote loads."""
    cap = doc_size_cap(content_type)
    if len(data) > cap:
        return [f"is {len(data)} bytes, more than the {cap} a documentation file may hold"]
    if content_type == MARKDOWN_TYPE:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return [f"is not UTF-8 text (byte {exc.start} is not valid UTF-8)"]
        return ["holds NUL characters: it is not a text file"] if "\x00" in text else []
    if content_type == SVG_TYPE:
        return [f"is unsafe: {problem}" for problem in svg_problems(data)]
    if not sniff_matches(content_type, data[:64]):
        return [f"does not hold {content_type} data (its first bytes say otherwise)"]
    return []


@dataclass(frozen=True)
class DocFiles:
    """The documentation of a theme folder: ``README.md`` first, then ``docs/`` files sorted; the problems."""

    files: tuple[str, ...]
    problems: tuple[FileProblem, ...]


def scan_doc_files(root: Path) -> DocFiles:
    """List ``README.md`` and the files under ``docs/``, never through a link; dot-files are skipped.

    Links, special files, unsafe names and files of a type documentation may not hold are problems (they
    block publishing, with a sentence that says what to do); a folder without either has no documentation.
    """
    root = Path(root).resolve()
    files: list[str] = []
    problems: list[FileProblem] = []
    readme = root / README_NAME
    try:
        info = readme.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        problems.append(
            FileProblem(README_NAME, DOCS_RULE, f"{README_NAME} cannot be read ({exc.strerror}).")
        )
        info = None
    if info is not None:
        if stat.S_ISREG(info.st_mode):
            files.append(README_NAME)
        else:
            problems.append(
                FileProblem(
                    README_NAME, DOCS_RULE, f"{README_NAME} must be a plain file, not a link or folder."
                )
            )
    found: list[str] = []
    _walk(root / DOCS_DIR, DOCS_DIR, 0, found, problems)
    files.extend(sorted(found))
    if len(files) > MAX_DOC_FILES:
        problems.append(
            FileProblem(
                DOCS_DIR,
                DOCS_RULE,
                f"The documentation has {len(files)} files; a release carries at most {MAX_DOC_FILES}.",
            )
        )
    return DocFiles(tuple(files), tuple(problems))


def _walk(folder: Path, relative: str, depth: int, found: list[str], problems: list[FileProblem]) -> None:
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        problems.append(FileProblem(relative, DOCS_RULE, f"{relative} cannot be read ({exc.strerror})."))
        return
    if not stat.S_ISDIR(info.st_mode):
        problems.append(
            FileProblem(
                relative, DOCS_RULE, f"{relative} must be a plain folder (links are never published)."
            )
        )
        return
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        problems.append(FileProblem(relative, DOCS_RULE, f"{relative} cannot be read ({exc.strerror})."))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = f"{relative}/{entry.name}"
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            if depth + 1 < MAX_ASSET_DEPTH and SEGMENT.match(entry.name):
                _walk(Path(entry.path), path, depth + 1, found, problems)
            else:
                problems.append(FileProblem(path, DOCS_RULE, refusal(path)))
        elif not stat.S_ISREG(mode):
            problems.append(
                FileProblem(
                    path, DOCS_RULE, f"{path} is a link or special file; documentation is plain files."
                )
            )
        elif doc_content_type(path) is None:
            problems.append(FileProblem(path, DOCS_RULE, refusal(path)))
        else:
            found.append(path)
