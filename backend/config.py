"""Service settings from the environment, validated once at start.

Every value the service needs comes from an environment variable (12-factor, as App Platform injects them).
`load_settings` turns pydantic's validation errors into one readable line per bad variable, so an operator
sees ``DATABASE_URL: missing`` rather than a traceback.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from backend.signing import raw_key

_PG_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg"}
_REDIS_SCHEMES = {"redis", "rediss", "unix"}


class SettingsError(Exception):
    """The environment does not describe a runnable service; ``problems`` has one line per variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    """All configuration of the ThemeSystem API. Secrets are `SecretStr` so they never reach a log line."""

    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=False, extra="ignore", populate_by_name=True
    )

    database_url: SecretStr = Field(validation_alias=AliasChoices("DATABASE_URL"))
    redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"), validation_alias=AliasChoices("REDIS_URL")
    )
    spaces_endpoint: str | None = Field(default=None, validation_alias=AliasChoices("SPACES_ENDPOINT"))
    spaces_region: str | None = Field(default=None, validation_alias=AliasChoices("SPACES_REGION"))
    spaces_bucket: str | None = Field(default=None, validation_alias=AliasChoices("SPACES_BUCKET"))
    spaces_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SPACES_KEY"))
    spaces_secret: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SPACES_SECRET"))
    cdn_base_url: str | None = Field(default=None, validation_alias=AliasChoices("CDN_BASE_URL"))

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("CORS_ORIGINS")
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, validation_alias=AliasChoices("MAX_BODY_BYTES"))
    # Short on purpose: invalidation is write-through with a retried outbox, the TTL is only the last bound.
    theme_cache_ttl: int = Field(default=60, ge=0, validation_alias=AliasChoices("THEME_CACHE_TTL"))
    cache_outbox_interval_s: float = Field(
        default=1.0, gt=0, le=60, validation_alias=AliasChoices("CACHE_OUTBOX_INTERVAL_S")
    )
    redis_prefix: str = Field(default="", validation_alias=AliasChoices("REDIS_PREFIX"))
    asset_max_bytes: int = Field(
        default=10 * 1_048_576, ge=1, validation_alias=AliasChoices("ASSET_MAX_BYTES")
    )
    grant_expires_s: int = Field(
        default=900, ge=30, le=3600, validation_alias=AliasChoices("GRANT_EXPIRES_S")
    )
    max_event_batch: int = Field(default=100, ge=1, le=1000, validation_alias=AliasChoices("MAX_EVENT_BATCH"))
    # Analytics events each token / each client address may send per window (Redis counters, shared).
    analytics_token_limit: int = Field(
        default=600, ge=1, validation_alias=AliasChoices("ANALYTICS_TOKEN_LIMIT")
    )
    analytics_address_limit: int = Field(
        default=2000, ge=1, validation_alias=AliasChoices("ANALYTICS_ADDRESS_LIMIT")
    )
    # The consumer loader's anonymous beacon (POST /v1/analytics/beacon): events per client address per
    # analytics window, events per request, and the body size read (sendBeacon bodies are small).
    beacon_address_limit: int = Field(
        default=120, ge=1, validation_alias=AliasChoices("BEACON_ADDRESS_LIMIT")
    )
    beacon_max_events: int = Field(
        default=20, ge=1, le=100, validation_alias=AliasChoices("BEACON_MAX_EVENTS")
    )
    beacon_max_bytes: int = Field(
        default=8192, ge=256, le=65536, validation_alias=AliasChoices("BEACON_MAX_BYTES")
    )
    analytics_window_s: int = Field(default=60, ge=1, validation_alias=AliasChoices("ANALYTICS_WINDOW_S"))
    db_pool_min: int = Field(default=1, ge=0, validation_alias=AliasChoices("DB_POOL_MIN"))
    db_pool_max: int = Field(default=10, ge=1, validation_alias=AliasChoices("DB_POOL_MAX"))
    db_timeout_s: float = Field(default=5.0, gt=0, validation_alias=AliasChoices("DB_TIMEOUT_S"))
    redis_timeout_s: float = Field(default=0.5, gt=0, validation_alias=AliasChoices("REDIS_TIMEOUT_S"))
    auth_fail_limit: int = Field(default=20, ge=1, validation_alias=AliasChoices("AUTH_FAIL_LIMIT"))
    auth_fail_window_s: int = Field(default=60, ge=1, validation_alias=AliasChoices("AUTH_FAIL_WINDOW_S"))
    # Peers trusted to report the client address (comma-separated IPs/CIDRs, or "*"); none by default, so a
    # client cannot pick its own address. CLIENT_IP_HEADER names the header such a peer sets: App Platform
    # puts the client in do-connecting-ip (its X-Forwarded-For holds the ingress address).
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("FORWARDED_ALLOW_IPS")
    )
    client_ip_header: str = Field(
        default="x-forwarded-for",
        pattern=r"^[A-Za-z0-9-]{1,64}$",
        validation_alias=AliasChoices("CLIENT_IP_HEADER"),
    )
    release_max_bytes: int = Field(
        default=25 * 1_048_576, ge=1024, validation_alias=AliasChoices("RELEASE_MAX_BYTES")
    )
    release_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("RELEASE_ALLOWED_ORIGINS")
    )
    signing_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SIGNING_KEY"))
    signing_retired_public_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("SIGNING_RETIRED_PUBLIC_KEYS")
    )
    bench_ceiling: bool = Field(default=False, validation_alias=AliasChoices("THEMESYSTEM_BENCH_CEILING"))
    # The served app freezes its start-up objects out of the collector's full passes (backend.api.app).
    gc_freeze: bool = Field(default=True, validation_alias=AliasChoices("GC_FREEZE"))

    @field_validator(
        "cors_origins",
        "forwarded_allow_ips",
        "release_allowed_origins",
        "signing_retired_public_keys",
        mode="before",
    )
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _check_trusted(cls, value: list[str]) -> list[str]:
        for item in value:
            if item != "*":
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(f"{item[:60]!r} is not an IP address or network (or *)") from None
        return value

    @field_validator("client_ip_header")
    @classmethod
    def _lower_header(cls, value: str) -> str:
        return value.lower()

    @field_validator("signing_key")
    @classmethod
    def _check_signing_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        raw_key(value.get_secret_value())  # the message never holds the value
        return value

    @field_validator("signing_retired_public_keys")
    @classmethod
    def _check_retired_keys(cls, value: list[str]) -> list[str]:
        for item in value:
            raw_key(item)
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in _PG_SCHEMES:
            raise ValueError(
                "must be a postgresql:// URL (e.g. postgresql://user:pass@host:5432/db?sslmode=require)"
            )
        if not parts.hostname and "host=" not in parts.query:
            raise ValueError("has no host")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in _REDIS_SCHEMES:
            raise ValueError("must be a redis:// or rediss:// URL")
        return value

    @field_validator("spaces_endpoint", "cdn_base_url")
    @classmethod
    def _check_http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http(s):// URL")
        return value.rstrip("/")

    @property
    def database_dsn(self) -> str:
        """The libpq DSN (psycopg accepts postgres:// and postgresql://; the SQLAlchemy suffix is dropped)."""
        dsn = self.database_url.get_secret_value()
        return dsn.replace("postgresql+psycopg://", "postgresql://", 1)

    @property
    def storage_configured(self) -> bool:
        """True when every SPACES_* value is present (grants answer 503 otherwise)."""
        return all(
            (
                self.spaces_endpoint,
                self.spaces_region,
                self.spaces_bucket,
                self.spaces_key,
                self.spaces_secret,
            )
        )


def _describe(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        field = str(item["loc"][0]) if item["loc"] else "settings"
        name = field.upper()
        reason = "missing" if item["type"] == "missing" else str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}: {reason}")
    return problems


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; raise `SettingsError` listing every missing or malformed value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
