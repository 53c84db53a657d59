"""Start from this theme: download a release as signed, make a new theme folder of it, record the install.

The download and the folder are :mod:`studio.adapters.release_download` and :mod:`studio.core.fork`; this
module puts them in order. Recording the install (the ``installed`` relation and an ``install`` event) only
happens when the client is authenticated, and after the folder exists: a failure to record it is reported
in the result, it never undoes the user's new theme. Blocking: the UI runs it off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from studio.adapters.backend_client import BackendError
from studio.adapters.catalog import CatalogClient
from studio.adapters.release_download import MAX_RELEASE_BYTES, ReleaseDownloadError, download_release
from studio.core.fork import ForkError, ForkSource, fork_manifest, write_fork
from studio.core.manifest import Manifest


class StartFromError(Exception):
    """Nothing was created; ``str()`` says why.

    Attributes:
        kind: ``not_found`` (no such theme or version), ``refused`` (the release does not match its signed
            manifest, or holds files the studio would not accept), ``target`` (the folder exists, not empty).
    """

    def __init__(self, message: str, kind: Literal["not_found", "refused", "target"]) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class StartedTheme:
    """The new theme folder and what happened around it."""

    folder: Path
    manifest: Manifest
    source: str  # "<id>@<version>"
    files: int
    bytes: int
    signed_by: str | None
    install_recorded: bool
    install_note: str = ""  # why the install was not recorded, when it was not


def start_from_theme(
    catalog: CatalogClient,
    theme_id: str,
    version: str | None,
    target: Path,
    *,
    name: str | None = None,
    http: httpx.Client | None = None,
    max_bytes: int = MAX_RELEASE_BYTES,
) -> StartedTheme:
    """Make ``target`` a new theme started from ``theme_id@version`` (default: its newest release).

    Raises:
        StartFromError: no such theme or version, the release does not match its signed manifest, or the
            folder cannot be made (exists, not empty). Nothing is left behind.
        BackendError: the backend does not answer (``CatalogOffline``) or refuses.
        StorageError: the disk refused.
    """
    theme = catalog.theme(theme_id)
    if theme is None:
        raise StartFromError(
            f"There is no published theme {theme_id[:80]} on {catalog.base_url}.", "not_found"
        )
    try:
        release = download_release(catalog, theme_id, version, http=http, max_bytes=max_bytes)
    except ReleaseDownloadError as exc:
        kind: Literal["not_found", "refused"] = "not_found" if exc.not_found else "refused"
        raise StartFromError(f"Cannot start from {theme_id}@{version or 'latest'}: {exc}", kind) from None
    source = ForkSource(
        theme_id=theme_id,
        version=release.version,
        name=str(theme.get("name") or ""),
        description=str(theme.get("description") or ""),
        tags=tuple(str(t) for t in theme.get("tags") or ()),
    )
    manifest = fork_manifest(source, name=name)
    try:
        folder = write_fork(target, {f.path: f.data for f in release.files}, manifest)
    except ForkError as exc:
        raise StartFromError(str(exc), "target" if exc.target else "refused") from None
    recorded, note = False, ""
    if catalog.authenticated:
        try:
            recorded = catalog.record_install(theme_id, release.version)
        except BackendError as exc:
            note = f"the install was not recorded: {exc}"
    else:
        note = "not signed in: the install was not recorded"
    return StartedTheme(
        folder=folder,
        manifest=manifest,
        source=manifest.forked_from,
        files=len(release.files),
        bytes=sum(len(f.data) for f in release.files),
        signed_by=release.signed_by,
        install_recorded=recorded,
        install_note=note,
    )
