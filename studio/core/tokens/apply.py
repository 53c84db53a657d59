"""Import tokens into a theme: map modifiers onto the theme's schemes, plan the changes, rewrite only those.

The theme's schemes are its base scope (``:root``: light, or dark when it says ``color-scheme: dark``) and
its alternate scopes (``[data-theme="dark"]``, ``@media (prefers-color-scheme: dark) :root:not(...)``, also
Bootstrap's ``[data-bs-theme=dark]``). A token's value for the base scheme goes to the base scope; a value for
the other scheme goes to every alternate scope of that scheme, and only where it differs from the base value.
Changed values are rewritten in place (the byte-preserving token rewrite); new ones are inserted after the
scope's last custom property with its indentation; nothing else in the file moves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from studio.core.css.tokens import TokenDefinition, index_tokens
from studio.core.tokens.css import TYPOGRAPHY_PARTS, css_name, emit, same_css
from studio.core.tokens.dtcg import ReadResult
from studio.core.tokens.meta import TokenMeta
from studio.core.tokens.model import Issue, Token
from studio.core.tokens.sources import TokenSource

BASE = "base"
_COLOR_SCHEME = re.compile(r"color-scheme\s*:\s*(?:only\s+)?(light|dark)\b", re.I)
_LEADING_STATEMENTS = re.compile(r"(?:\s|/\*.*?\*/|@(?:charset|import|namespace|layer)\b[^;{]*;)*", re.S)


@dataclass(frozen=True)
class SchemeLayout:
    """Which scheme the base scope renders, and the alternate scopes of the other scheme(s)."""

    base: str
    alternates: dict[str, list[str]]

    def target(self, scheme: str) -> str:
        """``base`` for the base scope's scheme (or ``root``/``base``), else the scheme name."""
        scheme = scheme.lower()
        return BASE if scheme in (BASE, "root", self.base) else scheme

    def label(self, target: str) -> str:
        return f"base ({self.base})" if target == BASE else target


def scheme_layout(text: str, definitions: list[TokenDefinition]) -> SchemeLayout:
    alternates: dict[str, list[str]] = {}
    for d in definitions:
        if d.scheme is not None and not d.conditional and d.scope not in alternates.setdefault(d.scheme, []):
            alternates[d.scheme].append(d.scope)
    if "light" in alternates and "dark" not in alternates:
        base = "dark"
    elif "dark" in alternates:
        base = "light"
    else:
        match = _COLOR_SCHEME.search(text)
        base = match.group(1).lower() if match else "light"
    alternates.pop(base, None)
    return SchemeLayout(base, alternates)


@dataclass(frozen=True)
class Mode:
    """``--mode MODIFIER=CONTEXT[:SCHEME]``: choose a context, for one scheme or (no scheme) for all."""

    modifier: str
    context: str
    scheme: str | None = None

    @classmethod
    def parse(cls, text: str) -> Mode:
        modifier, sep, rest = text.partition("=")
        context, _, scheme = rest.partition(":")
        if not sep or not modifier.strip() or not context.strip():
            raise ValueError(f"--mode {text!r}: expected MODIFIER=CONTEXT or MODIFIER=CONTEXT:SCHEME")
        return cls(modifier.strip(), context.strip(), scheme.strip().lower() or None)


@dataclass(frozen=True)
class Change:
    """One declaration the import adds, changes or removes, in one scheme."""

    scheme: str
    name: str
    kind: Literal["added", "changed", "removed"]
    old: str | None
    new: str | None


@dataclass
class ImportPlan:
    """The preview of an import: changes per scheme, issues, the new text and token metadata."""

    text: str
    new_text: str
    changes: list[Change] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    meta: TokenMeta = field(default_factory=TokenMeta)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    token_count: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for c in self.changes:
            counts = out.setdefault(c.scheme, {"added": 0, "changed": 0, "removed": 0})
            counts[c.kind] += 1
        return out


