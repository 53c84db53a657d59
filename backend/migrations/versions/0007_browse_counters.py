"""Browse: per-theme counters kept by triggers, and one keyset index per sort order (with and without a tag).

``theme_stats`` holds one row per theme: views, downloads and installs (analytics events as stored, i.e.
after the per-user-per-day dedupe) and favourites (current ``user_themes`` favourites), plus ``popularity``
(downloads + installs, the same score as Redis's ``popular:themes``). Triggers on ``theme_analytics``
(statement level, one UPDATE per theme of a batch, rows locked in theme id order so concurrent batches
cannot deadlock) and on ``user_themes`` keep them exact on every write path; counting at read time would
aggregate millions of events per page. Counters only grow with events (a later purge of old events does not
lower a total); favourites follow removals.

Sort orders and their indexes (each a LIMIT-n range scan whatever the page, matching the keyset cursor):
- ``updated`` (the default, unchanged): ``themes_published_order`` / ``theme_tags_published_keyset``;
- ``new``: ``themes_published_created`` / ``theme_tags_published_created``;
- ``popular``: ``theme_stats_popular`` / ``theme_tags_published_popular``;
- ``installs``: ``theme_stats_installs`` / ``theme_tags_published_installs``.
``theme_tags`` (migration 0002) gains the theme's ``created_at``, ``popularity`` and ``installs`` for the
per-tag orders, copied from ``theme_stats`` by its trigger (only when those two change, so views cost no
tag-row writes).

``theme_versions.has_preview`` says whether the release's signed manifest lists
``themes-previews/<id>/<version>.png``, and ``theme_stats.has_preview`` whether the theme's current version
has one: the list's ``preview_url`` is null rather than a URL that 404s, without a join per row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_UPGRADE = r"""
CREATE TABLE theme_stats (
    theme_id   uuid PRIMARY KEY REFERENCES themes (id) ON DELETE CASCADE,
    published  boolean NOT NULL DEFAULT false,
    views      bigint NOT NULL DEFAULT 0,
    downloads  bigint NOT NULL DEFAULT 0,
    installs   bigint NOT NULL DEFAULT 0,
    favourites bigint NOT NULL DEFAULT 0,
    popularity bigint GENERATED ALWAYS AS (downloads + installs) STORED,
    has_preview boolean NOT NULL DEFAULT false  -- the theme's current version has a preview PNG
);
CREATE INDEX theme_stats_popular ON theme_stats (popularity DESC, theme_id DESC) WHERE published;
CREATE INDEX theme_stats_installs ON theme_stats (installs DESC, theme_id DESC) WHERE published;
CREATE INDEX themes_published_created ON themes (created_at DESC, id DESC) WHERE published;

INSERT INTO theme_stats (theme_id, published, views, downloads, installs, favourites)
SELECT t.id, t.published,
       COALESCE(a.views, 0), COALESCE(a.downloads, 0), COALESCE(a.installs, 0), COALESCE(f.n, 0)
FROM themes t
LEFT JOIN (
    SELECT theme_id,
           count(*) FILTER (WHERE event_type = 'view') AS views,
           count(*) FILTER (WHERE event_type = 'download') AS downloads,
           count(*) FILTER (WHERE event_type = 'install') AS installs
    FROM theme_analytics GROUP BY theme_id
) a ON a.theme_id = t.id
LEFT JOIN (
    SELECT theme_id, count(*) AS n FROM user_themes WHERE relation = 'favorite' GROUP BY theme_id
) f ON f.theme_id = t.id;

ALTER TABLE theme_tags
    ADD COLUMN created_at timestamptz,
    ADD COLUMN popularity bigint NOT NULL DEFAULT 0,
    ADD COLUMN installs bigint NOT NULL DEFAULT 0;
UPDATE theme_tags g SET created_at = t.created_at, popularity = s.popularity, installs = s.installs
FROM themes t JOIN theme_stats s ON s.theme_id = t.id WHERE t.id = g.theme_id;
ALTER TABLE theme_tags ALTER COLUMN created_at SET NOT NULL;
CREATE INDEX theme_tags_published_created ON theme_tags (tag, created_at DESC, theme_id DESC) WHERE published;
CREATE INDEX theme_tags_published_popular ON theme_tags (tag, popularity DESC, theme_id DESC) WHERE published;
CREATE INDEX theme_tags_published_installs ON theme_tags (tag, installs DESC, theme_id DESC) WHERE published;

-- 0002's function, now also copying created_at and the counters into new tag rows. The counters are read
-- by primary key (a new theme has none yet): never a join, whose cached plan could scan theme_stats per row.
CREATE OR REPLACE FUNCTION themes_sync_tags() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pop  bigint := 0;
    inst bigint := 0;
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
        SELECT s.popularity, s.installs INTO pop, inst FROM theme_stats s WHERE s.theme_id = NEW.id;
    END IF;
    INSERT INTO theme_tags (theme_id, tag, updated_at, published, created_at, popularity, installs)
    SELECT DISTINCT NEW.id, tag, NEW.updated_at, NEW.published, NEW.created_at,
           COALESCE(pop, 0), COALESCE(inst, 0)
    FROM unnest(NEW.tags) AS tag WHERE tag IS NOT NULL;
    RETURN NULL;
END
$$;

