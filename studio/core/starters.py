"""Starter themes bundled under ``resources/themes``, and creating a new theme from one."""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from studio.core.atomic import StorageError
from studio.core.history import STUDIO_DIR
from studio.core.manifest import MAX_NAME_LENGTH, ManifestError, load_manifest, save_manifest
from studio.core.paths import resources_dir
from studio.core.theme import MANIFEST_NAME, Theme, ThemeError

NEW_THEME_VERSION = "0.1.0"
# The bundled starters in the order a picker should offer them; any others follow by name.
PREFERRED_ORDER = ("light", "dark", "high-contrast")
_NOT_COPIED = frozenset({STUDIO_DIR, "__pycache__"})
STARTER_TAG = "starter"  # marks the bundled themes; a theme made from one is no longer a starter


@dataclass(frozen=True)
class Starter:
    """A bundled theme to start from.

    Attributes:
        name: folder name, the stable key (e.g. ``"light"``).
        title: human name from the starter's manifest.
        description: the starter's manifest description.
        path: the starter's folder.
    """

    name: str
    title: str
    description: str
    path: Path


def starters_dir() -> Path:
    """Where bundled starter themes live."""
    return resources_dir() / "themes"


def list_starters(root: Path | None = None) -> list[Starter]:
    """Every folder under ``root`` (default :func:`starters_dir`) with a readable ``theme.toml``.

    Light, dark and high-contrast come first (see :data:`PREFERRED_ORDER`), the rest by folder name.
    """
    root = starters_dir() if root is None else Path(root)
    found: list[Starter] = []
    try:
        folders = sorted((p for p in root.iterdir() if p.is_dir()), key=_order_key)
    except OSError:
        return found
    for folder in folders:
        try:
            manifest = load_manifest(folder / MANIFEST_NAME)
        except (OSError, ManifestError):
            continue  # not a starter (or a broken one): leave it out rather than break the dialog
        found.append(Starter(folder.name, manifest.name, manifest.description, folder))
    return found


def create_theme(dest: Path, starter: str, name: str, *, root: Path | None = None) -> Theme:
    """Create a new theme in ``dest`` from the starter named ``starter``.

    The starter's files are copied (not its ``.studio`` history); the manifest gets a new id, ``name``,
    version 0.1.0, no author and no ``starter`` tag. ``dest`` may exist only if it is empty.

    Raises:
        ThemeError: ``dest`` is not empty or is a file, the starter is unknown, or ``name`` is invalid.
        StorageError: copying failed; whatever was copied is removed again.
    """
    dest = Path(dest).expanduser().resolve()
    clean_name = name.strip()
    if not clean_name or len(clean_name) > MAX_NAME_LENGTH:
        raise ThemeError(f"A theme name needs 1 to {MAX_NAME_LENGTH} characters.")
    starters = {s.name: s for s in list_starters(root)}
    if starter not in starters:
        available = ", ".join(sorted(starters)) or "none are installed"
        raise ThemeError(f"There is no starter theme called {starter!r} (available: {available}).")
    existed = dest.exists()
    if existed and not dest.is_dir():
        raise ThemeError(f"Cannot create a theme at {dest}: it is a file, not a folder.")
    if existed and any(dest.iterdir()):
        raise ThemeError(
            f"Cannot create a theme in {dest}: the folder is not empty. Choose an empty or new folder."
        )
    source = starters[starter].path
    try:
        _copy_tree(source, dest)
        manifest = dataclasses.replace(
            load_manifest(source / MANIFEST_NAME),
            id=str(uuid.uuid4()),
            name=clean_name,
            version=NEW_THEME_VERSION,
            author="",
            author_url="",
        )
        manifest.tags = [tag for tag in manifest.tags if tag != STARTER_TAG]
        save_manifest(dest / MANIFEST_NAME, manifest)
        return Theme.open(dest)
    except StorageError:
        _undo_copy(dest, existed)
        raise
    except OSError as exc:
        _undo_copy(dest, existed)
        raise StorageError(Path(exc.filename or dest), exc, existed=False) from exc
    except BaseException:
        _undo_copy(dest, existed)
        raise


def _copy_tree(source: Path, dest: Path) -> None:
    """Copy the starter's files, leaving out its local history; errors keep their errno for the message."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name in _NOT_COPIED:
            continue
        target = dest / entry.name
        if entry.is_dir() and not entry.is_symlink():
            _copy_tree(entry, target)
        else:
            shutil.copy2(entry, target)


def _order_key(folder: Path) -> tuple[int, str]:
    name = folder.name
    return (PREFERRED_ORDER.index(name) if name in PREFERRED_ORDER else len(PREFERRED_ORDER), name)


def _undo_copy(dest: Path, keep_folder: bool) -> None:
    if not keep_folder:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for entry in dest.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
