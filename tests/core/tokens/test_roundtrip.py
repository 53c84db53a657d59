"""Import into the starters and Bootstrap, then export: same paths, types, aliases and values in meaning."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from studio.core.css.tokens import index_tokens
from studio.core.tokens.apply import Mode, plan_import
from studio.core.tokens.export import export_documents, theme_tokens
from studio.core.tokens.roundtrip import roundtrip
from studio.core.tokens.sources import open_token_files
from tests.core.tokens.conftest import BOOTSTRAP, EVERY_TYPE, RESOLVER, STARTERS, TOKENS_STUDIO

FIXTURES = {"every-type": [EVERY_TYPE], "resolver": [RESOLVER], "tokens-studio": [TOKENS_STUDIO]}
SHEETS = {**STARTERS, "bootstrap": BOOTSTRAP}


@pytest.mark.parametrize("sheet", sorted(SHEETS))
@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_roundtrip_keeps_every_token(fixture: str, sheet: str) -> None:
    text = SHEETS[sheet].read_text(encoding="utf-8")
    plan, lost = roundtrip(text, open_token_files(FIXTURES[fixture]))
    assert lost == {}
    assert plan.changes


def test_export_then_import_again_is_lossless_through_every_format(tmp_path: Path) -> None:
    text = STARTERS["light"].read_text(encoding="utf-8")
    plan = plan_import(text, open_token_files([EVERY_TYPE]))
    themed = theme_tokens(plan.new_text, plan.meta)
    for fmt in ("dtcg", "dtcg-resolver", "tokens-studio"):
        folder = tmp_path / fmt
        folder.mkdir()
        for name, data in export_documents(themed, fmt).items():
            (folder / name).write_text(json.dumps(data))
        source = open_token_files(
            sorted(folder.iterdir()) if fmt == "tokens-studio" else [next(folder.iterdir())]
        )
        again = plan_import(plan.new_text, source, meta=plan.meta)
        assert again.errors == [], fmt
        if (
            fmt != "tokens-studio"
        ):  # Tokens Studio has no strokeStyle/gradient/transition: those come back as "other"
            assert again.changes == [], (fmt, again.changes[:3])


def test_only_changed_declarations_are_rewritten_and_dark_goes_to_every_dark_scope() -> None:
    text = STARTERS["light"].read_text(encoding="utf-8")
    plan = plan_import(text, open_token_files([RESOLVER]))
    removed = [
        line for line in difflib.ndiff(text.splitlines(), plan.new_text.splitlines()) if line.startswith("- ")
    ]
    changed = [c for c in plan.changes if c.kind == "changed"]
    # A base change rewrites one declaration; a dark change rewrites both dark scopes of the starter.
    assert len(removed) == sum(1 if c.scheme.startswith("base") else 2 for c in changed)
    definitions = index_tokens(plan.new_text).definitions
    dark_bg = {d.scope: d.value for d in definitions if d.name == "--color-bg" and d.scheme == "dark"}
    assert set(dark_bg.values()) == {"var(--palette-night)"}
    assert len(dark_bg) == 2
    base = {d.name: d.value for d in definitions if d.scheme is None}
    assert base["--color-bg"] == "var(--palette-white)"
    assert base["--palette-blue-500"] == "oklch(0.55 0.2 262)"
    assert base["--space-stack"] == "var(--space-4)"
    assert "--palette-night" in base
    assert not any(
        d.name == "--palette-night" and d.scheme for d in definitions
    )


def test_dark_starter_maps_light_onto_its_alternate_scopes() -> None:
    text = STARTERS["dark"].read_text(encoding="utf-8")
    plan = plan_import(text, open_token_files([RESOLVER]))
    schemes = {c.scheme for c in plan.changes}
    assert schemes == {"base (dark)", "light"}
    base = {d.name: d.value for d in index_tokens(plan.new_text).definitions if d.scheme is None}
    assert base["--color-bg"] == "var(--palette-night)"


def test_explicit_modes_prefix_and_prune(tmp_path: Path) -> None:
    text = STARTERS["light"].read_text(encoding="utf-8")
    source = open_token_files([RESOLVER])
    modes = [Mode.parse("theme=dark:base"), Mode.parse("density=compact")]
    plan = plan_import(text, source, modes, prefix="acme")
    base = {d.name: d.value for d in index_tokens(plan.new_text).definitions if d.scheme is None}
    assert base["--acme-color-bg"] == "var(--acme-palette-night)"
    assert base["--acme-space-stack"] == "var(--acme-space-1)"
    assert plan.inputs == {"base": {"theme": "dark", "density": "compact"}}
    smaller = {
        "palette": {"$type": "color", "white": {"$value": {"colorSpace": "srgb", "components": [1, 1, 1]}}}
    }
    only = tmp_path / "smaller.json"
    only.write_text(json.dumps(smaller))
    pruned = plan_import(plan.new_text, open_token_files([only]), prefix="acme", meta=plan.meta, prune=True)
    removed = {c.name for c in pruned.changes if c.kind == "removed"}
    assert "--acme-color-bg" in removed
    assert "--acme-palette-white" not in removed
    assert "--color-bg" not in removed  # never touches what an import did not write
    assert "--acme-color-bg" not in pruned.new_text
    assert "--color-bg:" in pruned.new_text


def test_errors_block_the_import_and_name_the_token(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"a": {"$type": "color", "$value": "{b}"}, "b": {"$type": "color", "$value": "{a}"}})
    )
    text = STARTERS["light"].read_text(encoding="utf-8")
    plan = plan_import(text, open_token_files([path]))
    assert [str(e) for e in plan.errors] == ["error: #/a: alias cycle: a → b → a"]
    assert plan.new_text == text


def test_export_skips_what_no_type_expresses_with_the_reason() -> None:
    themed = theme_tokens(BOOTSTRAP.read_text(encoding="utf-8"))
    reasons = {s.name: s.reason for s in themed.skipped}
    assert "--bs-font-sans-serif" not in reasons
    assert reasons["--bs-primary-rgb"] == "no design-token type expresses this value"  # "13, 110, 253"
    assert themed.schemes["base"]["bs.border.width"].value == {"value": 1, "unit": "px"}
    dark = themed.schemes["dark"]
    assert dark["bs.body.bg.$root"].value["hex"] == "#212529"  # --bs-body-bg-rgb makes it a group
