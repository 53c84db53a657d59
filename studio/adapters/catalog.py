"""Browse's client of the ThemeSystem API: catalogue pages, versions, favourites, installs. Qt-free, blocking.

Reads are anonymous (the public list works without a profile or a token); a profile's backend token from the
keyring, when there is one, is sent so ``favourites`` and the caller's own unpublished themes work. Every call
blocks: the UI runs them off the GUI thread. Errors are :class:`~studio.adapters.backend_client.BackendError`
(``CatalogOffline`` when the backend does not answer at all, so a view can say "offline" rather than show an
empty list); they never carry the token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import httpx

from studio.adapters.backend_client import BackendError, error_from_response
from studio.core.analytics import AnalyticsQuery, AnalyticsReport
from studio.core.profiles import Profile

__all__ = [
    "SORT_ORDERS",
    "CatalogClient",
    "CatalogOffline",
    "CatalogPage",
    "CatalogQuery",
    "CatalogTheme",
    "SortOrder",
    "ThemeCounts",
    "ThemeVersion",
    "client_for_profile",
]

SortOrder = Literal["updated", "new", "popular", "installs"]
SORT_ORDERS: tuple[SortOrder, ...] = ("updated", "new", "popular", "installs")
MAX_PAGE = 100  # the API's limit
BACKEND_TOKEN_ENV = "THEMESTUDIO_BACKEND_TOKEN"
DEFAULT_PAGE = 30


class CatalogOffline(BackendError):  # noqa: N818 - a state the UI shows, like BackendError
    """The backend did not answer (down, wrong URL, no network): not the same as an empty catalogue."""


@dataclass(frozen=True)
class ThemeCounts:
    """All-time views, downloads, installs (one per theme, type, user and day) and current favourites."""

    views: int = 0
    downloads: int = 0
    installs: int = 0
    favourites: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "views": self.views,
            "downloads": self.downloads,
            "installs": self.installs,
            "favourites": self.favourites,
        }


@dataclass(frozen=True)
class CatalogTheme:
    """One theme of a catalogue page."""

    id: str
    name: str
    description: str
    author: str
    author_id: str
    tags: tuple[str, ...]
    latest_version: str | None
    preview_url: str | None
    counts: ThemeCounts
    css_url: str | None = None
    author_url: str | None = None
    created_at: str = ""
    updated_at: str = ""

    @classmethod
    def from_json(cls, data: Any) -> CatalogTheme:
        """Parse one item of ``GET /v1/themes``.

        Raises:
            BackendError: the item is not a theme.
        """
        try:
            counts = data.get("counts") or {}
            return cls(
                id=str(data["id"]),
                name=str(data["name"]),
                description=str(data.get("description") or ""),
                author=str(data.get("author") or ""),
                author_id=str(data.get("author_id") or ""),
                tags=tuple(str(tag) for tag in data.get("tags") or ()),
                latest_version=_opt_str(data.get("latest_version", data.get("version"))),
                preview_url=_opt_str(data.get("preview_url")),
                counts=ThemeCounts(
                    int(counts.get("views", 0)),
                    int(counts.get("downloads", 0)),
                    int(counts.get("installs", 0)),
                    int(counts.get("favourites", 0)),
                ),
                css_url=_opt_str(data.get("css_url")),
                author_url=_opt_str(data.get("author_url")),
                created_at=str(data.get("created_at") or ""),
                updated_at=str(data.get("updated_at") or ""),
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            raise BackendError("the backend answered with something that is not a catalogue theme") from None

    def to_json(self) -> dict[str, Any]:
        """What ``themestudio browse --format json`` prints for this theme."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "author": self.author,
            "tags": list(self.tags),
            "latest_version": self.latest_version,
            "preview_url": self.preview_url,
            "counts": self.counts.to_json(),
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class CatalogQuery:
    """What to list: text, one tag, a sort order, only the caller's favourites; ``limit`` per page."""

    text: str = ""
    tag: str | None = None
    sort: SortOrder = "updated"
    favourites: bool = False
    limit: int = DEFAULT_PAGE

    def params(self) -> dict[str, str]:
        params = {"sort": self.sort, "limit": str(max(1, min(self.limit, MAX_PAGE)))}
        if self.text.strip():
            params["q"] = self.text.strip()
        if self.tag:
            params["tag"] = self.tag
        if self.favourites:
            params["favourites"] = "true"
        return params


