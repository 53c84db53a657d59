"""Browse's client against the real API (uvicorn) on 1,000 seeded themes and real releases in SeaweedFS:
pages and cursors, tags, text, every sort, favourites, versions, thumbnails, offline, Start from this theme
(byte-identical files, ``forked_from``, the install recorded; a tampered release refused)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from studio.adapters.backend_client import BackendError
from studio.adapters.catalog import (
    SORT_ORDERS,
    CatalogClient,
    CatalogOffline,
    CatalogQuery,
    client_for_profile,
)
from studio.adapters.release_download import ReleaseDownloadError, download_release
from studio.adapters.secrets import SecretName, SecretStore
from studio.adapters.start_from import StartFromError, start_from_theme
from studio.adapters.thumbnails import ThumbnailCache, ThumbnailError, fetch_thumbnail
from studio.core.manifest import load_manifest
from studio.core.profiles import Profile
from tests.adapters.catalog_world import PNG, World, catalog_world, publish
from tests.adapters.keyring_service import SecretServiceSession
from tests.backend.helpers import Actor, free_port
from tests.backend.seaweed import SeaweedS3


@pytest.fixture(scope="module")
def world(seaweed: SeaweedS3) -> Iterator[World]:
    with catalog_world(seaweed) as built:
        yield built


def test_anonymous_pages_follow_the_cursor_without_repeats(world: World) -> None:
    with CatalogClient(world.live.url) as catalog:
        assert not catalog.authenticated
        seen: list[str] = []
        page = catalog.page(CatalogQuery(sort="new", limit=50))
        for _ in range(4):
            seen += [t.id for t in page.items]
            assert page.next_cursor is not None
            page = catalog.page(CatalogQuery(sort="new", limit=50), page.next_cursor)
        assert len(seen) == len(set(seen)) == 200
        created = [t.created_at for t in catalog.page(CatalogQuery(sort="new", limit=100)).items]
        assert created == sorted(created, reverse=True)


@pytest.mark.parametrize("sort", SORT_ORDERS)
def test_each_sort_orders_by_its_key(world: World, sort: str) -> None:
    with CatalogClient(world.live.url) as catalog:
        items = []
        cursor = None
        for _ in range(3):
            page = catalog.page(CatalogQuery(sort=sort, limit=40), cursor)  # type: ignore[arg-type]
            items += page.items
            cursor = page.next_cursor
        key = {
            "updated": lambda t: t.updated_at,
            "new": lambda t: t.created_at,
            "popular": lambda t: t.counts.downloads + t.counts.installs,
            "installs": lambda t: t.counts.installs,
        }[sort]
        keys = [key(t) for t in items]
        assert keys == sorted(keys, reverse=True)  # type: ignore[type-var]
        assert len({t.id for t in items}) == 120


def test_tag_and_text_filters(world: World) -> None:
    with CatalogClient(world.live.url) as catalog:
        tagged = catalog.page(CatalogQuery(tag="tag3", sort="popular", limit=100)).items
        assert tagged
        assert all("tag3" in t.tags for t in tagged)
        found = catalog.page(CatalogQuery(text="harbor lights")).items
        assert [t.id for t in found] == [world.release.theme_id]
        [item] = catalog.page(CatalogQuery(tag=world.release.tag)).items
        assert item.latest_version == "1.1.0"
        assert item.preview_url == (
            f"{world.live.public_base_url}/themes-previews/{world.release.theme_id}/1.1.0.png"
        )
        assert item.to_json()["counts"] == {"views": 0, "downloads": 0, "installs": 0, "favourites": 0}


def test_versions_carry_changelog_sri_and_css_url(world: World) -> None:
    with CatalogClient(world.live.url) as catalog:
        versions = catalog.versions(world.release.theme_id)
    assert [v.version for v in versions] == ["1.1.0", "1.0.0"]
    newest = versions[0]
    assert newest.changes == "Changes in 1.1.0"
    css = world.release.files["theme.css"]
    assert newest.sha256 == hashlib.sha256(css).hexdigest()
    assert newest.sri is not None
    assert newest.sri.startswith("sha384-")
    assert newest.css_url.endswith(f"/themes-published/{world.release.theme_id}/1.1.0/theme.css")
    assert httpx.get(newest.css_url).content == css


def test_favourites_need_a_token_then_list_only_mine(world: World) -> None:
    tid = world.release.theme_id
    with CatalogClient(world.live.url) as anonymous:
        with pytest.raises(BackendError) as refused:
            anonymous.page(CatalogQuery(favourites=True))
        assert refused.value.code == "unauthorized"
        with pytest.raises(BackendError):
            anonymous.favourite(tid)
    with CatalogClient(world.live.url, world.user.token) as catalog:
        other = catalog.page(CatalogQuery(sort="popular", limit=1)).items[0].id
        catalog.favourite(tid)
        catalog.favourite(tid)  # idempotent
        catalog.favourite(other)
        assert catalog.favourite_ids() == {tid, other}
        mine = catalog.page(CatalogQuery(favourites=True, sort="new"))
        assert {t.id for t in mine.items} == {tid, other}
        assert (
            catalog.page(CatalogQuery(favourites=True, tag=world.release.tag)).items[0].counts.favourites == 1
        )
        catalog.unfavourite(other)
        catalog.unfavourite(other)  # not there any more: not an error
        assert [t.id for t in catalog.page(CatalogQuery(favourites=True)).items] == [tid]
        catalog.unfavourite(tid)


def test_an_offline_backend_is_offline_not_empty() -> None:
    catalog = CatalogClient(f"http://127.0.0.1:{free_port()}", timeout=2)
    with catalog, pytest.raises(CatalogOffline) as offline:
        catalog.page(CatalogQuery())
    assert offline.value.code == "offline"


def test_thumbnails_are_bounded_and_cached(world: World) -> None:
    with CatalogClient(world.live.url) as catalog:
        [item] = catalog.page(CatalogQuery(tag=world.release.tag)).items
    assert item.preview_url is not None
    cache = ThumbnailCache(max_entries=2, max_bytes=10 * len(PNG))
    with httpx.Client() as http:
        assert cache.fetch(http, item.preview_url) == PNG
        assert cache.get(item.preview_url) == PNG
        with pytest.raises(ThumbnailError, match="over 10 bytes"):
            fetch_thumbnail(http, item.preview_url, max_bytes=10)
        css_url = item.css_url or ""
        with pytest.raises(ThumbnailError, match="not a PNG"):
            fetch_thumbnail(http, css_url)
        with pytest.raises(ThumbnailError, match="HTTP 404"):
            fetch_thumbnail(http, item.preview_url.replace("1.1.0.png", "9.9.9.png"))
    for n in range(3):
        cache.put(f"u{n}", PNG)
    assert len(cache) == 2
    assert cache.get(item.preview_url) is None  # least recently used went first
    assert cache.total_bytes == 2 * len(PNG)


def _installs(dsn: str, user: Actor, theme_id: str) -> tuple[int, int]:
    with psycopg.connect(dsn) as conn:
        relations = conn.execute(
            "SELECT count(*) FROM user_themes "
            "WHERE user_id = %s AND theme_id = %s AND relation = 'installed'",
            (user.user_id, theme_id),
        ).fetchone()
        events = conn.execute(
            "SELECT count(*) FROM theme_analytics "
            "WHERE user_id = %s AND theme_id = %s AND event_type = 'install'",
            (user.user_id, theme_id),
        ).fetchone()
    assert relations is not None
    assert events is not None
    return int(relations[0]), int(events[0])


def test_start_from_this_theme_copies_the_exact_bytes_and_records_the_install(
    world: World, tmp_path: Path
) -> None:
    release = world.release
    target = tmp_path / "my-harbor"
    with CatalogClient(world.live.url, world.user.token) as catalog:
        started = start_from_theme(catalog, release.theme_id, None, target)
        assert started.install_recorded
        [item] = catalog.page(CatalogQuery(tag=release.tag)).items
    assert started.source == f"{release.theme_id}@1.1.0"
    assert started.signed_by is not None
    on_disk = {
        p.relative_to(target).as_posix(): p.read_bytes()
        for p in target.rglob("*")
        if p.is_file() and p.name != "theme.toml"
    }
    assert on_disk == release.files  # byte-identical, nothing more, nothing less
    manifest = load_manifest(target / "theme.toml")
    assert manifest.forked_from == f"{release.theme_id}@1.1.0"
    assert manifest.id != release.theme_id
    assert manifest.version == "0.1.0"
    assert manifest.name == "Harbor Lights"
    assert manifest.validate() == {}
    assert _installs(world.live.dsn, world.user, release.theme_id) == (1, 1)
    assert item.counts.installs == 1


def test_start_from_a_pinned_version_and_anonymously(world: World, tmp_path: Path) -> None:
    release = world.release
    with CatalogClient(world.live.url) as catalog:
        started = start_from_theme(catalog, release.theme_id, "1.0.0", tmp_path / "old")
        assert not started.install_recorded
        assert "not signed in" in started.install_note
        css = (tmp_path / "old" / "theme.css").read_bytes()
        assert css == catalog_css(catalog, release.theme_id, "1.0.0")
        assert sorted(p.name for p in (tmp_path / "old").iterdir()) == ["theme.css", "theme.toml"]
        with pytest.raises(StartFromError, match="not released"):
            start_from_theme(catalog, release.theme_id, "3.0.0", tmp_path / "none")
        with pytest.raises(StartFromError, match="not an empty folder"):
            start_from_theme(catalog, release.theme_id, None, tmp_path / "old")
        with pytest.raises(StartFromError, match="no published theme"):
            start_from_theme(catalog, str(uuid.uuid4()), None, tmp_path / "ghost")
    assert not (tmp_path / "none").exists()
    assert not (tmp_path / "ghost").exists()


def catalog_css(catalog: CatalogClient, theme_id: str, version: str) -> bytes:
    [wanted] = [v for v in catalog.versions(theme_id) if v.version == version]
    return httpx.get(wanted.css_url).content


def test_a_tampered_release_is_refused_and_nothing_is_created(
    world: World, seaweed: SeaweedS3, tmp_path: Path
) -> None:
    author = world.live.client(world.live.author)
    theme_id = str(author.create_theme(str(uuid.uuid4()), "Tampered", tags=["tag1"])["id"])
    files = {
        "theme.css": (b":root{--x:1}\n.a{background:url(assets/a.png)}\n", "text/css; charset=utf-8"),
        "assets/a.png": (PNG, "image/png"),
    }
    publish(author, theme_id, "1.0.0", files)
    author.close()
    key = f"themes-published/{theme_id}/1.0.0/assets/a.png"
    seaweed.client().put_object(Bucket=seaweed.bucket, Key=key, Body=PNG + b"x", ContentType="image/png")
    with CatalogClient(world.live.url) as catalog:
        with pytest.raises(ReleaseDownloadError, match=r"assets/a\.png"):
            download_release(catalog, theme_id, "1.0.0")
        with pytest.raises(StartFromError, match="larger than its signed size"):
            start_from_theme(catalog, theme_id, None, tmp_path / "t")
    assert not (tmp_path / "t").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_client_for_profile_takes_the_token_from_the_keyring(
    secret_service: SecretServiceSession, world: World
) -> None:
    profile = Profile(
        name="browse-kr", endpoint="http://127.0.0.1:1", region="us-east-1", backend_url=world.live.url
    )
    secrets = SecretStore()
    secrets.set("browse-kr", SecretName.BACKEND_TOKEN, world.user.token)
    try:
        with client_for_profile(profile) as catalog:
            assert catalog.authenticated
            assert "token" not in repr(catalog).replace("authenticated", "")
            assert isinstance(catalog.favourite_ids(), set)
    finally:
        secrets.delete_all("browse-kr")
    with client_for_profile(profile) as anonymous:
        assert not anonymous.authenticated
        assert anonymous.page(CatalogQuery(limit=1)).items
    with pytest.raises(BackendError, match="No backend"):
        client_for_profile(None)
