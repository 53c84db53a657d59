"""The service's release-signing key: Ed25519, DSSE envelopes, key ids, rotation.

``SIGNING_KEY`` holds the active private key (standard base64 of the raw 32 bytes); it signs every new release
manifest. ``SIGNING_RETIRED_PUBLIC_KEYS`` lists earlier public keys, still published at ``/v1/keys`` so
manifests they signed keep verifying after a rotation. A key id is the first 16 hex characters of the sha256
of the raw public key. Without ``SIGNING_KEY`` the process makes an ephemeral key (tests, development) and
says so in a warning and in ``/readyz``; no key material is ever logged.

Envelope (DSSE v1): ``{"payloadType", "payload": b64(payload), "signatures": [{"keyid", "sig": b64}]}`` where
the signature covers PAE = ``"DSSEv1" SP len(type) SP type SP len(payload) SP payload`` (lengths in ASCII
decimal of the byte lengths).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

log = logging.getLogger(__name__)

PAYLOAD_TYPE = "application/vnd.themesystem.release-manifest+json"
ALG = "Ed25519"


class SigningKeyError(ValueError):
    """A configured key is not base64 of 32 raw bytes (the message never holds the value)."""


@dataclass(frozen=True)
class PublicKey:
    """One verification key as ``/v1/keys`` lists it."""

    keyid: str
    public_key: bytes
    status: Literal["active", "retired"]

    def to_json(self) -> dict[str, str]:
        return {
            "keyid": self.keyid,
            "alg": ALG,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "status": self.status,
        }


def keyid_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what the signature covers."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def raw_key(value: str) -> bytes:
    """The 32 raw bytes of a standard-base64 Ed25519 key (private or public).

    Raises:
        SigningKeyError: not base64, or not 32 bytes; the message never holds the value.
    """
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SigningKeyError("must be standard base64 of a raw 32-byte Ed25519 key") from None
    if len(raw) != 32:
        raise SigningKeyError(f"must be standard base64 of a raw 32-byte Ed25519 key, not {len(raw)} bytes")
    return raw


class Signer:
    """Signs with the active key; lists the active and retired public keys."""

    def __init__(self, private_key: Ed25519PrivateKey, retired: list[bytes], *, ephemeral: bool) -> None:
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.keyid = keyid_of(self.public_key)
        self.ephemeral = ephemeral
        self._retired = [raw for raw in dict.fromkeys(retired) if raw != self.public_key]

    @classmethod
    def from_settings(cls, signing_key: str | None, retired_public_keys: list[str]) -> Signer:
        """The signer the settings describe; an ephemeral key (with a warning) when ``signing_key`` is unset.

        Raises:
            SigningKeyError: a value is malformed.
        """
        retired = [raw_key(value) for value in retired_public_keys]
        if signing_key:
            key = Ed25519PrivateKey.from_private_bytes(raw_key(signing_key))
            return cls(key, retired, ephemeral=False)
        signer = cls(Ed25519PrivateKey.generate(), retired, ephemeral=True)
        log.warning(
            "SIGNING_KEY is not set: release manifests are signed with an ephemeral key (id %s) that is lost "
            "at exit; set SIGNING_KEY in production",
            signer.keyid,
        )
        return signer

    def public_keys(self) -> list[PublicKey]:
        return [
            PublicKey(self.keyid, self.public_key, "active"),
            *(PublicKey(keyid_of(raw), raw, "retired") for raw in self._retired),
        ]

    def envelope(self, payload: bytes, payload_type: str = PAYLOAD_TYPE) -> dict[str, Any]:
        """A DSSE envelope of ``payload`` signed with the active key."""
        signature = self._key.sign(pae(payload_type, payload))
        return {
            "payloadType": payload_type,
            "payload": base64.b64encode(payload).decode("ascii"),
            "signatures": [{"keyid": self.keyid, "sig": base64.b64encode(signature).decode("ascii")}],
        }


def verify_envelope(envelope: dict[str, Any], keys: list[PublicKey]) -> bytes:
    """The payload of ``envelope`` when one of its signatures verifies with one of ``keys``.

    Raises:
        ValueError: malformed envelope, unknown key id or bad signature.
    """
    try:
        payload_type = str(envelope["payloadType"])
        payload = base64.b64decode(envelope["payload"], validate=True)
        signatures = list(envelope["signatures"])
    except (KeyError, TypeError, binascii.Error) as exc:
        raise ValueError(f"not a DSSE envelope ({type(exc).__name__})") from None
    by_id = {key.keyid: key for key in keys}
    for signature in signatures:
        key = by_id.get(str(signature.get("keyid")))
        if key is None:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(
                base64.b64decode(signature["sig"], validate=True), pae(payload_type, payload)
            )
        except (InvalidSignature, KeyError, binascii.Error, ValueError):
            continue
        return payload
    raise ValueError("no signature verifies with a known key")


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys: the manifest payload bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
