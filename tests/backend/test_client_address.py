"""The client address rate limits key on: the peer, or what a trusted proxy reports (never the client)."""

from __future__ import annotations

import pytest

from backend.api.client_address import TrustedProxies, resolve
from backend.config import SettingsError, load_settings

NOBODY = TrustedProxies([])
LB = TrustedProxies(["10.0.0.0/8"])
ANY = TrustedProxies(["*"])


@pytest.mark.parametrize(
    ("peer", "hops", "trusted", "expected"),
    [
        ("198.51.100.9", ["203.0.113.1"], NOBODY, "198.51.100.9"),  # nothing trusted: the header is ignored
        ("198.51.100.9", ["203.0.113.1"], LB, "198.51.100.9"),  # a peer outside the trusted network
        ("10.1.2.3", ["203.0.113.1"], LB, "203.0.113.1"),
        ("10.1.2.3", ["6.6.6.6", "203.0.113.1"], LB, "203.0.113.1"),  # a client-written hop on the left
        ("10.1.2.3", ["203.0.113.1", "10.9.9.9"], LB, "203.0.113.1"),  # two trusted proxies in a row
        ("10.1.2.3", ["10.7.7.7", "10.9.9.9"], LB, "10.7.7.7"),  # only proxies: the leftmost
        ("10.1.2.3", ["nonsense", "203.0.113.1"], LB, "203.0.113.1"),
        ("10.1.2.3", ["203.0.113.1", "nonsense"], LB, "10.1.2.3"),  # a malformed hop stops the walk
        ("10.1.2.3", ["[2001:db8::7]:443"], LB, "2001:db8::7"),
        ("10.1.2.3", ["203.0.113.1:5000"], LB, "203.0.113.1"),
        ("10.1.2.3", [], LB, "10.1.2.3"),
        ("172.16.0.5", ["6.6.6.6", "203.0.113.1"], ANY, "203.0.113.1"),  # "*": the rightmost, never the left
    ],
)
def test_resolve(peer: str, hops: list[str], trusted: TrustedProxies, expected: str) -> None:
    assert resolve(peer, hops, trusted) == expected


def test_settings_trust_nothing_by_default_and_check_entries() -> None:
    settings = load_settings(database_url="postgresql://h/db")
    assert settings.forwarded_allow_ips == []
    assert settings.client_ip_header == "x-forwarded-for"
    configured = load_settings(
        database_url="postgresql://h/db", forwarded_allow_ips="*", client_ip_header="DO-Connecting-IP"
    )
    assert (configured.forwarded_allow_ips, configured.client_ip_header) == (["*"], "do-connecting-ip")
    with pytest.raises(SettingsError, match="FORWARDED_ALLOW_IPS"):
        load_settings(database_url="postgresql://h/db", forwarded_allow_ips="10.0.0.0/8, lb.internal")
