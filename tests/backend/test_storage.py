"""Upload grants against a real SeaweedFS: what a grant allows works; anything else the STORE refuses."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backend.storage import (
    ObjectStorage,
    StorageConfig,
    StorageError,
    UploadGrant,
    addressing_style,
)
from tests.backend.seaweed import SeaweedS3

CSS = b":root { --accent: #3355ff; }\nbody { color: var(--accent); }\n"
SHA = hashlib.sha256(CSS).hexdigest()
MiB = 1024 * 1024


def _config(server: SeaweedS3, *, secret: str | None = None, readonly: bool = False) -> StorageConfig:
    return StorageConfig(
        endpoint=server.endpoint,
        region=server.region,
        bucket=server.bucket,
        access_key=server.readonly_access_key if readonly else server.access_key,
        secret_key=secret or (server.readonly_secret_key if readonly else server.secret_key),
        # The bucket's own URL stands in for the CDN: anonymous reads go through the bucket policy.
        cdn_base_url=f"{server.endpoint}/{server.bucket}",
    )


@pytest.fixture(scope="module")
def storage(seaweed: SeaweedS3) -> ObjectStorage:
    return ObjectStorage(_config(seaweed))


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _draft_key() -> str:
    return f"themes-drafts/{uuid.uuid4()}/{uuid.uuid4()}/1/theme.css"


def _put_grant(storage: ObjectStorage, key: str, **overrides: object) -> UploadGrant:
    args: dict[str, object] = {
        "content_type": "text/css",
        "max_bytes": 5 * MiB,
        "metadata": {"theme-id": "t-1", "version": "1.0.0"},
        "cache_control": "no-store",
        "size": len(CSS),
        "sha256": SHA,
    }
    args.update(overrides)
    return storage.grant_upload(key, **args)  # type: ignore[arg-type]


def _post_grant(
    storage: ObjectStorage, key: str, *, max_bytes: int = 1024, expires_in: int = 900
) -> UploadGrant:
    return storage.grant_upload(
        key,
        content_type="text/css",
        max_bytes=max_bytes,
        metadata={"theme-id": "t-1", "version": "1.0.0"},
        cache_control="no-store",
        expires_in=expires_in,
    )


def _changed(base: dict[str, str], changes: dict[str, str | None] | None) -> dict[str, str]:
    """``base`` with entries replaced (or removed where the new value is None)."""
    result = dict(base)
    for name, value in (changes or {}).items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def _put(
    http: httpx.Client,
    grant: UploadGrant,
    body: bytes = CSS,
    *,
    changes: dict[str, str | None] | None = None,
) -> httpx.Response:
    # httpx sets Content-Length from the body, so a bigger body really arrives with a bigger length.
    headers = _changed({k: v for k, v in grant.headers.items() if k != "Content-Length"}, changes)
    return http.put(grant.url, headers=headers, content=body)


def _post(
    http: httpx.Client,
    grant: UploadGrant,
    body: bytes = CSS,
    *,
    part_type: str = "text/css",
    changes: dict[str, str | None] | None = None,
) -> httpx.Response:
    fields = _changed(grant.fields, changes)
    return http.post(grant.url, data=fields, files={"file": ("theme.css", body, part_type)})


def _error_code(response: httpx.Response) -> str:
    text = response.text
    start = text.find("<Code>")
    return text[start + 6 : text.find("</Code>")] if start >= 0 else ""


# -- presigned PUT ---------------------------------------------------------------------------------


def test_put_grant_uploads_with_headers_and_metadata(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    grant = _put_grant(storage, key)
    assert grant.method == "PUT"
    assert grant.fields == {}
    assert grant.max_bytes == len(CSS)
    assert grant.headers["Content-Length"] == str(len(CSS))
    assert grant.headers["x-amz-meta-sha256"] == SHA

    response = _put(http, grant)

    assert response.status_code == 200, response.text
    stored = storage.head_object(key)
    assert stored is not None
    assert stored.size == len(CSS)
    assert stored.content_type == "text/css"
    assert stored.cache_control == "no-store"
    assert stored.metadata == {"theme-id": "t-1", "version": "1.0.0", "sha256": SHA}


def test_put_grant_accepts_an_uppercase_sha256(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    grant = _put_grant(storage, key, sha256=SHA.upper())
    assert grant.headers["x-amz-meta-sha256"] == SHA
    assert _put(http, grant).status_code == 200


def test_post_grant_carries_a_known_sha256_as_metadata(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    grant = _put_grant(storage, key, size=None)
    assert grant.method == "POST"
    assert grant.fields["x-amz-meta-sha256"] == SHA
    assert _post(http, grant).status_code == 204
    assert _post(http, grant, changes={"x-amz-meta-sha256": "0" * 64}).status_code == 403


def test_put_grant_signs_every_header_it_lists(storage: ObjectStorage) -> None:
    grant = _put_grant(storage, _draft_key())
    query = httpx.URL(grant.url).params
    signed = set(query["X-Amz-SignedHeaders"].split(";"))
    assert {h.lower() for h in grant.headers} <= signed
    assert {"content-length", "content-type", "cache-control", "x-amz-checksum-sha256"} <= signed


def test_put_grant_refused_for_another_key(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    grant = _put_grant(storage, key)
    other = grant.url.replace(key, _draft_key())
    response = http.put(
        other, headers={k: v for k, v in grant.headers.items() if k != "Content-Length"}, content=CSS
    )
    assert response.status_code == 403
    assert _error_code(response) == "SignatureDoesNotMatch"
    assert storage.head_object(key) is None


def test_put_grant_refused_for_a_bigger_body(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    response = _put(http, _put_grant(storage, key), CSS + b"/* more */")
    assert response.status_code == 403
    assert _error_code(response) == "SignatureDoesNotMatch"
    assert storage.head_object(key) is None


def test_put_grant_refused_for_other_bytes_of_the_same_size(
    storage: ObjectStorage, http: httpx.Client
) -> None:
    key = _draft_key()
    response = _put(http, _put_grant(storage, key), CSS[::-1])
    assert response.status_code == 400
    assert _error_code(response) == "BadDigest"
    assert storage.head_object(key) is None


@pytest.mark.parametrize(
    "change",
    [
        {"Content-Type": "text/html"},
        {"Cache-Control": "public, max-age=31536000, immutable"},
        {"x-amz-meta-version": "9.9.9"},
        {"x-amz-meta-theme-id": None},
        {"x-amz-meta-extra": "1"},
    ],
    ids=["content-type", "cache-control", "metadata-value", "metadata-missing", "metadata-extra"],
)
def test_put_grant_refused_when_a_header_differs(
    storage: ObjectStorage, http: httpx.Client, change: dict[str, str | None]
) -> None:
    key = _draft_key()
    response = _put(http, _put_grant(storage, key), changes=change)
    assert response.status_code == 403
    assert _error_code(response) == "SignatureDoesNotMatch"
    assert storage.head_object(key) is None


def test_put_grant_refused_with_a_tampered_signature(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    grant = _put_grant(storage, key)
    url = httpx.URL(grant.url)
    signature = url.params["X-Amz-Signature"]
    tampered = url.copy_set_param("X-Amz-Signature", ("0" if signature[0] != "0" else "1") + signature[1:])
    response = http.put(
        tampered, headers={k: v for k, v in grant.headers.items() if k != "Content-Length"}, content=CSS
    )
    assert response.status_code == 403
    assert _error_code(response) == "SignatureDoesNotMatch"


def test_put_grant_from_a_read_only_key_is_refused(seaweed: SeaweedS3, http: httpx.Client) -> None:
    read_only = ObjectStorage(_config(seaweed, readonly=True))
    key = _draft_key()
    response = _put(http, _put_grant(read_only, key))
    assert response.status_code == 403
    assert _error_code(response) == "AccessDenied"


# -- POST policy -----------------------------------------------------------------------------------


def test_post_grant_uploads_with_headers_and_metadata(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    grant = _post_grant(storage, key)
    assert grant.method == "POST"
    assert grant.headers == {}
    assert grant.fields["key"] == key

    response = _post(http, grant)

    assert response.status_code == 204, response.text
    stored = storage.head_object(key)
    assert stored is not None
    assert (stored.size, stored.content_type, stored.cache_control) == (len(CSS), "text/css", "no-store")
    assert stored.metadata == {"theme-id": "t-1", "version": "1.0.0"}


def test_post_grant_refused_for_a_bigger_body(storage: ObjectStorage, http: httpx.Client) -> None:
    key = _draft_key()
    response = _post(http, _post_grant(storage, key, max_bytes=len(CSS)), CSS + b" ")
    assert response.status_code == 400
    assert _error_code(response) == "EntityTooLarge"
    assert storage.head_object(key) is None


@pytest.mark.parametrize(
    "change",
    [
        {"key": "themes-published/x/1.0.0/theme.css"},
        {"Content-Type": "text/html"},
        {"Cache-Control": "public"},
        {"x-amz-meta-version": "9.9.9"},
        {"x-amz-meta-theme-id": None},
        {"x-amz-meta-extra": "1"},
    ],
    ids=["key", "content-type", "cache-control", "metadata-value", "metadata-missing", "field-extra"],
)
def test_post_grant_refused_when_a_field_differs(
    storage: ObjectStorage, http: httpx.Client, change: dict[str, str | None]
) -> None:
    key = _draft_key()
    response = _post(http, _post_grant(storage, key), changes=change)
    assert response.status_code == 403
    assert _error_code(response) == "AccessDenied"
    assert "Policy" in response.text
    assert storage.head_object(key) is None
    other_key = change.get("key")
    if other_key:
        assert storage.head_object(other_key) is None


def test_post_grant_stores_the_signed_content_type_whatever_the_file_part_says(
    storage: ObjectStorage, http: httpx.Client
) -> None:
    key = _draft_key()
    response = _post(http, _post_grant(storage, key), part_type="text/html")
    assert response.status_code == 204
    stored = storage.head_object(key)
    assert stored is not None
    assert stored.content_type == "text/css"


def test_post_grant_refused_with_a_tampered_signature(storage: ObjectStorage, http: httpx.Client) -> None:
    grant = _post_grant(storage, _draft_key())
    response = _post(http, grant, changes={"x-amz-signature": "0" * 64})
    assert response.status_code == 403
    assert _error_code(response) == "SignatureDoesNotMatch"


@pytest.fixture(scope="module")
def draft_key(storage: ObjectStorage) -> str:
    key = _draft_key()
    with httpx.Client() as http:
        assert _put(http, _put_grant(storage, key)).status_code == 200
    return key


# -- expiry (one shared wait) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expired:
    put: UploadGrant
    post: UploadGrant
    get_url: str


@pytest.fixture(scope="module")
def expired(storage: ObjectStorage, draft_key: str) -> Expired:
    """Grants valid for 1 s, made once and waited out once (SigV4 expiry has 1 s resolution)."""
    grants = Expired(
        put=_put_grant(storage, _draft_key(), expires_in=1),
        post=_post_grant(storage, _draft_key(), expires_in=1),
        get_url=storage.grant_download(draft_key, expires_in=1),
    )
    assert grants.put.expires_at <= datetime.now(UTC) + timedelta(seconds=1)
    time.sleep(2.1)
    return grants


def test_put_grant_refused_after_expiry(storage: ObjectStorage, http: httpx.Client, expired: Expired) -> None:
    response = _put(http, expired.put)
    assert response.status_code == 403
    assert "expired" in response.text.lower()
    assert storage.head_object(expired.put.key) is None


def test_post_grant_refused_after_expiry(
    storage: ObjectStorage, http: httpx.Client, expired: Expired
) -> None:
    response = _post(http, expired.post)
    assert response.status_code == 403
    assert "expired" in response.text.lower()
    assert storage.head_object(expired.post.key) is None


def test_presigned_get_refused_after_expiry(http: httpx.Client, expired: Expired) -> None:
    response = http.get(expired.get_url)
    assert response.status_code == 403
    assert "expired" in response.text.lower()


# -- refused before signing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"size": 5 * MiB + 1}, "exceeds"),
        ({"size": -1}, "negative"),
        ({"max_bytes": 0}, "max_bytes"),
        ({"expires_in": 0}, "expires_in"),
        ({"expires_in": 8 * 24 * 3600}, "expires_in"),
        ({"sha256": "XYZ"}, "sha256"),
        ({"sha256": "0" * 64}, "differs"),
        ({"content_type": ""}, "content_type"),
        ({"content_type": "text/css\r\nx-amz-acl: public-read"}, "content_type"),
        ({"metadata": {"Theme Id": "x"}}, "metadata"),
        ({"metadata": {"version": "1.0.0é"}}, "metadata"),
    ],
)
def test_grant_upload_rejects_bad_arguments(
    storage: ObjectStorage, overrides: dict[str, object], message: str
) -> None:
    if overrides.get("sha256") == "0" * 64:
        overrides = {**overrides, "metadata": {"sha256": SHA}}
    with pytest.raises(ValueError, match=message):
        _put_grant(storage, _draft_key(), **overrides)


@pytest.mark.parametrize("key", ["", "/abs/theme.css", "a\nb"])
def test_grants_reject_bad_keys(storage: ObjectStorage, key: str) -> None:
    with pytest.raises(ValueError, match="key"):
        _put_grant(storage, key)
    with pytest.raises(ValueError, match="key"):
        storage.grant_download(key)


# -- downloads and public reads --------------------------------------------------------------------


def test_presigned_get_reads_a_private_draft(
    storage: ObjectStorage, http: httpx.Client, draft_key: str
) -> None:
    assert http.get(storage.public_url(draft_key)).status_code == 403  # private without a signature
    response = http.get(storage.grant_download(draft_key, expires_in=60))
    assert response.status_code == 200
    assert response.content == CSS


def test_presigned_get_is_bound_to_its_key(
    storage: ObjectStorage, http: httpx.Client, draft_key: str
) -> None:
    other = _draft_key()
    assert _put(http, _put_grant(storage, other)).status_code == 200
    url = storage.grant_download(draft_key).replace(draft_key, other)
    assert http.get(url).status_code == 403


@pytest.mark.parametrize(
    ("prefix", "status"),
    [("themes-published", 200), ("themes-previews", 200), ("themes-drafts", 403)],
)
def test_anonymous_reads_follow_the_bucket_policy(
    storage: ObjectStorage, http: httpx.Client, prefix: str, status: int
) -> None:
    key = f"{prefix}/{uuid.uuid4()}/1.0.0/theme file.css"
    assert _put(http, _put_grant(storage, key)).status_code == 200
    response = http.get(storage.public_url(key))
    assert response.status_code == status
    if status == 200:
        assert response.content == CSS


def test_public_url_quotes_the_key(storage: ObjectStorage) -> None:
    url = storage.public_url("themes-published/a b/1.0.0/theme#1.css")
    assert url == f"{storage.config.cdn_base_url}/themes-published/a%20b/1.0.0/theme%231.css"


def test_head_object_of_a_missing_key_is_none(storage: ObjectStorage) -> None:
    assert storage.head_object(_draft_key()) is None


# -- health and secrets ----------------------------------------------------------------------------


def test_check_is_true_with_the_right_key(storage: ObjectStorage) -> None:
    assert storage.check() is True


def test_check_is_false_with_a_wrong_secret(seaweed: SeaweedS3) -> None:
    assert ObjectStorage(_config(seaweed, secret="not-the-secret")).check() is False


def test_check_is_false_when_the_store_is_unreachable(seaweed: SeaweedS3) -> None:
    config = _config(seaweed)
    dead = StorageConfig(
        endpoint="http://127.0.0.1:9",
        region=config.region,
        bucket=config.bucket,
        access_key=config.access_key,
        secret_key=config.secret_key,
        cdn_base_url=config.cdn_base_url,
    )
    assert ObjectStorage(dead).check() is False


def test_secret_never_appears_in_config_grants_or_errors(seaweed: SeaweedS3, storage: ObjectStorage) -> None:
    secret = seaweed.secret_key
    texts = [repr(storage.config), str(storage.config)]
    for grant in (_put_grant(storage, _draft_key()), _post_grant(storage, _draft_key())):
        texts += [repr(grant), str(grant)]
    texts.append(storage.grant_download(_draft_key()))

    wrong = ObjectStorage(_config(seaweed, secret=secret[::-1]))
    with pytest.raises(StorageError) as raised:
        wrong.head_object(_draft_key())
    texts += [str(raised.value), repr(raised.value)]

    assert texts
    for text in texts:
        assert secret not in text
        assert secret[::-1] not in text
    assert "403" in str(raised.value)


@pytest.mark.parametrize(
    ("endpoint", "style"),
    [
        ("http://127.0.0.1:8333", "path"),
        ("http://localhost:8333", "path"),
        ("http://[::1]:8333", "path"),
        ("https://nyc3.digitaloceanspaces.com", "virtual"),
        ("https://s3.eu-west-1.amazonaws.com", "virtual"),
        ("https://minio.internal:9000", "path"),
    ],
)
def test_addressing_style_follows_the_endpoint(endpoint: str, style: str) -> None:
    assert addressing_style(endpoint) == style


def test_config_rejects_an_endpoint_without_scheme() -> None:
    with pytest.raises(ValueError, match="endpoint"):
        StorageConfig("nyc3.digitaloceanspaces.com", "nyc3", "b", "k", "s", "https://cdn")
