"""The token model shared by every reader and writer, and the issues they report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TYPES = frozenset(
    {
        "color",
        "dimension",
        "fontFamily",
        "fontWeight",
        "duration",
        "cubicBezier",
        "number",
        "strokeStyle",
        "border",
        "transition",
        "shadow",
        "gradient",
        "typography",
    }
)
ROOT = "$root"  # a group's root token (2025.10): part of the path, dropped from CSS names


class TokenFileError(Exception):
    """A token file cannot be read at all (not JSON, too large, not an object)."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a token file.

    Attributes:
        where: a JSON pointer into the file (``#/color/brand/$value``), prefixed by the file name when the
            input has several files.
        message: what is wrong, in words a designer can act on.
        severity: ``error`` blocks the token (and the import); ``warning`` only says what was skipped.
    """

    where: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass(slots=True)
class Token:
    """One design token: a DTCG-shaped value whose aliases stay ``"{dotted.path}"`` strings.

    Attributes:
        path: the token's path, e.g. ``("color", "brand", "primary")``; a root token ends in ``$root``.
        type: one of :data:`TYPES`.
        value: the ``$value`` as JSON data (a string alias, or an object/array/number per the type).
        description, deprecated, extensions: the token's metadata, kept verbatim.
        where: JSON pointer of the token in its source, for messages.
    """

    path: tuple[str, ...]
    type: str
    value: Any
    description: str | None = None
    deprecated: bool | str | None = None
    extensions: dict[str, Any] | None = None
    where: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def pointer(parts: tuple[str, ...] | list[str]) -> str:
    """A JSON pointer (RFC 6901) for path segments."""
    if not parts:
        return "#"
    return "#/" + "/".join(
        p.replace("~", "~0").replace("/", "~1") if "~" in p or "/" in p else p for p in parts
    )


def alias_target(value: Any) -> str | None:
    """The dotted path of a whole-value curly-brace alias (``"{a.b}"``), else None."""
    if (
        isinstance(value, str)
        and len(value) > 2
        and value[0] == "{"
        and value[-1] == "}"
        and "{" not in value[1:]
    ):
        return value[1:-1]
    return None


#: What :func:`lookup` returns when the path leads nowhere.
MISSING = object()


def lookup(doc: Any, parts: list[str]) -> Any:
    """The node a path of keys and list indices leads to in ``doc``, else :data:`MISSING`."""
    node = doc
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node
