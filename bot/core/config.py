"""Settings: the only place Tandem reads its environment (SPEC §6)."""

from __future__ import annotations

import secrets
from functools import cached_property

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "tandem"}


class Settings(BaseSettings):
    """Read once at start-up and passed down; nothing else touches ``os.environ``."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///./tandem.db", alias="DATABASE_URL")
    secret_key: str = Field("", alias="TANDEM_SECRET_KEY")
    base_url: str = Field("http://127.0.0.1:8000", alias="TANDEM_BASE_URL")
    admins_raw: str = Field("", alias="TANDEM_ADMINS")
    scheduler: str = Field("on", alias="TANDEM_SCHEDULER")
    playground: bool = Field(False, alias="TANDEM_PLAYGROUND")
    delivery_interval_seconds: float = Field(2.0, alias="TANDEM_DELIVERY_INTERVAL")
    nag_interval_seconds: float = Field(300.0, alias="TANDEM_NAG_INTERVAL")
    delivery_claim_timeout_seconds: float = Field(120.0, alias="TANDEM_DELIVERY_CLAIM_TIMEOUT")

    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")

    microsoft_app_id: str | None = Field(None, alias="MICROSOFT_APP_ID")
    microsoft_app_password: str | None = Field(None, alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = Field(None, alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: str | None = Field(None, alias="MICROSOFT_APP_TYPE")
    teams_enabled: bool = Field(False, alias="TEAMS_ENABLED")
    teams_tenants_raw: str = Field("", alias="TANDEM_TEAMS_TENANTS")

    @field_validator("scheduler")
    @classmethod
    def _on_off(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"on", "off"}:
            raise ValueError("TANDEM_SCHEDULER must be 'on' or 'off'")
        return value

    @cached_property
    def admins(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.admins_raw.split(",") if part.strip())

    @cached_property
    def teams_tenants(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.teams_tenants_raw.split(",") if part.strip())

    @property
    def scheduler_on(self) -> bool:
        return self.scheduler == "on"

    @property
    def slack_enabled(self) -> bool:
        has_token = bool(self.slack_bot_token)
        has_oauth = bool(self.slack_client_id and self.slack_client_secret)
        return bool(self.slack_signing_secret) and (has_token or has_oauth)

    @property
    def teams_on(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_enabled

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_secret(self) -> Settings:
        """A copy with a random secret key when none is set (demo and tests only)."""
        if self.secret_key:
            return self
        return self.model_copy(update={"secret_key": secrets.token_urlsafe(32)})

    def require_production_secret(self) -> None:
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 16:
            raise ValueError(
                "TANDEM_SECRET_KEY must be set to a random value of at least 16 characters "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
