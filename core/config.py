"""Process settings, from the environment (``YIZHAN_*``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Deployment settings. Per-community settings live in the database, not here."""

    model_config = SettingsConfigDict(env_prefix="YIZHAN_", env_file=".env", extra="ignore")

    #: ``sqlite:///path/to/file.db`` (the default) or ``postgresql://user:pw@host:port/db``.
    database_url: str = "sqlite:///yizhan.db"
    #: PostgreSQL only: a streaming replica for read-only lists (feeds, boards, statements,
    #: indicators) outside write transactions; empty: everything reads the primary.
    database_read_url: str = ""
    #: ``pgbouncer`` when ``database_url`` (and the read URL) go through PgBouncer in
    #: transaction pooling mode: server-side prepared statements are then not cached.
    database_pooler: str = ""
    #: Seconds of replication lag beyond which reads go back to the primary.
    replica_max_lag_seconds: float = 5.0
    #: Production mode: no GraphiQL, no introspection, no "Did you mean" hints in errors.
    production: bool = False
    #: Introspection: ``on``, ``off`` or ``admins`` (community admins and service tokens).
    #: Empty: ``off`` in production, ``on`` otherwise.
    introspection: str = ""
    #: Comma-separated plugin names: only these load (empty: all installed).
    plugins_allow: str = ""
    #: Comma-separated plugin names that never load.
    plugins_deny: str = ""
    #: Lifetime of a member's login token, in hours.
    token_ttl_hours: int = 24 * 30
    #: Failed logins allowed per identifier in ``login_window_minutes`` before refusing.
    login_max_failures: int = 5
    login_window_minutes: int = 15
    #: Failed logins allowed per client address in ``login_window_minutes``.
    login_max_failures_per_address: int = 30
    #: Registrations allowed per client address in ``login_window_minutes``.
    register_max_per_address: int = 20
    #: How often a subscription checks that its token is still valid, in seconds.
    subscription_token_check_seconds: float = 5.0
    #: Worker threads for CPU-heavy work (password hashing, PDFs, chain verification).
    cpu_threads: int = 2
    #: How often a running server looks for plugin toggles and new outbox rows, in seconds.
    poll_interval: float = 0.25
    #: How often the server runs due background jobs, in seconds (0 turns them off).
    jobs_interval: float = 30.0
    #: Public base URL, used in links (credential URLs, proofs).
    public_url: str = "http://127.0.0.1:8000"
    #: How GraphQL results are completed: ``fast`` (plain fields inline, see
    #: core/graphql/execution.py), ``plain`` (graphql-core only, for debugging) or ``verify``
    #: (both, compared on every operation; slow, for tests).
    graphql_execution: Literal["fast", "plain", "verify"] = "fast"
    #: Query limits.
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    #: ``GET /metrics``: ``token`` (needs ``Authorization: Bearer <metrics_token>``; 404 while
    #: no token is set), ``public`` or ``off``.
    metrics: str = "token"
    metrics_token: str = ""

    @property
    def allowed_plugins(self) -> set[str]:
        """The allow list as a set (empty means everything installed)."""
        return {p.strip() for p in self.plugins_allow.split(",") if p.strip()}

    @property
    def denied_plugins(self) -> set[str]:
        """The deny list as a set."""
        return {p.strip() for p in self.plugins_deny.split(",") if p.strip()}


@lru_cache
def get_settings() -> Settings:
    """The process settings, read once."""
    return Settings()
