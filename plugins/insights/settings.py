"""Per-community settings of the insights plugin
(``yizhan plugins config insights -c SLUG public_indicators='["core.hours_of_help"]'``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class InsightsSettings(BaseModel):
    """Which indicators anyone may see, how many months the report's trends show, and how
    fresh the running month's figures are kept."""

    #: Indicator keys shown to everyone (members and the public), not only to admins.
    public_indicators: list[str] = Field(default_factory=list, max_length=100)
    #: Months of history in the monthly report's trend charts (the month itself included).
    trend_months: int = Field(default=6, ge=2, le=24)
    #: Send the admins the monthly report's notice when a month closes.
    notify_admins: bool = True
    #: How often (minutes) the ``insights.refresh_running`` job recomputes the running month's
    #: snapshot; reads show the figures as of that time (``computedAt``).
    running_refresh_minutes: int = Field(default=15, ge=1, le=1440)

    @field_validator("public_indicators")
    @classmethod
    def _known_keys(cls, keys: list[str]) -> list[str]:
        from yizhan.core.api import all_indicators

        known = {i.key for i in all_indicators()}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise ValueError(f"unknown indicator keys: {', '.join(unknown)}")
        return list(dict.fromkeys(keys))