-- The list reads has_preview here, not through a join to theme_versions (one index lookup per row less).
-- A registration inserts the version first, then moves themes.version: this sees the new row.
CREATE FUNCTION themes_sync_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    preview boolean := false;
BEGIN
    IF NEW.version IS NOT NULL THEN
        SELECT v.has_preview INTO preview FROM theme_versions v
        WHERE v.theme_id = NEW.id AND v.version = NEW.version;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO theme_stats (theme_id, published, has_preview)
        VALUES (NEW.id, NEW.published, COALESCE(preview, false))
        ON CONFLICT (theme_id)
        DO UPDATE SET published = excluded.published, has_preview = excluded.has_preview;
    ELSIF NEW.published IS DISTINCT FROM OLD.published OR NEW.version IS DISTINCT FROM OLD.version THEN
        UPDATE theme_stats SET published = NEW.published, has_preview = COALESCE(preview, false)
        WHERE theme_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER themes_sync_stats AFTER INSERT OR UPDATE OF published, version ON themes
    FOR EACH ROW EXECUTE FUNCTION themes_sync_stats();

-- One UPDATE per theme of an ingest batch; rows locked in theme id order first (no deadlock between batches).
CREATE FUNCTION theme_analytics_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM theme_stats WHERE theme_id IN (SELECT theme_id FROM added)
    ORDER BY theme_id FOR UPDATE;
    UPDATE theme_stats s
    SET views = s.views + d.views, downloads = s.downloads + d.downloads, installs = s.installs + d.installs
    FROM (
        SELECT theme_id,
               count(*) FILTER (WHERE event_type = 'view') AS views,
               count(*) FILTER (WHERE event_type = 'download') AS downloads,
               count(*) FILTER (WHERE event_type = 'install') AS installs
        FROM added GROUP BY theme_id
    ) d
    WHERE s.theme_id = d.theme_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER theme_analytics_count AFTER INSERT ON theme_analytics
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION theme_analytics_count();

CREATE FUNCTION user_themes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.relation = 'favorite' THEN
        UPDATE theme_stats SET favourites = favourites + 1 WHERE theme_id = NEW.theme_id;
    ELSIF TG_OP = 'DELETE' AND OLD.relation = 'favorite' THEN
        UPDATE theme_stats SET favourites = greatest(favourites - 1, 0) WHERE theme_id = OLD.theme_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_themes_count AFTER INSERT OR DELETE ON user_themes
    FOR EACH ROW EXECUTE FUNCTION user_themes_count();

CREATE FUNCTION theme_stats_sync_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE theme_tags SET popularity = NEW.popularity, installs = NEW.installs WHERE theme_id = NEW.theme_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER theme_stats_sync_tags AFTER UPDATE OF downloads, installs ON theme_stats
    FOR EACH ROW WHEN (OLD.downloads <> NEW.downloads OR OLD.installs <> NEW.installs)
    EXECUTE FUNCTION theme_stats_sync_tags();

ALTER TABLE theme_versions ADD COLUMN has_preview boolean NOT NULL DEFAULT false;
-- The manifest column holds the DSSE envelope (JSON) whose base64 payload lists the release's objects.
CREATE FUNCTION theme_versions_has_preview() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.has_preview := NEW.manifest IS NOT NULL AND COALESCE(
        (convert_from(decode((NEW.manifest::jsonb) ->> 'payload', 'base64'), 'UTF8')::jsonb -> 'objects')
        @> jsonb_build_array(jsonb_build_object(
            'key', 'themes-previews/' || NEW.theme_id || '/' || NEW.version || '.png')),
        false);
    RETURN NEW;
EXCEPTION WHEN others THEN  -- a malformed envelope never blocks a registration: no preview is claimed
    NEW.has_preview := false;
    RETURN NEW;
END
$$;
CREATE TRIGGER theme_versions_has_preview BEFORE INSERT OR UPDATE OF manifest ON theme_versions
    FOR EACH ROW EXECUTE FUNCTION theme_versions_has_preview();
UPDATE theme_versions SET manifest = manifest WHERE manifest IS NOT NULL;
UPDATE theme_stats s SET has_preview = true
FROM themes t JOIN theme_versions v ON v.theme_id = t.id AND v.version = t.version
WHERE s.theme_id = t.id AND v.has_preview;

ANALYZE theme_stats;
ANALYZE theme_tags;
"""

_DOWNGRADE = r"""
DROP TRIGGER IF EXISTS theme_versions_has_preview ON theme_versions;
DROP FUNCTION IF EXISTS theme_versions_has_preview();
ALTER TABLE theme_versions DROP COLUMN IF EXISTS has_preview;
DROP TRIGGER IF EXISTS theme_stats_sync_tags ON theme_stats;
DROP FUNCTION IF EXISTS theme_stats_sync_tags();
DROP TRIGGER IF EXISTS user_themes_count ON user_themes;
DROP FUNCTION IF EXISTS user_themes_count();
DROP TRIGGER IF EXISTS theme_analytics_count ON theme_analytics;
DROP FUNCTION IF EXISTS theme_analytics_count();
DROP TRIGGER IF EXISTS themes_sync_stats ON themes;
DROP FUNCTION IF EXISTS themes_sync_stats();
CREATE OR REPLACE FUNCTION themes_sync_tags() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP INDEX IF EXISTS theme_tags_published_installs;
DROP INDEX IF EXISTS theme_tags_published_popular;
DROP INDEX IF EXISTS theme_tags_published_created;
ALTER TABLE theme_tags DROP COLUMN IF EXISTS installs, DROP COLUMN IF EXISTS popularity,
    DROP COLUMN IF EXISTS created_at;
DROP INDEX IF EXISTS themes_published_created;
DROP TABLE IF EXISTS theme_stats;
"""


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    op.execute(_DOWNGRADE)
