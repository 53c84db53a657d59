"""Starter themes: listing them and creating a new theme from one."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from studio.core.atomic import StorageError
from studio.core.manifest import Manifest, load_manifest, save_manifest
from studio.core.starters import Starter, create_theme, list_starters
from studio.core.theme import Theme, ThemeError
from tests.core.test_atomic import mounted_tmpfs

STARTER_CSS = ":root {\n  --brand: #0af;\n}\n"


def _make_starter(root: Path, name: str, title: str) -> Path:
    folder = root / name
    (folder / "assets" / "fonts").mkdir(parents=True)
    (folder / "assets" / "fonts" / "inter.woff2").write_bytes(b"\x00\x01font")
    (folder / "theme.css").write_text(STARTER_CSS)
    manifest = Manifest(
        id=str(uuid.uuid4()),
        name=title,
        description=f"{title} starter",
        author="ThemeSystem",
        author_url="https://themesystem.example",
        tags=["starter", name],
        version="1.0.0",
    )
    save_manifest(folder / "theme.toml", manifest)
    (folder / ".studio" / "drafts").mkdir(parents=True)  # starter's own history must not be copied
    return folder


@pytest.fixture
def starters_root(tmp_path: Path) -> Path:
    root = tmp_path / "themes"
    root.mkdir()
    _make_starter(root, "zebra", "Zebra")
    _make_starter(root, "dark", "Dark")
    _make_starter(root, "light", "Light")
    (root / "not-a-theme").mkdir()
    (root / "broken").mkdir()
    (root / "broken" / "theme.toml").write_text("id = ")
    (root / "README.txt").write_text("stray file")
    return root


def test_list_starters_offers_valid_folders_in_preferred_order(starters_root: Path) -> None:
    starters = list_starters(starters_root)
    assert [s.name for s in starters] == ["light", "dark", "zebra"]
    assert starters[0] == Starter("light", "Light", "Light starter", starters_root / "light")


def test_missing_root_lists_nothing(tmp_path: Path) -> None:
    assert list_starters(tmp_path / "absent") == []


def test_create_theme_copies_files_with_a_new_identity(tmp_path: Path, starters_root: Path) -> None:
    dest = tmp_path / "mine" / "aurora"
    theme = create_theme(dest, "dark", "  Aurora ", root=starters_root)
    assert isinstance(theme, Theme)
    assert theme.root == dest.resolve()
    assert theme.read_css() == STARTER_CSS
    assert (dest / "assets" / "fonts" / "inter.woff2").read_bytes() == b"\x00\x01font"
    assert not (dest / ".studio").exists()
    manifest = load_manifest(dest / "theme.toml")
    starter_manifest = load_manifest(starters_root / "dark" / "theme.toml")
    assert manifest.id != starter_manifest.id
    assert str(uuid.UUID(manifest.id)) == manifest.id
    assert (manifest.name, manifest.version) == ("Aurora", "0.1.0")
    assert (manifest.author, manifest.author_url) == ("", "")
    assert manifest.tags == ["dark"]
    assert manifest.validate() == {}
    assert theme.manifest == manifest
    second = create_theme(tmp_path / "other", "dark", "Aurora", root=starters_root)
    assert second.manifest.id != manifest.id


def test_create_theme_into_an_existing_empty_folder(tmp_path: Path, starters_root: Path) -> None:
    dest = tmp_path / "empty"
    dest.mkdir()
    assert create_theme(dest, "light", "Mine", root=starters_root).manifest.name == "Mine"


def test_create_theme_refuses_a_non_empty_folder(tmp_path: Path, starters_root: Path) -> None:
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")
    with pytest.raises(ThemeError) as info:
        create_theme(dest, "light", "Mine", root=starters_root)
    assert str(info.value) == (
        f"Cannot create a theme in {dest.resolve()}: the folder is not empty. Choose an empty or new folder."
    )
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_create_theme_refuses_unknown_starter_and_bad_names(tmp_path: Path, starters_root: Path) -> None:
    with pytest.raises(ThemeError, match=r"no starter theme called 'neon' \(available: dark, light, zebra\)"):
        create_theme(tmp_path / "x", "neon", "Mine", root=starters_root)
    with pytest.raises(ThemeError, match="needs 1 to 80 characters"):
        create_theme(tmp_path / "x", "light", "  ", root=starters_root)
    (tmp_path / "file").write_text("")
    with pytest.raises(ThemeError, match="it is a file"):
        create_theme(tmp_path / "file", "light", "Mine", root=starters_root)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("dest_exists", [False, True])
def test_full_disk_during_copy_is_reported_and_cleaned_up(
    tmp_path: Path, starters_root: Path, dest_exists: bool
) -> None:
    (starters_root / "dark" / "assets" / "big.png").write_bytes(b"\x89PNG" * 50_000)
    with mounted_tmpfs(tmp_path / "small-disk") as disk:
        dest = disk / "new"
        if dest_exists:
            dest.mkdir()
        with pytest.raises(StorageError, match="the disk is full") as info:
            create_theme(dest, "dark", "Mine", root=starters_root)
        assert dest.exists() is dest_exists
        assert not dest_exists or list(dest.iterdir()) == []
    assert "nothing was written" in str(info.value)


def test_real_bundled_starters() -> None:
    """The app ships light, dark and high-contrast starters, each a valid theme."""
    starters = list_starters()
    assert len(starters) >= 3
    assert [s.name for s in starters][:3] == ["light", "dark", "high-contrast"]
    for starter in starters:
        assert starter.title
        assert (starter.path / "theme.css").is_file()
        assert load_manifest(starter.path / "theme.toml").validate() == {}


def test_create_from_each_real_starter(tmp_path: Path) -> None:
    for starter in list_starters():
        theme = create_theme(tmp_path / starter.name, starter.name, f"My {starter.title}")
        assert theme.read_css() == (starter.path / "theme.css").read_text(encoding="utf-8")
        assert theme.manifest.validate() == {}
        assert "starter" not in theme.manifest.tags
