"""Size and nesting limits of every file the studio reads: a clear error naming the file and the limit."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from studio.core.history import History, HistoryError
from studio.core.limits import (
    MAX_CSS_BYTES,
    MAX_NESTING,
    InputLimitError,
    InputTooDeepError,
    InputTooLargeError,
    data_depth,
    load_json,
    load_toml,
    nesting_depth,
    read_json,
    read_limited,
)
from studio.core.manifest import ManifestError, load_manifest
from studio.core.profiles import ProfileError, ProfileStore
from studio.core.recent import RecentThemes
from studio.core.starters import create_theme
from studio.core.theme import Theme, ThemeError

DEEP = 5000


def deep_toml(depth: int = DEEP) -> str:
    return 'id = "x"\nname = "n"\nx = ' + "[" * depth + "]" * depth + "\n"


def test_read_limited_reads_within_and_refuses_beyond(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, 100, "a file") == b"x" * 100
    with pytest.raises(InputTooLargeError) as caught:
        read_limited(path, 99, "a test file")
    assert caught.value.size == 100
    assert str(path) in str(caught.value)
    assert "a test file may be at most 99 bytes" in str(caught.value)


def test_read_limited_refuses_a_named_pipe_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(InputLimitError, match="named pipe"):
        read_limited(pipe, 100, "theme.toml")
    with pytest.raises(InputLimitError, match="is a folder"):
        read_limited(tmp_path, 100, "theme.toml")


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('a = [[1], {b = "[[[["}]', 2),
        ("a = '[[[[' # [[[[\nb = [1]", 1),
        ('a = """\n[[[[\\""" ]]]]"""\nb = {c = [2]}', 2),
        ("a = '''[[[[''''\nb = []", 1),
        ("[table]\n[[array.of.tables]]\nx = 1", 2),
    ],
)
def test_toml_nesting_ignores_strings_and_comments(text: str, depth: int) -> None:
    tomllib.loads(text)  # the cases are valid TOML
    assert nesting_depth(text)[0] == depth


def test_nesting_counting_stops_past_the_limit() -> None:
    assert nesting_depth("x = " + "[" * 100, limit=10) == (11, 1)


def test_json_depth_counts_containers_not_strings() -> None:
    assert data_depth(load_json('{"a": "[[[\\"[[", "b": [[1]]}', "x.json")) == 3
    assert data_depth([[[]], {"a": {"b": 1}}]) == 3
    with pytest.raises(InputTooDeepError):
        load_json("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), "x.json")


def test_deep_toml_and_json_are_refused_before_parsing(tmp_path: Path) -> None:
    with pytest.raises(InputTooDeepError) as caught:
        load_toml(deep_toml(), tmp_path / "x.toml")
    assert f"more than {MAX_NESTING} levels" in str(caught.value)
    assert caught.value.line == 3
    with pytest.raises(InputTooDeepError):
        load_json("[" * DEEP + "]" * DEEP, "x.json")
    ok = "[" * MAX_NESTING + "]" * MAX_NESTING
    assert load_json(ok, "x.json") is not None


def test_a_5000_deep_manifest_is_a_clear_manifest_error(tmp_path: Path) -> None:
    path = tmp_path / "theme.toml"
    path.write_text(deep_toml(), encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert "levels deep" in caught.value.message
    assert caught.value.line == 3


def test_an_oversized_manifest_is_a_clear_manifest_error(tmp_path: Path) -> None:
    path = tmp_path / "theme.toml"
    path.write_text('id = "x"\nname = "n"\n' + "# padding\n" * 40_000, encoding="utf-8")
    with pytest.raises(ManifestError, match=r"theme\.toml may be at most 256 KiB"):
        load_manifest(path)


def test_theme_open_and_read_css_report_limits(tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "t", "light", "Limits")
    theme.manifest_path.write_text(deep_toml(), encoding="utf-8")
    with pytest.raises(ThemeError, match="levels deep"):
        Theme.open(theme.root)
    theme.css_path.write_bytes(b"a" * (MAX_CSS_BYTES + 1))
    with pytest.raises(ThemeError, match=r"may be at most 5\.0 MiB"):
        theme.read_css()


def test_profiles_file_limits(tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    path.write_text("[profiles.a]\nx = " + "{y = " * DEEP + "1" + "}" * DEEP + "\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="levels deep"):
        ProfileStore(path).load()
    path.write_bytes(b"#" * (2 * 1024 * 1024))
    with pytest.raises(ProfileError, match=r"the profiles file may be at most 1\.0 MiB"):
        ProfileStore(path).load()


def test_history_files_limits(tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "t", "light", "History")
    css = theme.read_css()
    theme.create_version(css, version="1.0.0", changes="first")
    history = History(theme.root)
    folder = history.versions_dir / "1.0.0"
    (folder / "assets.json").write_text("[" * DEEP + "]" * DEEP)
    with pytest.raises(HistoryError, match="levels deep"):
        history.version_assets("1.0.0")
    (folder / "theme.css").write_bytes(b"a" * (MAX_CSS_BYTES + 1))
    with pytest.raises(HistoryError, match="may be at most"):
        history.read_version("1.0.0")
    # A hostile journal is not offered (and nothing crashes); a damaged version record is skipped.
    history.autosave_path.write_text('{"css": ' + "[" * DEEP + "]" * DEEP + "}")
    assert history.pending_autosave() is None
    (folder / "version.json").write_text("{" * DEEP)
    assert [v.version for v in history.versions()] == []


def test_recent_list_too_deep_starts_fresh(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_text('{"recent": ' + "[" * DEEP + "]" * DEEP + "}")
    assert RecentThemes(path).list() == []


def test_read_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"a": [1, {"b": 2}]}))
    assert read_json(path) == {"a": [1, {"b": 2}]}
