"""A release may carry a contrast waiver: the author's reason and the pairs that fail WCAG 2 AA.

The backend checks contrast on the verified theme.css itself; a release with a failing text/background pair
is refused unless the registration gives a reason. The reason and the failing pairs the service found (not
the client's list) are kept with the version, so reviewers and consumers can see what was accepted and why.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE theme_versions ADD COLUMN contrast_waiver jsonb")


def downgrade() -> None:
    op.execute("ALTER TABLE theme_versions DROP COLUMN IF EXISTS contrast_waiver")
