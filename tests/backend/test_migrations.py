"""Migrations: from empty, re-run (idempotent), downgrade to base and up again; the schema has its indexes."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from backend.migrations import downgrade, upgrade
from tests.backend.helpers import ServerInfo, create_database, drop_database


@pytest.fixture
def empty_db(pg_server: ServerInfo) -> Iterator[str]:
    dsn = create_database(pg_server, "ts_migr")
    yield dsn
    drop_database(pg_server, dsn)


def _tables(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {r[0] for r in rows}


def test_upgrade_rerun_downgrade_upgrade(empty_db: str) -> None:
    upgrade(empty_db)
    upgrade(empty_db)  # nothing pending: a no-op
    expected = {"users", "themes", "theme_versions", "user_themes", "theme_analytics", "api_tokens", "drafts"}
    assert expected <= _tables(empty_db)
    downgrade(empty_db, "base")
    assert _tables(empty_db) == {"alembic_version"}
    upgrade(empty_db)
    assert expected <= _tables(empty_db)


def test_schema_constraints_and_indexes(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        indexes = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            ).fetchall()
        }
        assert "USING gin (tags)" in indexes["themes_tags_gin"]
        assert "to_tsvector" in indexes["themes_search_gin"]
        assert "(theme_id)" in indexes["theme_analytics_theme"]
        assert "(occurred_at)" in indexes["theme_analytics_occurred"]
        assert "(theme_id, occurred_at)" in indexes["theme_analytics_theme_day"]
        assert any("UNIQUE" in d and "(theme_id, version)" in d for d in indexes.values())
        assert any("UNIQUE" in d and "(theme_id, revision)" in d for d in indexes.values())
        default = conn.execute(
            "SELECT column_default FROM information_schema.columns "
            "WHERE table_name = 'themes' AND column_name = 'id'"
        ).fetchone()
        assert default is not None
        assert "gen_random_uuid()" in default[0]
        for table, column, bad in (
            ("users", "role", "root"),
            ("user_themes", "relation", "liked"),
            ("theme_analytics", "event_type", "click"),
            ("drafts", "status", "merged"),
        ):
            check = conn.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'c' "
                "AND pg_get_constraintdef(oid) LIKE %s",
                (table, f"%{column}%"),
            ).fetchone()
            assert check is not None
            assert bad not in check[0]
