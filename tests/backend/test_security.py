"""Hostile and malformed input never yields a 5xx; headers on every response; tokens; failed-auth limit."""

from __future__ import annotations

import subprocess
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from backend.api.app import create_app
from backend.config import Settings
from tests.backend.helpers import Actor, make_actor

pytestmark = pytest.mark.anyio

EXPECTED_HEADERS = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _assert_headers(r: httpx.Response) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert r.headers.get(name) == value, (r.request.url, name)


HOSTILE = [
    ("POST", "/v1/themes", b"{not json"),
    ("POST", "/v1/themes", b'{"name": 5, "tags": "dark"}'),
    ("POST", "/v1/themes", b'{"name": "x", "tags": ["\'; DROP TABLE themes; --"]}'),
    ("POST", "/v1/themes", b'{"name": "\'); DROP TABLE users; --", "description": "\\u0000"}'),
    ("POST", "/v1/themes", b"[]"),
    ("POST", "/v1/themes", b"null"),
    ("POST", "/v1/themes", '{"name": "' + "é" * 5000 + '"}'),
    ("GET", "/v1/themes/not-a-uuid", None),
    ("GET", "/v1/themes/' OR 1=1 --", None),
    ("GET", "/v1/themes?tag=' OR '1'='1&q=') OR 1=1; --", None),
    ("GET", "/v1/themes?q=!!!:*%26|()", None),
    ("GET", "/v1/themes?limit=100000", None),
    ("GET", "/v1/themes?limit=abc", None),
    ("GET", "/v1/themes?cursor=%00%00", None),
    ("GET", "/v1/themes?tag=a%00b&q=%00", None),
    ("PATCH", f"/v1/themes/{uuid.uuid4()}", b'{"tags": [1, 2]}'),
    ("POST", f"/v1/themes/{uuid.uuid4()}/versions", b'{"version": "1.0.0; DROP"}'),
    ("POST", f"/v1/themes/{uuid.uuid4()}/versions/%27%3B--/yank", None),
    ("POST", "/v1/analytics/events", b'{"events": [{"theme_id": "x", "event_type": "view"}]}'),
    (
        "POST",
        "/v1/analytics/events",
        b'{"events": [{"theme_id": "'
        + str(uuid.uuid4()).encode()
        + b'", "event_type": "view", "client_info": "no"}]}',
    ),
    ("GET", "/v1/drafts/00000000-0000-0000-0000-000000000000", None),
    ("DELETE", "/v1/themes", None),
    ("GET", "/nope", None),
]


@pytest.mark.parametrize(("method", "path", "body"), HOSTILE, ids=[f"{m} {p[:40]}" for m, p, _ in HOSTILE])
async def test_hostile_input_is_never_5xx(
    client: httpx.AsyncClient, actors: dict[str, Actor], method: str, path: str, body: bytes | str | None
) -> None:
    r = await client.request(
        method, path, content=body, headers={**actors["admin"].headers, "content-type": "application/json"}
    )
    assert r.status_code < 500, r.text
    if r.status_code == 200:  # SQL-looking search text is just text: it matches nothing
        assert r.json()["items"] == []
    _assert_headers(r)
    text = r.text.lower()
    assert "traceback" not in text
    assert "select " not in text
    assert "psycopg" not in text
    assert len(r.content) < 8000  # never echoes a big input back


