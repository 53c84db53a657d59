"""Selector checks on a rule's prelude: unknown pseudo-classes/elements, and ``:root`` where it cannot match.

Names come from the W3C data (``@webref/css``); vendor-prefixed pseudo-classes and pseudo-elements are a
browser's own and always allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from studio.core.css.grammar import Grammar

UNKNOWN_PSEUDO_CLASS = "unknown-pseudo-class"
UNKNOWN_PSEUDO_ELEMENT = "unknown-pseudo-element"
NEVER_MATCHES = "selector-never-matches"

# Pseudo-classes whose arguments are selectors (checked too).
_SELECTOR_ARGUMENTS = frozenset(
    {
        "is",
        "not",
        "where",
        "has",
        "matches",
        "host",
        "host-context",
        "slotted",
        "nth-child",
        "nth-last-child",
    }
)
_COMBINATORS = frozenset({">", "+", "~"})

# (line, column, rule, message)
SelectorFinding = tuple[int, int, str, str]


def _is_colon(token: Any) -> bool:
    return bool(token.type == "literal" and token.value == ":")


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return f" Did you mean '{close[0]}'?" if close else ""


def check_selector(prelude: Sequence[Any], grammar: Grammar) -> list[SelectorFinding]:
    """Findings for one style rule's selector list."""
    findings: list[SelectorFinding] = []
    _check_pseudos(prelude, grammar, findings)
    _check_root(prelude, findings)
    return findings


def _check_pseudos(prelude: Sequence[Any], grammar: Grammar, findings: list[SelectorFinding]) -> None:
    known = grammar.selectors
    stack: list[Sequence[Any]] = [prelude]
    while stack:
        tokens = stack.pop()
        count = len(tokens)
        index = 0
        while index < count:
            token = tokens[index]
            if not _is_colon(token) or index + 1 >= count:
                index += 1
                continue
            element = _is_colon(tokens[index + 1])
            at = index + 2 if element else index + 1
            if at >= count:
                break
            name_token = tokens[at]
            index = at + 1
            if name_token.type == "ident":
                name, suffix = name_token.lower_value, ""
            elif name_token.type == "function":
                name, suffix = name_token.lower_name, "()"
                if name in _SELECTOR_ARGUMENTS:
                    stack.append(name_token.arguments)
            else:
                continue
            if name.startswith("-"):
                continue  # vendor-prefixed: a browser's own
            prefix = "::" if element else ":"
            if prefix + name + suffix in known:
                continue
            shown = f"{prefix}{name}{'(' if suffix else ''}"
            if element:
                candidates = sorted(s for s in known if s.startswith("::"))
                findings.append(
                    (
                        token.source_line,
                        token.source_column,
                        UNKNOWN_PSEUDO_ELEMENT,
                        f"Unknown pseudo-element '{shown}': the browser drops the whole rule."
                        f"{_suggest(prefix + name + suffix, candidates)}",
                    )
                )
            else:
                candidates = sorted(s for s in known if s.startswith(":") and not s.startswith("::"))
                findings.append(
                    (
                        token.source_line,
                        token.source_column,
                        UNKNOWN_PSEUDO_CLASS,
                        f"Unknown pseudo-class '{shown}': the browser drops the whole rule."
                        f"{_suggest(prefix + name + suffix, candidates)}",
                    )
                )


def _check_root(prelude: Sequence[Any], findings: list[SelectorFinding]) -> None:
    """``x :root`` and ``> :root``: the root element has no parent, so nothing can come before it."""
    start = 0  # start of the current complex selector
    for index, token in enumerate(prelude):
        kind = token.type
        if kind == "literal" and token.value == ",":
            start = index + 1
            continue
        if not (
            kind == "ident" and token.lower_value == "root" and index > 0 and _is_colon(prelude[index - 1])
        ):
            continue
        if index > 1 and _is_colon(prelude[index - 2]):
            continue  # `::root` is some pseudo-element, not :root
        position = index - 1  # walk back over the compound selector :root belongs to
        while position > start:
            before = prelude[position - 1]
            if before.type in ("whitespace", "comment") or (
                before.type == "literal" and before.value in _COMBINATORS
            ):
                break
            position -= 1
        earlier = [t for t in prelude[start:position] if t.type not in ("whitespace", "comment")]
        if earlier:
            colon = prelude[index - 1]
            findings.append(
                (
                    colon.source_line,
                    colon.source_column,
                    NEVER_MATCHES,
                    "':root' is the document's root element and has no parent or sibling, so this "
                    "selector never matches; remove what comes before :root.",
                )
            )
