"""The documentation policy the studio plans by and the service enforces (studio.core.release_docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.release_docs import (
    MARKDOWN_TYPE,
    MAX_MARKDOWN_BYTES,
    content_problems,
    doc_content_type,
    docs_prefix,
    readme_key,
    scan_doc_files,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(20)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("README.md", MARKDOWN_TYPE),
        ("docs/guide.md", MARKDOWN_TYPE),
        ("docs/a/b/c/d/e.md", MARKDOWN_TYPE),
        ("docs/shot.PNG", "image/png"),
        ("docs/logo.svg", "image/svg+xml"),
        ("docs/a/b/c/d/e/f.md", None),  # deeper than assets may be
        ("docs/index.html", None),
        ("docs/font.woff2", None),  # fonts belong in assets/
        ("docs/notes.txt", None),
        ("docs/../secret.md", None),
        ("docs/.hidden.md", None),
        ("README.png", None),
        ("CHANGELOG.md", None),
    ],
)
def test_doc_content_type(path: str, expected: str | None) -> None:
    assert doc_content_type(path) == expected


def test_keys_sit_beside_the_release() -> None:
    assert docs_prefix("t", "1.0.0") == "themes-documentation/t/1.0.0/"
    assert readme_key("t", "1.0.0") == "themes-documentation/t/1.0.0/README.md"


def test_content_problems() -> None:
    assert content_problems(MARKDOWN_TYPE, "# Ünïcödé\n".encode()) == []
    assert "not UTF-8" in content_problems(MARKDOWN_TYPE, b"\xff\xfe")[0]
    assert "NUL" in content_problems(MARKDOWN_TYPE, b"a\x00b")[0]
    assert "more than" in content_problems(MARKDOWN_TYPE, b"a" * (MAX_MARKDOWN_BYTES + 1))[0]
    assert content_problems("image/png", PNG) == []
    assert "first bytes" in content_problems("image/png", b"<html>")[0]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'
    assert "unsafe" in content_problems("image/svg+xml", svg)[0]


def test_scan_lists_readme_first_and_never_follows_links(tmp_path: Path) -> None:
    assert scan_doc_files(tmp_path).files == ()  # no documentation is fine
    (tmp_path / "README.md").write_text("# x")
    docs = tmp_path / "docs"
    (docs / "b").mkdir(parents=True)
    (docs / "b" / "z.md").write_text("z")
    (docs / "a.png").write_bytes(PNG)
    (docs / ".DS_Store").write_bytes(b"junk")
    found = scan_doc_files(tmp_path)
    assert found.files == ("README.md", "docs/a.png", "docs/b/z.md")
    assert found.problems == ()
    secret = tmp_path.parent / "secret.md"
    secret.write_text("key")
    (docs / "leak.md").symlink_to(secret)
    (docs / "page.html").write_text("<p>")
    problems = {p.path: p.message for p in scan_doc_files(tmp_path).problems}
    assert set(problems) == {"docs/leak.md", "docs/page.html"}
    assert "link" in problems["docs/leak.md"]
    assert "HTML" in problems["docs/page.html"]


def test_a_linked_readme_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.md").write_text("x")
    (tmp_path / "README.md").symlink_to(tmp_path / "elsewhere.md")
    (problem,) = scan_doc_files(tmp_path).problems
    assert problem.path == "README.md"
