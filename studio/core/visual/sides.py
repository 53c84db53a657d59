"""The two sides of a comparison: a stylesheet, where its relative ``url()`` resolve, and a label.

Local sides (a theme folder or a CSS file) are read here; remote ones (``ID@VERSION``, ``draft:ID``) are
fetched by :mod:`studio.adapters.compare_sources` through a profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.limits import MAX_CSS_BYTES, read_text_limited

#: ``<theme id>@<version>``: a release through a profile (the id is a UUID, the version semver-like).
RELEASE_SPEC = re.compile(r"^(?P<id>[0-9A-Fa-f-]{8,64})@(?P<version>[0-9A-Za-z.+-]+)$")
#: ``draft:<draft id>``: a draft in review through a profile.
DRAFT_SPEC = re.compile(r"^draft:(?P<id>\S+)$")


class SideError(Exception):
    """A side cannot be read; ``str()`` says which and why."""


@dataclass(frozen=True)
class CompareSide:
    """One stylesheet to render.

    Attributes:
        base_dir: the theme folder its relative ``url()`` point into (``None``: no assets, e.g. a release
            read from the bucket; its ``url()`` then show nothing, the same on both sides).
    """

    label: str
    css: str = field(repr=False)
    base_dir: Path | None = None


def is_remote_spec(spec: str) -> bool:
    """Whether ``spec`` names a release or draft (needs a profile) rather than a local path."""
    if Path(spec).exists():
        return False
    return bool(RELEASE_SPEC.match(spec) or DRAFT_SPEC.match(spec))


def local_side(path: Path) -> CompareSide:
    """A theme folder (its ``theme.css``) or a CSS file.

    Raises:
        SideError: missing, not a theme folder, unreadable, too large or not UTF-8.
    """
    if path.is_dir():
        css_path, base = path / "theme.css", path
        if not css_path.is_file():
            raise SideError(f"{path} is not a theme folder: theme.css is missing")
        label = path.resolve().name
    elif path.is_file():
        css_path, base, label = path, path.parent, path.name
    else:
        raise SideError(f"{path}: no such file or folder")
    try:
        css = read_text_limited(css_path, MAX_CSS_BYTES, "the stylesheet")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SideError(f"{css_path}: {exc}") from None
    return CompareSide(label, css, base)
