"""``themestudio embed`` against the real API and SeaweedFS: the SRI is the service's, per version."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.adapters.backend_client import GrantedFile
from studio.adapters.publisher import Registration
from studio.cli import main
from studio.core.paths import resources_dir
from studio.core.profiles import Profile, ProfileStore
from tests.adapters.test_backend_client import LiveBackend, keyless_store, running_backend
from tests.backend.helpers import sha
from tests.backend.seaweed import SeaweedS3

V1 = b":root { --brand: #0a6; }\n"
V2 = b":root { --brand: #06a; }\n"


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def publish(live: LiveBackend, seaweed: SeaweedS3, theme_id: str, version: str, css: bytes) -> None:
    with contextlib.closing(live.client(live.author)) as author:
        if version == "1.0.0":
            author.create_theme(theme_id, "Embedded")
        file = GrantedFile("theme.css", "text/css; charset=utf-8", len(css), sha(css))
        grants = author.release_grants(theme_id, version, [file])
        with contextlib.closing(keyless_store(seaweed, live)) as store:
            key = f"themes-published/{theme_id}/{version}/theme.css"
            store.put(key, css, {}, sha256=sha(css), grant=grants[key])
        assert author.register_release(Registration(theme_id, version, "", sha(css), len(css))).created


@pytest.fixture(scope="module")
def published(seaweed: SeaweedS3) -> Iterator[tuple[LiveBackend, str]]:
    with running_backend(seaweed) as live:
        theme_id = str(uuid.uuid4())
        publish(live, seaweed, theme_id, "1.0.0", V1)
        publish(live, seaweed, theme_id, "1.1.0", V2)
        ProfileStore().put(
            Profile(
                name="embed-test",
                endpoint=seaweed.endpoint,
                region=seaweed.region,
                bucket=seaweed.bucket,
                cdn_base_url=live.public_base_url,
                backend_url=live.url,
            )
        )
        yield live, theme_id


def test_embed_pins_the_newest_release_with_the_services_sri(
    published: tuple[LiveBackend, str], capsys: pytest.CaptureFixture[str]
) -> None:
    live, theme_id = published
    assert main(["embed", theme_id, "--profile", "embed-test"]) == 0
    out = capsys.readouterr().out
    css = f"{live.public_base_url}/themes-published/{theme_id}"
    assert (
        f'<link rel="stylesheet" id="theme-{theme_id}" href="{css}/1.1.0/theme.css" '
        f'integrity="{sri(V2)}" crossorigin="anonymous">'
    ) in out
    assert f'<link rel="stylesheet" id="theme-{theme_id}" href="{css}/latest/theme.css">' in out
    assert f'apiBase: "{live.url}"' in out
    assert '<script src="theme-loader.js"></script>' in out
    assert "# When to pin: Pin a version in production" in out


def test_embed_a_given_version_as_json(
    published: tuple[LiveBackend, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, theme_id = published
    loader = tmp_path / "theme-loader.js"
    argv = ["embed", theme_id, "--version", "1.0.0", "--profile", "embed-test", "--format", "json"]
    assert main([*argv, "--loader-src", "/static/tl.js", "--loader-out", str(loader)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["version"], data["sri"], data["problem"]) == ("1.0.0", sri(V1), None)
    assert f'integrity: "{sri(V1)}"' in data["snippets"]["pinned_loader"]
    assert '<script src="/static/tl.js"></script>' in data["snippets"]["latest_loader"]
    assert loader.read_bytes() == (resources_dir() / "loader" / "theme-loader.js").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--version", "9.9.9"], "version 9.9.9 is not published"),
        (["--version", "1.0"], "not a semantic version"),
    ],
)
def test_embed_refuses_what_it_cannot_pin(
    published: tuple[LiveBackend, str], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    _, theme_id = published
    assert main(["embed", theme_id, "--profile", "embed-test", *args]) == 2
    assert message in capsys.readouterr().err


def test_embed_unknown_theme_and_bad_id(
    published: tuple[LiveBackend, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["embed", str(uuid.uuid4()), "--profile", "embed-test"]) == 2
    assert "is not published on" in capsys.readouterr().err
    assert main(["embed", "../../etc", "--profile", "embed-test"]) == 2
    assert "is not a theme id" in capsys.readouterr().err
    assert main(["embed", str(uuid.uuid4()), "--profile", "no-such-profile"]) == 2
    assert "no-such-profile" in capsys.readouterr().err


def test_a_profile_without_backend_gives_latest_only(
    published: tuple[LiveBackend, str], capsys: pytest.CaptureFixture[str]
) -> None:
    live, theme_id = published
    ProfileStore().put(
        Profile(
            name="cdn-only",
            endpoint=live.public_base_url,
            region="us-east-1",
            cdn_base_url="https://cdn.test",
        )
    )
    assert main(["embed", theme_id, "--profile", "cdn-only"]) == 0
    out = capsys.readouterr().out
    assert f"https://cdn.test/themes-published/{theme_id}/latest/theme.css" in out
    assert 'integrity="' not in out
    assert "integrity:" not in out
    assert "# No pinned version: profile 'cdn-only' has no backend URL" in out
