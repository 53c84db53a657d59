"""Helpers for backend tests: throwaway databases, users with tokens, payload factories, free ports."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import psycopg
import pytest

from backend.db.users import create_token, create_user
from studio.adapters.sandbox import free_ports


@dataclass(frozen=True)
class ServerInfo:
    admin_dsn: str  # a DSN to the server's maintenance database


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    email: str
    role: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def server_info() -> ServerInfo:
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base.replace("postgresql+psycopg://", "postgresql://"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {parts.hostname}:{parts.port} does not answer ({exc}); set DATABASE_URL")
    return ServerInfo(admin)


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


def create_database(server: ServerInfo, stem: str) -> str:
    name = f"{stem}_{secrets.token_hex(5)}"
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(server.admin_dsn, name)


def drop_database(server: ServerInfo, dsn: str) -> None:
    name = urlsplit(dsn).path.lstrip("/")
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_actor(dsn: str, role: str, *, expires_days: int | None = None) -> Actor:
    email = f"{role}-{secrets.token_hex(5)}@example.test"
    user = create_user(dsn, email=email, name=f"{role.title()} {email[:12]}", role=role)
    token, _ = create_token(dsn, email=email, expires_days=expires_days)
    return Actor(user["id"], email, role, token)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_body(version: str, data: bytes = b":root{--a:1}", theme_id: UUID | str = "x") -> dict[str, Any]:
    return {
        "version": version,
        "changes": f"release {version}",
        "sha256": sha(data),
        "size": len(data),
        "css_url": f"https://cdn.example.test/themes-published/{theme_id}/{version}/theme.css",
    }


def free_port() -> int:
    return free_ports(1)[0]


def publish_in_db(dsn: str, theme_id: UUID | str, version: str = "1.0.0", css_url: str | None = None) -> None:
    """Mark a theme published with one registered version, straight in PostgreSQL.

    For tests about reads, analytics and caching, which need a published theme but not the release path
    (registration verifies uploaded bytes; its own tests cover it).
    """
    data = f"{theme_id}@{version}".encode()
    css_url = css_url or f"https://cdn.example.test/themes-published/{theme_id}/{version}/theme.css"
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        conn.execute(
            "INSERT INTO theme_versions (theme_id, version, sha256, size, css_url) "
            "VALUES (%s, %s, %s, %s, %s)",
            (theme_id, version, sha(data), len(data), css_url),
        )
        conn.execute(
            "UPDATE themes SET version = %s, css_url = %s, published = true, updated_at = now() "
            "WHERE id = %s",
            (version, css_url, theme_id),
        )
