"""Schema migrations (alembic, raw SQL). `upgrade`/`downgrade` find alembic.ini through the package path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def sqlalchemy_url(dsn: str) -> str:
    """The DSN with the psycopg 3 driver named, as SQLAlchemy wants it (query, e.g. sslmode, kept)."""
    for scheme in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if dsn.startswith(scheme):
            return "postgresql+psycopg://" + dsn[len(scheme) :]
    return dsn


def alembic_config(dsn: str) -> Config:
    """An alembic `Config` for our scripts, bound to ``dsn``; works from any working directory."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    # configparser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(dsn).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(dsn: str, revision: str = "head") -> None:
    """Apply every pending migration up to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(dsn), revision)


def downgrade(dsn: str, revision: str = "base") -> None:
    """Revert migrations down to ``revision``."""
    command.downgrade(alembic_config(dsn), revision)
