"""Grant mode: no bucket key on the desktop; the real backend grants presigned PUTs, SeaweedFS enforces."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from studio.adapters.backend_client import (
    BackendClient,
    GrantedFile,
    RegisteredVersion,
    VerificationFailedError,
)
from studio.adapters.object_store import ObjectStore, PutRequest
from studio.adapters.publisher import (
    LATEST_NEEDS_KEY,
    LATEST_NEEDS_REGISTRATION,
    PublishCancelledError,
    Publisher,
    PublishError,
    PublishProgress,
    Registration,
    ReleaseBackend,
    VersionConflictError,
)
from studio.core.publish_plan import IMMUTABLE_CACHE, LATEST_CACHE, PlanError, plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from tests.adapters.test_backend_client import LiveBackend, keyed_store, keyless_store, running_backend
from tests.backend.seaweed import SeaweedS3


def fake_render(css: str, out: Path, root: Path) -> None:
    """A deterministic PNG stand-in (the real render is covered in tests/ui)."""
    out.write_bytes(b"\x89PNG\r\n\x1a\n" + css.encode()[-200:])


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
def desktop(seaweed: SeaweedS3, live: LiveBackend) -> Iterator[ObjectStore]:
    store = keyless_store(seaweed, live)
    yield store
    store.close()


@pytest.fixture
def admin(seaweed: SeaweedS3, live: LiveBackend) -> Iterator[ObjectStore]:
    """The bucket key, used only to inspect what landed (the desktop never has it)."""
    store = keyed_store(seaweed, live)
    yield store
    store.close()


@pytest.fixture
def theme(tmp_path: Path, author: BackendClient) -> Theme:
    made = create_theme(tmp_path / "t", "light", "Granted")
    (made.root / "assets").mkdir(exist_ok=True)
    (made.root / "assets" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    author.create_theme(made.manifest.id, made.manifest.name)
    return made


def _publisher(desktop: ObjectStore, author: BackendClient) -> Publisher:
    return Publisher(desktop, render_preview=fake_render, register=author.register_release, backend=author)


def test_grant_mode_publishes_public_objects_and_registers(
    desktop: ObjectStore, admin: ObjectStore, author: BackendClient, theme: Theme
) -> None:
    assert not desktop.has_credentials
    publisher = _publisher(desktop, author)
    plan = plan_release(theme, "1.0.0")
    steps: list[str] = []
    result = publisher.publish(
        plan, changes="first", theme_root=theme.root, progress=lambda p: steps.append(p.step)
    )
    assert result.mode == "grant"
    assert result.registered
    assert result.latest_moved  # by the backend, which holds the bucket key
    assert result.latest_message == ""
    prefix = f"themes-published/{theme.manifest.id}/1.0.0/"
    preview = f"themes-previews/{theme.manifest.id}/1.0.0.png"
    assert prefix + "assets/logo.svg" in result.uploaded
    assert sorted(result.uploaded) == sorted([*(o.key for o in plan.objects), preview])
    assert result.uploaded[-1] == prefix + "theme.css"  # the stylesheet goes last
    order = [step for step in dict.fromkeys(steps) if step in ("verify", "register", "latest", "purge")]
    assert order == ["verify", "register"]  # registering verifies on the server and moves latest there
    assert "done" in steps
    for key, data, content_type in (
        (prefix + "theme.css", theme.css_path.read_bytes(), "text/css; charset=utf-8"),  # as key mode
        (prefix + "assets/logo.svg", (theme.root / "assets/logo.svg").read_bytes(), "image/svg+xml"),
    ):
        head = admin.head(key)
        assert head is not None
        assert head.content_type == content_type
        assert head.cache_control == IMMUTABLE_CACHE
        assert head.metadata["sha256"] == hashlib.sha256(data).hexdigest()
        assert head.metadata["theme-id"] == theme.manifest.id
        assert head.metadata["version"] == "1.0.0"
        status, body, _ = desktop.get_public(key)  # anonymous
        assert (status, body) == (200, data)
    alias = admin.head(f"themes-published/{theme.manifest.id}/latest/theme.css")
    assert alias is not None
    assert alias.cache_control == LATEST_CACHE
    assert alias.content_type == "text/css; charset=utf-8"
    assert alias.metadata["version"] == "1.0.0"
    assert alias.metadata["sha256"] == hashlib.sha256(theme.css_path.read_bytes()).hexdigest()
    assert desktop.get_public(f"themes-published/{theme.manifest.id}/latest/theme.css")[1] == (
        theme.css_path.read_bytes()
    )
    got = author.get_theme(theme.manifest.id)
    assert got is not None
    assert got["available_versions"] == ["1.0.0"]
    assert got["css_url"] == result.css_url


def test_grant_mode_rerun_is_a_no_op_and_other_bytes_are_refused(
    desktop: ObjectStore, author: BackendClient, theme: Theme
) -> None:
    publisher = _publisher(desktop, author)
    publisher.publish(plan_release(theme, "1.0.0"), theme_root=theme.root)
    again = publisher.publish(plan_release(theme, "1.0.0"), theme_root=theme.root)
    assert again.no_op
    assert again.registered  # the backend answered 200: same bytes, safe retry
    assert publisher.previous_release(theme.manifest.id, "2.0.0") == "1.0.0"  # from the backend
    theme.css_path.write_text(theme.css_path.read_text() + "\n.x{color:red}\n")
    with pytest.raises(VersionConflictError):
        publisher.publish(plan_release(theme, "1.0.0"), theme_root=theme.root)


def test_cancelled_grant_publish_resumes_without_duplicates(
    desktop: ObjectStore, admin: ObjectStore, author: BackendClient, theme: Theme
) -> None:
    for n in range(6):
        (theme.root / "assets" / f"f{n}.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{n}"/>'
        )
    publisher = _publisher(desktop, author)
    cancel = threading.Event()

    def stop_after_first(p: PublishProgress) -> None:
        if p.step == "upload" and p.files_done >= 1:
            cancel.set()

    with pytest.raises(PublishCancelledError):
        publisher.publish(plan_release(theme, "1.0.0"), progress=stop_after_first, cancel=cancel)
    assert author.available_versions(theme.manifest.id) == []
    assert admin.head(f"themes-published/{theme.manifest.id}/1.0.0/theme.css") is None
    done = publisher.publish(plan_release(theme, "1.0.0"))
    assert done.skipped  # what the first run uploaded is not sent again
    assert not set(done.skipped) & set(done.uploaded)
    listed, _ = admin.list_objects(f"themes-published/{theme.manifest.id}/1.0.0/")
    planned = [o.key for o in plan_release(theme, "1.0.0").objects]
    manifest = f"themes-published/{theme.manifest.id}/1.0.0/manifest.json"  # the backend's signed manifest
    assert sorted(o.key for o in listed) == sorted([*planned, manifest])
    assert author.available_versions(theme.manifest.id) == ["1.0.0"]


def test_no_key_and_no_backend_is_refused_clearly(desktop: ObjectStore, theme: Theme) -> None:
    with pytest.raises(PublishError, match="No bucket key on this machine and no backend"):
        Publisher(desktop).publish(plan_release(theme, "1.0.0"))


def test_backend_refusal_is_named(desktop: ObjectStore, live: LiveBackend, theme: Theme) -> None:
    stranger = live.client(live.other_author)  # not the theme's author: no grants
    try:
        with pytest.raises(PublishError, match="refused the upload grants") as info:
            Publisher(desktop, backend=stranger).publish(plan_release(theme, "1.0.0"))
        assert "during upload" in str(info.value)
    finally:
        stranger.close()


def test_storage_enforces_the_grant(
    desktop: ObjectStore, admin: ObjectStore, author: BackendClient, theme: Theme
) -> None:
    data = b":root{--granted:1}\n"
    digest = hashlib.sha256(data).hexdigest()
    grants = author.release_grants(
        theme.manifest.id, "3.0.0", [GrantedFile("theme.css", "text/css", len(data), digest)]
    )
    key = f"themes-published/{theme.manifest.id}/3.0.0/theme.css"
    assert list(grants) == [key]
    grant = grants[key]

    def put(url: str, body: bytes, **changes: str) -> int:
        headers = {**grant.headers, **changes}
        if "Content-Length" in headers and not changes.get("Content-Length"):
            headers["Content-Length"] = str(len(body))
        return httpx.put(url, content=body, headers=headers, timeout=10).status_code

    other_key_url = grant.url.replace("/3.0.0/theme.css", "/3.0.0/evil.css")
    assert put(other_key_url, data) == 403
    bigger = data + b"/* more */"
    assert put(grant.url, bigger) in (400, 403)
    assert put(grant.url, data, **{"Content-Type": "text/html"}) == 403
    tampered = data.replace(b"1", b"2")  # same length, other bytes: the sha256 checksum refuses them
    assert put(grant.url, tampered) in (400, 403)
    assert admin.head(key) is None
    assert admin.head(key.replace("theme.css", "evil.css")) is None
    assert put(grant.url, data) == 200  # the grant itself works, with exactly its bytes
    head = admin.head(key)
    assert head is not None
    assert head.metadata["sha256"] == digest
    assert base64.b64decode(grant.headers["x-amz-checksum-sha256"]).hex() == digest


class GrantsOnly:
    """A backend that grants uploads but offers no alias move (an older backend)."""

    def __init__(self, client: BackendClient) -> None:
        self._client = client

    def release_grants(self, theme_id: str, version: str, files: list[GrantedFile]) -> dict[str, PutRequest]:
        return self._client.release_grants(theme_id, version, files)

    def available_versions(self, theme_id: str) -> list[str]:
        return self._client.available_versions(theme_id)


def test_latest_follows_each_new_release_and_says_why_when_it_cannot(
    desktop: ObjectStore, admin: ObjectStore, author: BackendClient, theme: Theme
) -> None:
    alias = f"themes-published/{theme.manifest.id}/latest/theme.css"
    # Without registration nothing can move latest for a keyless publisher, and the result says why.
    grants_only: ReleaseBackend = GrantsOnly(author)
    first = Publisher(desktop, render_preview=fake_render, backend=grants_only).publish(
        plan_release(theme, "1.0.0"), theme_root=theme.root
    )
    assert (first.latest_moved, first.latest_message) == (False, LATEST_NEEDS_KEY)
    unregistered = Publisher(desktop, render_preview=fake_render, backend=author)
    second = unregistered.publish(plan_release(theme, "1.0.0"), theme_root=theme.root)
    assert second.no_op
    assert (second.latest_moved, second.latest_message) == (False, LATEST_NEEDS_REGISTRATION)
    assert admin.head(alias) is None

    # Run again with registration: the upload is a no-op; the backend verifies, registers, moves latest.
    third = _publisher(desktop, author).publish(plan_release(theme, "1.0.0"), theme_root=theme.root)
    assert third.no_op
    assert (third.registered, third.latest_moved) == (True, True)
    theme.css_path.write_text(theme.css_path.read_text() + "\n.next{color:blue}\n")
    fourth = _publisher(desktop, author).publish(plan_release(theme, "1.1.0"), theme_root=theme.root)
    assert fourth.latest_moved
    head = admin.head(alias)
    assert head is not None
    assert head.metadata["version"] == "1.1.0"


def test_a_registration_that_lies_about_the_bytes_is_refused(
    desktop: ObjectStore, admin: ObjectStore, author: BackendClient, theme: Theme
) -> None:
    """The backend reads the stored theme.css itself: another sha256 registers nothing, moves nothing."""
    plan = plan_release(theme, "1.0.0")

    def register_other_bytes(registration: Registration) -> RegisteredVersion:
        return author.register_release(
            Registration(registration.theme_id, registration.version, "", "0" * 64, registration.size)
        )

    publisher = Publisher(desktop, render_preview=fake_render, register=register_other_bytes, backend=author)
    with pytest.raises(VerificationFailedError) as info:
        publisher.publish(plan, theme_root=theme.root)
    assert [f.rule for f in info.value.findings] == ["release/bytes-mismatch"]
    assert admin.head(f"themes-published/{theme.manifest.id}/latest/theme.css") is None
    assert author.list_versions(theme.manifest.id) == []
    # The stored bytes were not refused for what they are: the honest registration then succeeds.
    assert _publisher(desktop, author).publish(plan, theme_root=theme.root).latest_moved


def test_a_hostile_asset_is_refused_before_anything_moves(
    desktop: ObjectStore, author: BackendClient, theme: Theme
) -> None:
    """The studio plans only what the service accepts: an HTML page or a scripted SVG never uploads."""
    (theme.assets_dir / "login.html").write_text("<form>password</form>")
    with pytest.raises(PlanError, match="not a font or an image") as info:
        plan_release(theme, "1.0.0")
    (theme.assets_dir / "login.html").unlink()
    (theme.assets_dir / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    with pytest.raises(PlanError, match="unsafe SVG") as info:
        plan_release(theme, "1.0.0")
    assert [d.rule for d in info.value.diagnostics] == ["safety/asset"]


@pytest.mark.parametrize("same_bytes", [True, False])
def test_a_rival_keyless_publisher_cannot_overwrite(
    desktop: ObjectStore, admin: ObjectStore, author: BackendClient, theme: Theme, same_bytes: bool
) -> None:
    """The grants sign If-None-Match: a rival's object that lands first is kept; same bytes is success."""
    plan = plan_release(theme, "1.0.0")
    css = plan.css_object
    rival = css.path.read_bytes() if same_bytes else css.path.read_bytes() + b"/*rival*/"
    rival_sha = hashlib.sha256(rival).hexdigest()

    def rival_first(p: PublishProgress) -> None:
        # After our check (nothing there yet) and before our PUTs, the rival uploads theme.css.
        if p.step == "upload" and p.files_done == 0 and admin.head(css.key) is None:
            file = GrantedFile("theme.css", css.content_type, len(rival), rival_sha)
            grant = author.release_grants(theme.manifest.id, "1.0.0", [file])[css.key]
            desktop.put(css.key, rival, {}, sha256=rival_sha, grant=grant)

    publisher = _publisher(desktop, author)
    if same_bytes:
        result = publisher.publish(plan, theme_root=theme.root, progress=rival_first)
        assert css.key not in result.uploaded
        assert css.key in result.skipped
        assert result.registered
    else:
        with pytest.raises(VersionConflictError, match="just published by someone else"):
            publisher.publish(plan, theme_root=theme.root, progress=rival_first)
        assert author.available_versions(theme.manifest.id) == []
    head = admin.head(css.key)
    assert head is not None
    assert head.metadata["sha256"] == rival_sha


def test_registering_leaves_per_object_verification_to_the_backend(
    desktop: ObjectStore, author: BackendClient, theme: Theme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the upload the desktop HEADs and reads only theme.css (public readability); the backend reads
    every object itself when registering, so the desktop does not repeat its HEADs."""
    for n in range(5):
        (theme.assets_dir / f"font-{n}.woff2").write_bytes(b"wOF2" + bytes([n]) * 64)
    plan = plan_release(theme, "1.0.0")
    heads: list[str] = []
    real_head = desktop.head
    uploading = threading.Event()

    def recording_head(key: str, *, checksum: bool = False) -> object:
        if uploading.is_set():
            heads.append(key)
        return real_head(key, checksum=checksum)

    monkeypatch.setattr(desktop, "head", recording_head)
    result = _publisher(desktop, author).publish(
        plan, theme_root=theme.root, progress=lambda p: uploading.set() if p.step == "upload" else None
    )
    assert result.registered
    assert heads == [plan.css_object.key]
