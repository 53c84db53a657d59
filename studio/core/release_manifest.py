"""Signed release manifests: parse the DSSE envelope, check its Ed25519 signature and read its payload.

The service writes ``themes-published/<id>/<version>/manifest.json`` for every release it verified: a DSSE
envelope (https://github.com/secure-systems-lab/dsse) whose payload lists every object of the release (key,
size, sha256, content type), the publisher, the approving review and the lint verdict. The signature covers
the pre-authentication encoding (PAE) of the payload type and the payload bytes, so neither can be swapped.

Trusted keys come from the backend's ``GET /v1/keys`` or are pinned by the user; a key id is the first 16 hex
digits of the sha256 of the raw 32-byte public key. A retired key still verifies the releases it signed (key
rotation); an unknown key id verifies nothing.

Pure Python plus ``cryptography``; no I/O here (``studio.adapters.release_verify`` fetches).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from studio.core.release_docs import docs_prefix, safe_doc_path

PAYLOAD_TYPE = "application/vnd.themesystem.release-manifest+json"
SCHEMA = "themesystem.release-manifest/1"
ALGORITHM = "Ed25519"
TRUSTED_STATUSES = ("active", "retired")
MAX_ENVELOPE_BYTES = 4 * 1_048_576  # ~12,000 objects; a bigger one is not a theme release

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_KEYID = re.compile(r"^[0-9a-f]{16}$")


class ManifestError(ValueError):
    """The envelope, its payload or a key is malformed; ``str()`` says what, for the user."""


@dataclass(frozen=True)
class TrustedKey:
    """A public key the user trusts to sign releases.

    Attributes:
        keyid: first 16 hex digits of sha256(raw public key).
        public_key: the raw 32-byte Ed25519 public key.
        status: ``active`` or ``retired`` (both verify), ``pinned`` for a key given on the command line.
    """

    keyid: str
    public_key: bytes
    status: str


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A parsed DSSE envelope; ``payload`` is the exact signed bytes."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]


@dataclass(frozen=True)
class ManifestObject:
    """One object a release manifest lists (the service writes them, ``themestudio verify`` checks them)."""

    key: str
    size: int
    sha256: str
    content_type: str

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "size": self.size, "sha256": self.sha256, "content_type": self.content_type}


@dataclass(frozen=True)
class ReleaseManifest:
    """The signed statement about one release."""

    theme_id: str
    version: str
    created_at: str
    publisher: Mapping[str, Any]
    review: Mapping[str, Any] | None
    lint: Mapping[str, Any]
    objects: tuple[ManifestObject, ...]


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking an envelope's signatures against the trusted keys.

    Attributes:
        verified_by: the trusted key whose signature verified, or None.
        problems: one sentence per signature that did not verify (unknown key id, bad signature).
    """

    verified_by: TrustedKey | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.verified_by is not None


def keyid_of(public_key: bytes) -> str:
    """The key id of a raw public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what the signature covers."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise ManifestError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ManifestError(f"{what} is not valid base64") from None


def trusted_key(public_key_b64: str, *, status: str = "pinned", keyid: str | None = None) -> TrustedKey:
    """A trusted key from its standard-base64 raw bytes; ``keyid``, when given, must match them.

    Raises:
        ManifestError: not 32 bytes of base64, or a key id that does not belong to the key.
    """
    raw = _b64(public_key_b64.strip(), "the public key")
    if len(raw) != 32:
        raise ManifestError(f"an Ed25519 public key is 32 bytes, this one is {len(raw)}")
    derived = keyid_of(raw)
    if keyid is not None and keyid != derived:
        raise ManifestError(f"key id {keyid!r} does not belong to its public key (that is {derived})")
    return TrustedKey(derived, raw, status)


def keys_from_listing(document: object) -> tuple[dict[str, TrustedKey], list[str]]:
    """The trusted keys in a ``GET /v1/keys`` answer, and one sentence per entry that was ignored.

    Only Ed25519 keys with status ``active`` or ``retired`` and a key id that matches the key are trusted.

    Raises:
        ManifestError: the document is not ``{"keys": [...]}``.
    """
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ManifestError('the key listing is not {"keys": [...]}')
    keys: dict[str, TrustedKey] = {}
    ignored: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            ignored.append("an entry that is not an object")
            continue
        keyid, status = str(entry.get("keyid", "")), str(entry.get("status", ""))
        if entry.get("alg") != ALGORITHM:
            ignored.append(f"key {keyid[:16]!r}: algorithm {str(entry.get('alg'))[:20]!r} is not {ALGORITHM}")
            continue
        if status not in TRUSTED_STATUSES:
            ignored.append(f"key {keyid[:16]!r}: status {status[:20]!r}")
            continue
        try:
            key = trusted_key(str(entry.get("public_key", "")), status=status, keyid=keyid)
        except ManifestError as exc:
            ignored.append(f"key {keyid[:16]!r}: {exc}")
            continue
        keys[key.keyid] = key
    return keys, ignored


def parse_envelope(data: bytes) -> Envelope:
    """Parse a DSSE envelope (JSON).

    Raises:
        ManifestError: too large, not JSON, or missing/invalid fields.
    """
    if len(data) > MAX_ENVELOPE_BYTES:
        raise ManifestError(f"the manifest is larger than {MAX_ENVELOPE_BYTES} bytes")
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        raise ManifestError("the manifest is not JSON") from None
    if not isinstance(doc, dict):
        raise ManifestError("the manifest is not a DSSE envelope (a JSON object)")
    payload_type = doc.get("payloadType")
    if not isinstance(payload_type, str):
        raise ManifestError("the envelope has no payloadType")
    payload = _b64(doc.get("payload"), "the envelope's payload")
    raw_signatures = doc.get("signatures")
    if not isinstance(raw_signatures, list) or not raw_signatures:
        raise ManifestError("the envelope carries no signatures")
    signatures = []
    for item in raw_signatures:
        if not isinstance(item, dict) or not isinstance(item.get("keyid"), str):
            raise ManifestError("a signature has no keyid")
        signatures.append(Signature(item["keyid"], _b64(item.get("sig"), "a signature")))
    return Envelope(payload_type, payload, tuple(signatures))


def check_signatures(envelope: Envelope, keys: Mapping[str, TrustedKey]) -> SignatureCheck:
    """Whether a trusted key signed the envelope's PAE; every other signature is named in ``problems``."""
    message = pae(envelope.payload_type, envelope.payload)
    verified: TrustedKey | None = None
    problems = []
    for signature in envelope.signatures:
        shown = signature.keyid[:32]
        key = keys.get(signature.keyid) if _KEYID.match(signature.keyid) else None
        if key is None:
            problems.append(f"signed by an unknown key {shown!r} (not among the trusted keys)")
            continue
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(signature.sig, message)
        except InvalidSignature:
            problems.append(f"the signature by key {shown} does not match the manifest (tampered)")
            continue
        verified = verified or key
    return SignatureCheck(verified, tuple(problems))


