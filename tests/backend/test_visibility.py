"""No route shows an unpublished theme to someone who may not see it (only its author, reviewers, admins)."""

from __future__ import annotations

import httpx
import pytest

from tests.backend.helpers import Actor, make_actor, publish_in_db

pytestmark = pytest.mark.anyio


async def _published_then_hidden(client: httpx.AsyncClient, author: Actor, name: str) -> str:
    """A theme that was public (so others could favourite it and send events) and then unpublished."""
    r = await client.post("/v1/themes", json={"name": name, "tags": ["secretly"]}, headers=author.headers)
    theme_id = str(r.json()["id"])
    publish_in_db(client.app.state.services.settings.database_dsn, theme_id)  # type: ignore[attr-defined]
    return theme_id


async def test_unpublished_theme_leaks_nowhere(
    client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    author, user = actors["author"], actors["user"]
    name = "Codename Nightjar"
    theme = await _published_then_hidden(client, author, name)
    fans = [user, make_actor(database_url, "user")]
    for fan in fans:
        assert (await client.put(f"/v1/me/themes/{theme}/favorite", headers=fan.headers)).status_code == 204
        events = [{"theme_id": theme, "event_type": "install"}]
        r = await client.post("/v1/analytics/events", json={"events": events}, headers=fan.headers)
        assert r.status_code == 200
    await client.get("/v1/analytics/popular")  # the ranking exists (and holds the theme) before it is hidden
    r = await client.patch(f"/v1/themes/{theme}", json={"published": False}, headers=author.headers)
    assert r.status_code == 200

    outsider = make_actor(database_url, "user")
    answers = {
        "popular": await client.get("/v1/analytics/popular", params={"limit": 100}),
        "me/themes": await client.get("/v1/me/themes", headers=user.headers),
        "favourites": await client.get(
            "/v1/me/themes", params={"relation": "favorite"}, headers=user.headers
        ),
        "search": await client.get("/v1/themes", params={"q": "Nightjar"}, headers=user.headers),
        "tag": await client.get("/v1/themes", params={"tag": "secretly"}),
        "by author": await client.get("/v1/themes", params={"author_id": str(author.user_id)}),
    }
    for what, answer in answers.items():
        assert answer.status_code == 200, what
        assert name not in answer.text, what
        assert theme not in answer.text, what
    for path in (f"/v1/themes/{theme}", f"/v1/themes/{theme}/versions"):
        assert (await client.get(path, headers=outsider.headers)).status_code == 404
        assert (await client.get(path)).status_code == 404
    # favouriting it now answers as for a theme that does not exist
    assert (await client.put(f"/v1/me/themes/{theme}/installed", headers=outsider.headers)).status_code == 404
    unlisted = await client.get(
        "/v1/themes",
        params={"author_id": str(author.user_id), "include_unpublished": True},
        headers=outsider.headers,
    )
    assert unlisted.status_code == 403

    # ... while its author and reviewers still see it
    mine = await client.get("/v1/me/themes", params={"relation": "created"}, headers=author.headers)
    assert theme in mine.text
    assert (await client.put(f"/v1/me/themes/{theme}/favorite", headers=author.headers)).status_code == 204
    assert (await client.get(f"/v1/themes/{theme}", headers=actors["reviewer"].headers)).status_code == 200
    # a fan's relation is kept, and shows again once the theme is public again
    publish = await client.patch(f"/v1/themes/{theme}", json={"published": True}, headers=author.headers)
    assert publish.status_code == 200
    assert theme in (await client.get("/v1/me/themes", headers=user.headers)).text
    ranked = (await client.get("/v1/analytics/popular", params={"limit": 100})).json()["items"]
    assert {item["theme_id"]: item["name"] for item in ranked}[theme] == name
