"""A release the real backend verified and signed passes ``themestudio verify``; a changed byte fails it.

The two halves of issue 7 against each other: the backend's manifest (``backend.release_manifest``, its key at
``GET /v1/keys``) and the studio's independent verifier (``studio.core.release_manifest``).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest

from studio.adapters.backend_client import GrantedFile
from studio.adapters.publisher import Registration
from studio.cli import main
from tests.adapters.test_backend_client import LiveBackend, keyless_store, running_backend
from tests.backend.helpers import sha
from tests.backend.seaweed import SeaweedS3

CSS = b":root{--brand:#0af}\n.logo{background:url(assets/logo.svg)}\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
WOFF2 = b"wOF2" + bytes(range(200))


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


def test_backend_signed_release_verifies_until_a_byte_changes(
    live: LiveBackend, seaweed: SeaweedS3, capsys: pytest.CaptureFixture[str]
) -> None:
    theme_id = str(uuid.uuid4())
    files = {
        "assets/logo.svg": (SVG, "image/svg+xml"),
        "assets/fonts/brand.woff2": (WOFF2, "font/woff2"),
        "theme.css": (CSS, "text/css; charset=utf-8"),
    }
    with contextlib.closing(live.client(live.author)) as author:
        author.create_theme(theme_id, "Signed")
        wanted = [GrantedFile(path, kind, len(data), sha(data)) for path, (data, kind) in files.items()]
        grants = author.release_grants(theme_id, "1.0.0", wanted)
        with contextlib.closing(keyless_store(seaweed, live)) as desktop:
            for path, (data, _kind) in files.items():
                key = f"themes-published/{theme_id}/1.0.0/{path}"
                desktop.put(key, data, {}, sha256=sha(data), grant=grants[key])
        registered = author.register_release(Registration(theme_id, "1.0.0", "", sha(CSS), len(CSS)))
    assert registered.created

    argv = ["verify", f"{theme_id}@1.0.0", "--cdn", live.public_base_url, "--backend", live.url]
    assert main(argv) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert out.startswith(f"OK {theme_id}@1.0.0: signed by key ")
    assert "3 object(s)" in out

    # Someone with the bucket key swaps one byte of the font: the signed manifest no longer matches.
    seaweed.client().put_object(
        Bucket=seaweed.bucket,
        Key=f"themes-published/{theme_id}/1.0.0/assets/fonts/brand.woff2",
        Body=WOFF2[:-1] + b"\x00",
        ContentType="font/woff2",
    )
    assert main(argv) == 1
    assert "brand.woff2" in capsys.readouterr().out
