"""Per-community settings of the disputes plugin (``yizhan plugins config disputes -c SLUG``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class DisputesSettings(BaseModel):
    """How disputes are opened, decided on time, and what happens when nobody decides."""

    #: Days after a need was confirmed during which its requester may still open a dispute
    #: (a need that is done but not confirmed may always be disputed).
    open_within_days: int = Field(default=7, ge=1, le=90)
    #: Hours from opening to the decision's deadline (the 24-hour promise).
    decide_within_hours: int = Field(default=24, ge=1, le=24 * 14)
    #: Hours after opening at which the mediator is reminded (each below the deadline).
    reminder_hours: list[int] = Field(default_factory=lambda: [12, 20], max_length=5)
    #: Hours before the deadline at which the community's admins are told it is near
    #: (0: no escalation before the deadline).
    escalate_hours_before: int = Field(default=2, ge=0, le=24 * 14)
    #: What happens at the deadline if nobody decided: ``compensate`` the requester the need's
    #: credits (capped, from the compensation fund; only where credits is on) or ``escalate``
    #: to the admins only. The admins are told either way.
    default_outcome: Literal["compensate", "escalate"] = "compensate"
    #: The most one dispute may compensate, in credits (the default outcome and a mediator alike).
    max_compensation: Decimal = Field(default=Decimal("10"), ge=Decimal("0"),
                                      le=Decimal("1000"), decimal_places=2)
    #: Take the compensation back from the helper (a charge to the compensation fund, as much
    #: as the helper's limit allows). Off by default: the fund carries it.
    take_back_from_helper: bool = False
    #: A redo need is assigned to the same helper (``same_helper``) or opened to everyone
    #: (``open``) unless the mediator chooses.
    redo_assign: Literal["same_helper", "open"] = "same_helper"
    #: Who pays the redo: ``nobody`` (a need of 0 credits) or the compensation ``fund`` (the
    #: original need's credits, paid to the redo's helper when it is confirmed).
    redo_paid_by: Literal["nobody", "fund"] = "nobody"
    #: Days the redo need's time window stays open.
    redo_window_days: int = Field(default=3, ge=1, le=30)
    #: Hours after a decision during which an admin may overturn it.
    overturn_within_hours: int = Field(default=72, ge=0, le=24 * 90)

    @model_validator(mode="after")
    def _check(self) -> DisputesSettings:
        hours = self.reminder_hours
        if any(h < 1 or h >= self.decide_within_hours for h in hours):
            raise ValueError("reminder_hours must each be between 1 and decide_within_hours - 1")
        if len(set(hours)) != len(hours):
            raise ValueError("reminder_hours must not repeat")
        if self.escalate_hours_before >= self.decide_within_hours:
            raise ValueError("escalate_hours_before must be less than decide_within_hours")
        self.reminder_hours = sorted(hours)
        return self


def centi(value: Decimal) -> int:
    """A settings amount in credits as integer hundredths."""
    return int(value * 100)
