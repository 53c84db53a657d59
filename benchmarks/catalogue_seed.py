"""Seed a catalogue as Browse sees one: Zipf-popular tags and themes, some unpublished, two years of history.

Used by the ``browse`` benchmark (100,000 themes) and the Browse tests (1,000). Everything goes in by COPY
through the real schema, so the migration's triggers build ``theme_tags`` and the ``theme_stats`` counters
exactly as the API's own writes would (analytics events per theme follow a Zipf law; favourites come from a
pool of users).
"""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

WORDS = (
    *("aurora", "dusk", "nordic", "frost", "ember", "meadow", "harbor", "slate", "coral", "citrus"),
    *("velvet", "graphite", "lagoon", "sable", "ivory", "cobalt", "saffron", "juniper", "mist", "canyon"),
    *("orchid", "pebble", "tundra", "zephyr", "maple", "quartz", "indigo", "amber", "fjord", "dune"),
)
EPOCH = datetime(2024, 12, 1, tzinfo=UTC)
SPAN = timedelta(days=730)


@dataclass(frozen=True)
class Catalogue:
    """What was seeded: theme ids (in insertion order), which are published, the tags, the users."""

    ids: list[uuid.UUID]
    published: set[uuid.UUID]
    tags: list[str]
    users: list[uuid.UUID]
    events: int


def zipf_cumulative(n: int, exponent: float = 1.1) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


def seed_catalogue(
    dsn: str,
    author_id: uuid.UUID,
    *,
    themes: int,
    events: int,
    users: int = 200,
    tags: int = 200,
    favourites: int | None = None,
    unpublished_share: float = 0.1,
    rng: random.Random | None = None,
    cdn_base: str = "https://cdn.example/",
) -> Catalogue:
    """Insert ``themes`` themes (one release each), ``events`` analytics events and favourites.

    Tags: 1–4 per theme from ``tags`` names, Zipf-distributed. Events: view/download/install at 3:1:1 on
    Zipf-ranked themes (a few themes get most of them), spread over the last 90 days; favourites likewise.
    """
    rng = rng or random.Random(7)
    favourites = events // 20 if favourites is None else favourites
    tag_names = [f"tag{i}" for i in range(tags)]
    tag_cum = zipf_cumulative(tags)
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(themes)]
    published: set[uuid.UUID] = set()
    user_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(users)]
    seconds = int(SPAN.total_seconds())
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy("COPY users (id, email, name, role) FROM STDIN") as copy:
            for n, uid in enumerate(user_ids):
                copy.write_row((uid, f"seed-{uid.hex[:12]}-{n}@example.test", f"Seed user {n}", "user"))
        with cur.copy(
            "COPY themes (id, name, description, author_id, author, tags, version, css_url, published, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for i, tid in enumerate(ids):
                chosen: set[str] = set()
                for _ in range(1 + rng.randrange(4)):
                    chosen.add(tag_names[_pick(rng, tag_cum)])
                name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}"
                description = f"A {rng.choice(WORDS)} theme with {rng.choice(WORDS)} accents"
                is_published = rng.random() >= unpublished_share
                if is_published:
                    published.add(tid)
                created = EPOCH + timedelta(seconds=rng.randrange(seconds))
                updated = created + timedelta(seconds=rng.randrange(max(1, seconds // 4)))
                copy.write_row(
                    (
                        tid,
                        name,
                        description,
                        author_id,
                        "Seed author",
                        sorted(chosen),
                        "1.0.0",
                        f"{cdn_base}themes-published/{tid}/1.0.0/theme.css",
                        is_published,
                        created,
                        updated,
                    )
                )
        # The triggers plan their statements with the tables' statistics: give them real ones between phases.
        conn.commit()
        cur.execute("ANALYZE themes, theme_tags, theme_stats")
        with cur.copy("COPY theme_versions (theme_id, version, sha256, size, css_url) FROM STDIN") as copy:
            for tid in ids:
                copy.write_row(
                    (tid, "1.0.0", "0" * 64, 100, f"{cdn_base}themes-published/{tid}/1.0.0/theme.css")
                )
        # Events and favourites only for published themes (the ingest refuses others); ranked by a shuffle.
        ranked = [tid for tid in ids if tid in published]
        rng.shuffle(ranked)
        theme_cum = zipf_cumulative(len(ranked), 0.9)
        kinds = ("view", "view", "view", "download", "install")
        now = datetime.now(UTC)
        chunk = 100_000
        for start in range(0, events, chunk):
            with cur.copy(
                "COPY theme_analytics (theme_id, event_type, client_info, occurred_at) FROM STDIN"
            ) as copy:
                for _ in range(min(chunk, events - start)):
                    when = now - timedelta(seconds=rng.randrange(90 * 86400))
                    copy.write_row((ranked[_pick(rng, theme_cum)], kinds[rng.randrange(5)], "{}", when))
        pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for _ in range(favourites):
            pairs.add((user_ids[rng.randrange(users)], ranked[_pick(rng, theme_cum)]))
        with cur.copy("COPY user_themes (user_id, theme_id, relation) FROM STDIN") as copy:
            for uid, tid in sorted(pairs):
                copy.write_row((uid, tid, "favorite"))
        # Nothing was ever cached: the outbox rows the COPYs left would only run into measurements.
        cur.execute("TRUNCATE cache_outbox")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return Catalogue(ids, published, tag_names, user_ids, events)
