"""Release manifests signed as the service signs them, written from the spec, independently of studio.core.

The PAE and envelope are built here by hand (not with ``studio.core.release_manifest.pae``), so a verifier
that drifted from the spec fails the tests instead of agreeing with itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PAYLOAD_TYPE = "application/vnd.themesystem.release-manifest+json"


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def raw_public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.raw_public).decode("ascii")

    @property
    def keyid(self) -> str:
        return hashlib.sha256(self.raw_public).hexdigest()[:16]

    def listing(self, status: str = "active") -> dict[str, str]:
        """This key as an entry of ``GET /v1/keys``."""
        return {"keyid": self.keyid, "alg": "Ed25519", "public_key": self.public_b64, "status": status}


def payload_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


def pae(payload_type: str, payload: bytes) -> bytes:
    kind = payload_type.encode("utf-8")
    return (
        b"DSSEv1 "
        + str(len(kind)).encode()
        + b" "
        + kind
        + b" "
        + str(len(payload)).encode()
        + b" "
        + payload
    )


def envelope(payload: bytes, key: SigningKey, *, keyid: str | None = None) -> dict[str, Any]:
    """A DSSE envelope over ``payload`` signed by ``key`` (``keyid`` overrides the key id it claims)."""
    sig = key.private.sign(pae(PAYLOAD_TYPE, payload))
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": [{"keyid": keyid or key.keyid, "sig": base64.b64encode(sig).decode("ascii")}],
    }


def manifest_doc(theme_id: str, version: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    """A release manifest payload as the service writes it (objects sorted by key)."""
    return {
        "schema": "themesystem.release-manifest/1",
        "theme_id": theme_id,
        "version": version,
        "created_at": "2026-11-29T04:00:00Z",
        "publisher": {"user_id": "8c1e4f7a-0000-4000-8000-000000000001", "name": "Ada"},
        "review": None,
        "lint": {"verdict": "pass", "errors": 0, "warnings": 2},
        "objects": sorted(objects, key=lambda item: str(item["key"])),
    }


def object_entry(key: str, data: bytes, content_type: str) -> dict[str, Any]:
    return {
        "key": key,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": content_type,
    }
