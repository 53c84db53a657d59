"""Tag listing by keyset: one row per (theme, tag), kept by a trigger, indexed in the list order.

A btree cannot index the elements of ``themes.tags``, so "themes with tag X, newest change first" could only
be a GIN bitmap scan of every theme with the tag plus a top-N sort, or a walk of the order index filtering
out the others: both touch ~1/selectivity rows for one page (1,500 buffers for a tag on 1.5 % of 100k
themes, worse as tags get rarer or more common). ``theme_tags`` holds each tag of each theme with the
theme's ``updated_at`` and ``published``; its partial index ``(tag, updated_at DESC, theme_id DESC) WHERE
published`` matches the WHERE, the ORDER BY and the keyset cursor, so a page is a LIMIT-n index range scan
plus n primary-key lookups, for any tag frequency. The trigger keeps it exact on every write path
(including ones that bypass the API); deleting a theme cascades.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_UPGRADE = r"""
CREATE TABLE theme_tags (
    theme_id   uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    tag        text NOT NULL,
    updated_at timestamptz NOT NULL,
    published  boolean NOT NULL,
    PRIMARY KEY (theme_id, tag)
);
CREATE INDEX theme_tags_published_keyset ON theme_tags (tag, updated_at DESC, theme_id DESC) WHERE published;

CREATE FUNCTION themes_sync_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.tags IS NOT DISTINCT FROM OLD.tags AND NEW.published = OLD.published
           AND NEW.updated_at = OLD.updated_at THEN
            RETURN NULL;
        END IF;
        IF NEW.tags IS NOT DISTINCT FROM OLD.tags THEN
            UPDATE theme_tags SET updated_at = NEW.updated_at, published = NEW.published
            WHERE theme_id = NEW.id;
            RETURN NULL;
        END IF;
        DELETE FROM theme_tags WHERE theme_id = OLD.id;
    END IF;
    INSERT INTO theme_tags (theme_id, tag, updated_at, published)
    SELECT DISTINCT NEW.id, tag, NEW.updated_at, NEW.published
    FROM unnest(NEW.tags) AS tag WHERE tag IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER themes_sync_tags
    AFTER INSERT OR UPDATE OF tags, published, updated_at ON themes
    FOR EACH ROW EXECUTE FUNCTION themes_sync_tags();

INSERT INTO theme_tags (theme_id, tag, updated_at, published)
SELECT DISTINCT t.id, tag, t.updated_at, t.published
FROM themes t, unnest(t.tags) AS tag WHERE tag IS NOT NULL;

ANALYZE theme_tags;
"""

_DOWNGRADE = """
DROP TRIGGER IF EXISTS themes_sync_tags ON themes;
DROP FUNCTION IF EXISTS themes_sync_tags();
DROP TABLE IF EXISTS theme_tags;
"""


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    op.execute(_DOWNGRADE)
