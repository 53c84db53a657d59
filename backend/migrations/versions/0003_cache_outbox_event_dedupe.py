"""Cache-invalidation outbox, and analytics events deduplicated per (theme, type, user, UTC day).

``cache_outbox``: a row per theme whose public record a transaction changed, written by triggers in that
transaction (so no write path can forget it, and a write that commits always leaves one); every API instance
drains it into Redis tombstones (``backend.cache_outbox``). Creating a theme adds none: nothing can be cached
for a theme before it exists.

``theme_analytics`` gains ``user_id`` (who sent the event) and ``day`` (its UTC day). The unique index
makes an event count once per (theme, event type, user, day): a client replaying or inventing events cannot
inflate a ranking, and popularity means distinct users per day. Rows from before this migration have no
user and no day; NULLs are distinct in a unique index, so they stay as they are (no table rewrite).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_UPGRADE = r"""
CREATE TABLE cache_outbox (
    id         bigserial PRIMARY KEY,
    theme_id   uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION cache_outbox_theme() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cache_outbox (theme_id) VALUES (OLD.id);
    RETURN NULL;
END
$$;

CREATE FUNCTION cache_outbox_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cache_outbox (theme_id)
    VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.theme_id ELSE NEW.theme_id END);
    RETURN NULL;
END
$$;

CREATE TRIGGER themes_cache_outbox AFTER UPDATE OR DELETE ON themes
    FOR EACH ROW EXECUTE FUNCTION cache_outbox_theme();
CREATE TRIGGER theme_versions_cache_outbox AFTER INSERT OR UPDATE OR DELETE ON theme_versions
    FOR EACH ROW EXECUTE FUNCTION cache_outbox_version();

ALTER TABLE theme_analytics
    ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN day date;
CREATE UNIQUE INDEX theme_analytics_dedupe ON theme_analytics (theme_id, event_type, user_id, day);
-- The ranking's aggregate (a rebuild after Redis lost it, or Redis down): downloads and installs per theme.
CREATE INDEX theme_analytics_popular ON theme_analytics (theme_id)
    WHERE event_type IN ('download', 'install');
"""

_DOWNGRADE = """
DROP INDEX IF EXISTS theme_analytics_popular;
DROP INDEX IF EXISTS theme_analytics_dedupe;
ALTER TABLE theme_analytics DROP COLUMN IF EXISTS day, DROP COLUMN IF EXISTS user_id;
DROP TRIGGER IF EXISTS theme_versions_cache_outbox ON theme_versions;
DROP TRIGGER IF EXISTS themes_cache_outbox ON themes;
DROP FUNCTION IF EXISTS cache_outbox_version();
DROP FUNCTION IF EXISTS cache_outbox_theme();
DROP TABLE IF EXISTS cache_outbox;
"""


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    op.execute(_DOWNGRADE)