@dataclass(frozen=True)
class CatalogPage:
    """One page; ``next_cursor`` fetches the next one (None: this was the last)."""

    items: tuple[CatalogTheme, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class ThemeVersion:
    """One release of a theme: ``changes`` is its changelog entry, ``sri`` the ``integrity`` value."""

    version: str
    changes: str
    sha256: str
    size: int
    css_url: str
    sri: str | None
    manifest_key: str | None
    yanked: bool
    created_at: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ThemeVersion:
        try:
            return cls(
                version=str(data["version"]),
                changes=str(data.get("changes") or ""),
                sha256=str(data["sha256"]).lower(),
                size=int(data["size"]),
                css_url=str(data["css_url"]),
                sri=_opt_str(data.get("sri")),
                manifest_key=_opt_str(data.get("manifest_key")),
                yanked=data.get("yanked_at") is not None,
                created_at=str(data.get("created_at") or ""),
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            raise BackendError("the backend answered with something that is not a version") from None


@dataclass
class CatalogClient:
    """One pooled ``httpx.Client`` for a backend; ``token`` (optional) goes only to that backend."""

    base_url: str
    token: str | None = None
    transport: httpx.BaseTransport | None = None
    timeout: float = 10.0
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self._client = httpx.Client(
            base_url=self.base_url.rstrip("/") + "/v1",
            headers=headers,
            timeout=httpx.Timeout(self.timeout, connect=min(5.0, self.timeout)),
            transport=self.transport,
        )

    def __repr__(self) -> str:  # never the token
        return f"CatalogClient({self.base_url!r}, authenticated={self.authenticated})"

    @property
    def authenticated(self) -> bool:
        return bool(self.token)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> CatalogClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reads (anonymous)
    def page(self, query: CatalogQuery, cursor: str | None = None) -> CatalogPage:
        """One page of the catalogue; pass the previous page's ``next_cursor`` for the next.

        Raises:
            CatalogOffline: the backend does not answer.
            BackendError: refused (``unauthorized`` for favourites without a token, ``invalid_cursor``).
        """
        if query.favourites and not self.authenticated:
            raise BackendError(
                "Your favourites need a signed-in profile (a backend token in the keyring).",
                "unauthorized",
                401,
            )
        params = query.params()
        if cursor:
            params["cursor"] = cursor
        data = self._json("GET", "/themes", "listing themes", params=params)
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise BackendError("the backend answered the theme list with something that is not a page")
        cursor_out = data.get("next_cursor")
        return CatalogPage(
            tuple(CatalogTheme.from_json(item) for item in data["items"]),
            cursor_out if isinstance(cursor_out, str) and cursor_out else None,
        )

    def theme(self, theme_id: str) -> dict[str, Any] | None:
        """The theme with ``available_versions`` (newest first), or None when there is none we may see."""
        try:
            data = self._json("GET", f"/themes/{_segment(theme_id)}", "reading the theme")
        except BackendError as exc:
            if exc.status == 404:
                return None
            raise
        return data if isinstance(data, dict) else None

    def versions(self, theme_id: str) -> list[ThemeVersion]:
        """Every version, newest first, yanked ones flagged (their bytes stay for pinned consumers)."""
        data = self._json("GET", f"/themes/{_segment(theme_id)}/versions", "listing versions")
        return [ThemeVersion.from_json(item) for item in (data if isinstance(data, list) else [])]

    def analytics(self, query: AnalyticsQuery) -> AnalyticsReport:
        """The theme's usage per day (its author's or an admin's token; 403 otherwise)."""
        path = f"/themes/{_segment(query.theme_id)}/analytics"
        data = self._json("GET", path, "reading the analytics", params=query.params())
        return AnalyticsReport.from_json(data)

    def signing_keys(self) -> Any:
        """``GET /v1/keys``: the public keys that sign release manifests."""
        return self._json("GET", "/keys", "reading the signing keys")

    # ------------------------------------------------------------------ the caller's relations
    def favourite_ids(self) -> set[str]:
        """Ids of the caller's favourites (empty when anonymous)."""
        if not self.authenticated:
            return set()
        data = self._json("GET", "/me/themes", "listing favourites", params={"relation": "favorite"})
        return {str(item["theme_id"]) for item in (data if isinstance(data, list) else [])}

    def favourite(self, theme_id: str) -> None:
        """Mark a theme as a favourite (idempotent). Needs a token."""
        self._need_token("favourite a theme")
        self._send("PUT", f"/me/themes/{_segment(theme_id)}/favorite", "adding the favourite")

    def unfavourite(self, theme_id: str) -> None:
        """Remove a favourite; removing one that is not there is not an error."""
        self._need_token("remove a favourite")
        try:
            self._send("DELETE", f"/me/themes/{_segment(theme_id)}/favorite", "removing the favourite")
        except BackendError as exc:
            if exc.status != 404:
                raise

    def record_install(self, theme_id: str, version: str) -> bool:
        """Record that the caller started from ``theme_id@version``: the ``installed`` relation and an
        ``install`` analytics event (counted once per user and day). False when anonymous (nothing sent)."""
        if not self.authenticated:
            return False
        self._send("PUT", f"/me/themes/{_segment(theme_id)}/installed", "recording the install")
        event = {"theme_id": theme_id, "event_type": "install", "client_info": {"version": version[:64]}}
        self._send("POST", "/analytics/events", "recording the install event", body={"events": [event]})
        return True

    # ------------------------------------------------------------------ plumbing
    def _need_token(self, what: str) -> None:
        if not self.authenticated:
            raise BackendError(
                f"To {what}, sign in: the profile needs a backend token in the keyring.", "unauthorized", 401
            )

    def _json(self, method: str, path: str, what: str, *, params: Mapping[str, str] | None = None) -> Any:
        response = self._send(method, path, what, params=params)
        try:
            return response.json()
        except ValueError:
            raise BackendError(f"{what} failed: the backend did not answer JSON") from None

    def _send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        try:
            response = self._client.request(method, path, params=params, json=body)
        except httpx.HTTPError as exc:
            raise CatalogOffline(
                f"{what} failed: the backend at {self.base_url} does not answer ({type(exc).__name__})",
                "offline",
            ) from None
        if 200 <= response.status_code < 300:
            return response
        raise error_from_response(response, what)


def client_for_profile(
    profile: Profile | None,
    *,
    backend_url: str | None = None,
    token_lookup: Any = None,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] | None = None,
) -> CatalogClient:
    """A catalogue client for ``backend_url`` or the profile's backend, with its keyring token when present.

    ``THEMESTUDIO_BACKEND_TOKEN`` in ``environ`` (the CLI passes ``os.environ``) stands in for the keyring,
    as for the other headless commands in CI.

    Args:
        profile: the profile whose backend URL and token to use (None: anonymous at ``backend_url``).
        backend_url: overrides the profile's backend URL.
        token_lookup: ``callable(profile) -> str | None``; default reads the keyring. A keyring that is not
            usable means anonymous reads, not an error (browsing needs no secret).
        transport: an httpx transport (an in-process app).

    Raises:
        BackendError: neither a backend URL nor a profile with one.
    """
    url = backend_url or (profile.backend_url if profile is not None else None)
    if not url:
        raise BackendError(
            "No backend to browse: give a backend URL or a profile with one (Publishing Profiles).",
            "no_backend",
        )
    token = (environ or {}).get(BACKEND_TOKEN_ENV) or None
    if token is None and profile is not None:
        token = (token_lookup or _keyring_token)(profile)
    return CatalogClient(url, token, transport=transport)


def _keyring_token(profile: Profile) -> str | None:
    from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore

    try:
        return SecretStore().get(profile.name, SecretName.BACKEND_TOKEN)
    except KeyringUnavailable:
        return None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _segment(value: str) -> str:
    return quote(value, safe="")
