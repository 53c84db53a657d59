"""``themestudio verify`` end to end: a release in a real SeaweedFS bucket, read anonymously.

The release's objects and its manifest are uploaded with the bucket key and signed here per the manifest spec
(tests/manifest_signing.py); the CLI reads them through the bucket's public-read policy, as a consumer would.
The trusted keys come from a tiny real HTTP server standing in for the backend's ``GET /v1/keys`` until the
backend serves it (then this test should use the real backend), or are pinned with ``--public-key``.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from studio.cli import main
from studio.core.profiles import Profile, ProfileStore
from tests import manifest_signing as signing
from tests.backend.helpers import free_port
from tests.backend.seaweed import SeaweedS3
from tests.backend.servers import TcpProxy

VERSION = "1.4.0"
CSS = b":root{--brand:#0af;--radius:4px}\nbody{font-family:Brand,sans-serif}\n"
FONT_BYTES = 5 * 1_048_576 + 12_345  # objects can be 5 MB+: streamed, never held whole


class KeyServer:
    """A real HTTP server answering ``GET /v1/keys`` with whatever ``keys`` holds."""

    def __init__(self) -> None:
        self.keys: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200 if self.path == "/v1/keys" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.close()


@dataclass
class Release:
    """One published release: its objects (key -> (bytes, content type)) and the key that signed it."""

    seaweed: SeaweedS3
    theme_id: str
    key: signing.SigningKey
    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.theme_id}@{VERSION}"

    @property
    def cdn(self) -> str:
        return f"{self.seaweed.endpoint}/{self.seaweed.bucket}"

    @property
    def manifest_key(self) -> str:
        return f"themes-published/{self.theme_id}/{VERSION}/manifest.json"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.seaweed.client().put_object(
            Bucket=self.seaweed.bucket, Key=key, Body=data, ContentType=content_type
        )

    def payload(self, version: str = VERSION) -> bytes:
        entries = [signing.object_entry(k, data, ctype) for k, (data, ctype) in self.objects.items()]
        return signing.payload_bytes(signing.manifest_doc(self.theme_id, version, entries))

    def put_manifest(self, envelope: dict[str, Any], key: str | None = None) -> None:
        self.put(key or self.manifest_key, json.dumps(envelope).encode(), "application/json")


@pytest.fixture(scope="module")
def release(seaweed: SeaweedS3) -> Release:
    """A signed release: theme.css, a 5 MB+ font, an SVG and the preview image."""
    theme_id = str(uuid.uuid4())
    prefix = f"themes-published/{theme_id}/{VERSION}"
    rel = Release(seaweed, theme_id, signing.SigningKey.generate())
    rel.objects = {
        f"{prefix}/theme.css": (CSS, "text/css; charset=utf-8"),
        f"{prefix}/assets/fonts/brand.woff2": (os.urandom(FONT_BYTES), "font/woff2"),
        f"{prefix}/assets/logo.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        f"themes-previews/{theme_id}/{VERSION}.png": (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "image/png"),
    }
    for key, (data, ctype) in rel.objects.items():
        rel.put(key, data, ctype)
    rel.put_manifest(signing.envelope(rel.payload(), rel.key))
    return rel


@pytest.fixture
def trusted(key_server: KeyServer, release: Release) -> Iterator[KeyServer]:
    """The backend trusts the release's key (active); restored after each test."""
    key_server.keys = [release.key.listing("active")]
    yield key_server
    key_server.keys = [release.key.listing("active")]


def _verify(release: Release, *extra: str, backend: str | None = None, name: str | None = None) -> int:
    argv = ["verify", name or release.name, "--cdn", release.cdn, *extra]
    if backend:
        argv += ["--backend", backend]
    return main(argv)


