"""migrate-assets between two real SeaweedFS servers: headers and metadata kept, sha256 checked, resumable."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator

import pytest

from studio.adapters.migrate_assets import Migrator
from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from tests.backend.seaweed import SeaweedS3, run_seaweed

IMMUTABLE = "public, max-age=31536000, immutable"


def store_for(server: SeaweedS3, *, secret: str | None = None) -> ObjectStore:
    creds = S3Credentials(server.access_key, server.secret_key if secret is None else secret)
    return ObjectStore(S3Location(server.endpoint, server.region, server.bucket), creds, workers=4)


def creds_of(server: SeaweedS3) -> S3Credentials:
    return S3Credentials(server.access_key, server.secret_key)


@pytest.fixture(scope="module")
def second() -> Iterator[SeaweedS3]:
    """A second SeaweedFS: the destination endpoint."""
    with run_seaweed() as server:
        yield server


def put(store: ObjectStore, key: str, body: bytes, *, sha_meta: str | None = "auto", **headers: str) -> None:
    sha = hashlib.sha256(body).hexdigest()
    send = {"Content-Type": headers.get("content_type", "text/css; charset=utf-8")}
    if "cache_control" in headers:
        send["Cache-Control"] = headers["cache_control"]
    send["x-amz-meta-theme-id"] = "t1"
    if sha_meta is not None:
        send["x-amz-meta-sha256"] = sha if sha_meta == "auto" else sha_meta
    store.put(key, body, send, sha256=sha)


def test_copy_keeps_headers_and_metadata_then_resumes_and_repairs(
    seaweed: SeaweedS3, second: SeaweedS3
) -> None:
    prefix = f"themes-published/m-{secrets.token_hex(4)}/"
    src, dst = store_for(seaweed), store_for(second)
    big = secrets.token_bytes(9 * 1024 * 1024)  # above the multipart threshold
    put(src, prefix + "1.0.0/theme.css", b":root{--a:1}", cache_control=IMMUTABLE)
    put(src, prefix + "1.0.0/assets/font.woff2", b"\x00woff" * 100, content_type="font/woff2")
    put(src, prefix + "1.0.0/assets/big.png", big, content_type="image/png", cache_control=IMMUTABLE)
    put(src, prefix + "legacy/no-sha.css", b"body{}", sha_meta=None)
    put(src, "themes-published/elsewhere/x.css", b"not under the prefix")
    migrator = Migrator(src, dst, creds_of(seaweed), workers=3)
    try:
        first = migrator.run(prefix)
        assert first.failed == []
        assert len(first.copied) == 4
        assert first.bytes_copied == 12 + 500 + len(big) + 6
        for key in (
            prefix + "1.0.0/theme.css",
            prefix + "1.0.0/assets/big.png",
            prefix + "legacy/no-sha.css",
        ):
            a, b = src.head(key), dst.head(key)
            assert a is not None
            assert b is not None
            assert (b.size, b.content_type, b.cache_control, dict(b.metadata)) == (
                a.size,
                a.content_type,
                a.cache_control,
                dict(a.metadata),
            )
        assert dst.head(prefix + "1.0.0/assets/big.png").metadata["sha256"] == hashlib.sha256(big).hexdigest()  # type: ignore[union-attr]
        assert dst.head("themes-published/elsewhere/x.css") is None
        status, body, _ = dst.get_public(prefix + "1.0.0/assets/big.png")
        assert status == 200
        assert body == big

        # Run again: nothing moves.
        again = migrator.run(prefix)
        assert sorted(again.skipped) == sorted(first.copied)
        assert again.copied == []
        assert again.bytes_copied == 0

        # A damaged object at the destination (other bytes, same key) is found and replaced.
        put(dst, prefix + "1.0.0/theme.css", b":root{--a:BROKEN}", cache_control=IMMUTABLE)
        repaired = migrator.run(prefix)
        assert repaired.copied == [prefix + "1.0.0/theme.css"]
        assert len(repaired.skipped) == 3
        assert dst.get_public(prefix + "1.0.0/theme.css")[1] == b":root{--a:1}"
    finally:
        migrator.close()
        src.close()
        dst.close()


def test_source_bytes_that_do_not_match_their_sha256_fail_with_the_reason(
    seaweed: SeaweedS3, second: SeaweedS3
) -> None:
    prefix = f"themes-published/bad-{secrets.token_hex(4)}/"
    src, dst = store_for(seaweed), store_for(second)
    put(src, prefix + "ok.css", b"a{}")
    put(src, prefix + "lying.css", b"b{}", sha_meta="0" * 64)
    migrator = Migrator(src, dst, creds_of(seaweed))
    try:
        summary = migrator.run(prefix)
    finally:
        migrator.close()
    assert summary.copied == [prefix + "ok.css"]
    assert [key for key, _ in summary.failed] == [prefix + "lying.css"]
    assert "do not match their sha256 metadata" in summary.failed[0][1]
    assert dst.head(prefix + "lying.css") is None
    assert "1 failed" in summary.describe()
    bad_dest = store_for(second, secret="wrong-" + secrets.token_hex(8))
    migrator = Migrator(src, bad_dest, creds_of(seaweed))
    try:
        refused = migrator.run(prefix)
    finally:
        migrator.close()
        bad_dest.close()
        src.close()
        dst.close()
    assert len(refused.failed) == 2
    assert all("refused" in reason for _, reason in refused.failed)
    assert second.secret_key not in refused.describe()
