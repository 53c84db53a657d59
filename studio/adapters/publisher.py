"""Publish a release: check → render preview → upload → verify → register → purge CDN.

With a backend, registering is where the release comes to exist: the backend verifies the stored bytes
itself (lint, asset types and headers, sizes, sha256), signs the release manifest and moves ``latest``
(server-side, with its bucket key); the publisher then purges the CDN when ``latest`` moved. A release the
backend refuses (``verification_failed``) is not registered and ``latest`` is untouched. Without a backend
(key mode only) the publisher moves ``latest`` itself after its own verification:
check → render → upload → verify → latest → purge.

Guarantees (DESIGN section 2, issue 4):

- A version that already exists with other bytes is refused before any byte moves: the version's prefix is
  listed and every existing object compared (``theme.css`` by its ``sha256`` metadata) first.
- The same bytes again is a no-op success: present objects are skipped, nothing is uploaded.
- Killed anywhere and run again, the publish finishes the same release without duplicates: every step is
  idempotent (fixed keys; present objects are checked, not re-sent; the alias copy and purge repeat safely).
- Immutable keys are written with ``If-None-Match: *``: of two concurrent publishers of one version, one
  writes each object and the other finds it present (same bytes: success; other bytes: refused).
- ``latest`` moves only after every object of the release is verified (HEAD + sha256 metadata, and an
  anonymous GET of the public URL whose body hashes to the same sha256; with a backend, also the backend's
  own verification), and never backwards in version.
- Assets unchanged since the previous release are server-side copied from its keys (found by listing, the
  ETag of a single-part object is its MD5): no bytes move.

Two credential modes, one engine:

- **key mode** (the store has a bucket key): everything above.
- **grant mode** (no bucket key on this machine; a :class:`ReleaseBackend` is given): the backend issues
  presigned PUTs for exactly the keys still missing, sent through the same pooled engine with the granted
  headers (the store enforces key, size, content type and sha256). The existing-release check is a HEAD of
  each planned key (anonymous reads of the public prefixes), previous versions come from the backend, the
  verify step is the same anonymous HEAD + GET. Release grants sign ``If-None-Match: *``: of two keyless
  publishers of one version, the second PUT answers 412 and is compared by sha256 like in key mode.
  Registering moves ``latest``; a grant-mode publisher without ``register`` can only use the
  ``move_latest`` hook, else the result says why ``latest`` did not move.

Qt-free: the preview renderer, the CDN purge and the backend registration are injected callables.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from studio.adapters.object_store import (
    MULTIPART_THRESHOLD,
    CancelledError,
    ObjectInfo,
    ObjectStore,
    ObjectStoreError,
    PreconditionFailedError,
    PutRequest,
)
from studio.core.publish_plan import (
    LATEST_CACHE,
    MANIFEST_NAME,
    PREVIEWS_PREFIX,
    PUBLISHED_PREFIX,
    PlannedObject,
    PublishPlan,
    latest_css_key,
    preview_object,
    version_prefix,
)
from studio.core.review.contrast_gate import ContrastBlockedError, ContrastWaiver, notes_with_waiver
from studio.core.semver import Version


def _b64_digest(hex_sha256: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_sha256)).decode("ascii")


#: Renders ``css`` (with assets relative to the theme folder) to a PNG file.
RenderPreview = Callable[[str, Path, Path], None]
#: Purges CDN cache for bucket-relative paths.
PurgeCdn = Callable[[list[str]], None]

#: Moves the ``latest`` alias of (theme id, version) on the server side; returns whether it now points there.
MoveLatest = Callable[[str, str], bool]

#: Key mode without a backend: the publisher moves ``latest`` itself.
STEPS = ("check", "render", "upload", "verify", "latest", "purge")
#: With a backend (either mode): registering verifies, signs and moves ``latest`` on the server.
REGISTER_STEPS = ("check", "render", "upload", "verify", "register", "purge")

LATEST_NEEDS_REGISTRATION = (
    "The latest alias was not moved: the backend moves it only to a registered version, and this publish "
    "does not register. The versioned URLs work now."
)

LATEST_NEEDS_KEY = (
    "The latest alias was not moved: moving it is a server-side copy that needs the bucket key, and the "
    "backend offers no alias move. The versioned URLs work now; publish with a Spaces key to move latest."
)


@dataclass(frozen=True)
class GrantedFile:
    """One file to ask an upload grant for: ``path`` is ``theme.css``, ``preview.png`` or ``assets/...``."""

    path: str
    content_type: str
    size: int
    sha256: str


class ReleaseBackend(Protocol):
    """What grant mode needs from the backend (``BackendClient`` implements it)."""

    def release_grants(self, theme_id: str, version: str, files: list[GrantedFile]) -> dict[str, PutRequest]:
        """Presigned uploads for exactly ``files``: object key → request."""
        ...

    def available_versions(self, theme_id: str) -> list[str]:
        """Released, non-yanked versions of the theme."""
        ...


class PublishError(Exception):
    """The publish stopped; the message says which step and why, and what is safe to do next."""


class VersionConflictError(PublishError):
    """The version is already published (or being published) with other bytes; nothing was written."""


class PublishCancelledError(PublishError):
    """The user cancelled; objects already uploaded stay, and running the publish again completes it."""


@dataclass(frozen=True)
class Registration:
    """What the client tells the backend about a release: no URL (the server derives them), only the
    version, the notes, theme.css's digest and size, and the approved draft it was reviewed as."""

    theme_id: str
    version: str
    changes: str
    sha256: str
    size: int
    draft_id: str | None = None
    contrast_waiver: str | None = None  # the author's reason for publishing despite AA contrast failures