def resolve_targets(
    source: TokenSource, layout: SchemeLayout, modes: list[Mode]
) -> tuple[dict[str, dict[str, str]], list[Issue]]:
    """The modifier input for each target scheme of the theme (``base`` and alternates)."""
    issues: list[Issue] = []
    fixed = {m.modifier: m.context for m in modes if m.scheme is None}
    mapped: dict[str, dict[str, str]] = {}
    for m in modes:
        if m.scheme is None:
            continue
        if m.scheme not in (BASE, "root", "light", "dark"):
            issues.append(Issue("--mode", f"unknown scheme {m.scheme!r}: use base, light or dark"))
            continue
        mapped.setdefault(layout.target(m.scheme), {})[m.modifier] = m.context
    if not mapped:
        mapped = _auto_map(source, layout, fixed)
    targets = {BASE: {**fixed, **mapped.get(BASE, {})}}
    for target, inputs in mapped.items():
        if target != BASE:
            targets[target] = {**fixed, **inputs}
    return targets, issues


def _auto_map(source: TokenSource, layout: SchemeLayout, fixed: dict[str, str]) -> dict[str, dict[str, str]]:
    """A modifier with light and dark contexts maps onto the theme's schemes without being asked."""
    for modifier in source.modifiers:
        if modifier.name in fixed:
            continue
        by_scheme: dict[str, str] = {}
        for scheme in ("light", "dark"):
            exact = [c for c in modifier.contexts if c.lower() == scheme]
            loose = [c for c in modifier.contexts if scheme in c.lower() and "contrast" not in c.lower()]
            if exact or loose:
                by_scheme[scheme] = (exact or loose)[0]
        if len(by_scheme) == 2:
            return {layout.target(s): {modifier.name: c} for s, c in by_scheme.items()}
    return {}


def plan_import(
    text: str,
    source: TokenSource,
    modes: list[Mode] | None = None,
    prefix: str = "",
    meta: TokenMeta | None = None,
    prune: bool = False,
) -> ImportPlan:
    """Plan importing ``source`` into the stylesheet ``text``; ``new_text`` is the result to apply.

    Args:
        text: the theme's CSS.
        source: the opened token files.
        modes: modifier choices (see :class:`Mode`); a light/dark modifier maps itself when none is given.
        prefix: prepended to every custom property name (``ds`` → ``--ds-color-...``).
        meta: the theme's token metadata (updated copy in the plan).
        prune: also remove properties an earlier import wrote that the tokens no longer have.
    """
    definitions = index_tokens(text).definitions
    layout = scheme_layout(text, definitions)
    targets, issues = resolve_targets(source, layout, modes or [])
    plan = ImportPlan(text, text, issues=issues, inputs=targets)
    results: dict[str, ReadResult] = {t: source.resolve(inputs) for t, inputs in targets.items()}
    seen_issues: set[tuple[str, str]] = set()
    for result in results.values():
        for issue in result.issues:
            if (issue.where, issue.message) not in seen_issues:
                seen_issues.add((issue.where, issue.message))
                plan.issues.append(issue)
    if plan.errors:
        return plan
    new_meta = TokenMeta(prefix, dict((meta or TokenMeta()).tokens))
    desired: dict[str, dict[str, str]] = {}
    for target, result in results.items():
        desired[target] = _declarations(result.tokens, prefix, layout.label(target), plan, new_meta)
    plan.token_count = len(results[BASE].tokens)
    if plan.errors:
        return plan
    imported_before = {n for n, e in (meta or TokenMeta()).tokens.items() if e.get("imported")}
    expanded_before: set[str] = set()
    for name in imported_before:
        parts = (meta or TokenMeta()).tokens[name].get("parts")
        expanded_before.update(parts.values() if isinstance(parts, dict) else [name])
    prune_names = expanded_before - set(desired[BASE]) if prune else set()
    for name in prune_names:
        new_meta.tokens.pop(name, None)
    plan.new_text, plan.changes = _rewrite(text, definitions, layout, desired, prune_names)
    plan.meta = new_meta
    return plan


