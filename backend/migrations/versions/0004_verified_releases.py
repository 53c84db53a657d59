"""Verified releases: per-version SRI and signed manifest, review policy, unpublishing that sticks.

- ``theme_versions.sri`` (``sha384-…`` of the verified theme.css), ``manifest_key`` and ``manifest`` (the
  signed DSSE envelope, kept so a registration interrupted before the manifest reached the bucket can write
  exactly the same bytes on retry), ``draft_id`` (the approved draft a release was pinned to).
- ``themes.review_required``: releases must carry an approved draft with theme.css's sha256.
- ``themes.withdrawn``: the author unpublished the theme; registering a version never publishes it again
  (only ``PATCH published=true`` does). Existing unpublished themes that have a version were unpublished by
  their author, so they start withdrawn.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_UPGRADE = r"""
ALTER TABLE theme_versions
    ADD COLUMN sri text CHECK (sri ~ '^sha384-[A-Za-z0-9+/]{64}$'),
    ADD COLUMN manifest_key text,
    ADD COLUMN manifest text,
    ADD COLUMN draft_id uuid REFERENCES drafts (id) ON DELETE SET NULL;

ALTER TABLE themes
    ADD COLUMN review_required boolean NOT NULL DEFAULT false,
    ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;

UPDATE themes SET withdrawn = true WHERE NOT published AND version IS NOT NULL;
"""

_DOWNGRADE = """
ALTER TABLE themes DROP COLUMN IF EXISTS withdrawn, DROP COLUMN IF EXISTS review_required;
ALTER TABLE theme_versions
    DROP COLUMN IF EXISTS draft_id,
    DROP COLUMN IF EXISTS manifest,
    DROP COLUMN IF EXISTS manifest_key,
    DROP COLUMN IF EXISTS sri;
"""


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    op.execute(_DOWNGRADE)
