"""Drafts for review end to end: the real backend, SeaweedFS, an author and a reviewer."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.adapters.backend_client import BackendClient, BackendError
from studio.adapters.object_store import ObjectStore
from studio.adapters.publisher import Publisher
from studio.adapters.review import ReviewService
from studio.core.drafts import DRAFT_CACHE, DraftError
from studio.core.publish_plan import plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from tests.adapters.test_backend_client import LiveBackend, keyed_store, keyless_store, running_backend
from tests.backend.seaweed import SeaweedS3


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def admin(seaweed: SeaweedS3, live: LiveBackend) -> Iterator[ObjectStore]:
    store = keyed_store(seaweed, live)
    yield store
    store.close()


@pytest.fixture
def author_backend(live: LiveBackend) -> Iterator[BackendClient]:
    client = live.client(live.author)
    yield client
    client.close()


@pytest.fixture
def author(seaweed: SeaweedS3, live: LiveBackend, author_backend: BackendClient) -> Iterator[ReviewService]:
    """The author's studio in grant mode: no bucket key."""
    store = keyless_store(seaweed, live)
    service = ReviewService(author_backend, store)
    yield service
    service.close()
    store.close()


@pytest.fixture
def reviewer(seaweed: SeaweedS3, live: LiveBackend) -> Iterator[ReviewService]:
    client = live.client(live.reviewer)
    store = keyless_store(seaweed, live)
    service = ReviewService(client, store)
    yield service
    service.close()
    store.close()
    client.close()


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "t", "light", "Reviewed")


def _edit(theme: Theme, extra: str) -> bytes:
    theme.css_path.write_text(theme.css_path.read_text() + extra)
    return theme.css_path.read_bytes()


def test_submit_review_approve_then_publish_exactly_the_approved_bytes(
    author: ReviewService, reviewer: ReviewService, admin: ObjectStore, theme: Theme
) -> None:
    submitted_bytes = theme.css_path.read_bytes()
    draft = author.submit(theme)  # creates the theme on the backend, uploads with a grant, submits
    assert draft.status == "in_review"
    assert draft.sha256 == hashlib.sha256(submitted_bytes).hexdigest()
    head = admin.head(draft.object_key)
    assert head is not None
    assert head.cache_control == DRAFT_CACHE
    assert head.content_type == "text/css"
    assert head.metadata["sha256"] == draft.sha256
    status, _body, _headers = author.store.get_public(draft.object_key)
    assert status == 403  # drafts are private: no anonymous read

    assert draft.id in [d.id for d in reviewer.awaiting()]
    fetched, review = reviewer.open_for_review(draft.id)
    assert fetched.css == submitted_bytes  # exactly its bytes, through the presigned GET
    assert review.release_version is None  # no release yet
    approved = reviewer.approve(draft.id, "looks right")
    assert approved.status == "approved"

    publisher = Publisher(author.store, register=author.backend.register_release, backend=author.backend)
    _edit(theme, "\n.tampered{color:red}\n")
    with pytest.raises(DraftError, match="not the approved draft"):
        author.publish_approved(draft.id, theme, publisher, "1.0.0")
    assert author.backend.available_versions(theme.manifest.id) == []
    theme.css_path.write_bytes(submitted_bytes)
    result = author.publish_approved(draft.id, theme, publisher, "1.0.0", changes="approved draft")
    assert result.registered
    status, body, _headers = author.store.get_public(result.css_url.split(f"/{admin.location.bucket}/", 1)[1])
    assert status == 200
    assert body == submitted_bytes
    assert author.backend.available_versions(theme.manifest.id) == ["1.0.0"]


def test_request_changes_diff_against_release_and_illegal_transitions(
    author: ReviewService, reviewer: ReviewService, theme: Theme
) -> None:
    first = author.submit(theme)
    reviewer.approve(first.id)
    Publisher(author.store, register=author.backend.register_release, backend=author.backend).publish(
        plan_release(theme, "1.0.0")
    )
    _edit(theme, "\n:root{--review-accent:#ff0066}\n")
    second = author.submit(theme)
    assert second.revision == first.revision + 1
    _fetched, review = reviewer.open_for_review(second.id)
    assert review.release_version == "1.0.0"
    assert [(c.name, c.kind, c.new) for c in review.token_changes] == [
        ("--review-accent", "added", "#ff0066")
    ]
    assert "+:root{--review-accent:#ff0066}" in review.css_diff
    assert "--review-accent" in review.describe()
    back = reviewer.request_changes(second.id, "too pink")
    assert back.status == "changes_requested"
    assert back.comment == "too pink"
    assert second.id not in [d.id for d in reviewer.awaiting()]
    with pytest.raises(BackendError) as again:
        reviewer.approve(second.id, "changed my mind")
    assert again.value.code == "illegal_transition"
    with pytest.raises(DraftError, match="changes requested, not approved"):
        author.publish_approved(second.id, theme, Publisher(author.store, backend=author.backend), "1.1.0")
    with pytest.raises(BackendError) as own:
        author.approve(second.id)
    assert own.value.status == 403


def test_submit_with_our_key_and_lint_errors_block(
    seaweed: SeaweedS3, live: LiveBackend, author_backend: BackendClient, admin: ObjectStore, theme: Theme
) -> None:
    service = ReviewService(author_backend, admin)  # key mode: the same bucket key as the backend
    try:
        draft = service.submit(theme)
        head = admin.head(draft.object_key)
        assert head is not None
        assert head.metadata["sha256"] == draft.sha256
        assert head.metadata["version"] == f"draft-{draft.revision}"
        assert head.cache_control == DRAFT_CACHE
        _edit(theme, '\n@import url("https://evil.example/x.css");\n')
        before = len(author_backend.theme_drafts(theme.manifest.id))
        with pytest.raises(DraftError, match="lint error"):
            service.submit(theme)
        assert len(author_backend.theme_drafts(theme.manifest.id)) == before  # nothing registered
    finally:
        service.close()


def test_only_reviewers_fetch_drafts(author: ReviewService, theme: Theme) -> None:
    draft = author.submit(theme)
    with pytest.raises(BackendError) as info:
        author.fetch(draft.id)
    assert info.value.status == 403
