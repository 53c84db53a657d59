"""Which files a release may carry besides ``theme.css``, and how they must be served.

One policy for the studio (it plans only these files) and the backend (its grants and its verification of a
release refuse anything else): fonts and raster images by extension, each with exactly one Content-Type, and
SVG only when :func:`svg_problems` finds nothing that can run script or load something from elsewhere.
Nothing that a browser renders as a document (HTML, XML, JS, JSON, text) is ever published.

Assets are stored with ``Content-Disposition: attachment``: fonts and images loaded by a stylesheet ignore
it, but a navigation to an asset URL downloads it instead of rendering it, so even an SVG or a polyglot that
slipped through is never shown as a page on the theme CDN's origin. :func:`sniff_matches` checks the first
bytes of an asset agree with its type, so a file named ``.png`` is a PNG and not an HTML page.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from studio.core.theme_files import MAX_ASSET_DEPTH, SEGMENT

#: Extension → the one Content-Type an asset with it is stored with.
ASSET_CONTENT_TYPES: dict[str, str] = {
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".svg": "image/svg+xml",
}
SVG_TYPE = "image/svg+xml"
#: What every published asset carries, so navigating to it never renders it.
ASSET_DISPOSITION = "attachment"

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Elements that run script, embed other documents or animate attributes (an <animate> or <set> can turn a
# harmless href into javascript: at run time).
_FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "animate",
        "set",
        "animatemotion",
        "animatetransform",
        "discard",
    }
)
_URL_ATTRIBUTES = frozenset({"href", _XLINK_HREF, "src"})
_CSS_URL = re.compile(r"url\s*\(|@import|expression\s*\(|javascript:", re.IGNORECASE)


def safe_asset_path(path: str) -> bool:
    """``assets/<name>``: the studio's folder rule (:data:`studio.core.theme_files.SEGMENT`, at most
    :data:`~studio.core.theme_files.MAX_ASSET_DEPTH` segments), which the backend's grants and verification
    apply too, so a lint-clean theme is always grantable."""
    parts = path.split("/")
    return (
        parts[0] == "assets"
        and 1 <= len(parts) - 1 <= MAX_ASSET_DEPTH
        and all(SEGMENT.match(p) for p in parts[1:])
    )


def asset_content_type(path: str) -> str | None:
    """The Content-Type an asset is stored with, or None when its extension may not be published."""
    return ASSET_CONTENT_TYPES.get(PurePosixPath(path).suffix.lower())


def sniff_matches(content_type: str, head: bytes) -> bool:
    """Whether the first bytes of a file (16 are enough) agree with its Content-Type.

    SVG is text and is judged by :func:`svg_problems` instead (True here).
    """
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type == "image/avif":
        return head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis", b"mif1", b"msf1")
    if content_type == "image/x-icon":
        return head[:4] in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00")
    if content_type == "font/woff2":
        return head.startswith(b"wOF2")
    if content_type == "font/woff":
        return head.startswith(b"wOFF")
    if content_type in ("font/ttf", "font/otf"):
        return head[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true", b"typ1", b"ttcf")
    if content_type == "application/vnd.ms-fontobject":
        return len(head) >= 36 and head[34:36] == b"LP"
    return content_type == SVG_TYPE


def svg_problems(data: bytes) -> list[str]:
    """Why an SVG may not be published (empty when it may): script, event handlers, ``javascript:`` URLs,
    ``foreignObject``, external references, DTDs and entities.

    The only references allowed are fragment links (``#id``) and ``data:`` images; styles may not load
    anything (no ``url()``/``@import`` in ``style`` attributes or elements). Parsed with defusedxml, which
    refuses DTDs, entity expansion and external entities before they are resolved.
    """
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return ["it declares a DTD or entities, which an image never needs"]
    except (ParseError, ValueError):
        return ["it is not well-formed XML"]
    if root.tag != _SVG_NS + "svg":
        return ["its root element is not <svg> in the SVG namespace"]
    problems: list[str] = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        name = tag.rsplit("}", 1)[-1].lower()
        if not tag.startswith(_SVG_NS) and tag:
            problems.append(f"<{name}> is not an SVG element (foreign content can hold HTML)")
        if name in _FORBIDDEN_ELEMENTS:
            problems.append(f"<{name}> can run script or embed other content")
        if name == "style" and _CSS_URL.search("".join(element.itertext())):
            problems.append("a <style> element loads or runs something (url(), @import)")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                problems.append(f"the {local}= attribute of <{name}> is an event handler (script)")
            elif attribute in _URL_ATTRIBUTES or local == "href":
                problems.extend(_reference_problem(name, local, value))
            elif local == "style" and _CSS_URL.search(value):
                problems.append(f"the style= attribute of <{name}> loads or runs something")
            elif "javascript:" in "".join(value.split()).lower():
                problems.append(f"the {local}= attribute of <{name}> holds a javascript: URL")
    return sorted(set(problems))


def _reference_problem(element: str, attribute: str, value: str) -> list[str]:
    target = "".join(value.split()).lower()
    if target.startswith("#"):
        return []
    if target.startswith("data:image/") and not target.startswith("data:image/svg"):
        return []
    return [f"the {attribute}= of <{element}> refers to something outside the image ({value[:60]!r})"]
