"""Anonymous views (the consumer loader's beacon), counted once per theme, visitor and UTC day.

A page that loads a theme reports a ``view`` with no account, so ``user_id`` is NULL and the (theme, type,
user, day) index cannot deduplicate it. ``visitor`` is a salted SHA-256 of the client address: the salt is
random per UTC day (``analytics_salts``) and deleted once its day is over, so nobody, the operator included,
can tell afterwards which address made a view (an IPv4 address hashed with a lasting key could be recovered
by trying all 2^32 addresses). The raw address is never stored. One address counts one view per theme per
day: a visitor cannot inflate a theme's views by replaying the beacon, at the price of counting a whole NAT
as one viewer.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_UPGRADE = r"""
CREATE TABLE analytics_salts (
    day  date PRIMARY KEY,
    salt bytea NOT NULL CHECK (octet_length(salt) = 32)
);
ALTER TABLE theme_analytics ADD COLUMN visitor bytea CHECK (octet_length(visitor) = 32);
CREATE UNIQUE INDEX theme_analytics_visitor_dedupe ON theme_analytics (theme_id, event_type, visitor, day)
    WHERE visitor IS NOT NULL;
"""

_DOWNGRADE = """
DROP INDEX IF EXISTS theme_analytics_visitor_dedupe;
ALTER TABLE theme_analytics DROP COLUMN IF EXISTS visitor;
DROP TABLE IF EXISTS analytics_salts;
"""


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    op.execute(_DOWNGRADE)
