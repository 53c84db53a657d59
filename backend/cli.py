"""``themesystem-api``: serve, migrate, manage users and tokens (being built)."""

from __future__ import annotations


def main() -> int:
    raise SystemExit("themesystem-api: not built yet")
