"""Media query checks on an ``@media`` prelude: the query grammar (Media Queries 4) and feature names.

A browser treats a malformed query as ``not all`` and an unknown feature as false, so in both cases the
rules inside silently never apply. Feature names come from the W3C data (the descriptors of ``@media``);
``min-``/``max-`` prefixes of range features and vendor prefixes are accepted.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from studio.core.css.grammar import Grammar, significant

UNKNOWN_MEDIA_FEATURE = "unknown-media-feature"
INVALID_MEDIA_QUERY = "invalid-media-query"

_RANGE_OPERATORS = frozenset({"<", ">", "="})

# (line, column, rule, message)
MediaFinding = tuple[int, int, str, str]


class _Invalid(Exception):  # noqa: N818  # control flow: the query does not parse
    def __init__(self, token: Any, why: str) -> None:
        super().__init__(why)
        self.token = token
        self.why = why


def _word(token: Any, *words: str) -> bool:
    return bool(token.type == "ident" and token.lower_value in words)


def check_media_prelude(prelude: Sequence[Any], at_token: Any, grammar: Grammar) -> list[MediaFinding]:
    """Findings for the query list of one ``@media`` rule (``at_token`` locates an empty-query problem)."""
    findings: list[MediaFinding] = []
    queries: list[list[Any]] = [[]]
    for token in significant(prelude):
        if token.type == "literal" and token.value == ",":
            queries.append([])
        else:
            queries[-1].append(token)
    if len(queries) == 1 and not queries[0]:
        return findings  # `@media { }` applies to all media
    for query in queries:
        try:
            if not query:
                raise _Invalid(at_token, "an empty query in the list (a stray comma)")
            _query(query, grammar, findings)
        except _Invalid as invalid:
            token = invalid.token
            findings.append(
                (
                    token.source_line,
                    token.source_column,
                    INVALID_MEDIA_QUERY,
                    f"Invalid media query: {invalid.why}; browsers read it as 'not all', so the rules "
                    "inside never apply. Write features in parentheses: "
                    "'screen and (max-width: 600px)'.",
                )
            )
    return findings


def _query(tokens: list[Any], grammar: Grammar, findings: list[MediaFinding]) -> None:
    first = tokens[0]
    if (first.type == "ident" and not _word(first, "not")) or (
        _word(first, "not", "only") and len(tokens) > 1 and tokens[1].type == "ident"
    ):
        position = 1 if first.type == "ident" and not _word(first, "not", "only") else 2
        media_type = tokens[position - 1]
        if _word(media_type, "and", "or", "not", "only", "layer"):
            raise _Invalid(media_type, f"'{media_type.value}' is not a media type")
        if position == len(tokens):
            return
        if not _word(tokens[position], "and"):
            raise _Invalid(
                tokens[position], f"expected 'and' after the media type, got '{_show(tokens[position])}'"
            )
        rest = tokens[position + 1 :]
        if not rest:
            raise _Invalid(tokens[position], "'and' is not followed by a condition")
        _condition(rest, grammar, findings, allow_or=False)
        return
    _condition(tokens, grammar, findings, allow_or=True)


def _show(token: Any) -> str:
    return str(token.serialize())[:30]


def _condition(tokens: list[Any], grammar: Grammar, findings: list[MediaFinding], *, allow_or: bool) -> None:
    if _word(tokens[0], "not"):
        if len(tokens) != 2:
            raise _Invalid(tokens[0], "'not' must be followed by exactly one parenthesised condition")
        _in_parens(tokens[1], grammar, findings)
        return
    _in_parens(tokens[0], grammar, findings)
    joiner: str | None = None
    position = 1
    while position < len(tokens):
        word = tokens[position]
        if not _word(word, "and", "or"):
            raise _Invalid(word, f"expected 'and' or 'or', got '{_show(word)}'")
        if word.lower_value == "or" and not allow_or:
            raise _Invalid(word, "'or' cannot follow a media type; wrap the conditions in parentheses")
        if joiner is not None and word.lower_value != joiner:
            raise _Invalid(word, "'and' and 'or' cannot be mixed without parentheses")
        joiner = word.lower_value
        if position + 1 >= len(tokens):
            raise _Invalid(word, f"'{joiner}' is not followed by a condition")
        _in_parens(tokens[position + 1], grammar, findings)
        position += 2


def _in_parens(token: Any, grammar: Grammar, findings: list[MediaFinding]) -> None:
    if token.type == "function":
        return  # <general-enclosed>: valid, and false in browsers that do not know it
    if token.type != "() block":
        raise _Invalid(token, f"'{_show(token)}' must be in parentheses")
    content = significant(token.content)
    if not content:
        raise _Invalid(token, "empty parentheses")
    first = content[0]
    if first.type == "() block" or _word(first, "not"):
        _condition(content, grammar, findings, allow_or=True)
        return
    if first.type == "ident" and (
        len(content) == 1 or (content[1].type == "literal" and content[1].value == ":")
    ):
        if len(content) == 2:
            raise _Invalid(content[1], f"the feature '{first.value}' has no value after ':'")
        _feature_name(first, grammar, findings, plain=len(content) > 1)
        return
    if any(t.type == "literal" and t.value in _RANGE_OPERATORS for t in content):
        names = [t for t in content if t.type == "ident"]
        if not names:
            raise _Invalid(token, "a range needs a feature name, e.g. (400px <= width <= 700px)")
        _feature_name(names[0], grammar, findings, plain=False, is_range=True)
        return
    raise _Invalid(first, f"'{_show(first)}' is not a media feature; write (name: value)")


def _feature_name(
    token: Any, grammar: Grammar, findings: list[MediaFinding], *, plain: bool, is_range: bool = False
) -> None:
    name = token.lower_value
    features = grammar.media_features
    if name.startswith("-") or name in features:
        return
    for prefix in ("min-", "max-"):
        if plain and name.startswith(prefix):
            base = name[len(prefix) :]
            if base.startswith("-") or features.get(base) == "range":
                return
    close = difflib.get_close_matches(
        name,
        sorted(features)
        + [f"{p}{n}" for n, kind in features.items() if kind == "range" for p in ("min-", "max-")],
        n=1,
        cutoff=0.75,
    )
    hint = f" Did you mean '{close[0]}'?" if close else ""
    findings.append(
        (
            token.source_line,
            token.source_column,
            UNKNOWN_MEDIA_FEATURE,
            f"Unknown media feature '{token.value}': browsers evaluate it as false, so the rules "
            f"inside never apply.{hint}",
        )
    )
