"""Reading the sides of a comparison from local paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.visual.sides import SideError, is_remote_spec, local_side


def test_folder_and_file(tmp_path: Path) -> None:
    folder = tmp_path / "aurora"
    folder.mkdir()
    (folder / "theme.css").write_text(":root { --x: 1px; }", encoding="utf-8")
    side = local_side(folder)
    assert (side.label, side.css, side.base_dir) == ("aurora", ":root { --x: 1px; }", folder)
    single = local_side(folder / "theme.css")
    assert single.base_dir == folder
    assert single.label == "theme.css"


def test_bad_paths_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(SideError, match=r"theme\.css is missing"):
        local_side(tmp_path)
    with pytest.raises(SideError, match="no such file"):
        local_side(tmp_path / "nope")
    (tmp_path / "bin.css").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SideError, match=r"bin\.css"):
        local_side(tmp_path / "bin.css")


def test_remote_specs(tmp_path: Path) -> None:
    assert is_remote_spec("7d8e2f0a-1111-4222-8333-944455556666@1.2.0")
    assert is_remote_spec("draft:42")
    assert not is_remote_spec(str(tmp_path))
    assert not is_remote_spec("theme.css")
