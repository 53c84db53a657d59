"""Start from a release: a new folder of the exact bytes, a new identity, ``forked_from``; never half-made."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.atomic import StorageError
from studio.core.fork import ForkError, ForkSource, check_release_paths, fork_manifest, write_fork
from studio.core.manifest import load_manifest

SOURCE_ID = "0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d"
SOURCE = ForkSource(SOURCE_ID, "1.4.0", "Aurora", "Northern lights", ("dark", "Bad Tag", "a11y"))
FILES = {
    "theme.css": b":root{--a:#fff}\r\n/* \xe2\x9c\x93 kept byte for byte, CRLF too */\n",
    "assets/fonts/inter.woff2": bytes(range(256)) * 4,
    "assets/logo.png": b"\x89PNG\r\n\x1a\n\x00binary",
}


def test_the_new_theme_has_the_exact_bytes_a_new_id_and_forked_from(tmp_path: Path) -> None:
    manifest = fork_manifest(SOURCE)
    folder = write_fork(tmp_path / "mine", FILES, manifest)
    got = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    toml = got.pop("theme.toml")
    assert got == FILES
    loaded = load_manifest(folder / "theme.toml")
    assert loaded == manifest
    assert b"forked_from" in toml
    assert loaded.forked_from == f"{SOURCE_ID}@1.4.0"
    assert loaded.id != SOURCE_ID
    assert loaded.version == "0.1.0"
    assert loaded.tags == ["dark", "a11y"]  # a tag the studio would refuse is left out
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no staging folder left


def test_an_empty_target_folder_is_used_a_non_empty_one_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_fork(tmp_path / "empty", FILES, fork_manifest(SOURCE))
    assert (tmp_path / "empty" / "theme.css").read_bytes() == FILES["theme.css"]
    with pytest.raises(ForkError, match="not an empty folder"):
        write_fork(tmp_path / "empty", FILES, fork_manifest(SOURCE))
    (tmp_path / "file").write_text("x")
    with pytest.raises(ForkError, match="not an empty folder"):
        write_fork(tmp_path / "file", FILES, fork_manifest(SOURCE))


@pytest.mark.parametrize(
    "path",
    ["../evil.css", "assets/../../x", "/etc/passwd", "assets/.hidden", "other/x.png", "assets/a b.png"],
)
def test_paths_that_could_escape_or_would_not_publish_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(ForkError):
        write_fork(tmp_path / "t", {**FILES, path: b"x"}, fork_manifest(SOURCE))
    assert not (tmp_path / "t").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_release_without_theme_css_is_refused() -> None:
    with pytest.raises(ForkError, match=r"no theme\.css"):
        check_release_paths(["assets/a.png"])


def test_a_write_failure_half_way_leaves_nothing_behind(tmp_path: Path) -> None:
    # "assets/x" is written as a file, then "assets/x/y.png" needs it to be a folder: the disk refuses.
    clash = {**FILES, "assets/x": b"file", "assets/x/y.png": b"under it"}
    with pytest.raises(StorageError, match="nothing was written"):
        write_fork(tmp_path / "t", clash, fork_manifest(SOURCE))
    assert list(tmp_path.iterdir()) == []
