"""The release asset policy shared by the studio's plan and the service's verification."""

from __future__ import annotations

import pytest

from studio.core.release_assets import asset_content_type, safe_asset_path, sniff_matches, svg_problems

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("assets/a.woff2", "font/woff2"),
        ("assets/A.PNG", "image/png"),
        ("assets/x.svg", "image/svg+xml"),
        ("assets/login.html", None),
        ("assets/app.js", None),
        ("assets/data.json", None),
        ("assets/readme.txt", None),
        ("assets/x.svgz", None),
        ("assets/noext", None),
    ],
)
def test_only_fonts_and_images(path: str, expected: str | None) -> None:
    assert asset_content_type(path) == expected


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("assets/fonts/body.woff2", True),
        ("assets/a-b_c.1.png", True),
        ("assets/../theme.css", False),
        ("assets/.hidden.png", False),
        ("assets/a..png", True),  # harmless: a segment never starts with a dot, so never is ".."
        ("assets/a b.png", False),
        ("assets/a?.png", False),
        ("assets/a\n.png", False),
        ("assets/é.png", False),
        ("assets/" + "a/" * 6 + "x.png", False),
        ("theme.css", False),
    ],
)
def test_safe_asset_paths(path: str, ok: bool) -> None:
    assert safe_asset_path(path) is ok


def test_sniffing_tells_an_image_from_a_page() -> None:
    assert sniff_matches("image/png", b"\x89PNG\r\n\x1a\n....")
    assert not sniff_matches("image/png", b"<html><script>")
    assert sniff_matches("image/jpeg", b"\xff\xd8\xff\xe0")
    assert sniff_matches("image/gif", b"GIF89a...")
    assert sniff_matches("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert sniff_matches("font/woff2", b"wOF2....")
    assert not sniff_matches("font/woff2", b"wOFF....")
    assert sniff_matches("font/ttf", b"\x00\x01\x00\x00")
    assert not sniff_matches("text/html", b"<html>")


@pytest.mark.parametrize(
    ("inner", "needle"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<rect onclick="alert(1)"/>', "onclick="),
        ('<a href="javascript:alert(1)"><text>x</text></a>', "refers to something outside"),
        ('<a xlink:href=" JaVaScRiPt:alert(1)"/>', "refers to something outside"),
        ('<image href="https://evil.example/track.png"/>', "refers to something outside"),
        ('<use href="other.svg#icon"/>', "refers to something outside"),
        ("<foreignObject><p>html</p></foreignObject>", "foreignobject"),
        ('<set attributeName="href" to="javascript:alert(1)"/>', "<set>"),
        ("<style>@import url(https://evil.example/x.css);</style>", "<style>"),
        ('<rect style="fill:url(https://evil.example/x)"/>', "style="),
    ],
)
def test_svg_with_script_or_external_references_is_refused(inner: str, needle: str) -> None:
    problems = svg_problems(SVG.format(inner).encode())
    assert problems
    assert any(needle in p for p in problems), problems


def test_svg_dtd_entities_and_garbage_are_refused() -> None:
    bomb = b'<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
    assert svg_problems(bomb) == ["it declares a DTD or entities, which an image never needs"]
    external = b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    assert svg_problems(external) == ["it declares a DTD or entities, which an image never needs"]
    assert svg_problems(b"<svg") == ["it is not well-formed XML"]
    assert svg_problems(b"<html xmlns='http://www.w3.org/1999/xhtml'/>") == [
        "its root element is not <svg> in the SVG namespace"
    ]


def test_plain_svg_with_local_references_passes() -> None:
    safe = SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
        '<rect fill="url(#g)" width="10" height="10"/><use href="#g"/>'
        '<image href="data:image/png;base64,iVBORw0KGgo="/>'
    )
    assert svg_problems(safe.encode()) == []
