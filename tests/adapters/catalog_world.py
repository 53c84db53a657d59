"""A running backend with 1,000 seeded themes and real releases (assets, preview) for Browse's tests."""

from __future__ import annotations

import contextlib
import hashlib
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from benchmarks.catalogue_seed import Catalogue, seed_catalogue
from studio.adapters.backend_client import BackendClient, GrantedFile
from studio.adapters.publisher import Registration
from tests.adapters.test_backend_client import LiveBackend, running_backend
from tests.backend.helpers import Actor, make_actor
from tests.backend.seaweed import SeaweedS3

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>\n'


@dataclass(frozen=True)
class Release:
    theme_id: str
    version: str
    files: dict[str, bytes]  # path in the theme folder -> bytes (without preview.png)
    tag: str


@dataclass(frozen=True)
class World:
    live: LiveBackend
    catalogue: Catalogue
    release: Release
    user: Actor


def publish(client: BackendClient, theme_id: str, version: str, files: dict[str, tuple[bytes, str]]) -> None:
    granted = [
        GrantedFile(path, content_type, len(data), hashlib.sha256(data).hexdigest())
        for path, (data, content_type) in files.items()
    ]
    grants = client.release_grants(theme_id, version, granted)
    with httpx.Client(timeout=10) as http:
        for key, put in grants.items():
            path = "preview.png" if key.startswith("themes-previews/") else key.split(f"/{version}/", 1)[1]
            headers = {k: v for k, v in put.headers.items() if k.lower() != "content-length"}
            r = http.put(put.url, content=files[path][0], headers=headers)
            assert r.status_code == 200, r.text
    css = files["theme.css"][0]
    client.register_release(
        Registration(theme_id, version, f"Changes in {version}", hashlib.sha256(css).hexdigest(), len(css))
    )


@contextlib.contextmanager
def catalog_world(seaweed: SeaweedS3) -> Iterator[World]:
    """Start the API on a fresh database, seed 1,000 themes, publish "Harbor Lights" 1.0.0 and 1.1.0."""
    with running_backend(seaweed) as live:
        catalogue = seed_catalogue(
            live.dsn,
            live.author.user_id,
            themes=1_000,
            events=15_000,
            users=30,
            tags=25,
            rng=random.Random(5),
        )
        author = live.client(live.author)
        tag = f"rel{uuid.uuid4().hex[:6]}"
        theme_id = str(author.create_theme(str(uuid.uuid4()), "Harbor Lights", tags=[tag, "tag0"])["id"])
        css_v1 = b":root{--accent:#0a84ff}\n.logo{background:url(assets/logo.png)}\n"
        publish(author, theme_id, "1.0.0", {"theme.css": (css_v1, "text/css; charset=utf-8")})
        css = (
            b"@font-face{font-family:x;src:url(assets/fonts/x.svg)}\n"
            b":root{--accent:#ff375f;--bg:#fff}\n.logo{background:url(assets/logo.png)}\n"
        )
        files = {
            "theme.css": (css, "text/css; charset=utf-8"),
            "assets/logo.png": (PNG, "image/png"),
            "assets/fonts/x.svg": (SVG, "image/svg+xml"),
            "preview.png": (PNG, "image/png"),
        }
        publish(author, theme_id, "1.1.0", files)
        author.close()
        release = Release(theme_id, "1.1.0", {p: d for p, (d, _) in files.items() if p != "preview.png"}, tag)
        yield World(live, catalogue, release, make_actor(live.dsn, "user"))
