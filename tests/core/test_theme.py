"""Opening a theme folder, reading and saving its CSS and manifest, and versioning through the theme."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studio.core.history import HistoryError
from studio.core.manifest import Manifest, ManifestError, load_manifest, save_manifest
from studio.core.theme import Theme, ThemeError

CSS = ":root {\r\n  --brand: #0af;\r\n}\r\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "aurora"
    root.mkdir()
    save_manifest(root / "theme.toml", Manifest(id="0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d", name="Aurora"))
    (root / "theme.css").write_bytes(CSS.encode())
    (root / "assets").mkdir()
    return root


def test_open_reads_manifest_and_exact_css(folder: Path) -> None:
    theme = Theme.open(folder)
    assert theme.root == folder.resolve()
    assert theme.manifest.name == "Aurora"
    assert theme.css_path == theme.root / "theme.css"
    assert theme.manifest_path == theme.root / "theme.toml"
    assert theme.assets_dir == theme.root / "assets"
    assert theme.read_css() == CSS  # CRLF survives


def test_open_refuses_non_themes_clearly(tmp_path: Path, folder: Path) -> None:
    with pytest.raises(ThemeError, match="is not a theme folder: the folder does not exist"):
        Theme.open(tmp_path / "nope")
    empty = tmp_path / "foo"
    empty.mkdir()
    with pytest.raises(ThemeError) as info:
        Theme.open(empty)
    assert str(info.value) == f"{empty} is not a theme folder: theme.toml is missing"
    (folder / "theme.css").unlink()
    with pytest.raises(ThemeError, match=r"theme\.css is missing"):
        Theme.open(folder)


def test_open_reports_a_broken_manifest(folder: Path) -> None:
    (folder / "theme.toml").write_text('id = "x"\nname = \n')
    with pytest.raises(ThemeError, match=r"has an unreadable theme\.toml: .*on line 2"):
        Theme.open(folder)


def test_read_css_refuses_non_utf8(folder: Path) -> None:
    (folder / "theme.css").write_bytes(b"a { content: '\xe9'; }")
    with pytest.raises(ThemeError, match="is not UTF-8 text"):
        Theme.open(folder).read_css()


def test_save_writes_records_draft_and_clears_autosave(folder: Path) -> None:
    theme = Theme.open(folder)
    edited = CSS.replace("#0af", "#f0a")
    theme.history.autosave(edited)
    assert theme.history.pending_autosave() == edited
    draft = theme.save(edited)
    assert (folder / "theme.css").read_bytes() == edited.encode()
    assert draft.number == 1
    assert theme.history.read_draft(1) == edited
    assert theme.history.pending_autosave() is None
    assert not theme.history.autosave_path.exists()


def test_save_manifest_validates_then_writes(folder: Path) -> None:
    theme = Theme.open(folder)
    renamed = Manifest(**{**theme.manifest.__dict__, "name": "Borealis"})
    theme.save_manifest(renamed)
    assert theme.manifest.name == "Borealis"
    assert load_manifest(folder / "theme.toml").name == "Borealis"
    bad = Manifest(**{**theme.manifest.__dict__, "tags": ["Not A Slug"]})
    with pytest.raises(ManifestError) as info:
        theme.save_manifest(bad)
    assert info.value.field == "tags"
    assert load_manifest(folder / "theme.toml").name == "Borealis"
    assert theme.manifest.tags == []


def test_create_version_saves_css_and_updates_theme_toml(folder: Path) -> None:
    theme = Theme.open(folder)
    edited = CSS + "body { color: var(--brand); }\r\n"
    record = theme.create_version(edited, bump="minor", changes="Body colour")
    assert record.version == "0.2.0"
    assert theme.manifest.version == "0.2.0"
    assert load_manifest(folder / "theme.toml").version == "0.2.0"
    assert theme.read_css() == edited  # the version matches a saved file
    assert theme.history.read_version("0.2.0") == edited
    assert Theme.open(folder).create_version(edited, bump="patch", changes="Same css").version == "0.2.1"
    with pytest.raises(HistoryError, match="already exists"):
        theme.create_version(edited, version="0.2.1", changes="again")
    assert load_manifest(folder / "theme.toml").version == "0.2.1"


def test_restore_version_writes_theme_css(folder: Path) -> None:
    theme = Theme.open(folder)
    theme.create_version(CSS, version="1.0.0", changes="First")
    theme.save("/* rewritten */\n")
    draft = theme.restore_version("1.0.0")
    assert theme.read_css() == CSS
    assert theme.history.read_draft(draft.number) == CSS


def test_open_clears_temp_files_left_by_a_killed_save(folder: Path) -> None:
    leftover = folder / ".theme.css.deadbeef.tmp"
    leftover.write_text("half a save")
    os.utime(leftover, (0, 0))
    Theme.open(folder)
    assert not leftover.exists()
