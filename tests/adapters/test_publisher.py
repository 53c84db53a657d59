"""Publishing releases to a real SeaweedFS: layout, idempotency, resume after a kill, conflicts, cancel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import (
    PublishCancelledError,
    Publisher,
    PublishError,
    PublishProgress,
    VersionConflictError,
)
from studio.core.publish_plan import IMMUTABLE_CACHE, LATEST_CACHE, plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from tests.backend.seaweed import SeaweedS3

REPO = Path(__file__).resolve().parents[2]


def fake_render(css: str, out: Path, root: Path) -> None:
    """A deterministic PNG stand-in (the real render is covered in tests/ui); its bytes follow the CSS."""
    out.write_bytes(b"\x89PNG\r\n\x1a\n" + css.encode()[-200:])


def _store(server: SeaweedS3, *, readonly: bool = False) -> ObjectStore:
    creds = (
        S3Credentials(server.readonly_access_key, server.readonly_secret_key)
        if readonly
        else S3Credentials(server.access_key, server.secret_key)
    )
    return ObjectStore(S3Location(server.endpoint, server.region, server.bucket), creds, workers=4)


class Recorder:
    def __init__(self) -> None:
        self.purged: list[list[str]] = []


@pytest.fixture
def store(seaweed: SeaweedS3) -> Iterator[ObjectStore]:
    s = _store(seaweed)
    yield s
    s.close()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def publisher(store: ObjectStore, rec: Recorder) -> Publisher:
    """Key mode without a backend: the publisher moves latest itself (with a backend, registering does)."""
    return Publisher(store, render_preview=fake_render, purge_cdn=rec.purged.append)


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "t", "light", "Pub")


def _all_keys(store: ObjectStore, theme_id: str) -> list[str]:
    published, _ = store.list_objects(f"themes-published/{theme_id}/")
    previews, _ = store.list_objects(f"themes-previews/{theme_id}/")
    return sorted(o.key for o in published + previews)


def _snapshot(store: ObjectStore, theme_id: str) -> dict[str, tuple[str, str]]:
    out = {}
    for key in _all_keys(store, theme_id):
        info = store.head(key)
        assert info is not None
        out[key] = (info.etag, info.metadata.get("sha256", ""))
    return out


def test_publish_writes_the_layout_with_headers(
    publisher: Publisher, store: ObjectStore, theme: Theme, rec: Recorder
) -> None:
    plan = plan_release(theme, "1.0.0")
    result = publisher.publish(plan, changes="First release", theme_root=theme.root)

    tid = theme.manifest.id
    assert _all_keys(store, tid) == sorted(
        [
            *(o.key for o in plan.objects),
            f"themes-previews/{tid}/1.0.0.png",
            f"themes-published/{tid}/latest/theme.css",
        ]
    )
    for obj in plan.objects:
        info = store.head(obj.key)
        assert info is not None
        assert (info.content_type, info.cache_control) == (obj.content_type, IMMUTABLE_CACHE)
        assert dict(info.metadata) == {"theme-id": tid, "version": "1.0.0", "sha256": obj.sha256}
    css = store.get_public(plan.css_object.key)
    assert css[0] == 200
    assert css[1] == theme.css_path.read_bytes()
    latest = store.head(plan.latest_key)
    assert latest is not None
    assert latest.cache_control == LATEST_CACHE
    assert latest.metadata["sha256"] == plan.css_object.sha256
    preview = store.head(plan.preview_key)
    assert preview is not None
    assert preview.content_type == "image/png"
    assert result.latest_moved
    assert result.uploaded_bytes == plan.total_bytes + preview.size
    assert rec.purged == [[plan.latest_key]]
    assert not result.registered
    for obj in plan.objects:  # assets are stored so that a navigation downloads them, never renders them
        if "/assets/" in obj.key:
            assert obj.headers()["Content-Disposition"] == "attachment"
            got = store.get_public(obj.key)
            assert got[2]["Content-Disposition"] == "attachment"
    assert result.css_url.endswith(f"/themes-published/{tid}/1.0.0/theme.css")


def test_same_bytes_again_is_a_no_op(publisher: Publisher, store: ObjectStore, theme: Theme) -> None:
    plan = plan_release(theme, "1.0.0")
    publisher.publish(plan)
    before = _snapshot(store, theme.manifest.id)
    again = publisher.publish(plan_release(theme, "1.0.0"))
    assert again.uploaded_bytes == 0
    assert again.no_op
    assert _snapshot(store, theme.manifest.id) == before


def test_other_bytes_for_a_published_version_are_refused_before_any_upload(
    publisher: Publisher, store: ObjectStore, theme: Theme, rec: Recorder
) -> None:
    publisher.publish(plan_release(theme, "1.0.0"))
    before = _snapshot(store, theme.manifest.id)
    theme.css_path.write_text(theme.read_css() + "\n.changed { color: red; }\n", encoding="utf-8")
    steps: list[str] = []
    with pytest.raises(VersionConflictError, match="immutable"):
        publisher.publish(plan_release(theme, "1.0.0"), progress=lambda p: steps.append(p.step))
    assert steps == ["check"]
    assert _snapshot(store, theme.manifest.id) == before


def test_changed_asset_in_a_published_version_is_refused(
    publisher: Publisher, store: ObjectStore, theme: Theme
) -> None:
    publisher.publish(plan_release(theme, "1.0.0"))
    before = _snapshot(store, theme.manifest.id)
    (theme.assets_dir / "pattern.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(VersionConflictError, match=r"pattern\.svg"):
        publisher.publish(plan_release(theme, "1.0.0"))
    assert _snapshot(store, theme.manifest.id) == before


def test_next_version_copies_unchanged_assets_and_moves_latest(
    publisher: Publisher, store: ObjectStore, theme: Theme
) -> None:
    first = plan_release(theme, "1.0.0")
    publisher.publish(first)
    theme.css_path.write_text(theme.read_css() + "\n.changed { color: red; }\n", encoding="utf-8")
    plan = plan_release(theme, "1.1.0")
    result = publisher.publish(plan)
    assert sorted(result.copied) == sorted(o.key for o in plan.objects if "/assets/" in o.key)
    preview = store.head(plan.preview_key)
    assert preview is not None
    assert result.uploaded_bytes == plan.css_object.size + preview.size
    latest = store.head(plan.latest_key)
    assert latest is not None
    assert latest.metadata["version"] == "1.1.0"
    # An older version published later never takes `latest` back.
    theme.css_path.write_text(theme.read_css() + "\n.patch { color: blue; }\n", encoding="utf-8")
    older = publisher.publish(plan_release(theme, "1.0.1"))
    assert not older.latest_moved
    latest = store.head(plan.latest_key)
    assert latest is not None
    assert latest.metadata["version"] == "1.1.0"
    assert publisher.previous_release(theme.manifest.id, "1.1.0") == "1.0.1"


def _kill_points() -> list[tuple[str, int]]:
    # (step, n-th report of that step) at which the publish "dies".
    return [
        ("check", 1),
        ("render", 1),
        ("upload", 1),
        ("upload", 3),
        ("verify", 2),
        ("latest", 1),
        ("purge", 1),
        ("done", 1),
    ]


@pytest.mark.parametrize(("step", "nth"), _kill_points())
def test_killed_at_any_step_then_rerun_completes_without_duplicates(
    publisher: Publisher, store: ObjectStore, theme: Theme, rec: Recorder, step: str, nth: int
) -> None:
    class Killed(BaseException):
        pass

    seen: dict[str, int] = {}

    def die(progress: PublishProgress) -> None:
        seen[progress.step] = seen.get(progress.step, 0) + 1
        if progress.step == step and seen[step] == nth:
            raise Killed(step)

    plan = plan_release(theme, "2.0.0")
    with pytest.raises(Killed):
        publisher.publish(plan, progress=die)
    if step in ("check", "render", "upload", "verify"):
        assert store.head(plan.latest_key) is None  # latest only moves after verification
    result = publisher.publish(plan_release(theme, "2.0.0"))
    tid = theme.manifest.id
    assert _all_keys(store, tid) == sorted(
        [*(o.key for o in plan.objects), plan.preview_key, plan.latest_key]
    )
    assert result.latest_moved
    for obj in plan.objects:
        status, body, _ = store.get_public(obj.key)
        assert status == 200
        assert body == obj.path.read_bytes()


def test_cancel_mid_upload_stops_and_rerun_completes(store: ObjectStore, theme: Theme) -> None:
    for n in range(30):
        (theme.assets_dir / f"img-{n}.png").write_bytes(os.urandom(2000))
    cancel = threading.Event()
    publisher = Publisher(store, render_preview=fake_render)
    uploads: list[int] = []

    def on_progress(p: PublishProgress) -> None:
        if p.step == "upload" and p.files_done:
            uploads.append(p.files_done)
            cancel.set()

    plan = plan_release(theme, "3.0.0")
    with pytest.raises(PublishCancelledError, match="run it again"):
        publisher.publish(plan, progress=on_progress, cancel=cancel)
    present = _all_keys(store, theme.manifest.id)
    assert plan.css_object.key not in present  # theme.css goes last
    assert len(present) < len(plan.objects)
    result = publisher.publish(plan)
    assert len(result.uploaded) + len(result.skipped) == len(plan.objects) + 1
    assert store.head(plan.latest_key) is not None


def test_read_only_key_is_a_clear_access_denied(seaweed: SeaweedS3, theme: Theme) -> None:
    ro = _store(seaweed, readonly=True)
    try:
        with pytest.raises(PublishError, match="AccessDenied") as caught:
            Publisher(ro, render_preview=fake_render).publish(plan_release(theme, "1.0.0"))
        assert "during upload" in str(caught.value)
        assert seaweed.readonly_secret_key not in str(caught.value)
    finally:
        ro.close()


_RACE = """
import json, os, sys
from pathlib import Path
from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import Publisher, VersionConflictError
from studio.core.publish_plan import plan_release
from studio.core.theme import Theme
cfg = json.loads(os.environ["RACE_CFG"])
store = ObjectStore(S3Location(cfg["endpoint"], cfg["region"], cfg["bucket"]),
                    S3Credentials(cfg["access"], cfg["secret"]))
