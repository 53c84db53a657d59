"""The theme folder's trust rules: links, special files, unsafe names and depth are errors, not published."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from studio.core.publish_plan import PlanError, plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.core.theme_files import (
    DEPTH,
    LINK,
    MAX_ASSET_DEPTH,
    NAME,
    SEGMENT,
    SPECIAL,
    scan_theme_files,
)
from tests.conftest import REPO


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "t", "light", "Files")


@pytest.fixture
def secret_dir(tmp_path: Path) -> Path:
    """A folder outside the theme holding a private key, as in the incident."""
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n")
    return folder


def _refused(theme: Theme) -> PlanError:
    with pytest.raises(PlanError) as caught:
        plan_release(theme, "1.0.0")
    return caught.value


def test_a_clean_starter_lists_assets_then_the_stylesheet(theme: Theme) -> None:
    (theme.assets_dir / ".DS_Store").write_bytes(b"junk")  # dot-files: skipped, not a problem
    scan = scan_theme_files(theme.root)
    assert scan.problems == ()
    assert scan.files == ("assets/icon-info.svg", "assets/pattern.svg", "theme.css")


def test_assets_folder_that_is_a_symlink_is_an_error_and_never_planned(
    theme: Theme, secret_dir: Path
) -> None:
    for child in theme.assets_dir.iterdir():
        child.unlink()
    theme.assets_dir.rmdir()
    theme.assets_dir.symlink_to(secret_dir, target_is_directory=True)

    scan = scan_theme_files(theme.root)
    assert [(p.path, p.rule) for p in scan.problems] == [("assets", LINK)]
    assert str(secret_dir) in scan.problems[0].message
    assert "outside the theme folder" in scan.problems[0].message
    assert scan.files == ("theme.css",)  # nothing behind the link is listed

    error = _refused(theme)
    assert scan.problems[0].message in str(error)
    assert [d.rule for d in error.diagnostics] == [LINK]
    assert error.diagnostics[0].line == 0  # about the folder, not a line of the stylesheet


def test_theme_css_that_is_a_symlink_is_an_error(theme: Theme, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.css"
    outside.write_text(":root { --a: red; }\n")
    theme.css_path.unlink()
    theme.css_path.symlink_to(outside)
    scan = scan_theme_files(theme.root)
    assert [(p.path, p.rule) for p in scan.problems] == [("theme.css", LINK)]
    assert "theme.css" not in scan.files
    assert _refused(theme).diagnostics[0].rule == LINK


def test_links_inside_assets_are_errors_whether_they_point_in_or_out(theme: Theme, secret_dir: Path) -> None:
    (theme.assets_dir / "key.pem").symlink_to(secret_dir / "id_ed25519")
    (theme.assets_dir / "fonts").symlink_to(secret_dir, target_is_directory=True)
    (theme.assets_dir / "same.svg").symlink_to(theme.assets_dir / "pattern.svg")
    (theme.assets_dir / "loop").symlink_to(theme.assets_dir / "loop")
    problems = {p.path: p for p in scan_theme_files(theme.root).problems}
    assert set(problems) == {"assets/key.pem", "assets/fonts", "assets/same.svg", "assets/loop"}
    assert all(p.rule == LINK for p in problems.values())
    assert "outside the theme folder" in problems["assets/key.pem"].message
    assert "links are never published" in problems["assets/same.svg"].message
    assert len(_refused(theme).diagnostics) == 4


def test_special_files_are_errors(theme: Theme) -> None:
    os.mkfifo(theme.assets_dir / "pipe")
    scan = scan_theme_files(theme.root)
    assert [(p.path, p.rule) for p in scan.problems] == [("assets/pipe", SPECIAL)]
    assert "named pipe" in scan.problems[0].message
    _refused(theme)  # and planning returns at once: the pipe is never opened


def test_a_fifo_as_theme_css_is_refused_without_blocking(theme: Theme) -> None:
    theme.css_path.unlink()
    os.mkfifo(theme.css_path)
    scan = scan_theme_files(theme.root)
    assert [(p.path, p.rule) for p in scan.problems] == [("theme.css", SPECIAL)]
    _refused(theme)


@pytest.mark.parametrize(
    "name",
    ["bad name.png", "line\nbreak.png", "q?.png", "hash#.png", "pct%20.png", "-dash.png", "é.png", "x" * 101],
)
def test_unsafe_asset_names_are_errors(theme: Theme, name: str) -> None:
    (theme.assets_dir / name).write_bytes(b"x")
    scan = scan_theme_files(theme.root)
    assert [p.rule for p in scan.problems] == [NAME]
    assert repr(f"assets/{name}") in scan.problems[0].message
    assert all("\n" not in f for f in scan.files)
    _refused(theme)


def test_an_unsafe_folder_name_is_reported_once_and_not_walked(theme: Theme) -> None:
    bad = theme.assets_dir / "my fonts"
    bad.mkdir()
    (bad / "a.woff2").write_bytes(b"x")
    (bad / "b.woff2").write_bytes(b"x")
    problems = scan_theme_files(theme.root).problems
    assert [(p.path, p.rule) for p in problems] == [("assets/my fonts", NAME)]


def test_depth_limit_matches_the_grant_route(theme: Theme) -> None:
    deepest = theme.assets_dir.joinpath(*["d"] * (MAX_ASSET_DEPTH - 1))
    deepest.mkdir(parents=True)
    (deepest / "ok.png").write_bytes(b"x")  # assets/d/d/d/d/ok.png: five segments, allowed
    assert scan_theme_files(theme.root).problems == ()
    (deepest / "d").mkdir()
    (deepest / "d" / "deep.png").write_bytes(b"x")  # six segments: the backend would refuse the grant
    problems = scan_theme_files(theme.root).problems
    assert [p.rule for p in problems] == [DEPTH]
    assert problems[0].path == "assets/" + "/".join(["d"] * MAX_ASSET_DEPTH)
    (deepest / "d" / "deep.png").unlink()
    assert scan_theme_files(theme.root).problems == ()  # an empty folder that deep publishes nothing


def test_segment_rule_is_the_backend_grant_rule() -> None:
    """One rule on both sides: a lint-clean theme is always grantable."""
    grants = (REPO / "backend" / "api" / "routes" / "grants.py").read_text(encoding="utf-8")
    match = re.search(r'_SEGMENT = re\.compile\(r"([^"]+)"\)', grants)
    assert match is not None
    assert match.group(1) == SEGMENT.pattern
    assert "len(parts) <= 6" in grants  # "assets" plus MAX_ASSET_DEPTH segments
    assert MAX_ASSET_DEPTH == 5


def test_a_planned_file_swapped_for_a_link_is_not_followed(theme: Theme, secret_dir: Path) -> None:
    """Between the scan and the hashing a file becomes a link: the plan fails instead of reading it."""
    from studio.core.publish_plan import file_digests

    target = theme.assets_dir / "pattern.svg"
    target.unlink()
    target.symlink_to(secret_dir / "id_ed25519")
    with pytest.raises(OSError, match="Too many levels of symbolic links") as caught:
        file_digests(target)
    assert caught.value.errno == errno.ELOOP
