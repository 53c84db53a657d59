"""``themestudio browse`` against the real API on 1,000 seeded themes: JSON fields, sorts, tags, text,
paging past one page, favourites through a profile's keyring token, and clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.adapters.secrets import SecretName, SecretStore
from studio.cli import main
from studio.core.profiles import Profile, ProfileStore
from tests.adapters.catalog_world import World, catalog_world
from tests.adapters.keyring_service import SecretServiceSession
from tests.backend.helpers import free_port
from tests.backend.seaweed import SeaweedS3


@pytest.fixture(scope="module")
def world(seaweed: SeaweedS3) -> Iterator[World]:
    with catalog_world(seaweed) as built:
        yield built


def _browse(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["browse", *args, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert isinstance(listed, list)
    return listed


@pytest.mark.parametrize("sort", ["popular", "new", "installs", "updated"])
def test_json_lists_themes_with_counts_in_sort_order(
    world: World, capsys: pytest.CaptureFixture[str], sort: str
) -> None:
    listed = _browse(capsys, "--backend", world.live.url, "--sort", sort, "--limit", "150")
    assert len(listed) == 150  # more than one page (the API's pages are at most 100)
    assert len({t["id"] for t in listed}) == 150
    first = listed[0]
    assert {"id", "name", "tags", "latest_version", "counts"} <= set(first)
    assert set(first["counts"]) == {"views", "downloads", "installs", "favourites"}  # type: ignore[arg-type]
    key = {
        "popular": lambda t: t["counts"]["downloads"] + t["counts"]["installs"],
        "installs": lambda t: t["counts"]["installs"],
        "new": None,
        "updated": lambda t: t["updated_at"],
    }[sort]
    if key is not None:
        keys = [key(t) for t in listed]
        assert keys == sorted(keys, reverse=True)


def test_tag_and_text(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    tagged = _browse(capsys, "--backend", world.live.url, "--tag", "tag2", "--limit", "40")
    assert tagged
    assert all("tag2" in t["tags"] for t in tagged)  # type: ignore[operator]
    [found] = _browse(capsys, "--backend", world.live.url, "--q", "Harbor Lights")
    assert found["id"] == world.release.theme_id
    assert found["latest_version"] == "1.1.0"
    assert _browse(capsys, "--backend", world.live.url, "--q", "nothing-matches-this") == []


def test_favourites_through_the_profiles_keyring_token(
    secret_service: SecretServiceSession,
    world: World,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path / "config"))  # its own profiles, left behind
    ProfileStore().put(
        Profile(
            name="browse-cli", endpoint="http://127.0.0.1:1", region="us-east-1", backend_url=world.live.url
        )
    )
    secrets = SecretStore()
    secrets.set("browse-cli", SecretName.BACKEND_TOKEN, world.user.token)
    try:
        assert main(["browse", "--profile", "browse-cli", "--favourites"]) == 0
        assert "No themes match." in capsys.readouterr().out
        from studio.adapters.catalog import CatalogClient

        with CatalogClient(world.live.url, world.user.token) as catalog:
            catalog.favourite(world.release.theme_id)
        [mine] = _browse(capsys, "--profile", "browse-cli", "--favourites")
        assert mine["id"] == world.release.theme_id
    finally:
        secrets.delete_all("browse-cli")
    assert main(["browse", "--profile", "browse-cli", "--favourites"]) == 2  # no token any more
    assert "sign" in capsys.readouterr().err


def test_unreachable_backend_and_bad_usage_are_clear(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["browse", "--backend", f"http://127.0.0.1:{free_port()}"]) == 2
    assert "does not answer" in capsys.readouterr().err
    assert main(["browse", "--backend", "ftp://x"]) == 2
    assert "http(s) URL" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["browse", "--sort", "trending"])
