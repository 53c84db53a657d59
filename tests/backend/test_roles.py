"""Every route × role rule, as one table: who gets in (not 401/403), who gets 401, who gets 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from backend.api.app import create_app
from backend.config import Settings
from tests.backend.helpers import Actor, make_actor, sha, version_body

ANON, USER, AUTHOR, OTHER, REVIEWER, ADMIN = "anon", "user", "author", "other_author", "reviewer", "admin"
EVERYONE = frozenset({ANON, USER, AUTHOR, OTHER, REVIEWER, ADMIN})
SIGNED_IN = EVERYONE - {ANON}


@dataclass
class World:
    theme: str
    draft: str
    actors: dict[str, Actor]


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    allowed: frozenset[str]
    body: Any = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


_draft_body = {"sha256": sha(b"d"), "size": 1}
_grant_body = {
    "version": "2.0.0",
    "files": [{"path": "theme.css", "content_type": "text/css", "size": 1, "sha256": sha(b"c")}],
}
RULES = [
    Rule("GET", "/v1/themes", EVERYONE),
    Rule("GET", "/v1/themes/{theme}", EVERYONE),
    Rule("GET", "/v1/themes/{theme}/versions", EVERYONE),
    Rule("POST", "/v1/themes", frozenset({AUTHOR, OTHER, ADMIN}), {"name": "New"}),
    Rule("PATCH", "/v1/themes/{theme}", frozenset({AUTHOR, ADMIN}), {"description": "d"}),
    Rule("POST", "/v1/themes/{theme}/versions", frozenset({AUTHOR, ADMIN}), "version"),
    Rule("POST", "/v1/themes/{theme}/versions/1.0.0/yank", frozenset({AUTHOR, ADMIN})),
    Rule("POST", "/v1/themes/{theme}/versions/1.0.0/latest", frozenset({AUTHOR, ADMIN})),
    Rule("POST", "/v1/themes/{theme}/drafts", frozenset({AUTHOR, ADMIN}), _draft_body),
    Rule("GET", "/v1/themes/{theme}/drafts", frozenset({AUTHOR, REVIEWER, ADMIN})),
    Rule("GET", "/v1/drafts", frozenset({REVIEWER, ADMIN})),
    Rule("GET", "/v1/drafts/{draft}", frozenset({AUTHOR, REVIEWER, ADMIN})),
    Rule("POST", "/v1/drafts/{draft}/submit", frozenset({AUTHOR, ADMIN})),
    Rule("POST", "/v1/drafts/{draft}/review", frozenset({REVIEWER, ADMIN}), {"decision": "approve"}),
    Rule("POST", "/v1/drafts/{draft}/grant", frozenset({AUTHOR})),
    Rule("GET", "/v1/drafts/{draft}/grant", frozenset({REVIEWER, ADMIN})),
    Rule("POST", "/v1/themes/{theme}/grants/release", frozenset({AUTHOR}), _grant_body),
    Rule("GET", "/v1/me", SIGNED_IN),
    Rule("GET", "/v1/me/themes", SIGNED_IN),
    Rule("PUT", "/v1/me/themes/{theme}/favorite", SIGNED_IN),
    Rule("DELETE", "/v1/me/themes/{theme}/favorite", SIGNED_IN),
    Rule("POST", "/v1/analytics/events", SIGNED_IN, "events"),
    Rule("GET", "/v1/themes/{theme}/analytics/daily", frozenset({AUTHOR, ADMIN})),
    Rule("GET", "/v1/themes/{theme}/analytics", frozenset({AUTHOR, ADMIN})),
    Rule("GET", "/v1/analytics/popular", EVERYONE),
    # Anonymous by design: no role needed, a token changes nothing (its gates: tests/backend/test_beacon.py).
    Rule("POST", "/v1/analytics/beacon", EVERYONE, "beacon"),
    Rule("GET", "/v1/keys", EVERYONE),
    Rule("GET", "/healthz", EVERYONE),
    Rule("GET", "/readyz", EVERYONE),
    Rule("GET", "/metrics", EVERYONE),
    Rule("GET", "/openapi.json", EVERYONE),
]


@pytest.fixture
async def world(client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str) -> World:
    people = {**actors, OTHER: make_actor(database_url, "author")}
    author = people[AUTHOR]
    theme = (await client.post("/v1/themes", json={"name": "Roles"}, headers=author.headers)).json()["id"]
    draft = (
        await client.post(f"/v1/themes/{theme}/drafts", json=_draft_body, headers=author.headers)
    ).json()["id"]
    return World(theme, draft, people)


@pytest.mark.anyio
@pytest.mark.parametrize("rule", RULES, ids=str)
async def test_route_role_rule(client: httpx.AsyncClient, world: World, rule: Rule) -> None:
    path = rule.path.format(theme=world.theme, draft=world.draft)
    outcomes = {}
    for who in (ANON, USER, OTHER, REVIEWER, AUTHOR, ADMIN):
        body = rule.body
        if body == "version":
            body = version_body(f"1.{len(outcomes) + 1}.0")
        elif body == "events":
            body = {"events": [{"theme_id": world.theme, "event_type": "view"}]}
        headers = {} if who == ANON else world.actors[who].headers
        if body == "beacon":
            view = {"theme_id": world.theme, "event_type": "view", "version": "latest"}
            r = await client.post(path, json={"events": [view]}, headers={**headers, "origin": "https://a.test"})
            outcomes[who] = r.status_code
            continue
        r = await client.request(rule.method, path, json=body, headers=headers)
        outcomes[who] = r.status_code
        assert r.status_code < 500 or r.json()["error"] == "storage_unconfigured", (who, r.text)
    if rule.body == "beacon":  # this app lists no CORS origin: everyone, token or not, gets the same refusal
        assert set(outcomes.values()) == {403}, outcomes
        return
    for who, status in outcomes.items():
        if who in rule.allowed:
            assert status not in (401, 403), (who, outcomes)
        elif who == ANON:
            assert status == 401, outcomes
        else:
            assert status == 403, (who, outcomes)


def test_every_route_has_a_rule(settings: Settings) -> None:
    schema = create_app(settings).openapi()
    documented = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    covered = {
        (
            r.method,
            r.path.replace("{theme}", "{theme_id}")
            .replace("{draft}", "{draft_id}")
            .replace("1.0.0", "{version}")
            .replace("/favorite", "/{relation}"),
        )
        for r in RULES
    }
    assert documented - covered == set()
