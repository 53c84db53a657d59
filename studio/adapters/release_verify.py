"""Verify a published release as any consumer sees it: anonymously, from the CDN, against a signed manifest.

Steps: get the trusted keys (the backend's ``GET /v1/keys``, or keys the user pinned), fetch
``themes-published/<id>/<version>/manifest.json`` from the CDN, check its DSSE signature and that it speaks of
the release asked for, then stream every object it lists and compare size, sha256 and Content-Type.

Everything goes through one pooled ``httpx.AsyncClient`` with bounded concurrency; object bodies are hashed
as they stream (a 5 MB font is never held in memory) and a body is cut off as soon as it outgrows its
declared size. No credential is ever sent to the CDN.

What an anonymous check cannot see: an extra object under the version's prefix that the manifest does not
list (listing the prefix needs the bucket key). Consumers only load the URLs the theme names, and the
backend's cleanup and grants keep the prefix to registered objects; the report says so.
"""

from __future__ import annotations

import asyncio
import hashlib
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from studio.core.release_manifest import (
    MAX_ENVELOPE_BYTES,
    PAYLOAD_TYPE,
    ManifestError,
    ManifestObject,
    ReleaseManifest,
    TrustedKey,
    check_signatures,
    keys_from_listing,
    layout_problems,
    normalized_content_type,
    parse_envelope,
    parse_payload,
    trusted_key,
)

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 32
UNDETECTABLE_NOTE = (
    "an object added under {prefix} that the manifest does not list cannot be detected anonymously "
    "(listing the prefix needs the bucket key); only the objects the manifest names were checked."
)


class VerifyError(Exception):
    """The release could not be checked at all (CDN or backend unreachable, no keys); ``str()`` says why."""


@dataclass
class VerifyReport:
    """The outcome of verifying one release.

    Attributes:
        differences: each way the published release differs from what the service signed (exit 1).
        unchecked: objects that could not be fetched (network errors): the release is not verified.
        notes: facts worth showing that are not failures (a retired key, ignored key-listing entries).
        signed_by: the trusted key whose signature verified, or None.
        manifest: the payload, when it could be read (signed or not).
        bytes_checked: bytes streamed and hashed.
    """

    theme_id: str
    version: str
    differences: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signed_by: TrustedKey | None = None
    manifest: ReleaseManifest | None = None
    bytes_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.signed_by is not None and not self.differences and not self.unchecked


def _describe(exc: httpx.HTTPError) -> str:
    return f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__


def object_url(base: str, key: str) -> str:
    return f"{base.rstrip('/')}/{urllib.parse.quote(key, safe='/~')}"


async def fetch_trusted_keys(
    client: httpx.AsyncClient, backend_url: str
) -> tuple[dict[str, TrustedKey], list[str]]:
    """The backend's signing keys (active and retired) and one note per listing entry that was ignored.

    Raises:
        VerifyError: the backend is unreachable or does not answer a key listing.
    """
    url = backend_url.rstrip("/") + "/v1/keys"
    try:
        response = await client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise VerifyError(
            f"cannot reach the backend at {backend_url} for its keys ({_describe(exc)})"
        ) from None
    if response.status_code != 200:
        raise VerifyError(
            f"the backend answered HTTP {response.status_code} for {url}: no signing keys to trust"
        )
    try:
        return keys_from_listing(response.json())
    except (ValueError, ManifestError) as exc:
        raise VerifyError(f"the backend's key listing at {url} is unusable: {exc}") from None


def pinned_keys(values: Sequence[str]) -> dict[str, TrustedKey]:
    """Keys given on the command line (standard base64 of the raw 32 bytes).

    Raises:
        VerifyError: a value is not an Ed25519 public key.
    """
    keys = {}
    for value in values:
        try:
            key = trusted_key(value)
        except ManifestError as exc:
            raise VerifyError(f"--public-key {value[:60]!r}: {exc}") from None
        keys[key.keyid] = key
    return keys


