"""Judging values that use ``var()``: substitute the custom properties the sheet defines, then match.

A browser substitutes ``var()`` at computed-value time, and a value that then does not fit its property makes
the declaration "invalid at computed-value time" (the property falls back to ``unset``). We can only know the
substituted value when the custom property has one value wherever it is defined (the same value in ``:root``
and a dark scheme is fine; two different values depend on where the element sits, so such a value is not
judged). Resolutions and verdicts are cached across runs, so re-linting after a keystroke stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import tinycss2

from studio.core.css.grammar import UNRESOLVED, Grammar, Mismatch
from studio.core.css.properties import GLOBAL_KEYWORDS
from studio.core.css.values import flat_serialize

# A custom property's declarations in this run: name -> the value token lists it is given. Values are
# serialised only when a var() needs them, so a sheet whose variables are never judged pays nothing.
Definitions = Mapping[str, tuple[Sequence[Any], ...]]

_MAX_DEPTH = 16  # var() chains and nesting deeper than this are not followed
_MAX_CACHE = 50_000
_VAR_NAME = re.compile(r"var\(\s*(--[^\s,)]*)", re.IGNORECASE)


def _var_parts(token: Any) -> tuple[str | None, list[Any] | None]:
    """(name, fallback tokens or None) of a var() function token."""
    args = token.arguments
    name = None
    for index, arg in enumerate(args):
        if arg.type in ("whitespace", "comment"):
            continue
        if name is None:
            if arg.type != "ident" or not arg.value.startswith("--"):
                return None, None
            name = arg.value
            continue
        if arg.type == "literal" and arg.value == ",":
            return name, list(args[index + 1 :])
        return None, None
    return name, None


class VarResolver:
    """Resolves ``var()`` against one run's definitions, caching across runs. Not thread-safe."""

    def __init__(self, grammar: Grammar) -> None:
        self._grammar = grammar
        self._definitions: Definitions = {}
        self._identity: dict[str, tuple[int, ...]] = {}
        self._values: dict[str, frozenset[str]] = {}
        self._resolved_definitions: dict[str, str | None] = {}
        self._substituted: dict[str, tuple[str | None, frozenset[str]]] = {}
        self._verdicts: dict[tuple[str, str], Mismatch | None] = {}
        self.consulted: set[str] = set()  # every custom property name looked up (callers may clear it)

    def begin(self, definitions: Definitions) -> set[str]:
        """Start a run with the sheet's custom property definitions (name -> every value token list it is
        given, the very lists of the cached chunk facts); returns the names whose values changed since the
        last run among those any answer depended on.

        Token lists are compared by identity first (an unchanged chunk keeps its facts, so its lists stay the
        same objects, and ``definitions`` keeps them alive), then by value for those that were looked up.
        """
        if len(self._verdicts) > _MAX_CACHE:
            self._verdicts.clear()
        identity = {name: tuple(map(id, lists)) for name, lists in definitions.items()}
        self._definitions = definitions
        if identity == self._identity:
            return set()
        suspects = {name for name in identity.keys() | self._identity.keys()
                    if identity.get(name) != self._identity.get(name)}
        self._identity = identity
        before = {name: self._values.pop(name) for name in suspects if name in self._values}
        changed = {name for name, values in before.items() if self._lookup(name) != values}
        if changed:
            self._resolved_definitions = {}
            self._substituted = {}
        return changed

    def check(self, prop: str, value: Sequence[Any]) -> tuple[Mismatch, str] | None:
        """Where ``value`` (tokens) of ``prop`` stops fitting once substituted, with the substituted text;
        None when it fits or cannot be resolved."""
        resolved = self._substitute(flat_serialize(value), 0, set())
        if resolved is None:
            return None
        key = (prop, resolved)
        if key in self._verdicts:
            verdict = self._verdicts[key]
        else:
            verdict = self._grammar.check(prop, tinycss2.parse_component_value_list(resolved))
            if verdict is UNRESOLVED:
                verdict = None
            self._verdicts[key] = verdict
        return None if verdict is None else (verdict, resolved)

    def definition_values(self, name: str) -> frozenset[str] | None:
        """The values the current run gives ``name``, whitespace-normalised (None when it is not defined)."""
        return self._lookup(name) or None

    def _lookup(self, name: str) -> frozenset[str]:
        values = self._values.get(name)
        if values is None:
            lists = self._definitions.get(name, ())
            values = frozenset(" ".join(flat_serialize(tokens).split()) for tokens in lists)
            self._values[name] = values  # remembered even when empty: a later definition is a change
        return values

    def _definition(self, name: str, depth: int, visiting: set[str]) -> str | None:
        self.consulted.add(name)
        if name in self._resolved_definitions:
            return self._resolved_definitions[name]
        values = self.definition_values(name)
        result: str | None = None
        if values is not None and len(values) == 1 and name not in visiting:
            (value,) = values
            value = value.strip()
            if value and value.lower() not in GLOBAL_KEYWORDS:
                visiting.add(name)
                result = self._substitute(value, depth + 1, visiting)
                visiting.discard(name)
        if not visiting:  # only a top-level answer is independent of the chain that asked
            self._resolved_definitions[name] = result
        return result

    def _substitute(self, text: str, depth: int, visiting: set[str]) -> str | None:
        if "var(" not in text.lower():
            return text
        if depth == 0 and text in self._substituted:
            result, consulted = self._substituted[text]
            self.consulted.update(consulted)
            return result
        names = _VAR_NAME.findall(text)
        self.consulted.update(names)
        if depth > _MAX_DEPTH or any(len(self.definition_values(name) or ()) > 1 for name in names):
            result = None  # a custom property with several values: the value depends on where it is used
        else:
            result = self._serialize(tinycss2.parse_component_value_list(text), depth, visiting)
        if depth == 0:
            self._substituted[text] = (result, frozenset(self.consulted))
        return result

    def _serialize(self, tokens: list[Any], depth: int, visiting: set[str]) -> str | None:
        parts: list[str] = []
        for token in tokens:
            kind = token.type
            if kind == "function" and token.lower_name == "var":
                name, fallback = _var_parts(token)
                if name is None:
                    return None
                value = self._definition(name, depth, visiting)
                if value is None and name not in self._definitions and fallback is not None:
                    value = self._serialize(fallback, depth + 1, visiting)
                if value is None:
                    return None
                parts.append(value)
            elif kind == "function":
                if depth > _MAX_DEPTH:
                    return None
                inner = self._serialize(token.arguments, depth + 1, visiting)
                if inner is None:
                    return None
                parts.append(f"{token.name}({inner})")
            elif kind in ("() block", "[] block", "{} block"):
                if depth > _MAX_DEPTH:
                    return None
                inner = self._serialize(token.content, depth + 1, visiting)
                if inner is None:
                    return None
                opener = kind[0]
                parts.append(opener + inner + {"(": ")", "[": "]", "{": "}"}[opener])
            else:
                parts.append(token.serialize())
        return "".join(parts)
