"""``themestudio lint`` and ``themestudio preview`` as a user or CI runs them: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from studio.core.starters import create_theme
from tests.conftest import CORPUS, REPO


def themestudio(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_lint_clean_theme_folder_exits_zero(tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "t", "dark", "T")
    result = themestudio("lint", str(theme.root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stderr


def test_lint_reports_safety_errors_with_position_and_exit_one(tmp_path: Path) -> None:
    css = tmp_path / "bad.css"
    css.write_text(':root { --a: red; }\n@\\69mport "https://evil.example/x.css";\n', encoding="utf-8")
    result = themestudio("lint", str(css))
    assert result.returncode == 1
    assert f"{css}:2:11: error [safety/remote-import]" in result.stdout  # at the URL


def test_lint_json_and_allowed_origin(tmp_path: Path) -> None:
    css = tmp_path / "fonts.css"
    css.write_text(
        '@import url("https://fonts.googleapis.com/css2?family=Inter");\nb { color: red }\n', encoding="utf-8"
    )
    blocked = themestudio("lint", "--format", "json", str(css))
    assert blocked.returncode == 1
    report = json.loads(blocked.stdout)
    assert report["errors"] == 1
    assert report["files"][0]["diagnostics"][0]["rule"] == "safety/remote-import"

    trusted = themestudio(
        "lint", "--format", "json", "--allow-origin", "https://fonts.googleapis.com", str(css)
    )
    assert trusted.returncode == 0, trusted.stdout
    diagnostics = json.loads(trusted.stdout)["files"][0]["diagnostics"]
    assert [d["severity"] for d in diagnostics] == ["warning"]


def test_lint_theme_folder_uses_allowed_origins_from_manifest(tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "t", "light", "T")
    manifest = theme.manifest
    manifest.allowed_origins = ["https://fonts.googleapis.com"]
    theme.save_manifest(manifest)
    theme.save('@import url("https://fonts.googleapis.com/css2?family=Inter");\n' + theme.read_css())
    assert themestudio("lint", str(theme.root)).returncode == 0


def test_lint_missing_path_is_an_error() -> None:
    result = themestudio("lint", "/nonexistent/theme")
    assert result.returncode == 1
    assert "no such file or folder" in result.stdout


def test_lint_refuses_a_symlinked_assets_folder_and_an_unsafe_name(tmp_path: Path) -> None:
    """The incident: ``assets`` linked to a folder with a private key linted clean. Now it is an error."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "id_ed25519").write_text("PRIVATE KEY")
    theme = create_theme(tmp_path / "t", "light", "T")
    for child in theme.assets_dir.iterdir():
        child.unlink()
    theme.assets_dir.rmdir()
    theme.assets_dir.symlink_to(private, target_is_directory=True)
    result = themestudio("lint", str(theme.root))
    assert result.returncode == 1
    assert f"{theme.root}/assets: error [theme-files/symlink] assets is a symbolic link to {private}" in (
        result.stdout
    )
    assert "Traceback" not in result.stderr

    theme.assets_dir.unlink()
    theme.assets_dir.mkdir()
    (theme.assets_dir / "logo?.png").write_bytes(b"x")
    report = json.loads(themestudio("lint", "--format", "json", str(theme.root)).stdout)
    assert report["errors"] == 1
    assert [f["path"] for f in report["files"]] == [str(theme.css_path), f"{theme.root}/assets/logo?.png"]
    assert report["files"][1]["diagnostics"][0]["rule"] == "theme-files/asset-name"


def test_lint_deep_manifest_and_a_pipe_give_clear_errors_not_tracebacks(tmp_path: Path) -> None:
    theme = create_theme(tmp_path / "t", "light", "T")
    theme.manifest_path.write_text('id = "x"\nname = "n"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    result = themestudio("lint", str(theme.root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nests [ ] or { } more than 64 levels deep (line 3)" in result.stdout

    pipe = tmp_path / "pipe.css"
    os.mkfifo(pipe)
    piped = themestudio("lint", str(pipe))  # returns at once: the pipe is never waited on
    assert piped.returncode == 1
    assert "is a named pipe, not a file" in piped.stdout
    assert "Traceback" not in piped.stderr


def test_lint_bootstrap_has_no_errors() -> None:
    result = themestudio("lint", "--format", "json", str(CORPUS / "bootstrap.css"))
    assert result.returncode == 0
    assert json.loads(result.stdout)["errors"] == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_preview_renders_png(tmp_path: Path, scheme: str) -> None:
    theme = create_theme(tmp_path / "t", "light", "T")
    out = tmp_path / f"gallery-{scheme}.png"
    result = themestudio("preview", str(theme.root), "--out", str(out), "--width", "900", "--scheme", scheme)
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(out))
    assert image.width() == 900
    assert image.height() > 600
    # Light renders a light page background, dark a dark one (the starter's --color-bg in each scheme).
    corner = image.pixelColor(5, image.height() - 5)
    assert (corner.lightness() > 200) if scheme == "light" else (corner.lightness() < 60)


def test_preview_of_unreadable_path_fails_clearly(tmp_path: Path) -> None:
    result = themestudio("preview", str(tmp_path / "missing"), "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr
