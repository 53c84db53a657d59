"""Embed snippets for a published theme: what a web page pastes to use it, ``latest`` or pinned with SRI.

Two ways to use a theme, each for ``latest`` and for one pinned version:

- a plain ``<link>`` (no script): the pinned one carries ``integrity`` (the service's sha384 of the stored
  bytes) and ``crossorigin="anonymous"``, so a browser refuses bytes that changed after publishing;
- the consumer loader (``resources/loader/theme-loader.js``): ``ThemeSystem.load(...)`` switches themes at
  run time without an unstyled frame and, given the API, counts views anonymously.

Pure text: the SRI comes from the API (``GET /v1/themes/{id}/versions``, fetched by the caller) and is never
computed here from bytes read off the CDN, which would trust exactly what SRI is meant to check.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from studio.core.semver import Version, is_valid

LOADER_FILE = "theme-loader.js"
LATEST = "latest"
_THEME_ID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_SRI = re.compile(r"^sha384-[A-Za-z0-9+/]{64}$")

PIN_NOTE = (
    "Pin a version in production: its bytes never change, and the browser checks them against the "
    "integrity hash, so neither a new release nor a file altered on the CDN can change your pages "
    "unnoticed. Use latest while you design, or where you want every release of the theme as soon as it "
    "is published (no integrity check: latest moves to new bytes under the same URL)."
)


class EmbedError(ValueError):
    """The snippets cannot be made (bad id, unknown or unverified version); the message says why."""


@dataclass(frozen=True)
class Release:
    """One registered version as the API lists it."""

    version: str
    sri: str | None
    yanked: bool = False


@dataclass(frozen=True)
class Snippet:
    title: str
    code: str


@dataclass(frozen=True)
class EmbedSnippets:
    """Everything the Embed dialog and ``themestudio embed`` show.

    Attributes:
        pinned: the pinned release, or None when the theme has none the snippets may pin (see ``problem``).
        problem: why there is no pinned snippet (no API, no verified release...), else None.
    """

    theme_id: str
    cdn_base: str
    api_base: str | None
    pinned: Release | None
    latest_link: Snippet
    latest_loader: Snippet
    pinned_link: Snippet | None
    pinned_loader: Snippet | None
    problem: str | None
    note: str = PIN_NOTE

    def snippets(self) -> list[Snippet]:
        found = [self.pinned_link, self.pinned_loader, self.latest_link, self.latest_loader]
        return [s for s in found if s is not None]

    def as_json(self) -> dict[str, Any]:
        return {
            "theme_id": self.theme_id,
            "cdn_base": self.cdn_base,
            "api_base": self.api_base,
            "version": self.pinned.version if self.pinned else None,
            "sri": self.pinned.sri if self.pinned else None,
            "snippets": {
                "latest_link": self.latest_link.code,
                "latest_loader": self.latest_loader.code,
                "pinned_link": self.pinned_link.code if self.pinned_link else None,
                "pinned_loader": self.pinned_loader.code if self.pinned_loader else None,
            },
            "problem": self.problem,
            "note": self.note,
        }


def check_theme_id(theme_id: str) -> None:
    if not _THEME_ID.match(theme_id):
        raise EmbedError(f"{theme_id[:64]!r} is not a theme id (a UUID)")


def parse_releases(data: Any) -> list[Release]:
    """The API's version list (``VersionPublic`` objects) as releases; malformed entries are an error."""
    if not isinstance(data, list):
        raise EmbedError("the API's version list is not a list")
    releases = []
    for item in data:
        if not isinstance(item, Mapping) or not isinstance(item.get("version"), str):
            raise EmbedError("the API's version list has an entry without a version")
        sri = item.get("sri")
        releases.append(
            Release(
                version=item["version"],
                sri=sri if isinstance(sri, str) and _SRI.match(sri) else None,
                yanked=item.get("yanked_at") is not None,
            )
        )
    return releases


