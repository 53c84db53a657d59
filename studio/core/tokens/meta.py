"""What CSS cannot hold about imported tokens, kept beside ``theme.css`` in ``tokens.meta.json``.

Keyed by custom property: the token path (``--font-weight-default`` may be ``font.weight-default``), its type,
description, deprecation, ``$extensions`` (verbatim), the colour's ``hex`` fallback, typography's
sub-properties, and — only where CSS had to approximate — the original value with the CSS it was written as.
Export uses an entry only while the property still exists (and the original only while its CSS is
unchanged), so editing the stylesheet by hand never exports stale data. Not published: releases carry
``theme.css`` and ``assets/`` only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.atomic import atomic_write_text

FILE_NAME = "tokens.meta.json"
VERSION = 1


@dataclass
class TokenMeta:
    """The sidecar's content: ``tokens`` maps a custom property name to its entry."""

    prefix: str = ""
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        return (
            json.dumps(
                {"version": VERSION, "prefix": self.prefix, "tokens": self.tokens},
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )

    def path_of(self, name: str) -> tuple[str, ...] | None:
        entry = self.tokens.get(name)
        return tuple(entry["path"]) if entry and isinstance(entry.get("path"), list) else None


def load_meta(theme_root: Path) -> TokenMeta:
    """The theme's token metadata; a missing or unreadable file is an empty one (CSS stays the truth)."""
    try:
        data = json.loads((theme_root / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return TokenMeta()
    if not isinstance(data, dict) or not isinstance(data.get("tokens"), dict):
        return TokenMeta()
    tokens = {k: v for k, v in data["tokens"].items() if isinstance(k, str) and isinstance(v, dict)}
    return TokenMeta(str(data.get("prefix") or ""), tokens)


def save_meta(theme_root: Path, meta: TokenMeta) -> None:
    atomic_write_text(theme_root / FILE_NAME, meta.to_json())