async def _fetch_manifest(client: httpx.AsyncClient, cdn_base: str, key: str) -> bytes | None:
    """The manifest's bytes, or None when the CDN has none (403/404).

    Raises:
        VerifyError: the CDN is unreachable or answers an unexpected status.
    """
    url = object_url(cdn_base, key)
    try:
        async with client.stream("GET", url) as response:
            if response.status_code in (403, 404):
                return None
            if response.status_code != 200:
                raise VerifyError(f"the CDN answered HTTP {response.status_code} for {url}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_ENVELOPE_BYTES:
                    break
            return bytes(body)
    except httpx.HTTPError as exc:
        raise VerifyError(f"cannot reach the CDN at {cdn_base} ({_describe(exc)})") from None


async def _check_object(
    client: httpx.AsyncClient, cdn_base: str, item: ManifestObject, report: VerifyReport
) -> None:
    """Stream one object, hash it, and add what differs from its manifest entry to ``report``."""
    url = object_url(cdn_base, item.key)
    digest = hashlib.sha256()
    size = 0
    try:
        async with client.stream("GET", url) as response:
            if response.status_code in (403, 404):
                report.differences.append(f"{item.key}: missing (HTTP {response.status_code} from the CDN)")
                return
            if response.status_code != 200:
                report.unchecked.append(f"{item.key}: the CDN answered HTTP {response.status_code}")
                return
            content_type = response.headers.get("content-type", "")
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > item.size:
                    break  # already wrong: no need to download the rest
                digest.update(chunk)
    except httpx.HTTPError as exc:
        report.unchecked.append(f"{item.key}: could not be fetched ({_describe(exc)})")
        return
    report.bytes_checked += size
    if size > item.size:
        report.differences.append(f"{item.key}: larger than the signed size of {item.size} bytes")
    elif size != item.size:
        report.differences.append(f"{item.key}: {size} bytes, the signed size is {item.size}")
    elif digest.hexdigest() != item.sha256:
        report.differences.append(
            f"{item.key}: sha256 {digest.hexdigest()} differs from the signed {item.sha256} (bytes changed)"
        )
    if normalized_content_type(content_type) != normalized_content_type(item.content_type):
        report.differences.append(
            f"{item.key}: served as Content-Type {content_type[:100]!r}, signed as {item.content_type!r}"
        )


async def verify_release(
    client: httpx.AsyncClient,
    cdn_base: str,
    theme_id: str,
    version: str,
    keys: dict[str, TrustedKey],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> VerifyReport:
    """Check one release against its signed manifest; every difference lands in the report.

    Raises:
        VerifyError: the CDN is unreachable.
    """
    report = VerifyReport(theme_id, version)
    prefix = f"themes-published/{theme_id}/{version}/"
    data = await _fetch_manifest(client, cdn_base, prefix + "manifest.json")
    if data is None:
        report.differences.append(
            f"{prefix}manifest.json is missing: the release does not exist, or the service never verified it"
        )
        return report
    try:
        envelope = parse_envelope(data)
    except ManifestError as exc:
        report.differences.append(f"{prefix}manifest.json: {exc}")
        return report
    check = check_signatures(envelope, keys)
    report.signed_by = check.verified_by
    if check.ok:
        assert check.verified_by is not None
        if check.verified_by.status == "retired":
            report.notes.append(
                f"signed with the retired key {check.verified_by.keyid} (still trusted for what it signed)"
            )
        report.notes += [f"another signature was ignored: {problem}" for problem in check.problems]
    else:
        report.differences += [f"manifest: {problem}" for problem in check.problems]
        report.differences.append("manifest: no valid signature by a trusted key")
    if envelope.payload_type != PAYLOAD_TYPE:
        report.differences.append(
            f"manifest: payload type {envelope.payload_type[:80]!r} is not {PAYLOAD_TYPE}"
        )
        return report
    try:
        manifest = parse_payload(envelope.payload)
    except ManifestError as exc:
        report.differences.append(f"manifest: {exc}")
        return report
    report.manifest = manifest
    layout = layout_problems(manifest, theme_id, version)
    report.differences += [f"manifest: {problem}" for problem in layout]
    if layout:
        return report  # never fetch keys a manifest for another release names
    if not check.ok:
        report.notes.append("the objects were compared with an unsigned (untrusted) manifest")
    limit = asyncio.Semaphore(max(1, min(concurrency, MAX_CONCURRENCY)))

    async def bounded(item: ManifestObject) -> None:
        async with limit:
            await _check_object(client, cdn_base, item, report)

    first_object = len(report.differences)
    await asyncio.gather(*(bounded(item) for item in manifest.objects))
    # Objects finish in any order: list their differences by key, after the manifest's own.
    report.differences[first_object:] = sorted(report.differences[first_object:])
    report.unchecked.sort()
    report.notes.append(UNDETECTABLE_NOTE.format(prefix=prefix))
    return report


def http_client(concurrency: int = DEFAULT_CONCURRENCY) -> httpx.AsyncClient:
    """One pooled client for the keys, the manifest and every object (no credentials, redirects followed)."""
    size = max(1, min(concurrency, MAX_CONCURRENCY))
    return httpx.AsyncClient(
        timeout=httpx.Timeout(30.0, connect=5.0),
        limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
        follow_redirects=True,
        # The signature covers the stored bytes: ask for them as stored (a CDN that compresses anyway is
        # decoded by httpx, which gives the same bytes back).
        headers={"User-Agent": "themestudio-verify", "Accept-Encoding": "identity"},
    )


async def verify(
    theme_id: str,
    version: str,
    *,
    cdn_base: str,
    backend_url: str | None,
    public_keys: Sequence[str] = (),
    concurrency: int = DEFAULT_CONCURRENCY,
) -> VerifyReport:
    """Get the trusted keys (pinned ones, else the backend's) and verify the release.

    Raises:
        VerifyError: no way to get keys, a bad pinned key, or the backend or CDN unreachable.
    """
    notes: list[str] = []
    async with http_client(concurrency) as client:
        if public_keys:
            keys = pinned_keys(public_keys)
        elif backend_url:
            keys, ignored = await fetch_trusted_keys(client, backend_url)
            notes += [f"the backend's key listing: ignored {entry}" for entry in ignored]
            if not keys:
                notes.append("the backend lists no trusted signing key")
        else:
            raise VerifyError("no trusted keys: give --backend URL (or a profile with one) or --public-key")
        report = await verify_release(client, cdn_base, theme_id, version, keys, concurrency=concurrency)
    report.notes = notes + report.notes
    return report
