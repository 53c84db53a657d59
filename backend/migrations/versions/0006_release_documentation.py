"""A release's documentation is recorded with it: the README's public URL and the list of its doc files.

The files live under ``themes-documentation/<id>/<version>/`` (README.md and docs/), verified with the release
(``backend.release_verify``) and listed in its signed manifest; these columns let the API answer a version's
``readme_url`` and ``documentation`` without reading the bucket or the manifest. Older versions have none.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE theme_versions ADD COLUMN readme_url text, "
        "ADD COLUMN documentation jsonb NOT NULL DEFAULT '[]'::jsonb"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE theme_versions DROP COLUMN IF EXISTS documentation, DROP COLUMN IF EXISTS readme_url"
    )
