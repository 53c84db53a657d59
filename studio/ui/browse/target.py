"""A backend Browse can list: its label in the picker and how to build its catalogue (light to import)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.ui.browse.source import CatalogSource


@dataclass(frozen=True)
class BrowseTarget:
    """``connect`` builds the catalogue client (may read the keyring: it runs off the GUI thread)."""

    label: str
    connect: Callable[[], CatalogSource]
