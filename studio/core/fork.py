"""Start a new theme from a published release: a new folder with the release's exact bytes and a new identity.

The folder gets ``theme.css`` and ``assets/...`` byte for byte as released (nothing re-encoded), and a fresh
``theme.toml``: a new theme id (publishing it never touches the original), version 0.1.0, the original's
name, description and tags, and ``forked_from = "<id>@<version>"``. It is written into a hidden sibling
folder first and renamed into place, so a failure never leaves a half-made theme under the target name.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from studio.core.atomic import StorageError
from studio.core.manifest import (
    MANIFEST_FILE,
    MAX_NAME_LENGTH,
    MAX_TAGS,
    Manifest,
    fork_reference,
)
from studio.core.release_assets import safe_asset_path

CSS_FILE = "theme.css"
START_VERSION = "0.1.0"
_TAG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class ForkError(ValueError):
    """The release cannot become a theme folder here; ``str()`` says why (nothing was written).

    ``target`` is True when the folder is the problem (it exists and is not empty), not the release.
    """

    def __init__(self, message: str, *, target: bool = False) -> None:
        super().__init__(message)
        self.target = target


@dataclass(frozen=True)
class ForkSource:
    """What the new theme takes from the released one."""

    theme_id: str
    version: str
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()


def fork_manifest(source: ForkSource, *, name: str | None = None, author: str = "") -> Manifest:
    """A new theme's manifest: new id, version 0.1.0, ``forked_from`` the source release."""
    base = (name or source.name).strip() or "Untitled"
    tags = [t for t in source.tags if t and len(t) <= 32 and set(t) <= _TAG_CHARS][:MAX_TAGS]
    return Manifest(
        id=str(uuid.uuid4()),
        name=base[:MAX_NAME_LENGTH],
        description=source.description,
        author=author,
        tags=list(dict.fromkeys(tags)),
        version=START_VERSION,
        forked_from=fork_reference(source.theme_id, source.version),
    )


def check_release_paths(paths: list[str]) -> None:
    """Every path must be ``theme.css`` or a safe ``assets/...`` path, and ``theme.css`` must be there.

    Raises:
        ForkError: a path that could escape the folder or that the studio would not publish.
    """
    if CSS_FILE not in paths:
        raise ForkError("the release has no theme.css")
    for path in paths:
        if path != CSS_FILE and not safe_asset_path(path):
            raise ForkError(f"the release holds {path[:200]!r}, which is not a theme file the studio accepts")
    if len(set(paths)) != len(paths):
        raise ForkError("the release lists a file twice")


def write_fork(target: Path, files: Mapping[str, bytes], manifest: Manifest) -> Path:
    """Create the theme folder ``target`` with ``files`` (path → exact bytes) and ``manifest``.

    ``target`` must not exist, or be an empty folder. Returns the folder.

    Raises:
        ForkError: bad paths, an invalid manifest, or a target that exists and is not empty.
        StorageError: the disk refused (nothing is left under ``target``).
    """
    check_release_paths(list(files))
    problems = manifest.validate()
    if problems:
        raise ForkError("the new theme.toml would be invalid: " + "; ".join(problems.values()))
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ForkError(
            f"{target} already exists and is not an empty folder; choose another folder", target=True
        )
    parent = target.parent
    staging = parent / f".{target.name}.fork-{uuid.uuid4().hex[:8]}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        for path, data in files.items():
            dest = staging.joinpath(*path.split("/"))
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "xb") as out:  # noqa: PTH123 - exclusive create: never through a link
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        (staging / MANIFEST_FILE).write_text(manifest.to_toml(), encoding="utf-8")
        if target.exists():
            target.rmdir()  # the empty folder the user chose
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError(target, exc, existed=False) from exc
    return target
