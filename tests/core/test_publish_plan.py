"""Release plans: keys, headers, metadata, what is left out, lint refusal and the diff."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from studio.core.publish_plan import (
    IMMUTABLE_CACHE,
    PlanError,
    content_type_for,
    latest_css_key,
    plan_release,
    preview_key,
)
from studio.core.starters import create_theme
from studio.core.theme import Theme


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "t", "light", "Plan")


def test_keys_headers_and_metadata_follow_the_storage_layout(theme: Theme) -> None:
    (theme.assets_dir / "fonts").mkdir()
    (theme.assets_dir / "fonts" / "body.woff2").write_bytes(b"wOF2 font")
    (theme.root / ".hidden").write_text("x")
    (theme.assets_dir / ".DS_Store").write_bytes(b"junk")
    theme.history.save_draft(theme.read_css())  # .studio/ must never be published

    plan = plan_release(theme, "1.2.0")

    tid = theme.manifest.id
    prefix = f"themes-published/{tid}/1.2.0/"
    assert [o.key for o in plan.objects] == [
        prefix + "assets/fonts/body.woff2",
        prefix + "assets/icon-info.svg",
        prefix + "assets/pattern.svg",
        prefix + "theme.css",
    ]
    css = plan.css_object
    data = theme.css_path.read_bytes()
    assert css.sha256 == hashlib.sha256(data).hexdigest()
    assert css.size == len(data)
    assert css.content_type == "text/css; charset=utf-8"
    assert css.cache_control == IMMUTABLE_CACHE
    assert css.metadata == {"theme-id": tid, "version": "1.2.0", "sha256": css.sha256}
    assert css.headers()["x-amz-meta-sha256"] == css.sha256
    font = plan.objects[0]
    assert font.content_type == "font/woff2"
    # Assets download when navigated to (a stylesheet's loads ignore this); theme.css is a plain stylesheet.
    assert font.headers()["Content-Disposition"] == "attachment"
    assert "Content-Disposition" not in css.headers()
    assert font.md5 == hashlib.md5(b"wOF2 font", usedforsecurity=False).hexdigest()
    assert plan.latest_key == latest_css_key(tid) == f"themes-published/{tid}/latest/theme.css"
    assert plan.preview_key == preview_key(tid, "1.2.0") == f"themes-previews/{tid}/1.2.0.png"
    assert plan.total_bytes == sum(o.size for o in plan.objects)
    assert "immutable" in plan.describe()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.css", "text/css; charset=utf-8"),
        ("a.SVG", "image/svg+xml"),
        ("a.png", "image/png"),
        ("a.woff", "font/woff"),
        ("a.bin", "application/octet-stream"),
    ],
)
def test_content_type_by_extension(name: str, expected: str) -> None:
    assert content_type_for(name) == expected


def test_lint_errors_refuse_the_plan(theme: Theme) -> None:
    theme.css_path.write_text(
        '@import url("https://evil.example/x.css");\n' + theme.read_css(), encoding="utf-8"
    )
    with pytest.raises(PlanError) as caught:
        plan_release(theme, "1.0.0")
    assert caught.value.diagnostics
    assert "lint error" in str(caught.value)


@pytest.mark.parametrize("version", ["1.0", "../1.0.0", "latest"])
def test_bad_versions_are_refused(theme: Theme, version: str) -> None:
    with pytest.raises(PlanError):
        plan_release(theme, version)


def test_diff_against_the_previous_release(theme: Theme) -> None:
    old = theme.read_css()
    new = old.replace(":root {", ":root {\n  --bench-new: 4px;", 1)
    theme.css_path.write_text(new, encoding="utf-8")
    plan = plan_release(theme, "1.1.0", previous_css=old, previous_version="1.0.0")
    assert [(c.name, c.kind) for c in plan.token_changes] == [("--bench-new", "added")]
    assert "+  --bench-new: 4px;" in plan.css_diff
    assert "1.0.0/theme.css" in plan.css_diff
    assert "--bench-new" in plan.describe()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("login.html", b"<form>password</form>", "not a font or an image"),
        ("app.js", b"alert(1)", "not a font or an image"),
        ("bad name.png", b"\x89PNG", "cannot be published"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "unsafe SVG",
        ),
    ],
)
def test_assets_the_service_refuses_are_never_planned(
    theme: Theme, name: str, data: bytes, reason: str
) -> None:
    (theme.assets_dir / name).write_bytes(data)
    with pytest.raises(PlanError, match=reason) as info:
        plan_release(theme, "1.0.0")
    [diagnostic] = info.value.diagnostics  # the folder scan names bad names first, then the asset policy
    assert f"assets/{name}" in diagnostic.message
