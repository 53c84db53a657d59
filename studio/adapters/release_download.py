"""Download a published release's files exactly as the service signed them (anonymous, from the CDN).

The list of files is the release's signed manifest (``themes-published/<id>/<version>/manifest.json``,
checked against the backend's signing keys): every object it names is fetched and must have exactly the
signed size and sha256, and the total stays under a cap. A release registered before manifests existed has
only ``theme.css``, checked against the sha256 and size the API registered. Nothing partial is returned: any
difference raises :class:`ReleaseDownloadError`.

The public base URL comes from the version's ``css_url`` (the backend's own CDN URL), so this works with any
backend, no profile needed. Blocking (``httpx.Client``): the UI calls it off the GUI thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from studio.adapters.backend_client import BackendError
from studio.adapters.catalog import CatalogClient, ThemeVersion
from studio.core.limits import MAX_CSS_BYTES, MIB
from studio.core.release_manifest import (
    MAX_ENVELOPE_BYTES,
    PAYLOAD_TYPE,
    ManifestError,
    check_signatures,
    keys_from_listing,
    layout_problems,
    parse_envelope,
    parse_payload,
)

MAX_RELEASE_BYTES = 25 * MIB  # the backend's default RELEASE_MAX_BYTES


class ReleaseDownloadError(Exception):
    """The release could not be downloaded as signed; ``str()`` says what differs or what failed.

    ``not_found``: no such version (or nothing released), as opposed to a release that differs from what
    was signed or could not be fetched.
    """

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release, by its path inside the theme folder (``theme.css``, ``assets/...``)."""

    path: str
    data: bytes
    sha256: str
    content_type: str


@dataclass(frozen=True)
class ReleaseFiles:
    """A downloaded release: its files (``theme.css`` first), the preview PNG when it has one."""

    theme_id: str
    version: str
    files: tuple[ReleaseFile, ...]
    preview: bytes | None
    signed_by: str | None  # the key id that signed the manifest; None for a release without one

    @property
    def total_bytes(self) -> int:
        return sum(len(f.data) for f in self.files) + len(self.preview or b"")


def pick_version(versions: list[ThemeVersion], wanted: str | None) -> ThemeVersion:
    """``wanted``, or the newest version not yanked.

    Raises:
        ReleaseDownloadError: no such version, or nothing released.
    """
    if wanted is not None:
        for item in versions:
            if item.version == wanted:
                return item
        known = ", ".join(v.version for v in versions[:10]) or "none"
        raise ReleaseDownloadError(
            f"version {wanted[:64]} is not released (released: {known})", not_found=True
        )
    for item in versions:  # newest first
        if not item.yanked:
            return item
    raise ReleaseDownloadError("the theme has no released version to start from", not_found=True)


def cdn_base_of(release: ThemeVersion, theme_id: str) -> str:
    """The public base URL of the bucket, from the version's ``css_url``.

    Raises:
        ReleaseDownloadError: the URL does not end with the release's ``theme.css`` key.
    """
    key = quote(f"themes-published/{theme_id}/{release.version}/theme.css", safe="/~")
    if not release.css_url.endswith("/" + key):
        raise ReleaseDownloadError(f"the release's css_url is not under its storage key ({key})")
    return release.css_url[: -len(key)]


def download_release(
    catalog: CatalogClient,
    theme_id: str,
    version: str | None = None,
    *,
    http: httpx.Client | None = None,
    max_bytes: int = MAX_RELEASE_BYTES,
) -> ReleaseFiles:
    """Fetch every file of ``theme_id@version`` (default: the newest not yanked) and check it.

    Args:
        catalog: the backend's client (versions and signing keys).
        http: a client without credentials for the CDN (default: a new one, closed after).
        max_bytes: cap on the release's total size; a manifest claiming more is refused before any fetch.

    Raises:
        ReleaseDownloadError: unknown version, unsigned or tampered manifest, a file missing, larger or with
            other bytes than signed, or over the cap.
        BackendError: the backend refused or did not answer.
    """
    release = pick_version(catalog.versions(theme_id), version)
    base = cdn_base_of(release, theme_id)
    own = http is None
    client = http or httpx.Client(
        timeout=httpx.Timeout(30.0, connect=5.0),
        follow_redirects=True,
        headers={"Accept-Encoding": "identity", "User-Agent": "themestudio-install"},
    )
    try:
        if release.manifest_key:
            return _by_manifest(catalog, client, base, theme_id, release, max_bytes)
        css = _fetch(client, release.css_url, min(release.size, MAX_CSS_BYTES), "theme.css")
        _check("theme.css", css, release.size, release.sha256)
        files = (ReleaseFile("theme.css", css, release.sha256, "text/css; charset=utf-8"),)
        return ReleaseFiles(theme_id, release.version, files, None, None)
    finally:
        if own:
            client.close()