def render(css, out, root):
    out.write_bytes(b"PNG" + css.encode()[-100:])
try:
    Publisher(store, render_preview=render).publish(plan_release(Theme.open(Path(sys.argv[1])), "1.0.0"))
    print("ok")
except VersionConflictError as exc:
    print("conflict", exc)
finally:
    store.close()
"""


@pytest.mark.parametrize("same_bytes", [True, False])
def test_two_processes_publishing_one_version(
    seaweed: SeaweedS3,
    store: ObjectStore,
    tmp_path: Path,
    same_bytes: bool,
) -> None:
    one = create_theme(tmp_path / "one", "light", "Race")
    for n in range(20):
        (one.assets_dir / f"a{n}.png").write_bytes(os.urandom(5000))
    two_root = tmp_path / "two"
    subprocess.run(["cp", "-r", str(one.root), str(two_root)], check=True)
    if not same_bytes:
        (two_root / "theme.css").write_text(one.read_css() + "\n.two { color: red; }\n", encoding="utf-8")
    env = dict(
        os.environ,
        RACE_CFG=json.dumps(
            {
                "endpoint": seaweed.endpoint,
                "region": seaweed.region,
                "bucket": seaweed.bucket,
                "access": seaweed.access_key,
                "secret": seaweed.secret_key,
            }
        ),
        PYTHONPATH=str(REPO),
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", _RACE, str(root)], env=env, stdout=subprocess.PIPE, text=True)
        for root in (one.root, two_root)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    if same_bytes:
        assert outputs == ["ok", "ok"]
    else:
        assert sorted(o.split(" ", 1)[0] for o in outputs) == ["conflict", "ok"]
    winner = one.root if outputs[0] == "ok" else two_root
    css_key = f"themes-published/{one.manifest.id}/1.0.0/theme.css"
    assert store.get_public(css_key)[1] == (winner / "theme.css").read_bytes()
    latest = store.head(f"themes-published/{one.manifest.id}/latest/theme.css")
    assert latest is not None
    assert store.get_public(latest.key)[1] == (winner / "theme.css").read_bytes()


def test_verify_reads_back_only_the_stylesheet_when_the_store_vouches_for_the_rest(
    publisher: Publisher, store: ObjectStore, theme: Theme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HEAD with the store's SHA-256 for every object; one anonymous GET (theme.css) proves public reads."""
    fetched: list[str] = []
    real_get_public = store.get_public

    def recording_get_public(key: str) -> tuple[int, bytes, object]:
        fetched.append(key)
        return real_get_public(key)

    monkeypatch.setattr(store, "get_public", recording_get_public)
    plan = plan_release(theme, "1.0.0")
    publisher.publish(plan, theme_root=theme.root)
    assert fetched == [plan.css_object.key]
    for obj in plan.objects:
        info = store.head(obj.key, checksum=True)
        assert info is not None
        assert info.checksum_sha256  # SeaweedFS validated and kept the checksum the PUT carried


