"""Release manifests: DSSE envelope parsing, signatures against trusted keys, payload and layout checks."""

from __future__ import annotations

import base64
import json

import pytest

from studio.core.release_manifest import (
    ManifestError,
    check_signatures,
    keyid_of,
    keys_from_listing,
    layout_problems,
    pae,
    parse_envelope,
    parse_payload,
    trusted_key,
)
from tests import manifest_signing as signing

THEME = "3f0c9a2e-5b7d-4c1e-9f00-0123456789ab"
CSS = b":root{--brand:#0af}\n"


def _signed(key: signing.SigningKey, **changes: object) -> tuple[bytes, bytes]:
    doc = signing.manifest_doc(
        THEME,
        "1.2.0",
        [
            signing.object_entry(f"themes-published/{THEME}/1.2.0/theme.css", CSS, "text/css"),
            signing.object_entry(f"themes-previews/{THEME}/1.2.0.png", b"png", "image/png"),
        ],
    )
    payload = signing.payload_bytes({**doc, **changes})
    return payload, json.dumps(signing.envelope(payload, key)).encode()


def test_pae_is_the_dsse_v1_encoding() -> None:
    # Byte for byte the spec's example shape: lengths in ASCII decimal, single spaces.
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae(signing.PAYLOAD_TYPE, b"{}") == signing.pae(signing.PAYLOAD_TYPE, b"{}")


def test_a_signed_manifest_verifies_and_reads() -> None:
    key = signing.SigningKey.generate()
    payload, data = _signed(key)
    envelope = parse_envelope(data)
    assert envelope.payload == payload
    keys = {key.keyid: trusted_key(key.public_b64, status="active", keyid=key.keyid)}
    check = check_signatures(envelope, keys)
    assert check.ok
    assert check.verified_by is not None
    assert (check.verified_by.keyid, check.problems) == (key.keyid, ())
    manifest = parse_payload(envelope.payload)
    assert (manifest.theme_id, manifest.version, len(manifest.objects)) == (THEME, "1.2.0", 2)
    assert layout_problems(manifest, THEME, "1.2.0") == []


def test_tampering_unknown_keys_and_forged_key_ids_fail() -> None:
    key, intruder = signing.SigningKey.generate(), signing.SigningKey.generate()
    keys = {key.keyid: trusted_key(key.public_b64, status="active")}
    _, data = _signed(key)
    doc = json.loads(data)
    # One byte of the payload changed, signature kept.
    payload = bytearray(base64.b64decode(doc["payload"]))
    payload[payload.index(b'"warnings":2') + len('"warnings":')] = ord("0")
    tampered = parse_envelope(json.dumps(doc | {"payload": base64.b64encode(payload).decode()}).encode())
    check = check_signatures(tampered, keys)
    assert not check.ok
    assert "does not match" in check.problems[0]
    # The payload type is signed too.
    retyped = parse_envelope(json.dumps(doc | {"payloadType": "application/json"}).encode())
    assert not check_signatures(retyped, keys).ok
    # Signed by a key nobody trusts, whether it says so or borrows the trusted key's id.
    _, foreign = _signed(intruder)
    check = check_signatures(parse_envelope(foreign), keys)
    assert not check.ok
    assert "unknown key" in check.problems[0]
    forged = signing.envelope(base64.b64decode(doc["payload"]), intruder, keyid=key.keyid)
    check = check_signatures(parse_envelope(json.dumps(forged).encode()), keys)
    assert not check.ok
    assert "does not match" in check.problems[0]


def test_key_listing_trusts_active_and_retired_ed25519_keys_only() -> None:
    active, retired, revoked, liar = (signing.SigningKey.generate() for _ in range(4))
    listing = {
        "keys": [
            active.listing("active"),
            retired.listing("retired"),
            revoked.listing("revoked"),
            liar.listing() | {"keyid": active.keyid[::-1]},
            active.listing() | {"alg": "RSA"},
            {
                "keyid": "x",
                "alg": "Ed25519",
                "public_key": base64.b64encode(b"short").decode(),
                "status": "active",
            },
            "junk",
        ]
    }
    keys, ignored = keys_from_listing(listing)
    assert set(keys) == {active.keyid, retired.keyid}
    assert keys[retired.keyid].status == "retired"
    assert len(ignored) == 5
    assert keyid_of(active.raw_public) == active.keyid
    with pytest.raises(ManifestError):
        keys_from_listing({"keys": "none"})
    # A retired key still verifies what it signed.
    _, data = _signed(retired)
    assert check_signatures(parse_envelope(data), keys).ok


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not JSON"),
        (b"[]", "not a DSSE envelope"),
        (b'{"payloadType": "x", "payload": "***", "signatures": []}', "not valid base64"),
        (b'{"payloadType": "x", "payload": "", "signatures": []}', "no signatures"),
        (b'{"payloadType": "x", "payload": "", "signatures": [{"sig": ""}]}', "no keyid"),
        (b"[" * 100_000, "not JSON"),
    ],
)
def test_malformed_envelopes_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_envelope(data)


def test_payload_and_layout_problems_are_named() -> None:
    key = signing.SigningKey.generate()
    payload, _ = _signed(key, schema="other/2")
    with pytest.raises(ManifestError, match="schema"):
        parse_payload(payload)
    payload, _ = _signed(key, objects=[{"key": "k", "size": True, "sha256": "0" * 64, "content_type": "x"}])
    with pytest.raises(ManifestError, match="size"):
        parse_payload(payload)
    foreign = [
        signing.object_entry(f"themes-published/{THEME}/1.2.0/theme.css", CSS, "text/css"),
        signing.object_entry(f"themes-published/{THEME}/1.2.0/../../other/theme.css", CSS, "text/css"),
        signing.object_entry(f"themes-published/{THEME}/1.2.0/manifest.json", CSS, "application/json"),
        signing.object_entry("themes-drafts/x/y/1/theme.css", CSS, "text/css"),
    ]
    payload, _ = _signed(key, objects=foreign)
    problems = layout_problems(parse_payload(payload), THEME, "1.2.1")
    text = "\n".join(problems)
    assert "not '1.2.1'" in text
    assert text.count("not an object of this release") == 4  # the version differs: every key is foreign
    problems = layout_problems(parse_payload(payload), THEME, "1.2.0")
    assert sum("not an object of this release" in p for p in problems) == 3
