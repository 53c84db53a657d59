"""The backend client against the real API (uvicorn, fresh Postgres database, Redis, SeaweedFS storage).

``running_backend`` is also used by the review, grant-publish and drafts CLI tests: one real backend whose
bucket key is SeaweedFS's admin identity, so the desktop side can run with no key at all.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest

from backend.migrations import upgrade
from studio.adapters.backend_client import BackendClient, BackendError, GrantedFile, VerificationFailedError
from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import Registration
from tests.backend.conftest import pg_redis_url
from tests.backend.helpers import Actor, create_database, drop_database, make_actor, server_info, sha
from tests.backend.seaweed import SeaweedS3
from tests.backend.servers import api_server


@dataclass(frozen=True)
class LiveBackend:
    """A running backend and its users (one token per role; two authors to test ownership)."""

    url: str
    dsn: str
    public_base_url: str
    author: Actor
    other_author: Actor
    reviewer: Actor

    def client(self, actor: Actor) -> BackendClient:
        return BackendClient(self.url, actor.token)


@contextlib.contextmanager
def running_backend(seaweed: SeaweedS3, extra_env: Mapping[str, str] | None = None) -> Iterator[LiveBackend]:
    """Start the API (``python -m backend serve``) on a fresh migrated database, storage = ``seaweed``.

    ``extra_env`` adds or overrides settings (e.g. ``CORS_ORIGINS`` for a page that calls the API).
    """
    server = server_info()
    dsn = create_database(server, "ts_studio")
    prefix = f"tsstudio:{secrets.token_hex(4)}:"
    public = f"{seaweed.endpoint}/{seaweed.bucket}"
    try:
        upgrade(dsn)
        env = {
            "DATABASE_URL": dsn,
            "REDIS_URL": pg_redis_url(),
            "REDIS_PREFIX": prefix,
            "SPACES_ENDPOINT": seaweed.endpoint,
            "SPACES_REGION": seaweed.region,
            "SPACES_BUCKET": seaweed.bucket,
            "SPACES_KEY": seaweed.access_key,
            "SPACES_SECRET": seaweed.secret_key,
            "CDN_BASE_URL": public,
            "AUTH_FAIL_LIMIT": "10000",
            **(extra_env or {}),
        }
        with api_server(env) as url:
            yield LiveBackend(
                url,
                dsn,
                public,
                make_actor(dsn, "author"),
                make_actor(dsn, "author"),
                make_actor(dsn, "reviewer"),
            )
    finally:
        drop_database(server, dsn)
        import redis

        client = redis.Redis.from_url(pg_redis_url())
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def keyless_store(seaweed: SeaweedS3, backend: LiveBackend) -> ObjectStore:
    """The desktop side in grant mode: the bucket's location and no key at all."""
    return ObjectStore(
        S3Location(seaweed.endpoint, seaweed.region, seaweed.bucket, backend.public_base_url), None, workers=4
    )


def keyed_store(seaweed: SeaweedS3, backend: LiveBackend) -> ObjectStore:
    """The desktop side with the bucket key (key mode)."""
    return ObjectStore(
        S3Location(seaweed.endpoint, seaweed.region, seaweed.bucket, backend.public_base_url),
        S3Credentials(seaweed.access_key, seaweed.secret_key),
        workers=4,
    )


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def author(live: LiveBackend) -> Iterator[BackendClient]:
    client = live.client(live.author)
    yield client
    client.close()


@pytest.fixture
def reviewer(live: LiveBackend) -> Iterator[BackendClient]:
    client = live.client(live.reviewer)
    yield client
    client.close()


def _registration(live: LiveBackend, theme_id: str, version: str, data: bytes) -> Registration:
    return Registration(theme_id, version, f"release {version}", sha(data), len(data))


def _uploaded(
    live: LiveBackend, author: BackendClient, seaweed: SeaweedS3, theme_id: str, version: str, data: bytes
) -> Registration:
    """Upload theme.css through a release grant (no key here), then what registering it says."""
    file = GrantedFile("theme.css", "text/css; charset=utf-8", len(data), sha(data))
    [(key, grant)] = author.release_grants(theme_id, version, [file]).items()
    with contextlib.closing(keyless_store(seaweed, live)) as desktop:
        desktop.put(key, data, {}, sha256=sha(data), grant=grant)
    return _registration(live, theme_id, version, data)


