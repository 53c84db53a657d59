"""Token impact on the starters and Bootstrap: every rule a changed token reaches, pairs, and renames."""

from __future__ import annotations

import re

import pytest

from studio.core.review.token_impact import token_impact
from tests.conftest import REPO

STARTERS = ("light", "dark", "high-contrast")
BOOTSTRAP = REPO / "tests" / "data" / "corpus" / "bootstrap.css"
_DEFINITION = re.compile(r"(--[\w-]+)\s*:([^;{}]*)")
_DECLARATION = re.compile(r"(?<![\w-])(-{0,2}[a-zA-Z][\w-]*)\s*:([^;{}]*)")


def _starter(name: str) -> str:
    return (REPO / "resources" / "themes" / name / "theme.css").read_text(encoding="utf-8")


def _reach(css: str, name: str) -> set[str]:
    """Oracle independent of the implementation: custom properties reaching ``name`` through var()."""
    users: dict[str, set[str]] = {}
    for defined, value in _DEFINITION.findall(css):
        for ref in re.findall(r"var\(\s*(--[\w-]+)", value):
            users.setdefault(ref, set()).add(defined)
    found, pending = {name}, [name]
    while pending:
        for user in users.get(pending.pop(), ()):
            if user not in found:
                found.add(user)
                pending.append(user)
    return found


def _declarations_using(css: str, names: set[str]) -> int:
    """How many declarations in ``css`` reference any of ``names`` (regex oracle)."""
    count = 0
    for _prop, value in _DECLARATION.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        if any(ref in names for ref in re.findall(r"var\(\s*(--[\w-]+)", value)):
            count += 1
    return count


@pytest.mark.parametrize("starter", STARTERS)
def test_every_rule_using_a_changed_starter_token_is_listed(starter: str) -> None:
    css = _starter(starter)
    for name in ("--color-primary", "--color-text", "--space-2", "--radius"):
        new = re.sub(rf"({re.escape(name)}\s*:\s*)([^;]+);", r"\1var(--x-changed, \2);", css, count=1)
        impact = token_impact(css, new)
        [change] = impact.changes
        assert change.name == name
        assert change.kind == "changed"
        reach = _reach(new, name)
        assert set(change.dependents) == reach - {name}
        listed = sum(len(rule.properties) for rule in change.rules)
        assert listed == _declarations_using(new, reach), name
        assert listed > 0


def test_chains_of_variables_are_followed() -> None:
    old = """
    :root { --brand: #2f5bd3; --accent: var(--brand); --button-bg: var(--accent); --unused: 1px; }
    .btn { background: var(--button-bg); padding: var(--unused); }
    .link { color: var(--accent); }
    @media (min-width: 40em) { .hero { & .title { border-color: var(--brand); } } }
    .plain { margin: var(--unused); }
    """
    impact = token_impact(old, old.replace("#2f5bd3", "#2f5bd4"))
    [change] = impact.changes
    assert change.dependents == ("--accent", "--button-bg")
    rules = {(r.selector, r.properties, r.via) for r in change.rules}
    assert rules == {
        (":root", ("--accent", "--button-bg"), ()),  # the rule that defines the chain
        (".btn", ("background",), ("--button-bg",)),
        (".link", ("color",), ("--accent",)),
        ("@media (min-width: 40em) .hero & .title", ("border-color",), ()),
    }


def test_a_token_used_nowhere_reaches_no_rule() -> None:
    old = ":root { --lonely: red; --used: blue; } a { color: var(--used); }"
    [change] = token_impact(old, old.replace("red", "green")).changes
    assert change.rules == ()
    assert change.pairs == ()


def test_a_rename_across_fifty_uses_is_one_rename() -> None:
    rules = "\n".join(f".c{i} {{ color: var(--brand); }}" for i in range(50))
    old = f":root {{ --brand: #123456; --alias: var(--brand); }}\n{rules}"
    new = old.replace("--brand", "--color-brand")
    impact = token_impact(old, new)
    assert [(r.old_name, r.new_name, r.uses) for r in impact.renames] == [("--brand", "--color-brand", 51)]
    assert impact.changes == ()  # --alias's value changed only by the rename


def test_a_partial_rename_is_not_a_rename() -> None:
    rules = "\n".join(f".c{i} {{ color: var(--brand, red); }}" for i in range(5))
    old = f":root {{ --brand: #123456; }}\n{rules}"
    new = old.replace(":root { --brand", ":root { --color-brand").replace(
        ".c0 { color: var(--brand", ".c0 { color: var(--color-brand"
    )
    impact = token_impact(old, new)
    assert impact.renames == ()
    assert {(c.name, c.kind) for c in impact.changes} == {("--color-brand", "added"), ("--brand", "removed")}
    removed = next(c for c in impact.changes if c.kind == "removed")
    assert sorted(r.selector for r in removed.rules) == [".c0", ".c1", ".c2", ".c3", ".c4"]


def test_contrast_pairs_report_old_and_new_ratios_per_scheme() -> None:
    css = _starter("dark")
    new = css.replace("--color-text-muted: #a9a3bd;", "--color-text-muted: #4a4560;", 1)
    [change] = token_impact(css, new).changes
    by_key = {(p.foreground, p.background, p.scheme): p for p in change.pairs}
    on_bg = by_key["--color-text-muted", "--color-bg", None]
    assert on_bg.old_ratio is not None
    assert on_bg.old_ratio >= 4.5
    assert on_bg.new_ratio is not None
    assert on_bg.new_ratio < 4.5
    assert on_bg.newly_fails_aa
    assert on_bg.new_apca is not None
    assert abs(on_bg.new_apca) < abs(on_bg.old_apca or 0)
    light = by_key["--color-text-muted", "--color-bg", "light"]  # the light scope overrides it: unchanged
    assert light.old_ratio == light.new_ratio


def test_bootstrap_rename_and_component_tokens() -> None:
    css = BOOTSTRAP.read_text(encoding="utf-8")
    uses = css.count("var(--bs-primary-rgb)")
    impact = token_impact(css, css.replace("--bs-primary-rgb", "--bs-brand-rgb"))
    assert [(r.old_name, r.new_name, r.uses) for r in impact.renames] == [
        ("--bs-primary-rgb", "--bs-brand-rgb", uses)
    ]
    assert impact.changes == ()

    new = css.replace("--bs-body-color: #212529;", "--bs-body-color: #999;", 1)
    [change] = token_impact(css, new).changes
    reach = _reach(new, "--bs-body-color")
    assert set(change.dependents) == reach - {"--bs-body-color"}
    assert sum(len(r.properties) for r in change.rules) == _declarations_using(new, reach)
    pair = next(
        p
        for p in change.pairs
        if (p.foreground, p.background, p.scheme) == ("--bs-body-color", "--bs-body-bg", None)
    )
    assert pair.new_ratio is not None
    assert pair.new_ratio < 4.5 < (pair.old_ratio or 0)
    as_json = token_impact(css, new).to_json()
    assert as_json["changes"][0]["name"] == "--bs-body-color"
    assert {
        "foreground": "--bs-body-color",
        "background": "--bs-body-bg",
        "scheme": "default",
    }.items() <= next(p for p in as_json["changes"][0]["pairs"] if p["scheme"] == "default").items()
