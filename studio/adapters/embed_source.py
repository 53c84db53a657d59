"""Embed snippets for a profile: the CDN base from the profile, each version's SRI from its API.

``GET /v1/themes/{id}/versions`` is public for a published theme, so no token is sent or needed.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from studio.core.embed import (
    LOADER_FILE,
    EmbedError,
    EmbedSnippets,
    Release,
    build_snippets,
    check_theme_id,
    choose_release,
    parse_releases,
)
from studio.core.profiles import Profile

TIMEOUT_S = 10.0
MAX_BYTES = 4 * 1_048_576  # a theme with thousands of versions still fits; anything larger is refused


def fetch_releases(api_base: str, theme_id: str, *, transport: httpx.BaseTransport | None = None) -> Any:
    """The API's version list for ``theme_id`` (raw JSON entries), read within :data:`MAX_BYTES`."""
    url = f"{api_base.rstrip('/')}/v1/themes/{theme_id}/versions"
    try:
        with (
            httpx.Client(timeout=TIMEOUT_S, transport=transport) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code == 404:
                raise EmbedError(f"theme {theme_id} is not published on {api_base}")
            if response.status_code != 200:
                raise EmbedError(f"the API at {api_base} answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise EmbedError(f"the API's version list is larger than {MAX_BYTES} bytes")
    except httpx.HTTPError as exc:
        raise EmbedError(f"the API at {api_base} did not answer ({type(exc).__name__})") from None
    try:
        return json.loads(bytes(body))
    except ValueError:
        raise EmbedError(f"the API at {api_base} did not answer JSON") from None


def profile_releases(
    profile: Profile, theme_id: str, *, transport: httpx.BaseTransport | None = None
) -> list[Release] | None:
    """The theme's releases as the profile's API lists them; None when the profile has no backend URL."""
    check_theme_id(theme_id)  # before it goes into a URL
    if not profile.backend_url:
        return None
    return parse_releases(fetch_releases(profile.backend_url, theme_id, transport=transport))


def snippets_from_releases(
    profile: Profile,
    theme_id: str,
    releases: list[Release] | None,
    version: str | None = None,
    *,
    loader_src: str = LOADER_FILE,
) -> EmbedSnippets:
    """The snippets for ``theme_id`` as served by ``profile``, pinned to ``version`` (default: newest).

    Without a backend (``releases`` None) only the ``latest`` snippets can be made: there is nowhere to
    get a verified SRI from; asking for a version then is an error.
    """
    cdn = profile.public_base_url()
    if releases is None:
        if version is not None:
            raise EmbedError(f"profile {profile.name!r} has no backend URL: no integrity hash for {version}")
        problem = f"profile {profile.name!r} has no backend URL, which lists each version's integrity hash"
        return build_snippets(theme_id, cdn, problem=problem, loader_src=loader_src)
    try:
        pinned = choose_release(releases, version)
    except EmbedError as exc:
        if version is not None:
            raise
        problem = str(exc)
        return build_snippets(
            theme_id, cdn, api_base=profile.backend_url, problem=problem, loader_src=loader_src
        )
    return build_snippets(theme_id, cdn, api_base=profile.backend_url, pinned=pinned, loader_src=loader_src)


def snippets_for_profile(
    profile: Profile,
    theme_id: str,
    version: str | None = None,
    *,
    loader_src: str = LOADER_FILE,
    transport: httpx.BaseTransport | None = None,
) -> EmbedSnippets:
    """:func:`snippets_from_releases` with the releases fetched from the profile's API."""
    releases = profile_releases(profile, theme_id, transport=transport)
    return snippets_from_releases(profile, theme_id, releases, version, loader_src=loader_src)
