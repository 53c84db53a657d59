"""A theme's documentation (``README.md`` and ``docs/``) as a standalone HTML page that loads nothing remote.

Markdown is rendered by markdown-it-py (CommonMark, plus GFM tables and strikethrough) with raw HTML turned
off: a README cannot inject markup, scripts or styles, only what Markdown itself describes. Links and images
keep their URLs (markdown-it-py already refuses ``javascript:`` and the like); the page's
Content-Security-Policy
and the viewer's request filter keep remote ones from loading. Relative images are the theme's own docs files:
:func:`local_resources` lists them so the caller can fetch them beside the page first.
"""

from __future__ import annotations

import html
import posixpath
from typing import Final
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

#: Defence in depth beside the viewer's request filter: no script, plug-in, frame, form or base. Images may be
#: asked for anywhere, so the viewer's filter (the preview's) is what refuses remote ones, and can say it did.
CSP: Final = (
    "default-src 'none'; img-src * file: data:; style-src 'unsafe-inline'; font-src file: data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
#: Documentation pages bigger than this are cut (with a note): a README is read, not a data dump.
MAX_MARKDOWN_CHARS: Final = 512 * 1024
#: At most this many relative images are fetched for one page.
MAX_RESOURCES: Final = 64

_STYLE: Final = """
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;
max-width:860px;margin:0 auto;padding:20px 28px 48px}
h1,h2{border-bottom:1px solid #d1d9e0;padding-bottom:.3em}h1{font-size:1.8em}h2{font-size:1.4em}
a{color:#0550ae}code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.9em}
code{background:#eff1f3;padding:.15em .35em;border-radius:4px}
pre{background:#f6f8fa;padding:12px 14px;border-radius:6px;overflow:auto}pre code{background:none;padding:0}
blockquote{margin:0;padding:0 1em;color:#59636e;border-left:.25em solid #d1d9e0}
table{border-collapse:collapse}th,td{border:1px solid #d1d9e0;padding:6px 12px}
img{max-width:100%}.empty{color:#59636e;font-style:italic}
"""


def _parser() -> MarkdownIt:
    # "html": False escapes raw HTML blocks and inline tags; linkify stays off (no extra dependency).
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render_markdown(markdown: str) -> str:
    """The HTML body of ``markdown`` (raw HTML in it is shown as text, never interpreted)."""
    if len(markdown) > MAX_MARKDOWN_CHARS:
        cut = "\n\n*(The documentation is longer; the rest is not shown.)*"
        markdown = markdown[:MAX_MARKDOWN_CHARS] + cut
    return str(_parser().render(markdown))


def documentation_page(markdown: str | None, title: str) -> str:
    """A complete HTML page for a theme's README (or a note saying it has none)."""
    body = (
        render_markdown(markdown)
        if markdown and markdown.strip()
        else '<p class="empty">This release has no documentation (no README.md was published with it).</p>'
    )
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def local_resources(markdown: str) -> list[str]:
    """Relative paths ``markdown`` shows or links inside its documentation folder, normalised, first seen
    first: its images, and the other Markdown pages it links to (``docs/guide.md``), so a click opens them.

    Absolute URLs, ``data:``, root-relative paths and paths that climb out of the folder are left out: only
    the theme's own published docs files are fetched.
    """
    found: list[str] = []
    for token in _walk(_parser().parse(markdown[:MAX_MARKDOWN_CHARS])):
        if token.type == "image":
            target = str(token.attrGet("src") or "")
        elif token.type == "link_open":
            target = urlsplit(str(token.attrGet("href") or "")).path
            if not target.lower().endswith(".md") or urlsplit(str(token.attrGet("href"))).scheme:
                continue
        else:
            continue
        path = normalise_relative(target)
        if path is not None and path not in found:
            found.append(path)
            if len(found) == MAX_RESOURCES:
                break
    return found


def normalise_relative(url: str) -> str | None:
    """``url`` as a clean path relative to the docs folder, or None when it is not one of its files."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    path = posixpath.normpath(unquote(parts.path))
    if path.startswith("../") or path in (".", "..") or "\\" in path or "\0" in path:
        return None
    return path


def _walk(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        if token.children:
            out.extend(_walk(token.children))
    return out
