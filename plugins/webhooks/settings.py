"""Settings of the webhooks plugin: per community (retries, timeouts) and per deployment.

Per community: ``yizhan plugins config webhooks -c SLUG max_attempts=5``.

Per deployment (environment), because a community admin must not be able to point the server
at its own private network: ``YIZHAN_WEBHOOKS_ALLOW_PRIVATE_URLS=1`` lets subscriptions reach
loopback and private addresses (``127.0.0.1``, ``10.0.0.0/8`` …) — for development and tests,
or an intranet deployment.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebhooksSettings(BaseModel):
    """How a community's deliveries are sent and retried."""

    #: Attempts per delivery before giving up (the first try included).
    max_attempts: int = Field(default=10, ge=1, le=25)
    #: Wait before the second attempt, in seconds; each later wait doubles.
    retry_base_seconds: int = Field(default=60, ge=1, le=3600)
    #: The longest wait between two attempts, in seconds.
    retry_max_seconds: int = Field(default=6 * 3600, ge=1, le=7 * 24 * 3600)
    #: Seconds to wait for a receiver to answer one attempt.
    timeout_seconds: int = Field(default=10, ge=1, le=30)
    #: How many subscriptions the community may have.
    max_subscriptions: int = Field(default=20, ge=1, le=200)
    #: Days to keep finished deliveries (delivered or given up) before the sweep deletes them.
    keep_days: int = Field(default=30, ge=1, le=3650)

    @model_validator(mode="after")
    def _check(self) -> WebhooksSettings:
        if self.retry_max_seconds < self.retry_base_seconds:
            raise ValueError("retry_max_seconds must be at least retry_base_seconds")
        return self


class WebhooksDeployment(BaseSettings):
    """Deployment-wide webhook settings from the environment (``YIZHAN_WEBHOOKS_*``)."""

    model_config = SettingsConfigDict(env_prefix="YIZHAN_WEBHOOKS_", extra="ignore")

    #: Allow URLs on loopback, private, link-local and other reserved addresses.
    allow_private_urls: bool = False


def deployment() -> WebhooksDeployment:
    """The deployment settings, read from the environment now (cheap; tests change it)."""
    return WebhooksDeployment()