def test_refused_release_carries_the_findings(
    live: LiveBackend, author: BackendClient, seaweed: SeaweedS3
) -> None:
    theme_id = str(uuid.uuid4())
    author.create_theme(theme_id, "Refused")
    hostile = b":root{--a:1}\n@import url(https://evil.example/a.css);\n"
    with pytest.raises(VerificationFailedError) as refused:
        author.register_release(_uploaded(live, author, seaweed, theme_id, "1.0.0", hostile))
    [finding] = refused.value.findings
    assert (finding.rule, finding.line) == ("safety/remote-import", 2)
    assert "nothing was registered" in str(refused.value)
    assert "theme.css line 2: safety/remote-import" in str(refused.value)
    assert author.list_versions(theme_id) == []


def test_theme_create_get_and_unknown(author: BackendClient) -> None:
    theme_id = str(uuid.uuid4())
    assert author.get_theme(theme_id) is None
    created = author.create_theme(theme_id, "Aurora", description="d", tags=["dark"])
    assert created["id"] == theme_id
    got = author.get_theme(theme_id)
    assert got is not None
    assert got["name"] == "Aurora"
    assert got["available_versions"] == []
    with pytest.raises(BackendError) as info:
        author.create_theme(theme_id, "Again")
    assert info.value.code == "theme_exists"
    assert info.value.status == 409


def test_register_safe_retry_conflict_not_greater_and_yank(
    live: LiveBackend, author: BackendClient, seaweed: SeaweedS3
) -> None:
    theme_id = str(uuid.uuid4())
    author.create_theme(theme_id, "Versions")
    first = author.register_release(_uploaded(live, author, seaweed, theme_id, "1.0.0", b":root{--a:1}"))
    assert first.created
    assert first.record["version"] == "1.0.0"
    assert first.latest_moved  # the backend verified the release and moved latest itself
    assert first.record["sri"].startswith("sha384-")
    again = author.register_release(_registration(live, theme_id, "1.0.0", b":root{--a:1}"))
    assert not again.created  # HTTP 200: the same bytes again is a safe retry
    with pytest.raises(BackendError) as conflict:
        author.register_version(_registration(live, theme_id, "1.0.0", b":root{--a:2}"))
    assert conflict.value.code == "version_exists"
    assert conflict.value.status == 409
    assert "already registered with other bytes" in str(conflict.value)
    assert "publish a new version" in str(conflict.value)
    author.register_release(_uploaded(live, author, seaweed, theme_id, "1.1.0", b":root{--a:3}"))
    with pytest.raises(BackendError) as lower:
        author.register_release(_registration(live, theme_id, "1.0.5", b":root{--a:4}"))
    assert lower.value.code == "version_not_greater"
    assert "choose a higher version" in str(lower.value)
    assert author.available_versions(theme_id) == ["1.1.0", "1.0.0"]
    yanked = author.yank(theme_id, "1.1.0")
    assert yanked["yanked_at"] is not None
    assert author.available_versions(theme_id) == ["1.0.0"]
    listed = author.list_versions(theme_id)
    assert {v["version"]: v["yanked_at"] is not None for v in listed} == {"1.1.0": True, "1.0.0": False}
    with pytest.raises(BackendError) as missing:
        author.yank(theme_id, "9.9.9")
    assert missing.value.status == 404


