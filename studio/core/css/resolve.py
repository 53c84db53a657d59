"""Judging values that use ``var()``: substitute the custom properties the sheet defines, then match.

A browser substitutes ``var()`` at computed-value time, and a value that then does not fit its property makes
the declaration "invalid at computed-value time" (the property falls back to ``unset``). We can only know the
substituted value when the custom property has one value wherever it is defined (the same value in ``:root``
and a dark scheme is fine; two different values depend on where the element sits, so such a value is not
judged).

Substitution works on tinycss2 tokens (no text round trip): the definitions' token lists are spliced in, and
the grammar's own cache of fitting values makes repeated results free. Which custom properties each answer
consulted is recorded, so after an edit only the answers that depend on a changed definition are redone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tinycss2.ast import CurlyBracketsBlock, FunctionBlock, ParenthesesBlock, SquareBracketsBlock

from studio.core.css.grammar import UNRESOLVED, Grammar, Mismatch, significant
from studio.core.css.properties import GLOBAL_KEYWORDS
from studio.core.css.values import flat_serialize

# A custom property's declarations in one run: name -> the value token lists it is given (the very lists of
# the cached chunk facts, so an unchanged chunk gives the same objects run after run).
Definitions = Mapping[str, tuple[Sequence[Any], ...]]

_MAX_DEPTH = 16  # var() chains and nesting deeper than this are not followed
_BLOCKS = {"() block": ParenthesesBlock, "[] block": SquareBracketsBlock, "{} block": CurlyBracketsBlock}


def _var_parts(token: Any) -> tuple[str | None, list[Any] | None]:
    """(name, fallback tokens or None) of a var() function token; name None when it is malformed."""
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


def _has_var(tokens: Sequence[Any]) -> bool:
    stack = [tokens]
    while stack:
        for token in stack.pop():
            kind = token.type
            if kind == "function":
                if token.lower_name == "var":
                    return True
                stack.append(token.arguments)
            elif kind in _BLOCKS:
                stack.append(token.content)
    return False


def _text(tokens: Sequence[Any]) -> str:
    return " ".join(flat_serialize(tokens).split())


def _same_values(a: tuple[Sequence[Any], ...] | None, b: tuple[Sequence[Any], ...] | None) -> bool:
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(x is y or _text(x) == _text(y) for x, y in zip(a, b, strict=True))


class VarResolver:
    """Resolves ``var()`` against one run's definitions. Not thread-safe: one per linting engine."""

    def __init__(self, grammar: Grammar) -> None:
        self._grammar = grammar
        self._definitions: Definitions = {}
        self._identity: dict[str, tuple[int, ...]] = {}
        self._resolved: dict[str, list[Any] | None] = {}  # name -> its fully substituted value
        self.consulted: set[str] = set()  # every custom property name looked up (callers reset it)

    def begin(self, definitions: Definitions) -> set[str]:
        """Start a run with the sheet's custom property definitions; returns the names whose values differ
        from the last run's (answers that consulted them must be redone)."""
        identity = {name: tuple(map(id, lists)) for name, lists in definitions.items()}
        old = self._definitions
        self._definitions = definitions
        if identity == self._identity:
            return set()
        suspects = {name for name in identity.keys() | self._identity.keys()
                    if identity.get(name) != self._identity.get(name)}
        self._identity = identity
        changed = {name for name in suspects if not _same_values(old.get(name), definitions.get(name))}
        if changed:
            self._resolved = {}
        return changed

    def check(self, prop: str, value: Sequence[Any]) -> tuple[Mismatch, str] | None:
        """Where ``value`` (tokens) of ``prop`` stops fitting once substituted, with the substituted text;
        None when it fits or cannot be resolved."""
        tokens = self._substitute(value, 0, set())
        if tokens is None:
            return None
        verdict = self._grammar.check(prop, tokens)
        if verdict is None or verdict is UNRESOLVED:
            return None
        return verdict, flat_serialize(tokens)

    def _definition(self, name: str, depth: int, visiting: set[str]) -> list[Any] | None:
        """The fully substituted value of a custom property with one value, else None."""
        self.consulted.add(name)
        if name in self._resolved:
            return self._resolved[name]
        lists = self._definitions.get(name) or ()
        result: list[Any] | None = None
        one_value = bool(lists) and all(x is lists[0] or _text(x) == _text(lists[0]) for x in lists)
        if one_value and name not in visiting:
            value = significant(lists[0])
            if value and not (len(value) == 1 and value[0].type == "ident"
                              and value[0].lower_value in GLOBAL_KEYWORDS):
                visiting.add(name)
                result = self._substitute(lists[0], depth + 1, visiting)
                visiting.discard(name)
        if not visiting:  # an answer inside a chain may be cut short by a cycle: remember only top-level ones
            self._resolved[name] = result
        return result

    def _substitute(self, tokens: Sequence[Any], depth: int, visiting: set[str]) -> list[Any] | None:
        if depth > _MAX_DEPTH:
            return None
        out: list[Any] = []
        for token in tokens:
            kind = token.type
            if kind == "function" and token.lower_name == "var":
                name, fallback = _var_parts(token)
                if name is None:
                    return None
                value = self._definition(name, depth, visiting)
                if value is None and name not in self._definitions and fallback is not None:
                    value = self._substitute(fallback, depth + 1, visiting)
                if value is None:
                    return None
                out.extend(value)
            elif kind == "function" and _has_var(token.arguments):
                arguments = self._substitute(token.arguments, depth + 1, visiting)
                if arguments is None:
                    return None
                out.append(FunctionBlock(token.source_line, token.source_column, token.name, arguments))
            elif kind in _BLOCKS and _has_var(token.content):
                content = self._substitute(token.content, depth + 1, visiting)
                if content is None:
                    return None
                out.append(_BLOCKS[kind](token.source_line, token.source_column, content))
            else:
                out.append(token)
        return out
