"""Token impact: what a change of custom properties does to the rest of the stylesheet.

For each changed custom property: the rules that use it directly or through any chain of ``var()``, and the
text/background contrast pairs it takes part in with their old and new ratios per scheme. A token renamed
everywhere (same values, old name gone, new name added, every ``var()`` updated) is one rename, not a removal
plus an addition plus a change in every rule that uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from studio.core.css.contrast import ContrastCheck, contrast_pairs, schemes_to_check
from studio.core.css.tokens import TokenIndex, index_tokens
from studio.core.review.var_uses import ChunkCache, RuleUse, VarUses, var_uses

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class ScopeChange:
    """A token's value in one scope before and after (None: not defined there)."""

    scope: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class AffectedRule:
    """A rule that uses a changed token: its selector, line, and the properties that reach the token."""

    selector: str
    line: int
    properties: tuple[str, ...]
    via: tuple[str, ...]  # the intermediate custom properties the rule references ("" when direct)
    sheet: Literal["old", "new"]


@dataclass(frozen=True, slots=True)
class PairImpact:
    """A contrast pair a changed token takes part in, scored in one scheme before and after."""

    foreground: str
    background: str
    scheme: str | None
    old_ratio: float | None
    new_ratio: float | None
    old_apca: float | None
    new_apca: float | None

    @property
    def now_fails_aa(self) -> bool:
        return self.new_ratio is not None and self.new_ratio < 4.5

    @property
    def newly_fails_aa(self) -> bool:
        return self.now_fails_aa and (self.old_ratio is None or self.old_ratio >= 4.5)


@dataclass(frozen=True, slots=True)
class TokenChangeImpact:
    """One changed custom property and what it reaches."""

    name: str
    kind: ChangeKind
    scopes: tuple[ScopeChange, ...]
    dependents: tuple[str, ...]  # custom properties that follow it through var()
    rules: tuple[AffectedRule, ...]
    pairs: tuple[PairImpact, ...]


@dataclass(frozen=True, slots=True)
class Rename:
    """A token renamed everywhere: ``uses`` is how many ``var()`` references were updated."""

    old_name: str
    new_name: str
    uses: int


