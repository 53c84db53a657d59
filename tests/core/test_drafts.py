"""Draft submission model: keys, headers, digests, lint gate, approved-bytes check, review diff."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from studio.core.drafts import (
    DRAFT_CACHE,
    MAX_DRAFT_BYTES,
    DraftError,
    check_approved_bytes,
    draft_key,
    prepare_submission,
    review_diff,
)
from studio.core.starters import create_theme
from studio.core.theme import Theme


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "t", "light", "Draft")


def test_key_layout_and_refusals() -> None:
    assert draft_key("abc-1", "user-2", 3) == "themes-drafts/abc-1/user-2/3/theme.css"
    with pytest.raises(DraftError):
        draft_key("../x", "u", 1)
    with pytest.raises(DraftError):
        draft_key("t", "u/v", 1)
    with pytest.raises(DraftError, match="starts at 1"):
        draft_key("t", "u", 0)


def test_submission_digests_the_exact_file_bytes(theme: Theme) -> None:
    raw = b"\xef\xbb\xbf:root{--a:#fff}\r\n"  # BOM and CRLF stay: the digest is of the file as it is
    theme.css_path.write_bytes(raw)
    sub = prepare_submission(theme)
    assert sub.css == raw
    assert sub.sha256 == hashlib.sha256(raw).hexdigest()
    assert sub.size == len(raw)
    assert sub.object_key("u1", 4) == f"themes-drafts/{theme.manifest.id}/u1/4/theme.css"
    headers = sub.headers(4)
    assert headers["Cache-Control"] == DRAFT_CACHE
    assert headers["Content-Type"] == "text/css"
    assert headers["x-amz-meta-sha256"] == sub.sha256
    assert headers["x-amz-meta-version"] == "draft-4"
    assert "--a:#fff" not in repr(sub)  # the bytes stay out of repr


def test_saved_revision_bytes_can_be_submitted(theme: Theme) -> None:
    sub = prepare_submission(theme, b":root{--b:1px}\n", source="draft 2")
    assert sub.source == "draft 2"
    assert sub.sha256 == hashlib.sha256(b":root{--b:1px}\n").hexdigest()


def test_lint_errors_and_size_block(theme: Theme) -> None:
    theme.css_path.write_text('@import url("https://evil.example/x.css");\na{color:red}\n')
    with pytest.raises(DraftError, match="lint error") as info:
        prepare_submission(theme)
    assert info.value.diagnostics
    with pytest.raises(DraftError, match="at most"):
        prepare_submission(theme, b"a" * (MAX_DRAFT_BYTES + 1))


def test_approved_bytes_check() -> None:
    data = b":root{--a:1}"
    check_approved_bytes(hashlib.sha256(data).hexdigest().upper(), data)
    with pytest.raises(DraftError, match="not the approved draft"):
        check_approved_bytes(hashlib.sha256(data).hexdigest(), data + b" ")


def test_review_diff_tokens_and_text() -> None:
    release = ":root{--a:#000;--gone:1px}\n"
    draft = b":root{--a:#111;--new:2px}\n"
    review = review_diff(draft, release, "1.2.0", revision=5)
    kinds = {(c.name, c.kind) for c in review.token_changes}
    assert kinds == {("--a", "changed"), ("--new", "added"), ("--gone", "removed")}
    assert "--- 1.2.0/theme.css" in review.css_diff
    assert "+++ draft-5/theme.css" in review.css_diff
    assert "Against release 1.2.0: 3 custom properties changed" in review.describe()
    first = review_diff(draft, None, None)
    assert first.release_version is None
    assert first.token_changes == ()
    assert "No release yet" in first.describe()
    same = review_diff(release.encode(), release, "1.2.0")
    assert same.css_diff == ""
    assert "(stylesheet unchanged)" in same.describe()
    with pytest.raises(DraftError, match="UTF-8"):
        review_diff(b"\xff\xfe", release, "1.2.0")
