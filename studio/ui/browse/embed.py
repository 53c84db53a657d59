"""The embed snippet Browse copies: the pinned ``<link>`` of ``studio.core.embed`` (one implementation with
Theme → Embed… and ``themestudio embed``), for the CDN the release is served from."""

from __future__ import annotations

from studio.adapters.release_download import cdn_base_of
from studio.core.embed import Release, build_snippets
from studio.ui.browse.source import ThemeVersion


def embed_snippet(theme_id: str, release: ThemeVersion) -> str:
    """The ``<link>`` pinned to ``release`` with its SRI (``latest`` when the backend computed no SRI).

    Raises:
        ReleaseDownloadError: the release's URL is not under its storage key.
        EmbedError: the theme id is not a theme id.
    """
    cdn = cdn_base_of(release, theme_id)
    if release.sri is None:
        return build_snippets(theme_id, cdn).latest_link.code
    snippets = build_snippets(theme_id, cdn, pinned=Release(release.version, release.sri))
    assert snippets.pinned_link is not None
    return snippets.pinned_link.code