def choose_release(releases: Iterable[Release], wanted: str | None) -> Release:
    """The release to pin: ``wanted``, else the newest one not yanked. It must carry an SRI."""
    listed = list(releases)
    if wanted is not None:
        if not is_valid(wanted):
            raise EmbedError(f"{wanted[:64]!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        match = next((r for r in listed if r.version == wanted), None)
        if match is None:
            raise EmbedError(f"version {wanted} is not published")
    else:
        usable = [r for r in listed if not r.yanked and is_valid(r.version)]
        if not usable:
            raise EmbedError("the theme has no published version yet")
        match = max(usable, key=lambda r: Version.parse(r.version))
    if match.sri is None:
        raise EmbedError(f"version {match.version} has no integrity hash (it was registered unverified)")
    return match


def build_snippets(
    theme_id: str,
    cdn_base: str,
    *,
    api_base: str | None = None,
    pinned: Release | None = None,
    problem: str | None = None,
    loader_src: str = LOADER_FILE,
) -> EmbedSnippets:
    """The snippets for ``theme_id`` served from ``cdn_base``.

    Args:
        cdn_base: the public base the ``themes-published/`` keys hang under (a profile's CDN base URL).
        api_base: the ThemeSystem API: the loader reports views there (and could look the SRI up).
        pinned: the release to pin; without one only the ``latest`` snippets are made.
        problem: why there is no pinned release, shown instead of its snippets.
        loader_src: where the page loads ``theme-loader.js`` from (it is self-hosted next to the page).
    """
    check_theme_id(theme_id)
    if not cdn_base.startswith(("https://", "http://")):
        raise EmbedError("the profile has no http(s) CDN base URL")
    cdn = cdn_base.rstrip("/")
    api = api_base.rstrip("/") if api_base else None
    if pinned is not None and (pinned.sri is None or not _SRI.match(pinned.sri)):
        raise EmbedError(f"version {pinned.version} has no integrity hash")
    latest_link = Snippet("Stylesheet link, latest", _link(theme_id, cdn, LATEST, None))
    latest_loader = Snippet("Loader, latest", _loader(theme_id, cdn, api, LATEST, None, loader_src))
    pinned_link = pinned_loader = None
    if pinned is not None:
        title = f"pinned to {pinned.version}"
        pinned_link = Snippet(f"Stylesheet link, {title}", _link(theme_id, cdn, pinned.version, pinned.sri))
        pinned_loader = Snippet(
            f"Loader, {title}", _loader(theme_id, cdn, api, pinned.version, pinned.sri, loader_src)
        )
    return EmbedSnippets(
        theme_id=theme_id,
        cdn_base=cdn,
        api_base=api,
        pinned=pinned,
        latest_link=latest_link,
        latest_loader=latest_loader,
        pinned_link=pinned_link,
        pinned_loader=pinned_loader,
        problem=None if pinned is not None else (problem or "no version to pin"),
    )


def css_url(cdn_base: str, theme_id: str, version: str) -> str:
    return f"{cdn_base.rstrip('/')}/themes-published/{theme_id}/{version}/theme.css"


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _link(theme_id: str, cdn: str, version: str, sri: str | None) -> str:
    # The id is the loader's convention: ThemeSystem.load() later swaps this very link without a flash.
    parts = [
        f'<link rel="stylesheet" id="theme-{_attr(theme_id)}"',
        f'href="{_attr(css_url(cdn, theme_id, version))}"',
    ]
    if sri is not None:
        parts += [f'integrity="{_attr(sri)}"', 'crossorigin="anonymous"']
    return " ".join(parts) + ">"


def _loader(theme_id: str, cdn: str, api: str | None, version: str, sri: str | None, loader_src: str) -> str:
    options: dict[str, str] = {"themeId": theme_id, "version": version, "cdnBase": cdn}
    if api is not None:
        options["apiBase"] = api
    if sri is not None:
        options["integrity"] = sri  # no API round trip for the hash at page load
    # json.dumps makes valid JS literals; "</" is escaped so no value can close the <script> element.
    lines = [f"    {key}: {json.dumps(value)}".replace("</", "<\\/") for key, value in options.items()]
    body = ",\n".join(lines)
    return (
        f'<script src="{_attr(loader_src)}"></script>\n'
        "<script>\n"
        f"  ThemeSystem.load({{\n{body}\n  }}).catch(function (error) {{ console.warn(error); }});\n"
        "</script>"
    )
