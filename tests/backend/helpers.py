"""Helpers for backend tests: throwaway databases, users with tokens, payload factories, free ports."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import httpx
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


def version_body(version: str, data: bytes = b":root{--a:1}") -> dict[str, Any]:
    """What a client registers: no URL, only the version and theme.css's digest and size."""
    return {"version": version, "changes": f"release {version}", "sha256": sha(data), "size": len(data)}


async def publish_release(
    api: httpx.AsyncClient, author: Actor, theme_id: UUID | str, version: str, css: bytes = b":root{--a:1}"
) -> dict[str, Any]:
    """Upload theme.css through a release grant (the keyless author's path), then register it."""
    file = {"path": "theme.css", "content_type": CSS_TYPE, "size": len(css), "sha256": sha(css)}
    r = await api.post(
        f"/v1/themes/{theme_id}/grants/release",
        json={"version": version, "files": [file]},
        headers=author.headers,
    )
    assert r.status_code == 200, r.text
    [grant] = r.json()["grants"]
    headers = {k: v for k, v in grant["headers"].items() if k.lower() != "content-length"}
    async with httpx.AsyncClient(timeout=10) as http:
        put = await http.put(grant["url"], content=css, headers=headers)
    assert put.status_code == 200, put.text
    r = await api.post(
        f"/v1/themes/{theme_id}/versions", json=version_body(version, css), headers=author.headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


IMMUTABLE = "public, max-age=31536000, immutable"
CSS_TYPE = "text/css; charset=utf-8"


def stage_release(
    s3: Any,
    bucket: str,
    theme_id: UUID | str,
    version: str,
    css: bytes = b":root{--a:1}",
    assets: dict[str, tuple[bytes, str]] | None = None,
) -> None:
    """Put a release in the bucket as a key-mode publisher does (bucket key, the studio's headers).

    Args:
        s3: a boto3 client with the bucket key (``SeaweedS3.client()``).
        assets: ``assets/...`` path → (bytes, Content-Type); stored with ``Content-Disposition: attachment``.
    """
    prefix = f"themes-published/{theme_id}/{version}/"
    for path, (data, content_type) in (assets or {}).items():
        s3.put_object(
            Bucket=bucket,
            Key=prefix + path,
            Body=data,
            ContentType=content_type,
            CacheControl=IMMUTABLE,
            ContentDisposition="attachment",
            Metadata=_meta(theme_id, version, data),
        )
    s3.put_object(
        Bucket=bucket,
        Key=prefix + "theme.css",
        Body=css,
        ContentType=CSS_TYPE,
        CacheControl=IMMUTABLE,
        Metadata=_meta(theme_id, version, css),
    )


def _meta(theme_id: UUID | str, version: str, data: bytes) -> dict[str, str]:
    return {"theme-id": str(theme_id), "version": version, "sha256": sha(data)}


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
