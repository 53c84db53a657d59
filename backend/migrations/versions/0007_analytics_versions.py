"""Analytics events name the release they are about; indexes for per-day series per theme and per version.

``theme_analytics.version`` (nullable: old rows, and clients that do not know the release) references
``theme_versions (theme_id, version)``: only a registered release of that theme can be named (the route
refuses such a batch first, with a clear message; the key is the database's own guard). Deleting a version
row keeps its events and forgets their version (``SET NULL (version)``).

The dedupe key gains the version: an event counts once per (theme, event type, user, UTC day, release), so a
user moving from 1.0 to 1.1 on one day shows in both releases' series. ``COALESCE(version, '')`` keeps events
without a version deduplicated among themselves (NULLs are distinct in a unique index).

The series query reads (theme, time range) and needs only ``event_type`` and ``version`` from each row: the
covering indexes answer it by an index-only scan, without visiting the table (measured by
``python -m benchmarks analytics``: 90 days of the busiest theme out of 1,000,000 events). They replace
``theme_analytics_theme_day`` (same key columns) and ``theme_analytics_theme`` (a prefix of them).

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

_UPGRADE = """
ALTER TABLE theme_analytics ADD COLUMN version text;
ALTER TABLE theme_analytics ADD CONSTRAINT theme_analytics_release
    FOREIGN KEY (theme_id, version) REFERENCES theme_versions (theme_id, version)
    ON DELETE SET NULL (version);

CREATE UNIQUE INDEX theme_analytics_dedupe_release
    ON theme_analytics (theme_id, event_type, user_id, day, (COALESCE(version, '')));
DROP INDEX theme_analytics_dedupe;

CREATE INDEX theme_analytics_series ON theme_analytics (theme_id, occurred_at) INCLUDE (event_type, version);
CREATE INDEX theme_analytics_version_series
    ON theme_analytics (theme_id, version, occurred_at) INCLUDE (event_type) WHERE version IS NOT NULL;
DROP INDEX theme_analytics_theme_day;
DROP INDEX theme_analytics_theme;
"""

_DOWNGRADE = """
CREATE INDEX IF NOT EXISTS theme_analytics_theme ON theme_analytics (theme_id);
CREATE INDEX IF NOT EXISTS theme_analytics_theme_day ON theme_analytics (theme_id, occurred_at);
DROP INDEX IF EXISTS theme_analytics_version_series;
DROP INDEX IF EXISTS theme_analytics_series;
-- Events that differ only by version collapse to one per (theme, type, user, day) again.
DELETE FROM theme_analytics a USING theme_analytics b
    WHERE a.theme_id = b.theme_id AND a.event_type = b.event_type AND a.user_id = b.user_id
    AND a.day = b.day AND a.id > b.id;
CREATE UNIQUE INDEX IF NOT EXISTS theme_analytics_dedupe
    ON theme_analytics (theme_id, event_type, user_id, day);
DROP INDEX IF EXISTS theme_analytics_dedupe_release;
ALTER TABLE theme_analytics DROP CONSTRAINT IF EXISTS theme_analytics_release;
ALTER TABLE theme_analytics DROP COLUMN IF EXISTS version;
"""


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    op.execute(_DOWNGRADE)