class RegisterOutcome(Protocol):
    """What registering did to ``latest`` (the backend moves it after verifying the release)."""

    @property
    def latest_moved(self) -> bool:
        """True when ``latest`` now serves the release (moved now, or already)."""
        ...

    @property
    def latest_message(self) -> str:
        """Why not, when it did not move (e.g. a newer release holds it)."""
        ...


#: Registers a release with the backend, which verifies it first; raises when it refuses.
Register = Callable[[Registration], RegisterOutcome]


@dataclass(frozen=True)
class PublishProgress:
    """Where the publish is: the current step and the upload counters."""

    step: str
    bytes_done: int = 0
    bytes_total: int = 0
    files_done: int = 0
    files_total: int = 0
    key: str = ""


@dataclass
class PublishResult:
    """What a publish did.

    Attributes:
        uploaded_bytes: bytes sent in PUT bodies (0 for a no-op republish).
        uploaded: keys uploaded.
        copied: keys server-side copied from the previous release (unchanged assets).
        skipped: keys already present with the same bytes.
        latest_moved: whether the ``latest`` alias now points at this release (False if a newer one holds it).
        purged: CDN paths purged.
        registered: whether the backend registration ran (it verified the release, signed it, moved latest).
        mode: ``key`` (our bucket key) or ``grant`` (backend-issued presigned uploads).
        latest_message: why ``latest`` did not move, when that is not simply "a newer release holds it".
        css_url / latest_url / preview_url: public URLs.
        timings: seconds per step.
    """

    theme_id: str
    version: str
    css_url: str = ""
    latest_url: str = ""
    preview_url: str = ""
    uploaded_bytes: int = 0
    uploaded: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    latest_moved: bool = False
    purged: list[str] = field(default_factory=list)
    registered: bool = False
    mode: str = "key"
    latest_message: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def no_op(self) -> bool:
        """True when nothing had to be written: the release was already complete."""
        return not self.uploaded and not self.copied


