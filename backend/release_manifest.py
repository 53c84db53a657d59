"""The signed release manifest: what a verified release holds, who published and who approved it.

Stored at ``themes-published/<id>/<version>/manifest.json`` as a DSSE envelope (:mod:`backend.signing`) whose
payload is the UTF-8 JSON (sorted keys) of::

    {"schema": "themesystem.release-manifest/1", "theme_id", "version", "created_at" (ISO 8601 UTC),
     "publisher": {"user_id", "name"},
     "review": null | {"draft_id", "reviewer_id", "reviewer", "decided_at"},
     "lint": {"verdict": "pass", "errors": 0, "warnings": N},
     "objects": [{"key", "size", "sha256", "content_type"}, ...]}

``objects`` is sorted by key: theme.css, every asset, the preview PNG when present, the documentation
(``themes-documentation/<id>/<version>/README.md`` and ``docs/...``) when present; never the manifest itself.
Anyone can check a release with the public keys at ``/v1/keys`` and anonymous GETs of the listed keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from backend.release_verify import VerifiedRelease
from backend.signing import Signer, canonical_json

SCHEMA = "themesystem.release-manifest/1"
CONTENT_TYPE = "application/json"
CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class ReviewRecord:
    draft_id: UUID
    reviewer_id: UUID | None
    reviewer: str | None
    decided_at: datetime | None


def utc_stamp(when: datetime) -> str:
    """``2026-11-29T04:40:06Z``: ISO 8601, UTC, whole seconds."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_payload(
    *,
    theme_id: UUID,
    version: str,
    created_at: datetime,
    publisher_id: UUID,
    publisher_name: str,
    review: ReviewRecord | None,
    verified: VerifiedRelease,
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "theme_id": str(theme_id),
        "version": version,
        "created_at": utc_stamp(created_at),
        "publisher": {"user_id": str(publisher_id), "name": publisher_name},
        "review": None
        if review is None
        else {
            "draft_id": str(review.draft_id),
            "reviewer_id": None if review.reviewer_id is None else str(review.reviewer_id),
            "reviewer": review.reviewer,
            "decided_at": None if review.decided_at is None else utc_stamp(review.decided_at),
        },
        "lint": {"verdict": "pass", "errors": 0, "warnings": verified.warnings},
        "objects": [obj.to_json() for obj in verified.objects],
    }


def signed_manifest(signer: Signer, payload: dict[str, Any]) -> bytes:
    """The manifest object's bytes: the DSSE envelope as JSON."""
    return json.dumps(signer.envelope(canonical_json(payload)), sort_keys=True, indent=1).encode("utf-8")
