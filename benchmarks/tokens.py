"""``python -m benchmarks tokens``: design-token import speed and round-trip fidelity, through the real code.

``tokens_import_ms_5000``: 5,000 DTCG tokens (a third of them aliases, colours in several spaces, dimensions,
shadows) read and planned into the Light starter, median of runs (the import preview's whole cost; applying is
a string the editor takes). ``tokens_roundtrip_loss``: tokens whose meaning changed going fixture → theme →
tokens, over every fixture imported into every starter and Bootstrap (goal 0).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.stats import median
from studio.core.tokens.apply import plan_import
from studio.core.tokens.roundtrip import roundtrip
from studio.core.tokens.sources import open_token_files

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "tokens"
SHEETS = [REPO / "resources" / "themes" / n / "theme.css" for n in ("light", "dark", "high-contrast")]
SHEETS.append(REPO / "tests" / "data" / "corpus" / "bootstrap.css")
FIXTURES = [
    [DATA / "every-type.tokens.json"],
    [DATA / "resolver" / "tokens.resolver.json"],
    [DATA / "tokens-studio"],
]


def tokens_document(count: int) -> dict[str, dict[str, object]]:
    """``count`` tokens: palettes in four colour spaces, spacing, shadows, and aliases onto them."""
    doc: dict[str, dict[str, object]] = {
        "palette": {"$type": "color"},
        "space": {"$type": "dimension"},
        "semantic": {},
        "elevation": {"$type": "shadow"},
    }
    spaces: list[tuple[str, Callable[[int], list[float]]]] = [
        ("srgb", lambda i: [i % 256 / 255, 0.5, 0.25]),
        ("oklch", lambda i: [0.5, 0.1, i % 360]),
        ("display-p3", lambda i: [0.2, i % 100 / 100, 0.6]),
        ("hsl", lambda i: [i % 360, 50, 50]),
    ]
    made = 0
    i = 0
    while made < count:
        space, comps = spaces[i % len(spaces)]
        doc["palette"][f"c{i}"] = {"$value": {"colorSpace": space, "components": comps(i)}}
        made += 1
        if made < count and i % 3 == 0:
            doc["semantic"][f"s{i}"] = {"$value": f"{{palette.c{i}}}"}
            made += 1
        if made < count and i % 5 == 0:
            doc["space"][f"x{i}"] = {"$value": {"value": i % 64, "unit": "px"}}
            made += 1
            if made < count:
                doc["elevation"][f"e{i}"] = {
                    "$value": {
                        "color": f"{{palette.c{i}}}",
                        "offsetX": f"{{space.x{i}}}",
                        "offsetY": {"value": 1, "unit": "px"},
                        "blur": {"value": 4, "unit": "px"},
                        "spread": {"value": 0, "unit": "px"},
                    }
                }
                made += 1
        i += 1
    return doc


def bench_import(repeats: int) -> float:
    css = SHEETS[0].read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tokens.json"
        path.write_text(json.dumps(tokens_document(5000)))
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            plan = plan_import(css, open_token_files([path]))
            samples.append(time.perf_counter() - start)
            if plan.errors or plan.token_count != 5000:
                raise RuntimeError(f"import failed: {plan.errors[:3]} ({plan.token_count} tokens)")
    return round(median(samples) * 1000, 1)


def roundtrip_loss() -> int:
    lost = 0
    for sheet in SHEETS:
        text = sheet.read_text(encoding="utf-8")
        for files in FIXTURES:
            _, differences = roundtrip(text, open_token_files(files))
            lost += len(differences)
    return lost


def run(quick: bool = False) -> dict[str, float]:
    return {
        "tokens_import_ms_5000": bench_import(3 if quick else 9),
        "tokens_roundtrip_loss": roundtrip_loss(),
    }
