"""Where a URL in a theme may point, judged the way a browser would read it.

A published theme is loaded with a ``<link>`` from a CDN and must stand alone: it may load only its own assets
(relative URLs that stay inside the theme folder) and ``data:`` URIs that cannot run script. Everything else
is an error, except remote URLs on an origin the author trusts explicitly (``allowed_origins``), which are a
warning. Before judging, a URL is normalised like a browser does (surrounding C0 controls and spaces stripped,
tabs and newlines removed, scheme lower-cased; also HTML character references, in case the CSS ends up inside
an HTML attribute), so escape and whitespace tricks cannot hide a scheme.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from studio.core.diagnostics import Severity

REMOTE_IMPORT = "safety/remote-import"
REMOTE_URL = "safety/remote-url"
SCRIPT_URL = "safety/script-url"
OUTSIDE_THEME = "safety/url-outside-theme"
LEGACY_SCRIPT = "safety/legacy-script"
TOO_LARGE = "safety/too-large"

SCRIPT_SCHEMES: frozenset[str] = frozenset({"javascript", "vbscript", "livescript", "mocha", "jscript"})
_SCRIPT_MIME_WORDS = ("javascript", "ecmascript", "jscript", "livescript", "vbscript", "html", "xml-dtd")
_SCRIPT_MIMES: frozenset[str] = frozenset({"application/xhtml+xml", "text/xml", "application/xml"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_EDGE_JUNK = "".join(chr(c) for c in range(0x21))  # C0 controls and space, stripped by the URL parser
_INNER_JUNK = str.maketrans("", "", "\t\n\r")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}


@dataclass(frozen=True, slots=True)
class UrlFinding:
    """The verdict on one URL: a problem to report, or a relative asset path to look for on disk.

    Attributes:
        rule: rule id of the problem, or None when the URL is acceptable.
        severity: severity of the problem.
        message: the user-facing sentence.
        asset: for an acceptable relative URL, its decoded path relative to the theme folder; else None.
    """

    rule: str | None
    severity: Severity = Severity.ERROR
    message: str = ""
    asset: str | None = None


_OK = UrlFinding(None)


def show_url(url: str, limit: int = 80) -> str:
    """A URL made safe and short for a one-line message."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in url[: limit + 1])
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def normalize_url(raw: str) -> str:
    """What a browser's URL parser would see: no surrounding C0/space, no tab/CR/LF anywhere."""
    return raw.strip(_EDGE_JUNK).translate(_INNER_JUNK)


def scheme_of(url: str) -> str | None:
    """Lower-cased scheme of a normalised URL, or None for a relative one."""
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def _is_script_data(url: str) -> bool:
    """True for ``data:`` URLs whose media type can run script (HTML, XHTML, JavaScript...)."""
    header = url[5:].split(",", 1)[0]
    mime = header.split(";", 1)[0].strip(_EDGE_JUNK).lower()
    return mime in _SCRIPT_MIMES or any(word in mime for word in _SCRIPT_MIME_WORDS)


def _script_scheme(url: str) -> str | None:
    """The script scheme hidden in a normalised URL (``javascript`` or ``data:text/html``...), if any."""
    scheme = scheme_of(url)
    if scheme in SCRIPT_SCHEMES:
        return scheme
    if scheme == "data" and _is_script_data(url):
        return "data"
    return None