def test_an_untouched_release_verifies(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(release, backend=trusted.url) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK {release.name}: signed by key {release.key.keyid} (active); 4 object(s)")
    assert str(sum(len(data) for data, _ in release.objects.values())) in out
    assert "published by Ada" in out
    assert "no review" in out
    assert "cannot be detected anonymously" in out


def test_one_changed_byte_in_any_object_is_named(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, (data, ctype) in release.objects.items():
        changed = bytearray(data)
        changed[len(changed) // 2] ^= 0x01
        release.put(key, bytes(changed), ctype)
        try:
            assert _verify(release, backend=trusted.url) == 1, key
        finally:
            release.put(key, data, ctype)
        out = capsys.readouterr().out
        [difference] = [line for line in out.splitlines() if line.startswith("DIFFERENT themes-")]
        assert difference.startswith(f"DIFFERENT {key}: sha256 "), out
        assert "bytes changed" in difference
    assert _verify(release, backend=trusted.url) == 0


def test_size_content_type_and_missing_objects_are_named(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    css_key = next(k for k in release.objects if k.endswith("theme.css"))
    font_key = next(k for k in release.objects if k.endswith(".woff2"))
    svg_key = next(k for k in release.objects if k.endswith(".svg"))
    png_key = next(k for k in release.objects if k.endswith(".png"))
    css, _ = release.objects[css_key]
    font, _ = release.objects[font_key]
    release.put(css_key, css, "text/html")  # same bytes, served as HTML
    release.put(font_key, font + b"\0", "font/woff2")  # one byte appended
    release.seaweed.client().delete_object(Bucket=release.seaweed.bucket, Key=png_key)
    try:
        assert _verify(release, backend=trusted.url) == 1
    finally:
        for key in (css_key, font_key, png_key):
            release.put(key, *release.objects[key])
    out = capsys.readouterr().out
    assert f"DIFFERENT {css_key}: served as Content-Type 'text/html'" in out
    assert f"DIFFERENT {font_key}: larger than the signed size of {len(font)} bytes" in out
    assert f"DIFFERENT {png_key}: missing (HTTP 404" in out
    assert svg_key not in out
    assert f"DIFFERENT {release.name}: 3 difference(s)" in out


def test_a_tampered_manifest_fails(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The attacker swaps theme.css and rewrites the manifest to match, keeping the service's signature.
    css_key = next(k for k in release.objects if k.endswith("theme.css"))
    evil = b"@import url(https://evil.example/x.css);"
    original = release.objects[css_key]
    signed = signing.envelope(release.payload(), release.key)
    release.objects[css_key] = (evil, original[1])
    try:
        release.put(css_key, *release.objects[css_key])
        forged_payload = release.payload()
        release.put_manifest(signed | {"payload": base64.b64encode(forged_payload).decode()})
        assert _verify(release, backend=trusted.url) == 1
    finally:
        release.objects[css_key] = original
        release.put(css_key, *original)
        release.put_manifest(signing.envelope(release.payload(), release.key))
    out = capsys.readouterr().out
    assert "does not match the manifest (tampered)" in out
    assert "no valid signature by a trusted key" in out
    assert "unsigned (untrusted) manifest" in out
    assert _verify(release, backend=trusted.url) == 0


def test_a_manifest_signed_by_an_unknown_key_fails(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    intruder = signing.SigningKey.generate()
    try:
        release.put_manifest(signing.envelope(release.payload(), intruder))
        assert _verify(release, backend=trusted.url) == 1
        out = capsys.readouterr().out
        assert f"signed by an unknown key '{intruder.keyid}'" in out
        # Claiming the trusted key's id does not help.
        release.put_manifest(signing.envelope(release.payload(), intruder, keyid=release.key.keyid))
        assert _verify(release, backend=trusted.url) == 1
        assert "does not match the manifest (tampered)" in capsys.readouterr().out
    finally:
        release.put_manifest(signing.envelope(release.payload(), release.key))


def test_a_retired_key_still_verifies_and_pinned_keys_need_no_backend(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    successor = signing.SigningKey.generate()
    trusted.keys = [successor.listing("active"), release.key.listing("retired")]
    assert _verify(release, backend=trusted.url) == 0
    out = capsys.readouterr().out
    assert "(retired)" in out
    assert f"signed with the retired key {release.key.keyid}" in out
    # Pinned: the backend is never asked (it is unreachable here); the wrong pin fails.
    dead = f"http://127.0.0.1:{free_port()}"
    assert _verify(release, "--public-key", release.key.public_b64, backend=dead) == 0
    assert "(pinned)" in capsys.readouterr().out
    assert _verify(release, "--public-key", successor.public_b64, backend=dead) == 1
    assert "unknown key" in capsys.readouterr().out


def test_a_manifest_for_another_release_or_none_fails(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The genuine signed manifest of 1.4.0 copied under 1.4.1: signature fine, wrong release.
    other = f"{release.theme_id}@1.4.1"
    other_key = release.manifest_key.replace(f"/{VERSION}/", "/1.4.1/")
    release.put_manifest(signing.envelope(release.payload(), release.key), key=other_key)
    assert _verify(release, backend=trusted.url, name=other) == 1
    out = capsys.readouterr().out
    assert "DIFFERENT manifest: the manifest is for version '1.4.0', not '1.4.1'" in out
    # A version the service never verified has no manifest at all.
    assert _verify(release, backend=trusted.url, name=f"{release.theme_id}@9.9.9") == 1
    assert "manifest.json is missing" in capsys.readouterr().out


def test_a_profile_supplies_the_cdn_and_backend(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seaweed = release.seaweed
    ProfileStore().put(
        Profile(
            name="verify-test",
            endpoint=seaweed.endpoint,
            region=seaweed.region,
            bucket=seaweed.bucket,
            backend_url=trusted.url,
        )
    )
    assert main(["verify", release.name, "--profile", "verify-test"]) == 0
    assert capsys.readouterr().out.startswith(f"OK {release.name}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "not-a-release"], "is not ID@VERSION"),
        (["verify", "abc@1.0"], "is not a semantic version"),
        (["verify", "abc@1.0.0"], "give --cdn URL or a --profile"),
        (["verify", "abc@1.0.0", "--cdn", "ftp://x"], "--cdn must be an http(s) URL"),
        (["verify", "abc@1.0.0", "--cdn", "http://127.0.0.1:9"], "no trusted keys"),
        (["verify", "abc@1.0.0", "--profile", "nope", "--cdn", "http://x.test"], "no profile named 'nope'"),
        (["verify", "abc@1.0.0", "--cdn", "http://x.test", "--public-key", "AAAA"], "32 bytes"),
    ],
)
def test_bad_usage_is_a_clear_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_unreachable_cdn_or_backend_is_a_clear_error(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    assert _verify(release, backend=dead) == 2
    err = capsys.readouterr().err
    assert f"cannot reach the backend at {dead}" in err
    assert main(["verify", release.name, "--cdn", dead, "--backend", trusted.url]) == 2
    err = capsys.readouterr().err
    assert f"cannot reach the CDN at {dead}" in err
    assert "Traceback" not in err
    # A backend without the key listing (an older server) says so.
    assert _verify(release, backend=trusted.url + "/nothing-here") == 2
    assert "answered HTTP 404" in capsys.readouterr().err


def test_objects_share_a_bounded_connection_pool(
    release: Release, trusted: KeyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # A TCP proxy in front of the store counts the connections the verifier opens: the manifest and four
    # objects go over at most --concurrency pooled connections, not one connection per object.
    port = int(release.seaweed.endpoint.rsplit(":", 1)[1])
    proxy = TcpProxy(("127.0.0.1", port))
    proxy.open()
    try:
        cdn = f"http://127.0.0.1:{proxy.port}/{release.seaweed.bucket}"
        argv = ["verify", release.name, "--cdn", cdn, "--backend", trusted.url, "--concurrency", "2"]
        assert main(argv) == 0
        accepted = len(proxy._conns) // 2  # each accepted connection is a (client, upstream) pair
    finally:
        proxy.close()
    assert capsys.readouterr().out.startswith(f"OK {release.name}")
    assert 1 <= accepted <= 2