def _by_manifest(
    catalog: CatalogClient,
    client: httpx.Client,
    base: str,
    theme_id: str,
    release: ThemeVersion,
    max_bytes: int,
) -> ReleaseFiles:
    assert release.manifest_key is not None
    what = f"{theme_id}@{release.version}"
    raw = _fetch(client, base + quote(release.manifest_key, safe="/~"), MAX_ENVELOPE_BYTES, "manifest.json")
    try:
        envelope = parse_envelope(raw)
        keys, _ignored = keys_from_listing(catalog.signing_keys())
    except ManifestError as exc:
        raise ReleaseDownloadError(f"{what}: {exc}") from None
    check = check_signatures(envelope, keys)
    if not check.ok or envelope.payload_type != PAYLOAD_TYPE:
        problems = "; ".join(check.problems) or "wrong payload type"
        raise ReleaseDownloadError(f"{what}: the manifest is not signed by the backend's keys ({problems})")
    try:
        manifest = parse_payload(envelope.payload)
    except ManifestError as exc:
        raise ReleaseDownloadError(f"{what}: {exc}") from None
    layout = layout_problems(manifest, theme_id, release.version)
    if layout:
        raise ReleaseDownloadError(f"{what}: " + "; ".join(layout))
    total = sum(item.size for item in manifest.objects)
    if total > max_bytes:
        raise ReleaseDownloadError(f"{what} is {total} bytes, over the {max_bytes}-byte limit")
    prefix = f"themes-published/{theme_id}/{release.version}/"
    files: list[ReleaseFile] = []
    preview: bytes | None = None
    for item in manifest.objects:
        data = _fetch(client, base + quote(item.key, safe="/~"), item.size, item.key)
        _check(item.key, data, item.size, item.sha256)
        if item.key.startswith(prefix):
            files.append(ReleaseFile(item.key[len(prefix) :], data, item.sha256, item.content_type))
        else:
            preview = data
    css = next((f for f in files if f.path == "theme.css"), None)
    if css is None or css.sha256 != release.sha256:
        raise ReleaseDownloadError(f"{what}: the signed theme.css is not the one the backend registered")
    files.sort(key=lambda f: (f.path != "theme.css", f.path))
    assert check.verified_by is not None
    return ReleaseFiles(theme_id, release.version, tuple(files), preview, check.verified_by.keyid)


def _fetch(client: httpx.Client, url: str, limit: int, what: str) -> bytes:
    """The body at ``url``, cut off (and refused) as soon as it outgrows ``limit``."""
    body = bytearray()
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise ReleaseDownloadError(f"{what}: the CDN answered HTTP {response.status_code}")
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise ReleaseDownloadError(f"{what}: larger than its signed size of {limit} bytes")
    except httpx.HTTPError as exc:
        raise ReleaseDownloadError(f"{what}: could not be fetched ({type(exc).__name__})") from None
    return bytes(body)


def _check(what: str, data: bytes, size: int, sha256: str) -> None:
    if len(data) != size:
        raise ReleaseDownloadError(f"{what}: {len(data)} bytes, the signed size is {size}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ReleaseDownloadError(f"{what}: sha256 {digest} differs from the signed {sha256}")


__all__ = [
    "MAX_RELEASE_BYTES",
    "BackendError",
    "ReleaseDownloadError",
    "ReleaseFile",
    "ReleaseFiles",
    "cdn_base_of",
    "download_release",
    "pick_version",
]
