"""The platform schema: themes, versions, users, user_themes, analytics, API tokens and drafts.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_UPGRADE = r"""
CREATE TABLE users (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email      text NOT NULL UNIQUE,
    name       text NOT NULL,
    role       text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'author', 'reviewer', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE themes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    author_id   uuid NOT NULL REFERENCES users (id),
    author      text NOT NULL,
    author_url  text,
    tags        text[] NOT NULL DEFAULT '{}',
    version     text,
    css_url     text,
    published   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX themes_tags_gin ON themes USING gin (tags);
-- Text search on name + description; the 'simple' config is immutable, so it can back an expression index.
CREATE INDEX themes_search_gin ON themes
    USING gin (to_tsvector('simple', name || ' ' || description));
-- The list order (newest change first, id breaks ties) of published themes: keyset pages are index scans.
CREATE INDEX themes_published_order ON themes (updated_at DESC, id DESC) WHERE published;
CREATE INDEX themes_order ON themes (updated_at DESC, id DESC);
CREATE INDEX themes_author ON themes (author_id);

CREATE TABLE theme_versions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    theme_id     uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    version      text NOT NULL,
    changes      text NOT NULL DEFAULT '',
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint NOT NULL CHECK (size >= 0),
    css_url      text NOT NULL,
    published_by uuid REFERENCES users (id),
    yanked_at    timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (theme_id, version)
);

CREATE TABLE user_themes (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    theme_id   uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    relation   text NOT NULL CHECK (relation IN ('favorite', 'installed', 'created')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, theme_id, relation)
);
CREATE INDEX user_themes_theme ON user_themes (theme_id);

CREATE TABLE theme_analytics (
    id          bigserial PRIMARY KEY,
    theme_id    uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    event_type  text NOT NULL CHECK (event_type IN ('view', 'download', 'install')),
    client_info jsonb NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX theme_analytics_theme ON theme_analytics (theme_id);
CREATE INDEX theme_analytics_occurred ON theme_analytics (occurred_at);
CREATE INDEX theme_analytics_theme_day ON theme_analytics (theme_id, occurred_at);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    hash         text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('user', 'author', 'reviewer', 'admin')),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE drafts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    theme_id     uuid NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    author_id    uuid NOT NULL REFERENCES users (id),
    revision     integer NOT NULL CHECK (revision > 0),
    object_key   text NOT NULL,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint NOT NULL CHECK (size >= 0),
    status       text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'in_review', 'approved', 'changes_requested')),
    reviewer_id  uuid REFERENCES users (id),
    comment      text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    reviewed_at  timestamptz,
    UNIQUE (theme_id, revision)
);
CREATE INDEX drafts_awaiting_review ON drafts (submitted_at, id) WHERE status = 'in_review';
"""

_DOWNGRADE = """
DROP TABLE IF EXISTS drafts;
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS theme_analytics;
DROP TABLE IF EXISTS user_themes;
DROP TABLE IF EXISTS theme_versions;
DROP TABLE IF EXISTS themes;
DROP TABLE IF EXISTS users;
"""


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    op.execute(_DOWNGRADE)
