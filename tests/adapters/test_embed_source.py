"""Reading releases for Embed from an API that misbehaves: refused clearly, never trusted or half-read."""

from __future__ import annotations

import contextlib
import http.server
import threading
import uuid
from collections.abc import Iterator

import pytest

from studio.adapters import embed_source
from studio.adapters.embed_source import profile_releases, snippets_for_profile
from studio.core.embed import EmbedError
from studio.core.profiles import Profile

THEME = str(uuid.uuid4())
SRI = "sha384-" + "A" * 64


@contextlib.contextmanager
def api(status: int, body: bytes) -> Iterator[str]:
    """A real HTTP server on loopback answering every GET with ``status`` and ``body``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def profile(backend: str | None) -> Profile:
    return Profile(
        name="p", endpoint="http://127.0.0.1:9", region="us-east-1", cdn_base_url="https://cdn.test",
        backend_url=backend,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (500, b"{}", "answered HTTP 500"),
        (404, b"{}", "is not published on"),
        (200, b"not json", "did not answer JSON"),
        (200, b'{"version": "1.0.0"}', "is not a list"),
        (200, b'[{"sri": "x"}]', "without a version"),
    ],
)
def test_bad_answers_are_refused(status: int, body: bytes, message: str) -> None:
    with api(status, body) as url, pytest.raises(EmbedError, match=message):
        profile_releases(profile(url), THEME)


def test_an_oversized_list_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed_source, "MAX_BYTES", 1000)
    entry = b'{"version": "1.0.0", "sri": null},'
    with api(200, b"[" + entry * 100 + b"{}]") as url, pytest.raises(EmbedError, match="larger than 1000"):
        profile_releases(profile(url), THEME)


def test_a_good_list_pins_the_newest_and_no_backend_means_latest_only() -> None:
    body = b'[{"version": "1.1.0", "sri": "' + SRI.encode() + b'", "yanked_at": null}]'
    with api(200, body) as url:
        found = snippets_for_profile(profile(url), THEME)
    assert found.pinned is not None
    assert (found.pinned.version, found.api_base) == ("1.1.0", url)
    assert profile_releases(profile(None), THEME) is None
    latest_only = snippets_for_profile(profile(None), THEME)
    assert latest_only.pinned is None
    assert latest_only.problem is not None
    with pytest.raises(EmbedError, match="no backend URL"):
        snippets_for_profile(profile(None), THEME, "1.1.0")


def test_a_bad_theme_id_never_reaches_the_network() -> None:
    with pytest.raises(EmbedError, match="not a theme id"):
        profile_releases(profile("http://127.0.0.1:9"), "../../keys")
