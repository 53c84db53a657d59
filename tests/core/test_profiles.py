"""Profiles model and profiles.toml: validation, round trip, atomic rewrite, rotation reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studio.core.profiles import (
    LOCAL_PROFILE,
    Profile,
    ProfileError,
    ProfileStore,
    default_profiles_path,
    make_profile,
    region_from_endpoint,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_region_comes_from_a_spaces_endpoint() -> None:
    assert region_from_endpoint("https://fra1.digitaloceanspaces.com") == "fra1"
    assert region_from_endpoint("http://127.0.0.1:8333") is None
    assert make_profile("p", "https://ams3.digitaloceanspaces.com").region == "ams3"
    with pytest.raises(ProfileError, match="give a region"):
        make_profile("p", "http://127.0.0.1:8333")


def test_defaults() -> None:
    p = make_profile("prod", "https://fra1.digitaloceanspaces.com")
    assert p.bucket == "themesystem-assets"
    assert p.credential_mode == "spaces-key"
    assert not p.is_local
    assert p.label == "prod"
    assert p.public_base_url() == "https://fra1.digitaloceanspaces.com/themesystem-assets"


def test_local_profile_is_labelled() -> None:
    p = make_profile(LOCAL_PROFILE, "http://127.0.0.1:8333", region="us-east-1")
    assert p.is_local
    assert p.label == "local (local)"


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"name": "bad name"}, "profile name"),
        ({"name": "../x"}, "profile name"),
        ({"endpoint": "ftp://x"}, "endpoint"),
        ({"bucket": "Bad_Bucket"}, "bucket"),
        ({"cdn_base_url": "cdn.example.com"}, "CDN base URL"),
        ({"backend_url": "nope"}, "backend URL"),
        ({"credential_mode": "backend-grants"}, "needs a backend URL"),
        ({"credential_mode": "plaintext"}, "credential mode"),
        ({"region": " "}, "region is empty"),
        ({"spaces_key_created_at": datetime(2026, 1, 1)}, "time zone"),  # naive: no time zone
    ],
)
def test_invalid_fields_are_named(fields: dict[str, object], fragment: str) -> None:
    base: dict[str, object] = {
        "name": "p",
        "endpoint": "https://fra1.digitaloceanspaces.com",
        "region": "fra1",
    }
    with pytest.raises(ProfileError, match=fragment):
        Profile(**{**base, **fields}).validated()  # type: ignore[arg-type]


def test_rotation_reminder_after_ninety_days() -> None:
    p = make_profile("p", "https://fra1.digitaloceanspaces.com", access_key_id="DOK")
    assert p.key_age_days(NOW) is None
    assert not p.needs_rotation(NOW)  # unknown age: no nagging
    fresh = p.with_spaces_key("DOK", NOW - timedelta(days=89, hours=23))
    assert fresh.key_age_days(NOW) == 89
    assert not fresh.needs_rotation(NOW)
    old = p.with_spaces_key("DOK", NOW - timedelta(days=90))
    assert old.needs_rotation(NOW)
    assert not old.needs_rotation(NOW, max_age_days=180)


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "sub" / "profiles.toml")
    assert store.load() == {}
    full = make_profile(
        "prod",
        "https://fra1.digitaloceanspaces.com",
        bucket="themes-bucket",
        cdn_base_url="https://themes-bucket.fra1.cdn.digitaloceanspaces.com",
        cdn_endpoint_id="19f06b6a",
        backend_url="https://api.example.com",
        access_key_id="DO00ABC",
        spaces_key_created_at=NOW,
    )
    grants = make_profile(
        "ci",
        "https://nyc3.digitaloceanspaces.com",
        credential_mode="backend-grants",
        backend_url="https://a.b",
    )
    store.put(full)
    store.put(grants)
    assert store.load() == {"prod": full, "ci": grants}
    text = store.path.read_text()
    assert "[profiles.prod]" in text
    assert "spaces_key_created_at = 2026-11-24 12:00:00+00:00" in text  # a TOML date-time, not a string
    assert store.remove("ci")
    assert not store.remove("ci")
    assert list(store.load()) == ["prod"]
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["profiles.toml"]  # no temp files left


def test_get_unknown_lists_known(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.toml")
    store.put(make_profile("a", "https://fra1.digitaloceanspaces.com"))
    with pytest.raises(ProfileError, match=r"no profile named 'b' \(profiles: a\)"):
        store.get("b")


def test_invalid_profile_is_not_written(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.toml")
    store.put(make_profile("a", "https://fra1.digitaloceanspaces.com"))
    before = store.path.read_bytes()
    with pytest.raises(ProfileError):
        store.put(Profile(name="b", endpoint="nope", region="x"))
    assert store.path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("profiles = [", "not valid TOML"),
        ("profiles = 1", "must be a table"),
        (
            '[profiles.a]\nendpoint = "https://fra1.digitaloceanspaces.com"\nregion = "fra1"\nsecret = "x"\n',
            "unknown",
        ),
        ('[profiles.a]\nendpoint = 3\nregion = "fra1"\n', "endpoint must be a string"),
        ('[profiles.a]\nendpoint = "nope"\nregion = "fra1"\n', "must be an http"),
    ],
)
def test_bad_file_is_a_clear_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "profiles.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=fragment) as info:
        ProfileStore(path).load()
    assert str(path) in str(info.value)


def test_default_path_is_in_the_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMESTUDIO_CONFIG_DIR", str(tmp_path))
    assert default_profiles_path() == tmp_path / "profiles.toml"
    assert ProfileStore().path == tmp_path / "profiles.toml"