def _declarations(
    tokens: dict[str, Token], prefix: str, label: str, plan: ImportPlan, meta: TokenMeta
) -> dict[str, str]:
    names = {dotted: css_name(t.path, prefix) for dotted, t in tokens.items()}
    owners: dict[str, str] = {}
    out: dict[str, str] = {}
    for dotted, token in tokens.items():
        name = names[dotted]
        emitted = emit(
            token.type, token.value, name, lambda p: names.get(p, css_name(p.split("."), prefix)), tokens
        )
        clash = next((owners[n] for n, _ in emitted.declarations if n in owners), None)
        if clash is not None or name == "--":
            plan.issues.append(
                Issue(
                    token.where,
                    f"{dotted} and {clash} both become {name}; rename one"
                    if clash
                    else f"{dotted} has no usable CSS name",
                )
            )
            continue
        for prop, css in emitted.declarations:
            owners[prop] = dotted
            out[prop] = css
        entry: dict[str, Any] = {"path": list(token.path), "type": token.type, "imported": True}
        for key, value in (
            ("description", token.description),
            ("deprecated", token.deprecated),
            ("extensions", token.extensions),
        ):
            if value is not None:
                entry[key] = value
        if token.type == "color" and isinstance(token.value, dict) and "hex" in token.value:
            entry["hex"] = token.value["hex"]
        if token.type == "typography":
            entry["parts"] = {key: f"{name}-{suffix}" for key, suffix, _ in TYPOGRAPHY_PARTS}
        previous = meta.tokens.get(name, {})
        lossy = dict(previous.get("lossy", {})) if isinstance(previous.get("lossy"), dict) else {}
        if emitted.lossy:
            lossy[label] = {"css": emitted.declarations[0][1], "value": token.value}
        else:
            lossy.pop(label, None)
        if lossy:
            entry["lossy"] = lossy
        meta.tokens[name] = {**{k: v for k, v in previous.items() if k == "lossy"}, **entry}
        if not lossy:
            meta.tokens[name].pop("lossy", None)
    return out


# --- rewriting ---


def _rewrite(
    text: str,
    definitions: list[TokenDefinition],
    layout: SchemeLayout,
    desired: dict[str, dict[str, str]],
    prune: set[str],
) -> tuple[str, list[Change]]:
    by_target: dict[str, dict[str, list[TokenDefinition]]] = {}
    for d in definitions:
        if d.conditional:
            continue
        target = BASE if d.scheme is None or d.scheme == layout.base else d.scheme
        by_target.setdefault(target, {}).setdefault(d.name, []).append(d)
    edits: list[tuple[int, int, str]] = []
    changes: list[Change] = []
    deleted: set[int] = set()
    base_values = desired.get(BASE, {})
    targets = [BASE, *(t for t in desired if t != BASE)]
    for target in targets:
        label = layout.label(target)
        existing = by_target.get(target, {})
        for name in sorted(prune & set(existing)):
            if name in desired.get(target, {}):
                continue
            for d in existing[name]:
                edits.append(_deletion(text, d))
                deleted.add(d.value_start)
            changes.append(Change(label, name, "removed", existing[name][-1].value, None))
    for target in targets:
        label = layout.label(target)
        existing = by_target.get(target, {})
        additions: list[tuple[str, str]] = []
        for name, css in desired.get(target, {}).items():
            found = existing.get(name)
            if found:
                stale = [d for d in found if not same_css(d.value, css, name)]
                edits.extend((d.value_start, d.value_end, css) for d in stale)
                if stale:
                    changes.append(Change(label, name, "changed", found[-1].value, css))
            elif target == BASE or base_values.get(name) != css:
                additions.append((name, css))
                changes.append(Change(label, name, "added", None, css))
        if additions:
            # A base value must come before every alternate scope: same specificity, so source order decides.
            limit = (
                min(
                    (
                        d.value_start
                        for t, found in by_target.items()
                        if t != BASE
                        for ds in found.values()
                        for d in ds
                    ),
                    default=len(text),
                )
                if target == BASE
                else len(text)
            )
            edits.extend(_insertions(text, target, existing, additions, deleted, limit))
    edits.sort(key=lambda e: (e[0], e[1]), reverse=True)
    out = text
    for start, end, replacement in edits:
        out = out[:start] + replacement + out[end:]
    return out, changes


