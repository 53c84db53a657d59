"""Where a stylesheet uses each custom property: every rule's ``var()`` references, and which custom
properties reference which, so that a changed token can be followed through any chain of variables.

The token index only looks at token scopes (``:root``, scheme selectors); here every rule counts, including
component rules that define their own variables (Bootstrap's ``.btn { --bs-btn-bg: var(--bs-primary) }``),
rules inside ``@media``/``@supports``/``@layer`` and nested rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import tinycss2

from studio.core.css.source import normalize_newlines, split_chunks

Node = Any  # tinycss2 AST node (the package ships no type hints)

# At-rules whose block holds rules (anything else, e.g. @font-face or @property, holds declarations).
_GROUPING_AT_RULES = frozenset(
    {"media", "supports", "layer", "container", "scope", "document", "starting-style"}
)


@dataclass(frozen=True, slots=True)
class RuleUse:
    """One style rule that references custom properties.

    Attributes:
        selector: the rule's selector with its enclosing at-rules and parents, e.g.
            ``@media (min-width: 576px) .container``.
        line: 1-based line of the rule's prelude.
        references: property name -> the custom properties its value names in ``var()`` (in order).
    """

    selector: str
    line: int
    references: tuple[tuple[str, tuple[str, ...]], ...]

    def properties_using(self, names: frozenset[str] | set[str]) -> list[str]:
        """The rule's properties whose value references any of ``names``."""
        return [prop for prop, refs in self.references if any(r in names for r in refs)]


@dataclass
class VarUses:
    """Every rule's ``var()`` references and the custom-property dependency graph of one stylesheet."""

    rules: list[RuleUse] = field(default_factory=list)
    # custom property -> custom properties its value (in any rule) references
    depends_on: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # custom property -> how many var() references to it the sheet holds
    reference_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # custom property -> rule selector -> value as written (a selector's last value counts), in source order
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)

    def dependents(self, names: Iterable[str]) -> set[str]:
        """Custom properties whose value depends on any of ``names`` through any chain of ``var()``,
        excluding ``names`` themselves unless a chain leads back to them."""
        referenced_by: dict[str, set[str]] = defaultdict(set)
        for name, refs in self.depends_on.items():
            for ref in refs:
                referenced_by[ref].add(name)
        found: set[str] = set()
        pending = list(names)
        while pending:
            for user in referenced_by.get(pending.pop(), ()):
                if user not in found:
                    found.add(user)
                    pending.append(user)
        return found

    def rules_using(self, names: set[str] | frozenset[str]) -> list[RuleUse]:
        """Rules with a declaration that references any of ``names`` directly."""
        return [rule for rule in self.rules if rule.properties_using(names)]


ChunkCache = dict[str, VarUses]


def var_uses(text: str, chunk_cache: ChunkCache | None = None) -> VarUses:
    """Collect the ``var()`` references of every rule in ``text`` (broken CSS is read as browsers recover).

    Args:
        text: the stylesheet.
        chunk_cache: top-level chunk text -> its uses, shared between the two sides of one comparison so that
            the rules an edit did not touch are parsed once (lines in cached entries are chunk-relative).
    """
    text = normalize_newlines(text)
    uses = VarUses()
    line = 1
    position = 0
    for chunk in split_chunks(text):
        line += text.count("\n", position, chunk.start)
        position = chunk.start
        piece = text[chunk.start : chunk.end]
        part = None if chunk_cache is None else chunk_cache.get(piece)
        if part is None:
            part = VarUses()
            rules = tinycss2.parse_stylesheet(piece, skip_comments=True, skip_whitespace=True)
            _walk_rules(rules, (), part)
            if chunk_cache is not None:
                chunk_cache[piece] = part
        uses.rules.extend(RuleUse(r.selector, r.line + line - 1, r.references) for r in part.rules)
        for name, refs in part.depends_on.items():
            uses.depends_on[name].update(refs)
        for name, count in part.reference_counts.items():
            uses.reference_counts[name] += count
        for name, values in part.definitions.items():
            uses.definitions.setdefault(name, {}).update(values)
    return uses


def _walk_rules(nodes: Iterable[Node], context: tuple[str, ...], uses: VarUses) -> None:
    for node in nodes:
        if node.type == "qualified-rule":
            selector = _squash(tinycss2.serialize(node.prelude))
            _walk_block(node.content, (*context, selector), node.source_line, uses)
        elif node.type == "at-rule" and node.content is not None:
            label = _squash(f"@{node.at_keyword} {tinycss2.serialize(node.prelude)}")
            if node.lower_at_keyword in _GROUPING_AT_RULES:
                _walk_block(node.content, (*context, label), node.source_line, uses, rules_only=True)
            else:
                _walk_block(node.content, (*context, label), node.source_line, uses)


def _walk_block(
    content: list[Node], context: tuple[str, ...], line: int, uses: VarUses, rules_only: bool = False
) -> None:
    items = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
    references: list[tuple[str, tuple[str, ...]]] = []
    nested: list[Node] = []
    for item in items:
        if item.type == "declaration" and not rules_only:
            if item.name.startswith("--"):
                value = tinycss2.serialize(item.value).strip()
                uses.definitions.setdefault(item.name, {})[" ".join(context)] = value
            refs = tuple(_var_names(item.value))
            if not refs:
                continue
            references.append((item.name if item.name.startswith("--") else item.lower_name, refs))
            for ref in refs:
                uses.reference_counts[ref] += 1
            if item.name.startswith("--"):
                uses.depends_on[item.name].update(refs)
        elif item.type in ("qualified-rule", "at-rule"):
            nested.append(item)
    if references:
        uses.rules.append(RuleUse(" ".join(context), line, tuple(references)))
    _walk_rules(nested, context, uses)


def _var_names(nodes: Iterable[Node]) -> Iterator[str]:
    """The custom properties named by ``var()`` in ``nodes``, fallbacks and nested functions included."""
    for node in nodes:
        if node.type == "function":
            if node.lower_name == "var":
                first = next((n for n in node.arguments if n.type not in ("whitespace", "comment")), None)
                if first is not None and first.type == "ident" and first.value.startswith("--"):
                    yield first.value
            yield from _var_names(node.arguments)
        elif node.type in ("() block", "[] block", "{} block"):
            yield from _var_names(node.content)


def _squash(text: str) -> str:
    return " ".join(text.split())
