"""Everything the Browse window asks of one backend, over the catalogue client: Qt-free and blocking.

:class:`BrowseCatalog` puts together the catalogue API (:class:`~studio.adapters.catalog.CatalogClient`), the
release download checked against its signed manifest, Start from this theme, preview thumbnails and the
published documentation (``themes-documentation/<id>/<version>/README.md`` and the images it links). Public
objects are read with an HTTP client that carries no credentials: the backend token goes only to the backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from studio.adapters.backend_client import BackendError
from studio.adapters.catalog import (
    CatalogClient,
    CatalogPage,
    CatalogQuery,
    ThemeVersion,
    client_for_profile,
)
from studio.adapters.release_download import cdn_base_of, download_release, pick_version
from studio.adapters.start_from import start_from_theme
from studio.adapters.thumbnails import fetch_thumbnail
from studio.core.analytics import AnalyticsQuery, AnalyticsReport
from studio.core.docs_html import local_resources
from studio.core.limits import MIB
from studio.core.profiles import Profile

#: A README is read, not a data dump; each image and the page's images together are bounded too.
MAX_README_BYTES = MIB
MAX_DOC_FILE_BYTES = 5 * MIB
MAX_DOC_TOTAL_BYTES = 25 * MIB


@dataclass(frozen=True)
class Documentation:
    """A release's README (None when it has none), the folder it and its images were fetched into, and the
    images that could not be fetched."""

    markdown: str | None
    folder: Path
    missing: list[str] = field(default_factory=list)


class DocumentationError(Exception):
    """A documentation file could not be fetched (other than "there is none")."""


class BrowseCatalog:
    """The Browse window's view of one backend (see :class:`studio.ui.browse.source.CatalogSource`)."""

    def __init__(self, client: CatalogClient, label: str, *, http: httpx.Client | None = None) -> None:
        self.client = client
        self._label = label
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(30.0, connect=5.0),
            follow_redirects=True,
            headers={"User-Agent": "themestudio-browse"},
        )

    @classmethod
    def for_profile(cls, profile: Profile, label: str | None = None) -> BrowseCatalog:
        """The catalogue of ``profile``'s backend, signed in with its keyring token when it has one."""
        return cls(client_for_profile(profile), label or profile.label)

    @classmethod
    def for_url(cls, backend_url: str, token: str | None = None, label: str | None = None) -> BrowseCatalog:
        return cls(CatalogClient(backend_url, token), label or backend_url)

    @property
    def label(self) -> str:
        return self._label

    @property
    def can_favourite(self) -> bool:
        return self.client.authenticated

    def close(self) -> None:
        self._http.close()
        self.client.close()

    # -- catalogue -------------------------------------------------------------------------------------
    def page(self, query: CatalogQuery, cursor: str | None) -> CatalogPage:
        return self.client.page(query, cursor)

    def favourite_ids(self) -> set[str]:
        return self.client.favourite_ids()

    def set_favourite(self, theme_id: str, on: bool) -> None:
        (self.client.favourite if on else self.client.unfavourite)(theme_id)

    def releases(self, theme_id: str) -> list[ThemeVersion]:
        return [v for v in self.client.versions(theme_id) if not v.yanked]

    def preview_image(self, url: str) -> bytes:
        return fetch_thumbnail(self._http, url)

    def analytics(self, query: AnalyticsQuery) -> AnalyticsReport:
        """The theme's usage (its author's or an admin's token only; the backend answers 403 otherwise)."""
        if self.client.token is None:
            raise BackendError("Sign in to this backend (a token in its profile) to see a theme's analytics.")
        return self.client.analytics(query)

    # -- releases --------------------------------------------------------------------------------------
    def download_release(self, theme_id: str, version: str, dest: Path) -> Path:
        """The release's files, checked against its signed manifest, written under ``dest``."""
        release = download_release(self.client, theme_id, version, http=self._http)
        root = dest.resolve()
        for file in release.files:
            target = (root / file.path).resolve()
            if not target.is_relative_to(root):  # signed paths are relative; refuse anything else anyway
                raise DocumentationError(f"release file {file.path!r} is outside the release folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
        return root

    def start_from(self, theme_id: str, version: str, dest: Path) -> Path:
        return start_from_theme(self.client, theme_id, version, dest, http=self._http).folder

    # -- documentation ---------------------------------------------------------------------------------
    def documentation(self, theme_id: str, version: str, dest: Path) -> Documentation:
        """The release's README (None when it was published without one) and its images, under ``dest``."""
        release = pick_version(self.client.versions(theme_id), version)
        base = self.documentation_base(theme_id, release)
        dest.mkdir(parents=True, exist_ok=True)
        readme = self._get(base + "README.md", MAX_README_BYTES)
        if readme is None:
            return Documentation(None, dest)
        markdown = readme.decode("utf-8", errors="replace")
        (dest / "README.md").write_text(markdown, encoding="utf-8")
        missing: list[str] = []
        total = 0
        root = dest.resolve()
        for path in local_resources(markdown):
            target = (root / path).resolve()
            if not target.is_relative_to(root):
                continue
            try:
                data = self._get(base + quote(path, safe="/~"), MAX_DOC_FILE_BYTES)
            except DocumentationError:
                data = None
            if data is None or total + len(data) > MAX_DOC_TOTAL_BYTES:
                missing.append(path)
                continue
            total += len(data)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return Documentation(markdown, dest, missing)

    def documentation_base(self, theme_id: str, release: ThemeVersion) -> str:
        """The public URL of ``themes-documentation/<id>/<version>/`` (beside the release, same CDN)."""
        readme_url = getattr(release, "readme_url", None)
        if isinstance(readme_url, str) and readme_url.endswith("/README.md"):
            return readme_url[: -len("README.md")]
        cdn = cdn_base_of(release, theme_id)
        return f"{cdn}{quote(f'themes-documentation/{theme_id}/{release.version}/', safe='/~')}"

    def _get(self, url: str, limit: int) -> bytes | None:
        """The body at ``url``; None when there is no such object (403/404: anonymous reads of a missing
        key are refused either way)."""
        body = bytearray()
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code in (403, 404):
                    return None
                if response.status_code != 200:
                    raise DocumentationError(f"{url.rsplit('/', 1)[-1]}: HTTP {response.status_code}")
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise DocumentationError(f"{url.rsplit('/', 1)[-1]} is over {limit} bytes")
        except httpx.HTTPError as exc:
            what = type(exc).__name__
            raise DocumentationError(f"the documentation could not be fetched ({what})") from None
        return bytes(body)