def _insertions(
    text: str,
    target: str,
    existing: dict[str, list[TokenDefinition]],
    additions: list[tuple[str, str]],
    deleted: set[int],
    limit: int,
) -> list[tuple[int, int, str]]:
    scopes: dict[str, TokenDefinition] = {}  # scope → its last (kept) definition
    counts: dict[str, int] = {}
    for found in existing.values():
        for d in found:
            if d.value_start in deleted or d.value_end > limit:
                continue
            counts[d.scope] = counts.get(d.scope, 0) + 1
            if d.scope not in scopes or d.value_end > scopes[d.scope].value_end:
                scopes[d.scope] = d
    if target == BASE and scopes:  # the main token block: the base scope with the most tokens
        main = max(scopes, key=lambda s: counts[s])
        scopes = {main: scopes[main]}
    if not scopes:
        return [_new_rule(text, target, additions)]
    edits = []
    for anchor in scopes.values():
        indent = _indent(text, anchor)
        end, needs_semicolon = _declaration_end(text, anchor.value_end)
        body = "".join(f"\n{indent}{name}: {css};" for name, css in additions)
        edits.append((end, end, (";" if needs_semicolon else "") + body))
    return edits


def _indent(text: str, d: TokenDefinition) -> str:
    line_start = text.rfind("\n", 0, d.value_start) + 1
    name_at = text.find(d.name, line_start)
    prefix = text[line_start:name_at] if name_at >= 0 else ""
    return prefix if not prefix.strip() else "  "


def _declaration_end(text: str, pos: int) -> tuple[int, bool]:
    """Just past the ``;`` ending the declaration at ``pos``, or ``pos`` itself when a ``}`` comes first."""
    i = pos
    while i < len(text):
        if text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = len(text) if close < 0 else close + 2
            continue
        if text[i] == ";":
            return i + 1, False
        if text[i] == "}":
            return len(text[:i].rstrip()), True
        i += 1
    return len(text.rstrip()), True


def _deletion(text: str, d: TokenDefinition) -> tuple[int, int, str]:
    """The span of a whole declaration line (name to ``;`` and its line break)."""
    line_start = text.rfind("\n", 0, d.value_start) + 1
    start = text.find(d.name, line_start)
    start = line_start if text[line_start:start].strip() == "" else start
    end, _ = _declaration_end(text, d.value_end)
    if text.startswith("\n", end) and start == line_start:
        end += 1
    return start, end, ""


def _new_rule(text: str, target: str, additions: list[tuple[str, str]]) -> tuple[int, int, str]:
    if target == BASE:
        body = "".join(f"  {n}: {v};\n" for n, v in additions)
        at = _LEADING_STATEMENTS.match(text)
        pos = at.end() if at else 0
        lead = "\n" if pos and not text[:pos].endswith("\n") else ""
        return pos, pos, f"{lead}:root {{\n{body}}}\n\n"
    body = "".join(f"  {n}: {v};\n" for n, v in additions)
    nested = "".join(f"    {n}: {v};\n" for n, v in additions)
    block = (
        f'\n[data-theme="{target}"] {{\n{body}}}\n\n'
        f"@media (prefers-color-scheme: {target}) {{\n  :root:not([data-theme]) {{\n{nested}  }}\n}}\n"
    )
    return len(text), len(text), block