@dataclass(frozen=True, slots=True)
class TokenImpact:
    """The token impact of one stylesheet change."""

    changes: tuple[TokenChangeImpact, ...] = ()
    renames: tuple[Rename, ...] = ()
    schemes: tuple[str | None, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.changes and not self.renames

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``compare --format json``, the review views)."""
        return {
            "schemes": [_scheme_label(s) for s in self.schemes],
            "renames": [{"old": r.old_name, "new": r.new_name, "uses": r.uses} for r in self.renames],
            "changes": [
                {
                    "name": c.name,
                    "kind": c.kind,
                    "scopes": [{"scope": s.scope, "old": s.old, "new": s.new} for s in c.scopes],
                    "dependents": list(c.dependents),
                    "rules": [
                        {
                            "selector": r.selector,
                            "line": r.line,
                            "properties": list(r.properties),
                            "via": list(r.via),
                            "sheet": r.sheet,
                        }
                        for r in c.rules
                    ],
                    "pairs": [
                        {
                            "foreground": p.foreground,
                            "background": p.background,
                            "scheme": _scheme_label(p.scheme),
                            "old_ratio": _round(p.old_ratio),
                            "new_ratio": _round(p.new_ratio),
                            "old_apca": _round(p.old_apca, 1),
                            "new_apca": _round(p.new_apca, 1),
                            "fails_aa": p.now_fails_aa,
                        }
                        for p in c.pairs
                    ],
                }
                for c in self.changes
            ],
        }

    def to_text(self) -> str:
        """A short human summary, one line per rename, change, rule count and pair."""
        lines: list[str] = []
        for r in self.renames:
            lines.append(f"renamed {r.old_name} -> {r.new_name} ({r.uses} uses updated)")
        for c in self.changes:
            values = "; ".join(f"{s.scope}: {s.old or '-'} -> {s.new or '-'}" for s in c.scopes)
            lines.append(f"{c.kind} {c.name} ({values})")
            if c.dependents:
                lines.append(f"  through: {', '.join(c.dependents)}")
            lines.append(f"  used by {len(c.rules)} rule(s)")
            for rule in c.rules:
                lines.append(f"    line {rule.line}: {rule.selector} {{ {', '.join(rule.properties)} }}")
            for p in c.pairs:
                flag = "  FAILS AA" if p.now_fails_aa else ""
                lines.append(
                    f"  contrast {p.foreground} on {p.background} [{_scheme_label(p.scheme)}]: "
                    f"{_ratio(p.old_ratio)} -> {_ratio(p.new_ratio)}{flag}"
                )
        return "\n".join(lines) if lines else "no token changes"


def token_impact(old_css: str, new_css: str) -> TokenImpact:
    """The token impact of changing ``old_css`` into ``new_css``."""
    old_index, new_index = index_tokens(old_css), index_tokens(new_css)
    chunks: ChunkCache = {}
    old_uses, new_uses = var_uses(old_css, chunks), var_uses(new_css, chunks)
    # Every custom property counts, not only token scopes: components define their own (``--bs-btn-bg``).
    old_values, new_values = old_uses.definitions, new_uses.definitions

    renames = _renames(old_values, new_values, old_uses, new_uses, new_css)
    renamed = {r.old_name: r.new_name for r in renames}

    changed: list[tuple[str, ChangeKind, tuple[ScopeChange, ...]]] = []
    renamed_new = set(renamed.values())
    for name in [*new_values, *(n for n in old_values if n not in new_values)]:
        if name in renamed or name in renamed_new:
            continue
        before = {scope: _renamed_value(v, renamed) for scope, v in old_values.get(name, {}).items()}
        after = new_values.get(name, {})
        if before == after:
            continue
        scopes = tuple(
            ScopeChange(scope, before.get(scope), after.get(scope))
            for scope in dict.fromkeys([*after, *before])
            if before.get(scope) != after.get(scope)
        )
        kind: ChangeKind = "added" if not before else "removed" if not after else "changed"
        changed.append((name, kind, scopes))

    schemes = tuple(dict.fromkeys([*schemes_to_check(old_index), *schemes_to_check(new_index)]))
    old_pairs = _pairs(old_index, schemes, renamed)
    new_pairs = _pairs(new_index, schemes, {})

    impacts = []
    for name, kind, scopes in changed:
        reach_new = new_uses.dependents([name]) if name in new_values else set()
        reach_old = old_uses.dependents([name]) if name in old_values else set()
        dependents = tuple(sorted((reach_new | reach_old) - {name}))
        rules = _affected(new_uses, name, reach_new, "new") if kind != "removed" else []
        if kind != "added":
            seen = {(r.selector, r.properties) for r in rules}
            rules += [
                r
                for r in _affected(old_uses, name, reach_old, "old")
                if (r.selector, r.properties) not in seen
            ]
        involved = {name, *dependents}
        pairs = []
        for key in dict.fromkeys([*old_pairs, *new_pairs]):
            foreground, background, scheme = key
            if foreground not in involved and background not in involved:
                continue
            old, new = old_pairs.get(key), new_pairs.get(key)
            pairs.append(
                PairImpact(
                    foreground,
                    background,
                    scheme,
                    None if old is None else old.ratio,
                    None if new is None else new.ratio,
                    None if old is None else old.apca,
                    None if new is None else new.apca,
                )
            )
        impacts.append(TokenChangeImpact(name, kind, scopes, dependents, tuple(rules), tuple(pairs)))
    return TokenImpact(tuple(impacts), tuple(renames), schemes)


# --- internals ---


_VAR_NAME = re.compile(r"(var\(\s*)(--[A-Za-z0-9_\-\\\x80-\U0010ffff]+)")


def _renamed_value(value: str, renamed: dict[str, str]) -> str:
    """``value`` with ``var()`` references to renamed tokens spelled with the new names."""
    if not renamed or "var(" not in value:
        return value
    return _VAR_NAME.sub(lambda m: m.group(1) + renamed.get(m.group(2), m.group(2)), value)


def _renames(
    old_values: dict[str, dict[str, str]],
    new_values: dict[str, dict[str, str]],
    old_uses: VarUses,
    new_uses: VarUses,
    new_css: str,
) -> list[Rename]:
    """Tokens gone from the new sheet matched one-to-one with tokens new to it that have the same values in
    the same scopes, where the new sheet has no ``var()`` left to the old name and as many to the new name
    as the old sheet had to the old one."""
    gone = [n for n in old_values if n not in new_values]
    fresh = [n for n in new_values if n not in old_values]
    by_values: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for name in fresh:
        by_values.setdefault(tuple(sorted(new_values[name].items())), []).append(name)
    renames = []
    for name in gone:
        candidates = by_values.get(tuple(sorted(old_values[name].items())), [])
        matching = [
            c
            for c in candidates
            if new_uses.reference_counts.get(c, 0) == old_uses.reference_counts.get(name, 0)
            and new_uses.reference_counts.get(name, 0) == 0
        ]
        if len(matching) == 1 and name not in new_css:
            renames.append(Rename(name, matching[0], old_uses.reference_counts.get(name, 0)))
            candidates.remove(matching[0])
    return renames


def _affected(
    uses: VarUses, name: str, dependents: set[str], sheet: Literal["old", "new"]
) -> list[AffectedRule]:
    reach = frozenset({name, *dependents})
    affected = []
    for rule in uses.rules:
        properties = rule.properties_using(reach)
        if not properties:
            continue
        referenced = {ref for prop, refs in rule.references if prop in properties for ref in refs}
        via = tuple(sorted(referenced & set(dependents) - {name})) if name not in referenced else ()
        affected.append(AffectedRule(rule.selector, rule.line, tuple(properties), via, sheet))
    return affected


def _pairs(
    index: TokenIndex, schemes: tuple[str | None, ...], renamed: dict[str, str]
) -> dict[tuple[str, str, str | None], ContrastCheck]:
    pairs: dict[tuple[str, str, str | None], ContrastCheck] = {}
    for scheme in schemes:
        for check in contrast_pairs(index, scheme):
            key = (
                renamed.get(check.foreground, check.foreground),
                renamed.get(check.background, check.background),
            )
            pairs[(*key, scheme)] = check
    return pairs


def _scheme_label(scheme: str | None) -> str:
    return scheme or "default"


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}:1"


__all__ = [
    "AffectedRule",
    "PairImpact",
    "Rename",
    "RuleUse",
    "ScopeChange",
    "TokenChangeImpact",
    "TokenImpact",
    "token_impact",
]