def test_move_latest_through_the_backend(
    live: LiveBackend, author: BackendClient, seaweed: SeaweedS3
) -> None:
    """The desktop has no key: the backend copies the release to ``latest``; a yank moves it back."""
    theme_id = str(uuid.uuid4())
    author.create_theme(theme_id, "Aliased")
    desktop = keyless_store(seaweed, live)
    alias = f"themes-published/{theme_id}/latest/theme.css"
    try:
        with pytest.raises(BackendError) as unregistered:
            author.move_latest(theme_id, "1.0.0")
        assert (unregistered.value.status, unregistered.value.code) == (409, "version_not_registered")
        bodies = {}
        for version in ("1.0.0", "1.1.0"):
            data = f":root{{--v:'{version}'}}".encode()
            file = GrantedFile("theme.css", "text/css; charset=utf-8", len(data), sha(data))
            [(key, grant)] = author.release_grants(theme_id, version, [file]).items()
            desktop.put(key, data, {}, sha256=sha(data), grant=grant)
            registered = author.register_release(_registration(live, theme_id, version, data))
            assert registered.latest_moved
            bodies[version] = data
        with pytest.raises(BackendError) as missing:
            author.move_latest(theme_id, "2.0.0")
        assert missing.value.code == "version_not_registered"
        assert "register it first" in str(missing.value)
        assert author.move_latest(theme_id, "1.1.0")
        assert author.move_latest(theme_id, "1.1.0")  # idempotent
        assert not author.move_latest(theme_id, "1.0.0")  # never backwards: a newer release holds it
        assert desktop.get_public(alias)[1] == bodies["1.1.0"]
        yanked = author.yank(theme_id, "1.1.0")
        assert yanked["latest_alias"]["action"] == "moved"
        assert yanked["latest_alias"]["version"] == "1.0.0"
        assert desktop.get_public(alias)[1] == bodies["1.0.0"]
    finally:
        desktop.close()


def test_draft_lifecycle_and_illegal_transitions(
    live: LiveBackend, author: BackendClient, reviewer: BackendClient
) -> None:
    theme_id = str(uuid.uuid4())
    author.create_theme(theme_id, "Drafts")
    data = b":root{--accent:#123456}\n"
    draft = author.create_draft(theme_id, sha(data), len(data))
    assert draft.status == "draft"
    assert draft.revision == 1
    assert draft.object_key == f"themes-drafts/{theme_id}/{live.author.user_id}/1/theme.css"
    grant = author.draft_upload_grant(draft.id)
    assert grant.method == "PUT"
    assert grant.headers["Cache-Control"] == "no-store"
    with pytest.raises(BackendError) as early:
        reviewer.approve(draft.id, "not yet submitted")
    assert early.value.code == "illegal_transition"
    assert early.value.status == 409
    submitted = author.submit_draft(draft.id)
    assert submitted.status == "in_review"
    assert draft.id in [d.id for d in reviewer.awaiting_review()]
    with pytest.raises(BackendError) as twice:
        author.submit_draft(draft.id)
    assert twice.value.code == "illegal_transition"
    with pytest.raises(BackendError) as self_review:
        author.approve(draft.id)
    assert self_review.value.status == 403
    approved = reviewer.approve(draft.id, "ship it")
    assert approved.status == "approved"
    assert approved.comment == "ship it"
    assert approved.reviewer_id == str(live.reviewer.user_id)
    with pytest.raises(BackendError) as after:
        reviewer.request_changes(draft.id, "changed my mind")
    assert after.value.code == "illegal_transition"
    assert author.get_draft(draft.id).status == "approved"
    assert [d.id for d in author.theme_drafts(theme_id)] == [draft.id]
    assert draft.id not in [d.id for d in reviewer.awaiting_review()]


def test_errors_are_clear_and_never_carry_the_token(live: LiveBackend) -> None:
    token = "tst_" + secrets.token_urlsafe(24)
    client = BackendClient(live.url, token)
    try:
        with pytest.raises(BackendError) as refused:
            client.create_theme(str(uuid.uuid4()), "Nope")
        assert refused.value.status == 401
        assert token not in str(refused.value)
    finally:
        client.close()
    down = BackendClient("http://127.0.0.1:9", token)
    try:
        with pytest.raises(BackendError) as unreachable:
            down.get_theme(str(uuid.uuid4()))
        assert "unreachable" in str(unreachable.value)
        assert token not in str(unreachable.value)
    finally:
        down.close()


def test_reviewer_only_routes_refuse_an_author(author: BackendClient) -> None:
    with pytest.raises(BackendError) as info:
        author.awaiting_review()
    assert info.value.status == 403
