"""The upload engine against a real SeaweedFS: signatures, conditional writes, copies, multipart, errors."""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.adapters import object_store
from studio.adapters.object_store import (
    AccessDeniedError,
    CancelledError,
    ObjectStore,
    ObjectStoreError,
    PreconditionFailedError,
    PutRequest,
    S3Credentials,
    S3Location,
)
from tests.backend.seaweed import SeaweedS3


def _store(server: SeaweedS3, *, readonly: bool = False, secret: str | None = None) -> ObjectStore:
    if readonly:
        creds = S3Credentials(server.readonly_access_key, server.readonly_secret_key)
    else:
        creds = S3Credentials(server.access_key, secret or server.secret_key)
    return ObjectStore(S3Location(server.endpoint, server.region, server.bucket), creds, workers=4)


@pytest.fixture
def store(seaweed: SeaweedS3) -> Iterator[ObjectStore]:
    s = _store(seaweed)
    yield s
    s.close()


def _key(name: str) -> str:
    return f"themes-published/test-{uuid.uuid4().hex[:8]}/1.0.0/{name}"


def _headers(sha: str) -> dict[str, str]:
    return {
        "Content-Type": "text/css; charset=utf-8",
        "Cache-Control": "public, max-age=60",
        "x-amz-meta-sha256": sha,
    }


def test_put_head_and_public_get(store: ObjectStore) -> None:
    body = b":root { --a: 1px; }\n"
    sha = hashlib.sha256(body).hexdigest()
    key = _key("theme.css")
    store.put(key, body, _headers(sha), sha256=sha, if_none_match=True)
    info = store.head(key)
    assert info is not None
    assert (info.size, info.content_type, info.cache_control) == (
        len(body),
        "text/css; charset=utf-8",
        "public, max-age=60",
    )
    assert info.metadata["sha256"] == sha
    assert info.etag == hashlib.md5(body, usedforsecurity=False).hexdigest()
    status, got, _ = store.get_public(key)
    assert (status, got) == (200, body)
    assert store.head(_key("missing.css")) is None


def test_if_none_match_never_overwrites(store: ObjectStore) -> None:
    key = _key("theme.css")
    first = b"a{}"
    store.put(
        key,
        first,
        _headers(hashlib.sha256(first).hexdigest()),
        sha256=hashlib.sha256(first).hexdigest(),
        if_none_match=True,
    )
    other = b"b{}"
    with pytest.raises(PreconditionFailedError):
        store.put(key, other, {}, sha256=hashlib.sha256(other).hexdigest(), if_none_match=True)
    assert store.get_public(key)[1] == first


def test_corrupted_bytes_are_rejected_by_the_store(store: ObjectStore) -> None:
    key = _key("theme.css")
    with pytest.raises(ObjectStoreError) as caught:
        store.put(key, b"real bytes", {}, sha256=hashlib.sha256(b"other bytes").hexdigest())
    assert caught.value.code in ("BadDigest", "XAmzContentSHA256Mismatch", "SignatureDoesNotMatch")
    assert store.head(key) is None


def test_copy_replaces_headers_without_moving_bytes(store: ObjectStore) -> None:
    body = b"x" * 1000
    sha = hashlib.sha256(body).hexdigest()
    source, target = _key("a.bin"), _key("b.bin")
    store.put(source, body, _headers(sha), sha256=sha)
    store.copy(
        source,
        target,
        {
            "Content-Type": "font/woff2",
            "Cache-Control": "immutable",
            "x-amz-meta-version": "2.0.0",
            "x-amz-meta-sha256": sha,
        },
    )
    info = store.head(target)
    assert info is not None
    assert (info.content_type, info.cache_control, dict(info.metadata)) == (
        "font/woff2",
        "immutable",
        {"version": "2.0.0", "sha256": sha},
    )


