"""Judging values that use ``var()``: substitute the custom properties the sheet defines, then match.

A browser substitutes ``var()`` at computed-value time, and a value that then does not fit its property makes
the declaration "invalid at computed-value time" (the property falls back to ``unset``). We can only know the
substituted value when the custom property has one value wherever it is defined (the same value in ``:root``
and a dark scheme is fine; two different values depend on where the element sits, so such a value is not
judged). Resolutions and verdicts are cached across runs, so re-linting after a keystroke stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import tinycss2

from studio.core.css.grammar import UNRESOLVED, Grammar, Mismatch
from studio.core.css.properties import GLOBAL_KEYWORDS

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
        self._definitions: Mapping[str, frozenset[str]] = {}
        self._resolved_definitions: dict[str, str | None] = {}
        self._substituted: dict[str, tuple[str | None, frozenset[str]]] = {}
        self._verdicts: dict[tuple[str, str], Mismatch | None] = {}
        self.consulted: set[str] = set()  # every custom property name looked up (callers may clear it)

    def begin(self, definitions: Mapping[str, frozenset[str]]) -> bool:
        """Start a run with the sheet's custom property definitions (name -> every value it is given);
        returns True when they differ from the last run's (earlier answers may no longer hold)."""
        if len(self._verdicts) > _MAX_CACHE:
            self._verdicts.clear()
        if definitions == self._definitions:
            return False
        self._definitions = definitions
        self._resolved_definitions = {}
        self._substituted = {}
        return True

    def check(self, prop: str, value_text: str) -> tuple[Mismatch, str] | None:
        """Where ``value_text`` of ``prop`` stops fitting once substituted, with the substituted text; None
        when it fits or cannot be resolved."""
        resolved = self._substitute(value_text, 0, set())
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
        """The values the current run gives ``name`` (None when it is not defined)."""
        return self._definitions.get(name)

    def _definition(self, name: str, depth: int, visiting: set[str]) -> str | None:
        self.consulted.add(name)
        if name in self._resolved_definitions:
            return self._resolved_definitions[name]
        values = self._definitions.get(name)
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
        definitions = self._definitions
        names = _VAR_NAME.findall(text)
        self.consulted.update(names)
        if depth > _MAX_DEPTH or any(len(definitions.get(name, ())) > 1 for name in names):
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
