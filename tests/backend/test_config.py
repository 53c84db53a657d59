"""Settings: one line per missing or malformed variable; managed-service URLs accepted; secrets hidden."""

from __future__ import annotations

import pytest

from backend.config import SettingsError, load_settings

MANAGED = {
    "DATABASE_URL": "postgresql://doadmin:s3cret@db-pg.b.db.ondigitalocean.com:25060/defaultdb?sslmode=require",
    "REDIS_URL": "rediss://default:r3dis@db-redis.b.db.ondigitalocean.com:25061",
}


def _env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SPACES_ENDPOINT", "CDN_BASE_URL", "MAX_BODY_BYTES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_managed_urls_pass_through(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, {**MANAGED, "CORS_ORIGINS": "https://a.example, https://b.example"})
    settings = load_settings()
    assert settings.database_dsn.endswith("?sslmode=require")
    assert settings.redis_url.get_secret_value().startswith("rediss://")
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert "s3cret" not in repr(settings)
    assert "r3dis" not in str(settings)
    assert settings.storage_configured is False
    assert settings.redis_prefix == ""


def test_every_problem_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, {"REDIS_URL": "http://x", "SPACES_ENDPOINT": "nyc3", "MAX_BODY_BYTES": "lots"})
    with pytest.raises(SettingsError) as caught:
        load_settings()
    problems = caught.value.problems
    assert problems[0] == "DATABASE_URL: missing"
    assert any(p.startswith("REDIS_URL: must be a redis:// or rediss:// URL") for p in problems)
    assert any(p.startswith("SPACES_ENDPOINT: must be an http(s):// URL") for p in problems)
    assert any(p.startswith("MAX_BODY_BYTES:") for p in problems)
    assert len(problems) == 4


def test_malformed_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, {"DATABASE_URL": "mysql://u@h/db"})
    with pytest.raises(SettingsError, match="DATABASE_URL: must be a postgresql://"):
        load_settings()