def test_list_objects_pages_and_prefixes(store: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    base = f"themes-published/list-{uuid.uuid4().hex[:8]}/"
    for n in range(5):
        body = str(n).encode()
        store.put(f"{base}{n}/theme.css", body, {}, sha256=hashlib.sha256(body).hexdigest())
    objects, prefixes = store.list_objects(base)
    assert len(objects) == 5
    assert prefixes == []
    _objects, prefixes = store.list_objects(base, delimiter="/")
    assert prefixes == [f"{base}{n}/" for n in range(5)]


def test_multipart_upload_of_a_large_file(
    store: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(object_store, "PART_SIZE", 5 * 1024 * 1024)
    monkeypatch.setattr(object_store, "MULTIPART_THRESHOLD", 5 * 1024 * 1024)
    data = os.urandom(11 * 1024 * 1024)
    path = tmp_path / "big.woff2"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    key = _key("assets/big.woff2")
    seen: list[int] = []
    store.put_file(
        key,
        path,
        {"Content-Type": "font/woff2", "x-amz-meta-sha256": sha},
        sha256=sha,
        size=len(data),
        on_bytes=seen.append,
    )
    assert sorted(seen) == [1024 * 1024, 5 * 1024 * 1024, 5 * 1024 * 1024]
    info = store.head(key)
    assert info is not None
    assert info.size == len(data)
    assert info.metadata["sha256"] == sha
    assert info.etag.endswith("-3")
    assert hashlib.sha256(store.get_public(key)[1]).hexdigest() == sha


def test_cancelled_multipart_is_aborted(
    store: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(object_store, "PART_SIZE", 5 * 1024 * 1024)
    path = tmp_path / "big.bin"
    path.write_bytes(b"z" * (10 * 1024 * 1024 + 1))
    cancel = threading.Event()
    cancel.set()
    key = _key("assets/big.bin")
    with pytest.raises(CancelledError):
        store.multipart_put(key, path, {}, size=path.stat().st_size, cancel=cancel)
    assert store.head(key) is None


def test_read_only_key_gets_a_clear_access_denied(seaweed: SeaweedS3) -> None:
    ro = _store(seaweed, readonly=True)
    try:
        with pytest.raises(AccessDeniedError) as caught:
            ro.put(_key("theme.css"), b"a", {}, sha256=hashlib.sha256(b"a").hexdigest())
        assert "AccessDenied" in str(caught.value)
        assert seaweed.readonly_secret_key not in str(caught.value)
    finally:
        ro.close()


def test_wrong_secret_is_refused_without_echoing_it(seaweed: SeaweedS3) -> None:
    wrong = "not-the-secret-" + uuid.uuid4().hex
    bad = _store(seaweed, secret=wrong)
    try:
        with pytest.raises(AccessDeniedError) as caught:
            bad.put(_key("theme.css"), b"a", {}, sha256=hashlib.sha256(b"a").hexdigest())
        assert wrong not in str(caught.value)
    finally:
        bad.close()


def test_granted_put_goes_through_the_same_pool(store: ObjectStore, seaweed: SeaweedS3) -> None:
    """A presigned PUT (what the backend grants) uploads without our key; another body is refused."""
    body = b"granted{}"
    sha = hashlib.sha256(body).hexdigest()
    key = _key("theme.css")
    import base64

    checksum = base64.b64encode(bytes.fromhex(sha)).decode()
    url = seaweed.client().generate_presigned_url(
        "put_object",
        Params={"Bucket": seaweed.bucket, "Key": key, "ContentType": "text/css", "ChecksumSHA256": checksum},
        ExpiresIn=60,
    )
    grant = PutRequest("PUT", url, {"Content-Type": "text/css", "x-amz-checksum-sha256": checksum})
    anonymous = ObjectStore(S3Location(seaweed.endpoint, seaweed.region, seaweed.bucket), None)
    try:
        with pytest.raises(ObjectStoreError):
            anonymous.put(key, b"other bytes", {}, sha256=sha, grant=grant)
        anonymous.put(key, body, {}, sha256=sha, grant=grant)
    finally:
        anonymous.close()
    assert store.get_public(key)[1] == body


def test_location_addressing() -> None:
    spaces = S3Location(
        "https://nyc3.digitaloceanspaces.com", "nyc3", "bkt", "https://bkt.nyc3.cdn.digitaloceanspaces.com"
    )
    assert spaces.object_url("a b/c.css") == "https://bkt.nyc3.digitaloceanspaces.com/a%20b/c.css"
    assert spaces.public_url("x/theme.css") == "https://bkt.nyc3.cdn.digitaloceanspaces.com/x/theme.css"
    local = S3Location("http://127.0.0.1:8333", "us-east-1", "bkt")
    assert local.object_url("k") == "http://127.0.0.1:8333/bkt/k"
    assert S3Location("http://localhost:1", "r", "b").path_style
    with pytest.raises(ValueError, match="http"):
        S3Location("ftp://x", "r", "b")