async def test_huge_bodies_are_413(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    limit = client.app.state.services.settings.max_body_bytes  # type: ignore[attr-defined]
    big = b'{"name": "' + b"a" * (limit + 10) + b'"}'
    r = await client.post("/v1/themes", content=big, headers=actors["author"].headers)
    assert r.status_code == 413
    _assert_headers(r)

    async def chunks():  # no Content-Length: the streamed count trips the limit
        for _ in range(limit // 1000 + 2):
            yield b"a" * 1000

    r = await client.post("/v1/analytics/events", content=chunks(), headers=actors["user"].headers)
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"


async def test_internal_error_is_generic_500_with_headers(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM users -- internal detail")

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
        ) as http,
    ):
        r = await http.get("/boom")
    assert r.status_code == 500
    assert r.json() == {"error": "internal_error", "message": "Internal server error."}
    _assert_headers(r)


async def test_bad_tokens_are_401(
    client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer " + "x" * 500, "Bearer", "bearer  "):
        r = await client.get("/v1/me", headers={"Authorization": header})
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
    expired = make_actor(database_url, "user", expires_days=-1)
    assert (await client.get("/v1/me", headers=expired.headers)).status_code == 401
    me = await client.get("/v1/me", headers=actors["user"].headers)
    assert me.json()["email"] == actors["user"].email


async def test_revoked_token_is_refused(client: httpx.AsyncClient, database_url: str) -> None:
    from backend.db.users import revoke_tokens

    actor = make_actor(database_url, "user")
    assert (await client.get("/v1/me", headers=actor.headers)).status_code == 200
    assert revoke_tokens(database_url, email=actor.email) == 1
    assert (await client.get("/v1/me", headers=actor.headers)).status_code == 401


async def test_plaintext_token_is_nowhere_in_the_database(
    client: httpx.AsyncClient, database_url: str
) -> None:
    actor = make_actor(database_url, "author")
    assert (await client.get("/v1/me", headers=actor.headers)).status_code == 200  # touches last_used_at
    parts = urlsplit(database_url)
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            parts.hostname or "127.0.0.1",
            "-p",
            str(parts.port or 5432),
            "-U",
            parts.username or "postgres",
            parts.path.lstrip("/"),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    import hashlib

    assert actor.token.encode() not in dump
    assert actor.token[4:].encode() not in dump
    assert hashlib.sha256(actor.token.encode()).hexdigest().encode() in dump  # the hash is what is stored


async def test_failed_auth_rate_limit_shared_in_redis(settings: Settings, database_url: str) -> None:
    strict = settings.model_copy(update={"auth_fail_limit": 3, "redis_prefix": settings.redis_prefix + "rl:"})
    good = make_actor(database_url, "user")
    app = create_app(strict)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            codes = [
                (await http.get("/v1/me", headers={"Authorization": "Bearer bad"})).status_code
                for _ in range(4)
            ]
            assert codes == [401, 401, 401, 429]
            blocked = await http.get("/v1/me", headers=good.headers)
            assert blocked.status_code == 429
            assert 1 <= int(blocked.headers["retry-after"]) <= strict.auth_fail_window_s
            _assert_headers(blocked)
            assert (await http.get("/v1/themes")).status_code == 200  # anonymous reads are not blocked
        # a second instance sees the same count (Redis), from the same address
        other = create_app(strict)
        async with other.router.lifespan_context(other):
            transport = httpx.ASGITransport(app=other, client=("203.0.113.7", 999))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                assert (await http.get("/v1/me", headers=good.headers)).status_code == 429
            transport = httpx.ASGITransport(app=other, client=("203.0.113.8", 999))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                assert (await http.get("/v1/me", headers=good.headers)).status_code == 200


def _bogus_token() -> str:
    """Well-formed (so it is looked up, like a guess would be) and unknown."""
    import secrets

    return "tsk_" + secrets.token_urlsafe(32)


def _strict_app(settings: Settings, **update: object) -> FastAPI:
    prefix = settings.redis_prefix + f"rl{uuid.uuid4().hex[:6]}:"
    return create_app(settings.model_copy(update={"auth_fail_limit": 3, "redis_prefix": prefix, **update}))


def _from(app: FastAPI, peer: str, **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers)


async def test_attackers_failures_do_not_lock_out_a_valid_token_elsewhere(
    settings: Settings, database_url: str
) -> None:
    """Behind a trusted load balancer, one attacker's guesses lock its own address out, nobody else."""
    good = make_actor(database_url, "user")
    app = _strict_app(settings, forwarded_allow_ips=["10.0.0.0/8"])
    async with app.router.lifespan_context(app):
        async with _from(app, "10.0.0.2", **{"X-Forwarded-For": "203.0.113.66"}) as attacker:
            codes = [
                (
                    await attacker.get("/v1/me", headers={"Authorization": f"Bearer {_bogus_token()}"})
                ).status_code
                for _ in range(6)
            ]
            assert codes == [401, 401, 401, 429, 429, 429]
            # the attacker's own address is locked, even for a valid token (it spent its guesses)
            assert (await attacker.get("/v1/me", headers=good.headers)).status_code == 429
        async with _from(app, "10.0.0.2", **{"X-Forwarded-For": "198.51.100.20"}) as victim:
            assert (await victim.get("/v1/me", headers=good.headers)).status_code == 200


async def test_rotating_forwarded_for_from_an_untrusted_peer_does_not_evade_the_limit(
    settings: Settings, database_url: str
) -> None:
    app = _strict_app(settings)  # the default: no proxy trusted
    async with app.router.lifespan_context(app), _from(app, "127.0.0.1") as attacker:
        codes = []
        for i in range(6):
            headers = {"Authorization": f"Bearer {_bogus_token()}", "X-Forwarded-For": f"192.0.2.{i}"}
            codes.append((await attacker.get("/v1/me", headers=headers)).status_code)
        assert codes == [401, 401, 401, 429, 429, 429]


async def test_failures_on_one_token_are_limited_from_any_address(
    settings: Settings, database_url: str
) -> None:
    """A revoked token replayed from many addresses runs out of tries: failures count per token prefix too."""
    from backend.db.users import revoke_tokens

    stolen = make_actor(database_url, "user")
    revoke_tokens(database_url, email=stolen.email)
    app = _strict_app(settings, forwarded_allow_ips=["*"], client_ip_header="do-connecting-ip")
    async with app.router.lifespan_context(app):
        codes = []
        for i in range(5):
            async with _from(app, "10.0.0.2", **{"DO-Connecting-IP": f"192.0.2.{i}"}) as anywhere:
                codes.append((await anywhere.get("/v1/me", headers=stolen.headers)).status_code)
        assert codes == [401, 401, 401, 429, 429]
        # other tokens from those addresses are untouched (each address failed at most twice)
        other = make_actor(database_url, "user")
        async with _from(app, "10.0.0.2", **{"DO-Connecting-IP": "192.0.2.1"}) as same_address:
            assert (await same_address.get("/v1/me", headers=other.headers)).status_code == 200


async def test_failed_auth_limit_falls_back_in_process_without_redis(settings: Settings) -> None:
    from tests.backend.helpers import free_port

    dead = settings.model_copy(
        update={
            "auth_fail_limit": 2,
            "redis_url": settings.redis_url.__class__(f"redis://127.0.0.1:{free_port()}/0"),
        }
    )
    app = create_app(dead)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        codes = [
            (await http.get("/v1/me", headers={"Authorization": "Bearer bad"})).status_code for _ in range(3)
        ]
    assert codes == [401, 401, 429]


async def test_cors_configurable(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": ["https://studio.example"]}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        pre = await http.options(
            "/v1/themes",
            headers={"Origin": "https://studio.example", "Access-Control-Request-Method": "POST"},
        )
        assert pre.headers["access-control-allow-origin"] == "https://studio.example"
        _assert_headers(pre)
        evil = await http.get("/v1/themes", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in evil.headers
