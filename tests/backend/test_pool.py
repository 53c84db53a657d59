"""One pooled connection per request, whatever the route; a saturated pool answers 503 busy, not "down"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.api.app import create_app
from backend.config import Settings
from tests.backend.helpers import Actor, publish_in_db
from tests.backend.test_roles import RULES, _draft_body

pytestmark = pytest.mark.anyio


@pytest.fixture
async def one_connection(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a pool of exactly one connection: a request that needs a second one cannot finish."""
    tight = settings.model_copy(
        update={"db_pool_min": 1, "db_pool_max": 1, "db_timeout_s": 1.0, "cache_outbox_interval_s": 60}
    )
    app = create_app(tight)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


async def test_no_route_takes_a_second_connection(
    one_connection: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    http, author = one_connection, actors["author"]
    created = await http.post("/v1/themes", json={"name": "Pool"}, headers=author.headers)
    assert created.status_code == 201, created.text  # an authenticated write, on the one connection
    theme = created.json()["id"]
    publish_in_db(database_url, theme)
    draft = (await http.post(f"/v1/themes/{theme}/drafts", json=_draft_body, headers=author.headers)).json()
    for rule in RULES:
        path = rule.path.format(theme=theme, draft=draft["id"])
        for who in ("author", "admin", "user"):
            body = rule.body
            if body == "version":
                body = {"version": "9.9.9", "changes": "", "sha256": "0" * 64, "size": 1, "css_url": "x"}
            elif body == "events":
                body = {"events": [{"theme_id": theme, "event_type": "view"}]}
            r = await http.request(rule.method, path, json=body, headers=actors[who].headers)
            if r.status_code >= 500:
                assert r.json()["error"] == "storage_unconfigured", (rule, who, r.text)


async def test_saturated_pool_is_busy_not_down(one_connection: httpx.AsyncClient) -> None:
    pool = one_connection.app.state.services.pool  # type: ignore[attr-defined]
    async with pool.connection():  # someone else holds the only connection past the pool timeout
        r = await one_connection.get("/v1/themes")
        ready = await one_connection.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"error": "busy", "message": "The service is busy; retry shortly."}
    assert r.headers["retry-after"] == "1"
    assert (ready.status_code, ready.json()["status"], ready.json()["postgres"]) == (200, "degraded", "busy")
    assert (await one_connection.get("/v1/themes")).status_code == 200
    assert (await one_connection.get("/readyz")).json()["postgres"] == "ok"