def _field(doc: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = doc.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ManifestError(f"the manifest's {name!r} is missing or malformed")
    return value


def _object(item: object) -> ManifestObject:
    if not isinstance(item, dict):
        raise ManifestError("an entry of 'objects' is not an object")
    key = _field(item, "key", str)
    size = _field(item, "size", int)
    sha256 = _field(item, "sha256", str)
    content_type = _field(item, "content_type", str)
    if size < 0 or not _SHA256_HEX.match(sha256) or not content_type:
        raise ManifestError(f"the manifest entry for {key[:200]!r} is malformed")
    return ManifestObject(key, size, sha256, content_type)


def parse_payload(payload: bytes) -> ReleaseManifest:
    """Read the manifest payload (UTF-8 JSON).

    Raises:
        ManifestError: not JSON, another schema, or malformed fields.
    """
    try:
        doc = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ManifestError("the manifest payload is not UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise ManifestError("the manifest payload is not a JSON object")
    if doc.get("schema") != SCHEMA:
        raise ManifestError(f"the manifest schema is {str(doc.get('schema'))[:60]!r}, not {SCHEMA!r}")
    objects = tuple(_object(item) for item in _field(doc, "objects", list))
    review = doc.get("review")
    if review is not None and not isinstance(review, dict):
        raise ManifestError("the manifest's 'review' is malformed")
    return ReleaseManifest(
        theme_id=_field(doc, "theme_id", str),
        version=_field(doc, "version", str),
        created_at=_field(doc, "created_at", str),
        publisher=_field(doc, "publisher", dict),
        review=review,
        lint=_field(doc, "lint", dict),
        objects=objects,
    )


def layout_problems(manifest: ReleaseManifest, theme_id: str, version: str) -> list[str]:
    """What in a manifest does not describe the release ``theme_id@version`` of the storage layout.

    Every key must be under ``themes-published/<id>/<version>/`` (``manifest.json`` excluded), be the
    preview ``themes-previews/<id>/<version>.png`` or the release's documentation under
    ``themes-documentation/<id>/<version>/``; keys are unique, sorted, with no ``.``/``..`` segments.
    """
    problems = []
    if manifest.theme_id != theme_id:
        problems.append(f"the manifest is for theme {manifest.theme_id[:80]!r}, not {theme_id!r}")
    if manifest.version != version:
        problems.append(f"the manifest is for version {manifest.version[:80]!r}, not {version!r}")
    prefix = f"themes-published/{theme_id}/{version}/"
    preview = f"themes-previews/{theme_id}/{version}.png"
    docs = docs_prefix(theme_id, version)
    keys = [item.key for item in manifest.objects]
    for key in keys:
        inside = (key.startswith(prefix) and key != prefix + "manifest.json") or (
            key.startswith(docs) and safe_doc_path(key[len(docs) :])
        )
        segments = key.split("/")
        if not (inside or key == preview) or any(s in ("", ".", "..") for s in segments):
            problems.append(f"the manifest lists {key[:200]!r}, which is not an object of this release")
    if len(set(keys)) != len(keys):
        problems.append("the manifest lists an object twice")
    if keys != sorted(keys):
        problems.append("the manifest's objects are not sorted by key")
    if not any(key == prefix + "theme.css" for key in keys):
        problems.append("the manifest lists no theme.css")
    return problems


def normalized_content_type(value: str) -> str:
    """``Text/CSS;Charset=UTF-8`` and ``text/css; charset=utf-8`` compare equal."""
    return "; ".join(part.strip().lower() for part in value.split(";") if part.strip())


def describe_review(review: Mapping[str, Any] | None) -> str:
    if review is None:
        return "no review"
    who = review.get("reviewer") or review.get("reviewer_id") or "?"
    return f"approved by {who} on {review.get('decided_at', '?')} (draft {review.get('draft_id', '?')})"


def total_size(objects: Iterable[ManifestObject]) -> int:
    return sum(item.size for item in objects)
