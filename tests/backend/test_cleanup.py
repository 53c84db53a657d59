"""``themesystem-api cleanup-uploads`` against a real SeaweedFS bucket and the session's database.

The store sets LastModified itself, so the test cannot age an object: it runs with the default threshold
(everything is too young: nothing goes) and with 0 hours (every unregistered upload goes).
"""

from __future__ import annotations

import secrets
import uuid
from uuid import UUID

import psycopg
import pytest

from backend import cli
from backend.cleanup import release_of
from tests.backend.helpers import make_actor
from tests.backend.seaweed import SeaweedS3


def test_release_of_reads_only_the_release_layout() -> None:
    tid = uuid.uuid4()
    assert release_of(f"themes-published/{tid}/1.2.0/theme.css") == (tid, "1.2.0")
    assert release_of(f"themes-published/{tid}/1.2.0/assets/fonts/a.woff2") == (tid, "1.2.0")
    assert release_of(f"themes-previews/{tid}/1.2.0.png") == (tid, "1.2.0")
    for key in (
        f"themes-published/{tid}/latest/theme.css",
        f"themes-previews/{tid}/latest.png",
        f"themes-published/{tid}/loose.css",
        f"themes-published/{tid}/1.2.0/",
        f"themes-previews/{tid}/1.2.0/x.png",
        f"themes-drafts/{tid}/u/1/theme.css",
        f"themes-documentation/{tid}/1.2.0/index.html",
        "themes-published/not-a-uuid/1.0.0/theme.css",
    ):
        assert release_of(key) is None, key


def _register(dsn: str, theme: UUID, author: UUID, version: str, *, yanked: bool = False) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO theme_versions (theme_id, version, changes, sha256, size, css_url, published_by, "
            "yanked_at) VALUES (%s, %s, '', %s, 1, %s, %s, CASE WHEN %s THEN now() END)",
            (theme, version, "0" * 64, f"https://cdn.test/{theme}/{version}/theme.css", author, yanked),
        )


@pytest.fixture
def bucket(seaweed: SeaweedS3) -> str:
    """A bucket of this test's own, so the counts are exact whatever other tests left behind."""
    name = f"cleanup-{secrets.token_hex(4)}"
    seaweed.client().create_bucket(Bucket=name)
    return name


def test_cleanup_removes_only_old_unregistered_versions(
    seaweed: SeaweedS3,
    bucket: str,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    author = make_actor(database_url, "author")
    theme, stranger = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO themes (id, name, author_id, author) VALUES (%s, 'Kept', %s, 'A')",
            (theme, author.user_id),
        )
    _register(database_url, theme, author.user_id, "1.0.0")
    _register(database_url, theme, author.user_id, "0.9.0", yanked=True)
    with psycopg.connect(database_url) as conn:  # one grant record long expired, one still working
        conn.execute(
            "INSERT INTO release_grants (theme_id, version, object_key, usable_until) VALUES "
            "(%s, '2.0.0', 'old', now() - interval '2 hours'), "
            "(%s, '3.0.0', 'live', now() + interval '1 hour')",
            (theme, theme),
        )

    def grant_records() -> list[str]:
        with psycopg.connect(database_url) as conn:
            rows = conn.execute(
                "SELECT object_key FROM release_grants WHERE theme_id = %s ORDER BY 1", (theme,)
            ).fetchall()
        return [row[0] for row in rows]
    published = f"themes-published/{theme}"
    unregistered = [
        f"{published}/2.0.0/theme.css",
        f"{published}/2.0.0/assets/login.html",
        f"themes-previews/{theme}/2.0.0.png",
    ]
    kept = [
        f"{published}/1.0.0/theme.css",
        f"{published}/1.0.0/assets/a.woff2",
        f"themes-previews/{theme}/1.0.0.png",
        f"{published}/0.9.0/theme.css",  # yanked, still registered
        f"{published}/latest/theme.css",
        f"{published}/notes.txt",  # outside the release layout
        f"themes-drafts/{theme}/{author.user_id}/1/theme.css",
        f"themes-documentation/{theme}/index.html",
        f"themes-published/{stranger}/1.0.0/theme.css",  # an id the registry does not know
    ]
    admin = seaweed.client()
    for key in unregistered + kept:
        admin.put_object(Bucket=bucket, Key=key, Body=b"x" * 10)
    env = {
        "DATABASE_URL": database_url,
        "SPACES_ENDPOINT": seaweed.endpoint,
        "SPACES_REGION": seaweed.region,
        "SPACES_BUCKET": bucket,
        "SPACES_KEY": seaweed.access_key,
        "SPACES_SECRET": seaweed.secret_key,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def stored() -> set[str]:
        pages = admin.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    # Default threshold: a day. Everything here is seconds old, so nothing goes but the dead grant record.
    assert grant_records() == ["live", "old"]
    assert cli.main(["cleanup-uploads"]) == 0
    assert grant_records() == ["live"]
    out = capsys.readouterr().out
    assert "removed 0 object(s)" in out
    assert "kept 3 younger than 24 h" in out
    assert "left 1 under ids the registry does not know" in out
    assert stored() == set(unregistered + kept)

    # A dry run at 0 h names exactly the unregistered uploads and deletes nothing.
    assert cli.main(["cleanup-uploads", "--older-than-hours", "0", "--dry-run"]) == 0
    out = capsys.readouterr().out
    named = [line.split()[2] for line in out.splitlines() if line.startswith("would remove themes-")]
    assert sorted(named) == sorted(unregistered)
    assert "would remove 3 object(s), 30 bytes" in out
    assert stored() == set(unregistered + kept)

    assert cli.main(["cleanup-uploads", "--older-than-hours", "0"]) == 0
    out = capsys.readouterr().out
    assert "removed 3 object(s), 30 bytes" in out
    assert stored() == set(kept)
    # Idempotent: nothing left to remove.
    assert cli.main(["cleanup-uploads", "--older-than-hours", "0"]) == 0
    assert "removed 0 object(s)" in capsys.readouterr().out


def test_cleanup_usage_errors(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("SPACES_ENDPOINT", "SPACES_REGION", "SPACES_BUCKET", "SPACES_KEY", "SPACES_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["cleanup-uploads"]) == 2
    assert "needs object storage" in capsys.readouterr().err
    for hours in ("-1", "nan", "inf", "soon"):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["cleanup-uploads", "--older-than-hours", hours])
        assert exit_info.value.code == 2
        assert "--older-than-hours" in capsys.readouterr().err
