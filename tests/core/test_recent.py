"""The recent-themes list."""

from __future__ import annotations

import json
from pathlib import Path

from studio.core.paths import user_config_dir
from studio.core.recent import MAX_RECENT, RecentThemes


def _folders(tmp_path: Path, count: int) -> list[Path]:
    result = []
    for i in range(count):
        folder = tmp_path / f"theme{i}"
        folder.mkdir()
        result.append(folder.resolve())
    return result


def test_most_recent_first_without_duplicates(tmp_path: Path) -> None:
    a, b, c = _folders(tmp_path, 3)
    recent = RecentThemes(tmp_path / "recent.json")
    for folder in (a, b, c, a):
        recent.add(folder)
    assert recent.list() == [a, c, b]
    assert RecentThemes(tmp_path / "recent.json").list() == [a, c, b]  # persisted


def test_at_most_ten(tmp_path: Path) -> None:
    folders = _folders(tmp_path, MAX_RECENT + 3)
    recent = RecentThemes(tmp_path / "recent.json")
    for folder in folders:
        recent.add(folder)
    assert MAX_RECENT == 10
    assert recent.list() == folders[::-1][:MAX_RECENT]


def test_remove_and_vanished_folders(tmp_path: Path) -> None:
    a, b, c = _folders(tmp_path, 3)
    recent = RecentThemes(tmp_path / "recent.json")
    for folder in (a, b, c):
        recent.add(folder)
    recent.remove(b)
    recent.remove(tmp_path / "never-added")
    assert recent.list() == [c, a]
    c.rmdir()
    assert recent.list() == [a]
    recent.add(a)
    assert json.loads((tmp_path / "recent.json").read_text()) == {"recent": [str(a)]}


def test_paths_are_normalised(tmp_path: Path) -> None:
    (a,) = _folders(tmp_path, 1)
    recent = RecentThemes(tmp_path / "recent.json")
    recent.add(tmp_path / "theme0" / ".." / "theme0")
    recent.add(a)
    assert recent.list() == [a]


def test_damaged_file_starts_fresh(tmp_path: Path) -> None:
    (a,) = _folders(tmp_path, 1)
    path = tmp_path / "recent.json"
    path.write_text("[[[ not json")
    recent = RecentThemes(path)
    assert recent.list() == []
    recent.add(a)
    assert recent.list() == [a]


def test_default_location_is_the_user_config_dir(tmp_path: Path) -> None:
    (a,) = _folders(tmp_path, 1)
    recent = RecentThemes()
    assert recent.path == user_config_dir() / "recent.json"
    recent.add(a)  # creates the config folder on first use
    assert recent.path.is_file()
    recent.remove(a)