Origin = tuple[str, str, int | None]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an absolute or protocol-relative URL; None when it has no clear host."""
    url = url.replace("\\", "/")
    if url.startswith("//"):
        url = "https:" + url  # the theme is served over https, so `//host` means https://host
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not host or not scheme:
        return None
    return scheme, host.lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def _outside_reason(path: str) -> str | None:
    """Why a relative path leaves the theme folder (absolute, or too many ``..``), or None when it stays."""
    if path.startswith("/"):
        return "absolute"
    depth = 0
    for segment in path.split("/"):
        if segment == "..":
            depth -= 1
            if depth < 0:
                return "climbs"
        elif segment not in ("", "."):
            depth += 1
    return None


def _decode_path(url: str) -> str:
    """Path part of a relative URL, backslashes as slashes, percent-decoding repeated until stable."""
    path = url.replace("\\", "/")
    for mark in ("?", "#"):
        cut = path.find(mark)
        if cut != -1:
            path = path[:cut]
    for _ in range(4):
        decoded = unquote(path).replace("\\", "/")
        if decoded == path:
            break
        path = decoded
    return path


class UrlPolicy:
    """Judges URLs found in a stylesheet against the theme's rules and its trusted origins."""

    def __init__(self, allowed_origins: tuple[str, ...] = ()) -> None:
        self._trusted: frozenset[Origin] = frozenset(
            origin for origin in (origin_of(normalize_url(o)) for o in allowed_origins) if origin is not None
        )

    def check(self, raw: str, what: str, *, is_import: bool = False) -> UrlFinding:
        """Judge one URL.

        Args:
            raw: the URL as tinycss2 decoded it (CSS escapes already resolved).
            what: how it appears, for the message: ``url()``, ``image-set()``, ``@import``...
            is_import: True for the target of ``@import``.
        """
        url = normalize_url(raw)
        script = _script_scheme(url)
        if script is None and "&" in raw:
            script = _script_scheme(normalize_url(html.unescape(raw)))
        if script is not None:
            kind = "data: URL with a script media type" if script == "data" else f"{script}: URL"
            return UrlFinding(
                SCRIPT_URL, Severity.ERROR,
                f"{what} uses a {kind} ({show_url(url)}), which can run script; remove it.",
            )
        scheme = scheme_of(url)
        slashed = url.replace("\\", "/")
        if scheme == "data":
            if is_import:
                return UrlFinding(
                    REMOTE_IMPORT, Severity.ERROR,
                    "@import of a data: URL hides a stylesheet from review; put its rules in theme.css "
                    "instead.",
                )
            return _OK
        if scheme is not None or slashed.startswith("//"):
            return self._remote(url, what, is_import)
        path = _decode_path(url)
        if not path:
            return _OK  # `url(#filter)`, `url("")`, a query only: nothing is loaded from outside
        reason = _outside_reason(path)
        if reason == "absolute":
            return UrlFinding(
                OUTSIDE_THEME, Severity.ERROR,
                f"{what} points to the absolute path {show_url(url)}, outside the theme folder; "
                "use a path relative to theme.css, e.g. assets/...",
            )
        if reason == "climbs":
            return UrlFinding(
                OUTSIDE_THEME, Severity.ERROR,
                f"{what} path {show_url(url)} climbs out of the theme folder; keep assets inside it and "
                "refer to them relative to theme.css.",
            )
        return UrlFinding(None, asset=path)

    def _remote(self, url: str, what: str, is_import: bool) -> UrlFinding:
        origin = origin_of(url)
        trusted = origin is not None and origin in self._trusted
        shown = show_url(url)
        if is_import:
            if trusted:
                return UrlFinding(
                    REMOTE_IMPORT, Severity.WARNING,
                    f"Remote @import of {shown} from a trusted origin: the theme breaks when that origin is "
                    "unreachable; bundle the file in assets/ if you can.",
                )
            return UrlFinding(
                REMOTE_IMPORT, Severity.ERROR,
                f"Remote @import of {shown}: a published theme must stand alone; bundle the file in assets/ "
                "or add its origin to allowed_origins in theme.toml.",
            )
        if trusted:
            return UrlFinding(
                REMOTE_URL, Severity.WARNING,
                f"{what} loads {shown} from a trusted origin: the theme breaks when that origin is "
                "unreachable; copy the file into assets/ if you can.",
            )
        return UrlFinding(
            REMOTE_URL, Severity.ERROR,
            f"{what} loads {shown} from outside the theme; a published theme must stand alone: copy the file "
            "into assets/ or add its origin to allowed_origins in theme.toml.",
        )
