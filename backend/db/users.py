"""Users and API tokens. Sync functions serve the CLI; `authenticate` serves every request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row

from backend.security import generate_token, hash_token, hashes_match

ROLES = ("user", "author", "reviewer", "admin")
# Token lifetimes: at least a day (0 once meant "never expires"), at most ten years (a larger value overflowed
# the date arithmetic). No expiry at all is asked for by leaving the value out.
MIN_EXPIRES_DAYS, MAX_EXPIRES_DAYS = 1, 3650


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's user and the token's role (which may be narrower than the user's)."""

    user_id: UUID
    email: str
    name: str
    role: str
    token_id: UUID


class UserError(Exception):
    """A CLI-level problem (unknown email, duplicate user, bad role) with a message for the operator."""


# One round trip: find the live token, and touch last_used_at at most once a minute (cheap, no write storm).
_AUTH_SQL = """
WITH touched AS (
    UPDATE api_tokens SET last_used_at = now()
    WHERE hash = %(hash)s AND revoked_at IS NULL
      AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')
    RETURNING id
)
SELECT t.id AS token_id, t.hash, t.role, t.expires_at, t.revoked_at, u.id AS user_id, u.email, u.name
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.hash = %(hash)s
"""


async def authenticate(conn: AsyncConnection[DictRow], token: str) -> Principal | None:
    """The principal for a bearer token, or None when unknown, revoked or expired."""
    presented = hash_token(token)
    cur = await conn.execute(_AUTH_SQL, {"hash": presented})
    row = await cur.fetchone()
    if row is None or not hashes_match(row["hash"], presented):
        return None
    if row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
        return None
    return Principal(row["user_id"], row["email"], row["name"], row["role"], row["token_id"])


def create_user(dsn: str, *, email: str, name: str, role: str) -> dict[str, Any]:
    """Insert a user; raises `UserError` on a bad role or an email already taken."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        try:
            row = conn.execute(
                "INSERT INTO users (email, name, role) VALUES (%s, %s, %s) RETURNING id, email, name, role",
                (email.strip().lower(), name, role),
            ).fetchone()
        except psycopg.errors.UniqueViolation:
            raise UserError(f"a user with email {email!r} already exists") from None
    assert row is not None
    return row


def create_token(
    dsn: str, *, email: str, expires_days: int | None, role: str | None = None
) -> tuple[str, UUID]:
    """Create a token for a user; returns (plaintext, token id). Only the hash is stored.

    ``expires_days`` None: the token never expires. The CLI accepts 1..3650 only; tests pass a negative
    value to make an expired token.
    """
    token = generate_token()
    expires_at = datetime.now(UTC) + timedelta(days=expires_days) if expires_days is not None else None
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        user = conn.execute(
            "SELECT id, role FROM users WHERE email = %s", (email.strip().lower(),)
        ).fetchone()
        if user is None:
            raise UserError(f"no user with email {email!r}")
        granted = role or user["role"]
        if granted not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        # A token may narrow a user's role to plain "user"; only an admin may hold tokens of other roles.
        if granted not in (user["role"], "user") and user["role"] != "admin":
            raise UserError(f"a {user['role']} cannot hold a {granted} token")
        row = conn.execute(
            "INSERT INTO api_tokens (hash, user_id, role, expires_at) VALUES (%s, %s, %s, %s) RETURNING id",
            (hash_token(token), user["id"], granted, expires_at),
        ).fetchone()
    assert row is not None
    return token, row["id"]


def revoke_tokens(dsn: str, *, token_id: UUID | None = None, email: str | None = None) -> int:
    """Revoke one token (by id) or every live token of a user; returns how many were revoked."""
    with psycopg.connect(dsn) as conn:
        if token_id is not None:
            cur = conn.execute(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (token_id,)
            )
        elif email is not None:
            cur = conn.execute(
                "UPDATE api_tokens SET revoked_at = now() FROM users u "
                "WHERE u.id = api_tokens.user_id AND u.email = %s AND revoked_at IS NULL",
                (email.strip().lower(),),
            )
        else:
            raise UserError("give a token id or an email")
        return cur.rowcount
