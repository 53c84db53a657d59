"""Token fixtures: the files under tests/data/tokens and the starter themes."""

from __future__ import annotations

from pathlib import Path

from studio.core.paths import resources_dir

DATA = Path(__file__).resolve().parents[2] / "data" / "tokens"
EVERY_TYPE = DATA / "every-type.tokens.json"
RESOLVER = DATA / "resolver" / "tokens.resolver.json"
TOKENS_STUDIO = DATA / "tokens-studio"
STARTERS = {
    name: resources_dir() / "themes" / name / "theme.css" for name in ("light", "dark", "high-contrast")
}
BOOTSTRAP = Path(__file__).resolve().parents[2] / "data" / "corpus" / "bootstrap.css"
