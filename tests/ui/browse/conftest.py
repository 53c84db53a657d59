"""Browse against the real backend: 1,000 seeded themes, plus real releases with previews and documentation.

The backend runs as a process (``python -m backend serve``) on its own database, SeaweedFS as its storage.
The catalogue is seeded by the same code as the ``browse`` benchmark; three themes are then published for real
by the author through the Publisher (bucket key, the preview rendered by the studio's own renderer, registered
and verified by the backend), and their documentation is put under ``themes-documentation/`` as publishing
does. Those are the newest themes, so they head the "Recently updated" list.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from benchmarks.catalogue_seed import Catalogue, seed_catalogue
from studio.adapters.browse_catalog import BrowseCatalog
from studio.adapters.publisher import Publisher
from studio.core.publish_plan import plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.ui.browse.target import BrowseTarget
from studio.ui.preview_render import render_preview_png
from tests.adapters.test_backend_client import LiveBackend, keyed_store, running_backend
from tests.backend.seaweed import SeaweedS3

THEMES = 1_000
README = """# {name}

A calm theme for dashboards. **Start from it** with *Browse → Start from this theme*.

![Swatches](docs/swatches.png)

| Token | Value |
|---|---|
| `--accent` | `#0a7d55` |

<script>document.title = "pwned"</script>

![Tracker](https://tracker.example.invalid/pixel.png)

See [the guide](docs/guide.md) and [the website](https://example.invalid/).
"""
MARKDOWN = "text/markdown; charset=utf-8"
GUIDE = "# Guide\n\nUse `var(--accent)` for links.\n"


@dataclass(frozen=True)
class Published:
    """A theme released for real: its folder, id, and the bytes of each version's theme.css."""

    theme: Theme
    name: str
    releases: dict[str, bytes]

    @property
    def id(self) -> str:
        return self.theme.manifest.id


@dataclass(frozen=True)
class BrowseBackend:
    live: LiveBackend
    seaweed: SeaweedS3
    catalogue: Catalogue
    published: list[Published]

    def catalog(self, *, signed_in: bool = True) -> BrowseCatalog:
        token = self.live.author.token if signed_in else None
        return BrowseCatalog.for_url(self.live.url, token, "test backend")

    def target(self, *, signed_in: bool = True) -> BrowseTarget:
        return BrowseTarget("test backend", lambda: self.catalog(signed_in=signed_in))


def _swatches_png(path: Path) -> None:
    image = QImage(240, 60, QImage.Format.Format_RGB32)
    for i, colour in enumerate(("#0a7d55", "#1a5fb4", "#c2255c", "#e8590c")):
        for x in range(i * 60, i * 60 + 60):
            for y in range(60):
                image.setPixelColor(x, y, QColor(colour))
    assert image.save(str(path), "PNG")


def _publish(live: LiveBackend, seaweed: SeaweedS3, folder: Path, starter: str, name: str, tags: list[str],
             versions: list[tuple[str, str, str]]) -> Published:
    """Publish ``versions`` (version, changes, css appended) of a new theme, with previews and docs."""
    theme = create_theme(folder, starter, name)
    author = live.client(live.author)
    author.create_theme(theme.manifest.id, name, description=f"{name}: a real release", tags=tags)
    store = keyed_store(seaweed, live)

    def render(css: str, out: Path, root: Path) -> None:
        render_preview_png(css, out, width=1280, height=900, base_dir=root)

    s3 = seaweed.client()
    releases: dict[str, bytes] = {}
    try:
        publisher = Publisher(store, register=author.register_release, backend=author, render_preview=render)
        for version, changes, extra in versions:
            if extra:
                theme.css_path.write_text(theme.css_path.read_text() + extra)
            publisher.publish(plan_release(theme, version), changes=changes)
            releases[version] = theme.css_path.read_bytes()
            prefix = f"themes-documentation/{theme.manifest.id}/{version}/"
            swatches = folder.parent / f"{folder.name}-swatches.png"
            _swatches_png(swatches)
            for key, body, kind in (
                ("README.md", README.format(name=f"{name} {version}").encode(), MARKDOWN),
                ("docs/swatches.png", swatches.read_bytes(), "image/png"),
                ("docs/guide.md", GUIDE.encode(), MARKDOWN),
            ):
                s3.put_object(Bucket=seaweed.bucket, Key=prefix + key, Body=body, ContentType=kind)
    finally:
        store.close()
        author.close()
    return Published(theme, name, releases)


@pytest.fixture(scope="module")
def browse_backend(
    seaweed: SeaweedS3, qapp: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowseBackend]:
    with running_backend(seaweed) as live:
        catalogue = seed_catalogue(
            live.dsn, live.author.user_id, themes=THEMES, events=20_000, users=40, tags=30,
            rng=random.Random(3), cdn_base=live.public_base_url + "/",
        )
        root = tmp_path_factory.mktemp("browse-published")
        accent = "\n:root{--browse-accent:#0a7d55}\n"
        published = [
            _publish(live, seaweed, root / "harbour", "light", "Harbour Light", ["light", "calm"],
                     [("1.0.0", "First release.", ""), ("1.1.0", "Greener accent for links.", accent)]),
            _publish(live, seaweed, root / "nocturne", "dark", "Nocturne Dark", ["dark", "calm"],
                     [("2.0.0", "Dark from the start.", "")]),
            _publish(live, seaweed, root / "beacon", "high-contrast", "Beacon Contrast", ["a11y", "light"],
                     [("1.0.0", "AAA contrast everywhere.", "")]),
        ]
        yield BrowseBackend(live, seaweed, catalogue, published)


@pytest.fixture
def make_catalog(browse_backend: BrowseBackend) -> Iterator[Callable[..., BrowseCatalog]]:
    made: list[BrowseCatalog] = []

    def make(**kwargs: bool) -> BrowseCatalog:
        made.append(browse_backend.catalog(**kwargs))
        return made[-1]

    yield make
    for catalog in made:
        with contextlib.suppress(Exception):
            catalog.close()
