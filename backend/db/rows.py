"""Turning rows into JSON-ready dicts (UUIDs and timestamps as strings)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID


def plain(value: Any) -> Any:
    """A JSON-serialisable form of one column value."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def plain_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: plain(value) for key, value in row.items()}


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the bytes we both cache and send."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