@pytest.mark.parametrize("tamper", ["other-bytes", "other-bytes-own-checksum", "deleted"])
def test_verify_catches_an_object_changed_or_lost_after_upload(
    publisher: Publisher, store: ObjectStore, seaweed: SeaweedS3, theme: Theme, tamper: str
) -> None:
    """Something rewrites one asset between upload and verify (same size, same sha256 metadata)."""
    import base64
    import hashlib

    plan = plan_release(theme, "1.0.0")
    victim = next(o for o in plan.objects if "/assets/" in o.key)
    admin = seaweed.client()
    done = threading.Event()

    def tamper_once(progress: PublishProgress) -> None:
        if progress.step != "verify" or done.is_set():
            return
        done.set()
        if tamper == "deleted":
            admin.delete_object(Bucket=seaweed.bucket, Key=victim.key)
            return
        other = bytes(b ^ 0xFF for b in victim.path.read_bytes())
        extra = {}
        if tamper == "other-bytes-own-checksum":
            extra["ChecksumSHA256"] = base64.b64encode(hashlib.sha256(other).digest()).decode()
        admin.put_object(
            Bucket=seaweed.bucket,
            Key=victim.key,
            Body=other,
            ContentType=victim.content_type,
            CacheControl=victim.cache_control,
            Metadata={"theme-id": theme.manifest.id, "version": "1.0.0", "sha256": victim.sha256},
            **extra,
        )

    with pytest.raises(PublishError, match=r"missing after upload|serves other bytes") as failed:
        publisher.publish(plan, theme_root=theme.root, progress=tamper_once)
    assert victim.key in str(failed.value)
    assert not publisher.store.head(plan.latest_key)  # nothing moved to latest
