"""The signing key: DSSE envelopes, key ids, rotation, settings that never echo a key."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from backend.api.app import create_app
from backend.config import Settings, SettingsError, load_settings
from backend.signing import PAYLOAD_TYPE, Signer, pae, verify_envelope


def _pair() -> tuple[str, bytes]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(private).decode(), key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_pae_is_dsse_v1() -> None:
    assert pae("t/x", b"hello") == b"DSSEv1 3 t/x 5 hello"
    assert pae("é", b"") == b"DSSEv1 2 \xc3\xa9 0 "


def test_envelope_verifies_after_rotation_and_not_when_tampered() -> None:
    old_private, old_public = _pair()
    new_private, new_public = _pair()
    old = Signer.from_settings(old_private, [])
    signed_before = old.envelope(b'{"a":1}')
    assert signed_before["payloadType"] == PAYLOAD_TYPE
    assert signed_before["signatures"][0]["keyid"] == hashlib.sha256(old_public).hexdigest()[:16]

    rotated = Signer.from_settings(new_private, [base64.b64encode(old_public).decode()])
    assert [(k.status, k.public_key) for k in rotated.public_keys()] == [
        ("active", new_public),
        ("retired", old_public),
    ]
    assert verify_envelope(signed_before, rotated.public_keys()) == b'{"a":1}'
    assert verify_envelope(rotated.envelope(b"x"), rotated.public_keys()) == b"x"
    tampered = dict(signed_before, payload=base64.b64encode(b'{"a":2}').decode())
    with pytest.raises(ValueError, match="no signature verifies"):
        verify_envelope(tampered, rotated.public_keys())
    retyped = dict(signed_before, payloadType="text/plain")  # the type is signed too (PAE)
    with pytest.raises(ValueError, match="no signature verifies"):
        verify_envelope(retyped, rotated.public_keys())
    with pytest.raises(ValueError, match="no signature verifies"):
        verify_envelope(signed_before, Signer.from_settings(new_private, []).public_keys())


def test_ephemeral_without_a_key(caplog: pytest.LogCaptureFixture) -> None:
    signer = Signer.from_settings(None, [])
    assert signer.ephemeral
    assert "SIGNING_KEY is not set" in caplog.text
    assert base64.b64encode(signer.public_key).decode() not in caplog.text


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
def test_bad_keys_are_settings_errors_without_the_value(database_url: str, bad: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(database_url=database_url, signing_key=bad)
    assert "SIGNING_KEY" in str(err.value)
    assert bad not in str(err.value)
    with pytest.raises(SettingsError, match="SIGNING_RETIRED_PUBLIC_KEYS"):
        load_settings(database_url=database_url, signing_retired_public_keys=f"{_pair()[0]},{bad}")


@pytest.mark.anyio
async def test_keys_route_and_readyz_with_a_configured_key(settings: Settings) -> None:
    private, public = _pair()
    _, retired = _pair()
    configured = settings.model_copy(
        update={
            "signing_key": load_settings(database_url=settings.database_dsn, signing_key=private).signing_key,
            "signing_retired_public_keys": [base64.b64encode(retired).decode()],
        }
    )
    app = create_app(configured)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        keys = (await http.get("/v1/keys")).json()["keys"]
        ready = (await http.get("/readyz")).json()
    assert keys == [
        {
            "keyid": hashlib.sha256(public).hexdigest()[:16],
            "alg": "Ed25519",
            "public_key": base64.b64encode(public).decode(),
            "status": "active",
        },
        {
            "keyid": hashlib.sha256(retired).hexdigest()[:16],
            "alg": "Ed25519",
            "public_key": base64.b64encode(retired).decode(),
            "status": "retired",
        },
    ]
    assert ready["signing"] == "ok"
