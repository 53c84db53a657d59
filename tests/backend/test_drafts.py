"""Drafts and reviews: the state machine, who may do what."""

from __future__ import annotations

import httpx
import pytest

from tests.backend.helpers import Actor, sha

pytestmark = pytest.mark.anyio


async def _draft(client: httpx.AsyncClient, author: Actor) -> tuple[str, dict[str, object]]:
    theme = (await client.post("/v1/themes", json={"name": "Drafted"}, headers=author.headers)).json()
    r = await client.post(
        f"/v1/themes/{theme['id']}/drafts", json={"sha256": sha(b"x"), "size": 1}, headers=author.headers
    )
    assert r.status_code == 201, r.text
    return str(theme["id"]), r.json()


async def test_submit_then_approve(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    author, reviewer = actors["author"], actors["reviewer"]
    theme_id, draft = await _draft(client, author)
    assert draft["status"] == "draft"
    assert draft["revision"] == 1
    assert draft["object_key"] == f"themes-drafts/{theme_id}/{author.user_id}/1/theme.css"
    r = await client.post(f"/v1/drafts/{draft['id']}/submit", headers=author.headers)
    assert r.json()["status"] == "in_review"
    queue = (await client.get("/v1/drafts", headers=reviewer.headers)).json()
    assert draft["id"] in [d["id"] for d in queue]
    r = await client.post(
        f"/v1/drafts/{draft['id']}/review",
        json={"decision": "approve", "comment": "lovely"},
        headers=reviewer.headers,
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["comment"], body["reviewer_id"]) == (
        "approved",
        "lovely",
        str(reviewer.user_id),
    )
    queue = (await client.get("/v1/drafts", headers=reviewer.headers)).json()
    assert draft["id"] not in [d["id"] for d in queue]


async def test_illegal_transitions_are_409(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    author, reviewer = actors["author"], actors["reviewer"]
    _, draft = await _draft(client, author)
    review = {"decision": "request_changes", "comment": "contrast too low"}
    url = f"/v1/drafts/{draft['id']}"
    assert (await client.post(url + "/review", json=review, headers=reviewer.headers)).status_code == 409
    assert (await client.post(url + "/submit", headers=author.headers)).status_code == 200
    assert (await client.post(url + "/submit", headers=author.headers)).status_code == 409
    r = await client.post(url + "/review", json=review, headers=reviewer.headers)
    assert r.json()["status"] == "changes_requested"
    assert (
        await client.post(url + "/review", json={"decision": "approve"}, headers=reviewer.headers)
    ).status_code == 409
    assert (await client.post(url + "/submit", headers=author.headers)).status_code == 409


async def test_revisions_increase_and_own_review_refused(
    client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    theme = (await client.post("/v1/themes", json={"name": "Own"}, headers=admin.headers)).json()
    revs = []
    for _ in range(3):
        r = await client.post(
            f"/v1/themes/{theme['id']}/drafts", json={"sha256": sha(b"y"), "size": 1}, headers=admin.headers
        )
        revs.append(r.json()["revision"])
    assert revs == [1, 2, 3]
    drafts = (await client.get(f"/v1/themes/{theme['id']}/drafts", headers=admin.headers)).json()
    draft_id = drafts[0]["id"]
    await client.post(f"/v1/drafts/{draft_id}/submit", headers=admin.headers)
    r = await client.post(
        f"/v1/drafts/{draft_id}/review", json={"decision": "approve"}, headers=admin.headers
    )
    assert r.status_code == 403


async def test_draft_visibility(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    _, draft = await _draft(client, actors["author"])
    url = f"/v1/drafts/{draft['id']}"
    assert (await client.get(url, headers=actors["author"].headers)).status_code == 200
    assert (await client.get(url, headers=actors["reviewer"].headers)).status_code == 200
    assert (await client.get(url, headers=actors["user"].headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