class Publisher:
    """Publishes release plans to one bucket through an :class:`ObjectStore` (kept warm between publishes)."""

    def __init__(
        self,
        store: ObjectStore,
        *,
        render_preview: RenderPreview | None = None,
        purge_cdn: PurgeCdn | None = None,
        register: Register | None = None,
        backend: ReleaseBackend | None = None,
        move_latest: MoveLatest | None = None,
    ) -> None:
        """Args:
        store: the bucket; without credentials the publisher runs in grant mode.
        render_preview / purge_cdn / register: the injected steps (None skips the step).
        backend: issues release grants and lists versions in grant mode.
        move_latest: moves ``latest`` server-side in grant mode (when the backend offers it).
        """
        self.store = store
        self.render_preview = render_preview
        self.purge_cdn = purge_cdn
        self.register = register
        self.backend = backend
        self.move_latest = move_latest

    @property
    def grant_mode(self) -> bool:
        """True when this machine has no bucket key: uploads go through backend grants."""
        return not self.store.has_credentials

    # ------------------------------------------------------------------ previous release
    def published_versions(self, theme_id: str) -> list[Version]:
        """Versions that have a folder under ``themes-published/<id>/``, sorted ascending.

        In grant mode (no key to list the bucket) the backend's ``available_versions`` answer instead.
        """
        if self.grant_mode:
            if self.backend is None:
                return []
            found_versions: list[Version] = []
            for text in self.backend.available_versions(theme_id):
                try:
                    found_versions.append(Version.parse(text))
                except ValueError:
                    continue
            return sorted(found_versions)
        _objects, prefixes = self.store.list_objects(f"{PUBLISHED_PREFIX}/{theme_id}/", delimiter="/")
        found: list[Version] = []
        for prefix in prefixes:
            name = prefix.rstrip("/").rsplit("/", 1)[-1]
            try:
                found.append(Version.parse(name))
            except ValueError:
                continue  # ``latest`` and anything else that is not a version
        return sorted(found)

    def previous_release(self, theme_id: str, version: str) -> str | None:
        """The highest published version below ``version`` whose ``theme.css`` exists, or None."""
        target = Version.parse(version)
        for candidate in reversed(self.published_versions(theme_id)):
            if candidate < target and self.store.head(version_prefix(theme_id, str(candidate)) + "theme.css"):
                return str(candidate)
        return None

    def read_public_css(self, theme_id: str, version: str) -> str | None:
        """The published ``theme.css`` of ``version`` (for the plan's diff), or None when absent."""
        status, body, _headers = self.store.get_public(version_prefix(theme_id, version) + "theme.css")
        return body.decode("utf-8-sig") if status == 200 else None

    # ------------------------------------------------------------------ publish
    def publish(
        self,
        plan: PublishPlan,
        *,
        changes: str = "",
        theme_root: Path | None = None,
        progress: Callable[[PublishProgress], None] | None = None,
        cancel: threading.Event | None = None,
        draft_id: str | None = None,
        contrast_waiver: ContrastWaiver | None = None,
    ) -> PublishResult:
        """Run every step for ``plan``; see the module docstring for the guarantees.

        Args:
            plan: from :func:`studio.core.publish_plan.plan_release`.
            changes: the release notes sent to the backend.
            draft_id: the approved draft this release is (themes that require review need it).
            contrast_waiver: the author's waiver of the plan's contrast failures (from
                :func:`studio.core.review.contrast_gate.gate`); its section is added to the release notes and
                its reason sent with the registration (the backend re-checks and records it).
            theme_root: the theme folder, so the preview finds the theme's assets.
            progress: called in this thread at each step and after each object; an exception it raises
                stops the publish (running requests finish first).
            cancel: when set, no new request starts and :class:`PublishCancelledError` is raised.

        Raises:
            VersionConflictError: the version exists (or appeared meanwhile) with other bytes.
            PublishCancelledError: ``cancel`` was set.
            PublishError: a storage, verification, purge or registration failure, named by step.
        """
        if plan.contrast_failures and contrast_waiver is None:
            raise PublishError(str(ContrastBlockedError(plan.contrast_failures)))
        changes = notes_with_waiver(changes, contrast_waiver)
        result = PublishResult(theme_id=plan.theme_id, version=plan.version)
        store = self.store
        granted = self.grant_mode
        if granted:
            if self.backend is None:
                raise PublishError(
                    "No bucket key on this machine and no backend to ask for upload grants: add a Spaces key "
                    "to the profile, or a backend URL and token."
                )
            result.mode = "grant"
            plan = grant_plan(plan)
        result.css_url = store.location.public_url(plan.css_object.key)
        result.latest_url = store.location.public_url(plan.latest_key)
        report = progress or (lambda _p: None)
        step = "check"
        try:
            started = time.perf_counter()
            report(PublishProgress("check", files_total=len(plan.objects)))
            existing = self._check_by_head(plan) if granted else self._check_existing(plan)
            preview_present = store.head(plan.preview_key)
            result.timings["check"] = time.perf_counter() - started
            _check_cancel(cancel)

            step = "render"
            started = time.perf_counter()
            report(PublishProgress("render"))
            objects = list(plan.objects)
            with tempfile.TemporaryDirectory(prefix="themestudio-preview-") as scratch:
                preview = self._preview(plan, preview_present, theme_root, Path(scratch))
                upload_preview = preview is not None and preview_present is None
                if preview is not None:
                    result.preview_url = store.location.public_url(preview.key)
                result.timings["render"] = time.perf_counter() - started
                _check_cancel(cancel)

                step = "upload"
                started = time.perf_counter()
                upload = self._upload_granted if granted else self._upload
                upload(plan, objects, preview if upload_preview else None, existing, result, report, cancel)
                if preview is not None and not upload_preview:
                    result.skipped.append(preview.key)
                result.timings["upload"] = time.perf_counter() - started

            step = "verify"
            started = time.perf_counter()
            expected = [*objects, *([preview] if preview is not None else [])]
            self._verify(expected, report, cancel, public_key=plan.css_object.key)
            result.timings["verify"] = time.perf_counter() - started
            _check_cancel(cancel)

            def move() -> None:
                started = time.perf_counter()
                report(PublishProgress("latest", key=plan.latest_key))
                result.latest_moved, result.latest_message = self._latest_step(plan, granted)
                result.timings["latest"] = time.perf_counter() - started

            def purge() -> None:
                started = time.perf_counter()
                if self.purge_cdn is not None and result.latest_moved:
                    report(PublishProgress("purge", key=plan.latest_key))
                    paths = [plan.latest_key]
                    self.purge_cdn(paths)
                    result.purged = paths
                result.timings["purge"] = time.perf_counter() - started

            def register() -> None:
                started = time.perf_counter()
                assert self.register is not None
                report(PublishProgress("register"))
                css = plan.css_object
                outcome = self.register(
                    Registration(
                        plan.theme_id,
                        plan.version,
                        changes,
                        css.sha256,
                        css.size,
                        draft_id,
                        contrast_waiver.reason if contrast_waiver is not None else None,
                    )
                )
                result.registered = True
                result.latest_moved = outcome.latest_moved
                result.latest_message = outcome.latest_message
                result.timings["register"] = time.perf_counter() - started

            actions = {"latest": move, "purge": purge, "register": register}
            for step in (REGISTER_STEPS if self.register is not None else STEPS)[-2:]:
                actions[step]()
            report(PublishProgress("done", files_done=len(expected), files_total=len(expected)))
        except CancelledError as exc:
            raise PublishCancelledError(
                f"Publish of {plan.version} cancelled during {step}; run it again to complete the release."
            ) from exc
        except ObjectStoreError as exc:
            raise PublishError(f"Publish of {plan.version} failed during {step}: {exc}") from None
        except GrantRefusedError as exc:
            raise PublishError(f"Publish of {plan.version} failed during {step}: {exc}") from exc
        return result

    # ------------------------------------------------------------------ steps
    def _check_existing(self, plan: PublishPlan) -> dict[str, ObjectInfo]:
        """Compare whatever is already under the version's prefix with the plan; refuse any difference."""
        prefix = version_prefix(plan.theme_id, plan.version)
        objects, _ = self.store.list_objects(prefix)
        # The backend writes the signed manifest beside a registered release; it is not one of our files.
        present = {info.key: info for info in objects if info.key != prefix + MANIFEST_NAME}
        if not present:
            return {}
        planned = {obj.key: obj for obj in plan.objects}
        extra = sorted(set(present) - set(planned))
        if extra:
            raise VersionConflictError(
                f"Version {plan.version} is already published with other files (for example {extra[0]}); "
                "published versions are immutable: choose a new version."
            )
        css = plan.css_object
        if css.key in present:
            head = self.store.head(css.key)
            if head is None or head.metadata.get("sha256") != css.sha256:
                raise VersionConflictError(
                    f"Version {plan.version} is already published with a different theme.css; "
                    "published versions are immutable: choose a new version."
                )
        for key, info in present.items():
            obj = planned[key]
            if not self._same_bytes(obj, info):
                raise VersionConflictError(
                    f"Version {plan.version} is already published with a different {key.rsplit('/', 1)[-1]}; "
                    "published versions are immutable: choose a new version."
                )
        return present

    def _check_by_head(self, plan: PublishPlan) -> dict[str, ObjectInfo]:
        """Grant mode: HEAD each planned key (public prefixes read anonymously); refuse other bytes.

        Without a key the version's prefix cannot be listed, so extra objects of an earlier, different
        attempt go unseen here; the backend still refuses to register a version twice with other bytes.
        """
        store = self.store

        def job(obj: PlannedObject) -> Callable[[], tuple[PlannedObject, ObjectInfo | None]]:
            return lambda: (obj, store.head(obj.key))

        present: dict[str, ObjectInfo] = {}
        for obj, head in store.map_parallel([job(o) for o in plan.objects]):
            if head is None:
                continue
            if head.size != obj.size or head.metadata.get("sha256") != obj.sha256:
                name = obj.key.rsplit("/", 1)[-1]
                raise VersionConflictError(
                    f"Version {plan.version} is already published with a different {name}; "
                    "published versions are immutable: choose a new version."
                )
            present[obj.key] = head
        return present

    def _upload_granted(
        self,
        plan: PublishPlan,
        objects: Sequence[PlannedObject],
        preview: PlannedObject | None,
        existing: dict[str, ObjectInfo],
        result: PublishResult,
        report: Callable[[PublishProgress], None],
        cancel: threading.Event | None,
    ) -> None:
        """Ask the backend for grants of exactly the missing keys, then PUT each body to its grant."""
        assert self.backend is not None
        todo = [obj for obj in objects if obj.key not in existing]
        result.skipped.extend(obj.key for obj in objects if obj.key in existing)
        if preview is not None:
            todo.insert(0, preview)
        total_bytes = sum(obj.size for obj in todo)
        report(PublishProgress("upload", 0, total_bytes, 0, len(todo)))
        if not todo:
            return
        files = [
            GrantedFile(grant_path(plan, obj.key), obj.content_type, obj.size, obj.sha256) for obj in todo
        ]
        try:
            grants = self.backend.release_grants(plan.theme_id, plan.version, files)
        except Exception as exc:  # the backend client's own error type; named here without importing it
            raise GrantRefusedError(f"the backend refused the upload grants: {exc}") from exc
        wanted = {obj.key for obj in todo}
        if set(grants) != wanted:
            raise GrantRefusedError(
                "the backend granted other keys than the ones planned; nothing was uploaded"
            )
        store = self.store

        def job(obj: PlannedObject) -> Callable[[], tuple[str, bool]]:
            def put() -> tuple[str, bool]:
                # One request per object: a grant covers one exact body (no multipart with grants).
                try:
                    store.put(obj.key, obj.path.read_bytes(), {}, sha256=obj.sha256, grant=grants[obj.key])
                except PreconditionFailedError:
                    # The grant signs If-None-Match: someone wrote the key first; fine with the same bytes.
                    head = store.head(obj.key)
                    if head is None or head.metadata.get("sha256") != obj.sha256:
                        raise VersionConflictError(
                            f"{obj.key} was just published by someone else with other bytes; "
                            "published versions are immutable: choose a new version."
                        ) from None
                    return obj.key, False
                return obj.key, True

            return put

        css = plan.css_object
        done = 0
        for batch in ([o for o in todo if o.key != css.key], [o for o in todo if o.key == css.key]):
            sizes = {o.key: o.size for o in batch}
            for key, sent in store.map_parallel([job(o) for o in batch], cancel=cancel):
                done += 1
                (result.uploaded if sent else result.skipped).append(key)
                result.uploaded_bytes += sizes[key] if sent else 0
                report(PublishProgress("upload", result.uploaded_bytes, total_bytes, done, len(todo), key))

    def _same_bytes(self, obj: PlannedObject, info: ObjectInfo) -> bool:
        if info.size != obj.size:
            return False
        if info.etag == obj.md5:
            return True
        head = self.store.head(obj.key)  # multipart ETags are not an MD5: ask the metadata
        return head is not None and head.metadata.get("sha256") == obj.sha256

    def _preview(
        self, plan: PublishPlan, present: ObjectInfo | None, theme_root: Path | None, scratch: Path
    ) -> PlannedObject | None:
        """The preview to upload or verify: the stored one when present (immutable), else a fresh render."""
        if present is not None:
            sha = present.metadata.get("sha256", "")
            return PlannedObject(
                plan.preview_key,
                Path(plan.preview_key),
                present.size,
                sha,
                "image/png",
                present.cache_control,
                dict(present.metadata),
                present.etag,
            )
        if self.render_preview is None:
            return None
        png = scratch / "preview.png"
        self.render_preview(plan.css, png, theme_root or plan.css_object.path.parent)
        return preview_object(plan.theme_id, plan.version, png)

    def _upload(
        self,
        plan: PublishPlan,
        objects: Sequence[PlannedObject],
        preview: PlannedObject | None,
        existing: dict[str, ObjectInfo],
        result: PublishResult,
        report: Callable[[PublishProgress], None],
        cancel: threading.Event | None,
    ) -> None:
        """Upload (or copy) what is missing: assets and preview in parallel, ``theme.css`` after them."""
        todo = [obj for obj in objects if obj.key not in existing]
        result.skipped.extend(obj.key for obj in objects if obj.key in existing)
        if preview is not None:
            todo.insert(0, preview)
        total_bytes = sum(obj.size for obj in todo)
        files_total = len(todo)
        done_files = 0
        report(PublishProgress("upload", 0, total_bytes, 0, files_total))
        if not todo:
            return
        reusable = self._reusable_assets(plan, todo)
        css = plan.css_object
        first = [obj for obj in todo if obj.key != css.key]
        last = [obj for obj in todo if obj.key == css.key]
        for batch in (first, last):
            work = [self._object_job(obj, reusable.get(obj.key), cancel) for obj in batch]
            for key, moved, outcome in self.store.map_parallel(work, cancel=cancel):
                done_files += 1
                result.uploaded_bytes += moved
                {"uploaded": result.uploaded, "copied": result.copied, "skipped": result.skipped}[
                    outcome
                ].append(key)
                report(
                    PublishProgress(
                        "upload", result.uploaded_bytes, total_bytes, done_files, files_total, key
                    )
                )

    def _object_job(
        self, obj: PlannedObject, copy_from: str | None, cancel: threading.Event | None
    ) -> Callable[[], tuple[str, int, str]]:
        """One object's upload as a job returning (key, bytes sent, ``uploaded``/``copied``/``skipped``)."""
        store = self.store

        def job() -> tuple[str, int, str]:
            if copy_from is not None:
                store.copy(copy_from, obj.key, obj.headers())
                return obj.key, 0, "copied"
            try:
                store.put_file(
                    obj.key,
                    obj.path,
                    obj.headers(),
                    sha256=obj.sha256,
                    size=obj.size,
                    if_none_match=obj.size <= MULTIPART_THRESHOLD,
                    cancel=cancel,
                )
            except PreconditionFailedError:
                # Another publisher wrote it meanwhile: fine when it holds the same bytes.
                head = store.head(obj.key)
                if head is None or head.metadata.get("sha256") != obj.sha256:
                    raise VersionConflictError(
                        f"{obj.key} was just published by someone else with other bytes; "
                        "published versions are immutable: choose a new version."
                    ) from None
                return obj.key, 0, "skipped"
            return obj.key, obj.size, "uploaded"

        return job

    def _reusable_assets(self, plan: PublishPlan, todo: Sequence[PlannedObject]) -> dict[str, str]:
        """Map new asset keys to the previous release's keys holding the same bytes (server-side copy)."""
        candidates = [obj for obj in todo if "/assets/" in obj.key and obj.size <= MULTIPART_THRESHOLD]
        if not candidates:
            return {}
        previous = plan.previous_version or self._highest_below(plan)
        if previous is None:
            return {}
        old_prefix = version_prefix(plan.theme_id, previous)
        listed, _ = self.store.list_objects(old_prefix + "assets/")
        by_key = {info.key: info for info in listed}
        new_prefix = version_prefix(plan.theme_id, plan.version)
        reuse: dict[str, str] = {}
        for obj in candidates:
            old = by_key.get(old_prefix + obj.key[len(new_prefix) :])
            if old is not None and old.size == obj.size and old.etag == obj.md5:
                reuse[obj.key] = old.key
        return reuse

    def _highest_below(self, plan: PublishPlan) -> str | None:
        target = Version.parse(plan.version)
        lower = [v for v in self.published_versions(plan.theme_id) if v < target]
        return str(lower[-1]) if lower else None

    def _verify(
        self,
        objects: Sequence[PlannedObject],
        report: Callable[[PublishProgress], None],
        cancel: threading.Event | None,
        *,
        public_key: str,
    ) -> None:
        """Check every uploaded object without moving its bytes again, and that the release is public.

        Each object gets a HEAD: it exists, with the planned headers and sha256 metadata, and the store's own
        SHA-256 of the bytes it holds (the PUT carried ``x-amz-checksum-sha256``, which the store validated,
        and it reports what it stored) equals the planned digest. A store that reports no checksum, or another
        one, gets an anonymous GET of that object's public URL, hashed. ``public_key`` (theme.css) is always
        fetched anonymously: one GET that proves the release is publicly readable.
        """
        store = self.store

        def job(obj: PlannedObject) -> Callable[[], str]:
            def check() -> str:
                head = store.head(obj.key, checksum=True)
                if head is None:
                    raise PublishError(f"Verification failed: {obj.key} is missing after upload.")
                problems = []
                if head.metadata.get("sha256") != obj.sha256:
                    problems.append("sha256 metadata differs")
                if head.content_type != obj.content_type:
                    problems.append(f"Content-Type is {head.content_type!r}")
                if head.cache_control != obj.cache_control:
                    problems.append(f"Cache-Control is {head.cache_control!r}")
                stored_digest_matches = head.checksum_sha256 == _b64_digest(obj.sha256)
                if obj.key == public_key or not stored_digest_matches:
                    status, body, _headers = store.get_public(obj.key)
                    if status != 200:
                        problems.append(
                            f"the public URL answers HTTP {status} (is the prefix publicly readable?)"
                        )
                    elif hashlib.sha256(body).hexdigest() != obj.sha256:
                        problems.append("the public URL serves other bytes")
                if problems:
                    raise PublishError(f"Verification of {obj.key} failed: {'; '.join(problems)}.")
                return obj.key

            return check

        total = len(objects)
        report(PublishProgress("verify", files_total=total))
        for done, key in enumerate(store.map_parallel([job(o) for o in objects], cancel=cancel), start=1):
            report(PublishProgress("verify", files_done=done, files_total=total, key=key))

    def _latest_step(self, plan: PublishPlan, granted: bool) -> tuple[bool, str]:
        """Move ``latest`` without a registration: ourselves (key mode) or the hook; returns (moved, why not).

        With a backend, registering moves it (see ``register``); this step does not run then.
        """
        if not granted:
            return self._move_latest(plan), ""
        if self.move_latest is not None:
            return self.move_latest(plan.theme_id, plan.version), ""
        if getattr(self.backend, "move_latest", None) is None:
            return False, LATEST_NEEDS_KEY
        return False, LATEST_NEEDS_REGISTRATION

    def _move_latest(self, plan: PublishPlan) -> bool:
        """Copy the release's ``theme.css`` to the ``latest`` alias unless a newer release holds it."""
        key = latest_css_key(plan.theme_id)
        css = plan.css_object
        current = self.store.head(key)
        if current is not None:
            held = current.metadata.get("version", "")
            try:
                if Version.parse(held) > Version.parse(plan.version):
                    return False
            except ValueError:
                pass  # an alias without a readable version is ours to replace
            if (
                held == plan.version
                and current.metadata.get("sha256") == css.sha256
                and current.cache_control == LATEST_CACHE
            ):
                return True
        alias = replace(css, key=key, cache_control=LATEST_CACHE)
        self.store.copy(css.key, key, alias.headers())
        moved = self.store.head(key)
        if moved is None or moved.metadata.get("sha256") != css.sha256:
            raise PublishError(f"The latest alias {key} did not take the new release's bytes.")
        return True


class GrantRefusedError(Exception):
    """The backend would not grant the uploads (or granted something else than asked)."""


def grant_plan(plan: PublishPlan) -> PublishPlan:
    """The plan as grant mode stores it: the same as key mode (the backend grants ``charset`` parameters)."""
    return plan


def grant_path(plan: PublishPlan, key: str) -> str:
    """The backend's name of a release file: ``theme.css``, ``assets/...`` or ``preview.png``."""
    prefix = version_prefix(plan.theme_id, plan.version)
    if key.startswith(prefix):
        return key[len(prefix) :]
    if key == f"{PREVIEWS_PREFIX}/{plan.theme_id}/{plan.version}.png":
        return "preview.png"
    raise GrantRefusedError(f"{key} is not a file of release {plan.version}")


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError("cancelled")
