"""Release grants are recorded: a registration waits for every file granted for its version.

A presigned upload cannot be revoked. Without a record, a client could register a clean release and then
upload, with a grant it still holds, a file the service never verified into the release's prefix. Each row
is one granted key and when its grant stops working (its expiry plus a margin for clock skew); registration
refuses while a granted key is missing from what it verified, and grants are refused once the version is
registered (both under the theme's row lock).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE release_grants (
            theme_id     uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
            version      text NOT NULL,
            object_key   text NOT NULL,
            usable_until timestamptz NOT NULL,
            PRIMARY KEY (theme_id, version, object_key)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS release_grants")
