"""The backend re-checks contrast on the verified theme.css: an AA failure without a waiver is refused even
when the client skipped the studio's gate, and a waiver is kept with the version (real app, PostgreSQL,
Redis, SeaweedFS; the release is put in the bucket with the key, as a modified key-mode client could)."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from tests.backend.helpers import Actor, stage_release
from tests.backend.seaweed import SeaweedS3
from tests.backend.test_release_verification import new_theme, register, registered

pytestmark = pytest.mark.anyio

# Passes AA in light; in dark the muted text is 2.1:1 on the background.
CSS = b"""
:root { --color-bg: #ffffff; --color-text: #111111; --color-text-muted: #555555; }
@media (prefers-color-scheme: dark) {
  :root { --color-bg: #101010; --color-text: #eeeeee; --color-text-muted: #3a3a3a; }
}
body { background: var(--color-bg); color: var(--color-text); }
"""


async def test_aa_failure_without_waiver_is_refused_even_when_the_client_skips_the_gate(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author, "Low contrast")
    stage_release(s3_admin, seaweed.bucket, theme, "1.0.0", CSS)
    r = await register(api, author, theme, "1.0.0", CSS)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "contrast_failed"
    [finding] = r.json()["findings"]
    assert finding["rule"] == "contrast/wcag-aa"
    assert finding["message"].startswith("--color-text-muted on --color-bg [dark]: 1.")
    assert await registered(api, author, theme) == []
    # Nothing was removed: the same bytes register once the author gives a reason.
    key = f"themes-published/{theme}/1.0.0/theme.css"
    assert s3_admin.head_object(Bucket=seaweed.bucket, Key=key)["ContentLength"] == len(CSS)

    # A client cannot hand the server its own list of failures (the server's finding is what is kept).
    waiver = {"reason": "muted captions only", "failures": []}
    r = await register(api, author, theme, "1.0.0", CSS, contrast_waiver=waiver)
    assert r.status_code == 422
    r = await register(api, author, theme, "1.0.0", CSS, contrast_waiver={"reason": "   "})
    assert r.status_code == 422

    r = await register(api, author, theme, "1.0.0", CSS, contrast_waiver={"reason": "muted captions only"})
    assert r.status_code == 201, r.text
    record = r.json()
    assert record["contrast_waiver"]["reason"] == "muted captions only"
    assert record["contrast_waiver"]["accepted_by"] == str(author.user_id)
    [failure] = record["contrast_waiver"]["failures"]
    assert (failure["foreground"], failure["background"], failure["scheme"]) == (
        "--color-text-muted",
        "--color-bg",
        "dark",
    )
    assert failure["ratio"] < 4.5
    assert "Contrast waiver (WCAG 2 AA): muted captions only" in record["changes"]
    assert record["changes"].startswith("release 1.0.0")
    listed = (await api.get(f"/v1/themes/{theme}/versions", headers=author.headers)).json()
    assert listed[0]["contrast_waiver"]["reason"] == "muted captions only"


async def test_passing_release_needs_no_waiver_and_records_none(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any, database_url: str
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author, "Readable")
    css = CSS.replace(b"#3a3a3a", b"#b0b0b0")
    stage_release(s3_admin, seaweed.bucket, theme, "1.0.0", css)
    r = await register(api, author, theme, "1.0.0", css)
    assert r.status_code == 201, r.text
    assert r.json()["contrast_waiver"] is None
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT contrast_waiver, changes FROM theme_versions WHERE theme_id = %s", (theme,)
        ).fetchone()
    assert row == (None, "release 1.0.0")
