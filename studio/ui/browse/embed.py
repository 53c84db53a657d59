"""The embed snippet of a release, as Browse copies it (until the studio's embed module is merged)."""

from __future__ import annotations

import html

from studio.ui.browse.source import ThemeVersion


def embed_snippet(theme_id: str, release: ThemeVersion) -> str:
    """A ``<link>`` pinned to ``release`` (with SRI when the backend computed it)."""
    integrity = f' integrity="{html.escape(release.sri)}" crossorigin="anonymous"' if release.sri else ""
    return (f'<link rel="stylesheet" id="theme-{html.escape(theme_id)}" '
            f'href="{html.escape(release.css_url)}"{integrity}>')
