"""Per-community settings of the events plugin (``yizhan plugins config events -c SLUG``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator


def _credits(default: str, *, le: str = "100") -> Decimal:
    return Field(default=Decimal(default), ge=Decimal("0"), le=Decimal(le), decimal_places=2)


class EventsSettings(BaseModel):
    """How neighbourhood events run in one community. Credits have two decimals."""

    #: Paid from the community fund when a member completes their first event (0: none).
    first_time_reward: Decimal = _credits("1")
    #: Paid to the member a newcomer named when the newcomer completes their first event.
    referral_reward: Decimal = _credits("0.5")
    #: The fee a new event asks of members after their first participation (0: free).
    default_fee: Decimal = _credits("0")
    #: How far ahead a series' occurrences are made, in weeks.
    horizon_weeks: int = Field(default=8, ge=1, le=104)
    #: Invited buildings' members are told this many hours before an occurrence (0: never).
    invite_hours_ahead: int = Field(default=72, ge=0, le=24 * 60)
    #: Everyone signed up is reminded this many hours before (0: no reminder).
    reminder_hours_ahead: int = Field(default=24, ge=0, le=24 * 14)
    #: Members may cancel their sign-up until this many hours before the start.
    cancel_cutoff_hours: int = Field(default=2, ge=0, le=24 * 14)
    #: Check-ins this many minutes after the start are marked late.
    late_after_minutes: int = Field(default=15, ge=0, le=24 * 60)
    #: An occurrence the organiser did not close is closed this many hours after its end
    #: (checked-in people completed, the others no-show; 0: never automatically).
    auto_close_hours: int = Field(default=12, ge=0, le=24 * 30)
    #: Conversion counts first-time attendees who posted or accepted a need within this many
    #: days after their event.
    conversion_days: int = Field(default=30, ge=1, le=365)
    #: The most volunteering hours an organiser may confirm for one person at one occurrence.
    max_volunteer_hours: Decimal = _credits("12", le="24")
    #: What a check-in QR code holds; ``{code}`` and ``{community}`` are filled in.
    qr_template: str = Field(default="yizhan:events:{community}:{code}", min_length=6,
                             max_length=300)

    @model_validator(mode="after")
    def _check(self) -> EventsSettings:
        if "{code}" not in self.qr_template:
            raise ValueError("qr_template must contain {code}")
        return self


def centi(value: Decimal) -> int:
    """A settings amount in credits as integer hundredths."""
    return int(value * 100)
