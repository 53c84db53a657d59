"""What the Browse window needs from a catalogue: the one seam between its widgets and the network.

Every method blocks (HTTP): the window calls them only through :func:`studio.ui.background.run_in_background`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from studio.adapters.browse_catalog import Documentation
from studio.adapters.catalog import (
    CatalogPage,
    CatalogQuery,
    CatalogTheme,
    SortOrder,
    ThemeCounts,
    ThemeVersion,
)

__all__ = [
    "CatalogPage",
    "CatalogQuery",
    "CatalogSource",
    "CatalogTheme",
    "Documentation",
    "Sort",
    "ThemeCounts",
    "ThemeVersion",
]
Sort = SortOrder


class CatalogSource(Protocol):
    """The catalogue of one backend profile (blocking calls; off the GUI thread)."""

    @property
    def label(self) -> str:
        """Which backend this is, for the user (``local · http://127.0.0.1:8123``)."""

    @property
    def can_favourite(self) -> bool:
        """True when signed in (favourites need a token)."""

    def page(self, query: CatalogQuery, cursor: str | None) -> CatalogPage: ...

    def favourite_ids(self) -> set[str]:
        """The caller's favourites (empty when anonymous)."""

    def releases(self, theme_id: str) -> list[ThemeVersion]:
        """Released versions that are not yanked, newest first."""

    def set_favourite(self, theme_id: str, on: bool) -> None:
        """Favourite or unfavourite (idempotent)."""

    def download_release(self, theme_id: str, version: str, dest: Path) -> Path:
        """The release's exact files (theme.css, assets/) under ``dest``; returns the folder."""

    def start_from(self, theme_id: str, version: str, dest: Path) -> Path:
        """A new local theme folder made from the release, recording ``forked_from``; returns it."""

    def documentation(self, theme_id: str, version: str, dest: Path) -> Documentation: ...

    def preview_image(self, url: str) -> bytes: ...

    def close(self) -> None: ...

