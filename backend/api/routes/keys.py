"""The public keys that verify release manifests (the active one and retired ones, for rotation)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.constants import API_PREFIX
from backend.api.deps import ServicesDep
from backend.api.schemas import SigningKey, SigningKeys

router = APIRouter(prefix=API_PREFIX, tags=["keys"])


@router.get("/keys", response_model=SigningKeys)
async def signing_keys(services: ServicesDep) -> SigningKeys:
    """Anonymous: every key a manifest may be signed with; ``keyid`` = sha256(raw public key)[:16] hex."""
    return SigningKeys(
        keys=[SigningKey.model_validate(key.to_json()) for key in services.signer.public_keys()]
    )
