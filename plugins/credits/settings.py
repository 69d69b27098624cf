"""Per-community settings of the credits plugin (``yizhan plugins config credits -c SLUG``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

PAYERS = ("requester", "community_fund")
EXPIRY_POLICIES = ("never", "days", "end_of_year")


def _credits(default: str, *, ge: str = "0", le: str = "100000") -> Decimal:
    return Field(default=Decimal(default), ge=Decimal(ge), le=Decimal(le), decimal_places=2)


class CreditsSettings(BaseModel):
    """Rules of a community's time-credit ledger. Amounts are hours with two decimals."""

    #: Who pays the helper of a confirmed need: the requester (mutual mode) or the community fund.
    payer: Literal["requester", "community_fund"] = "requester"
    #: A need a leader posted on a member's behalf is paid by the community fund.
    fund_pays_on_behalf: bool = False
    #: How far below zero a member may go, holds included (hours).
    credit_limit: Decimal = _credits("10", le="1000")
    #: The most a member may hold, credits on their way in (accepted needs) included.
    max_balance: Decimal = _credits("100", ge="1")
    #: Warn a member (a field and a notification) this close to either limit.
    warn_within: Decimal = _credits("1", le="1000")
    #: Members may send credits to each other.
    transfers_enabled: bool = False
    #: When earned credits expire: never, ``expiry_days`` after earning, or at the end of a year.
    expiry: Literal["never", "days", "end_of_year"] = "never"
    #: For ``expiry = days``: how many days earned credits stay valid.
    expiry_days: int = Field(default=365, ge=1, le=3650)
    #: For ``expiry = end_of_year``: 0 = the end of the year they were earned, 1 = the next …
    expiry_year_offset: int = Field(default=0, ge=0, le=5)
    #: Tell members this many days before their credits expire (0: no notice).
    expiry_notice_days: int = Field(default=30, ge=0, le=365)
    #: Credits split each month among building leaders, from the leader pool (0: off).
    leader_pool_monthly: Decimal = _credits("0")
    #: Deputy leaders share their building's part of the leader pool with the head leader.
    leader_pool_deputies: bool = False
    #: Issuing vouchers mints what the voucher reserve lacks (else the reserve must be funded).
    voucher_auto_fund: bool = True
    #: How many cards of one batch a member may redeem (0: no limit).
    voucher_limit_per_member: int = Field(default=1, ge=0, le=1000)
    #: Failed voucher codes a member may try within ``voucher_guess_window_minutes``.
    voucher_guess_limit: int = Field(default=5, ge=1, le=100)
    voucher_guess_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: What a card's QR code holds; ``{code}`` and ``{community}`` are filled in.
    voucher_qr_template: str = Field(default="{code}", min_length=6, max_length=300)

    @model_validator(mode="after")
    def _check(self) -> CreditsSettings:
        if "{code}" not in self.voucher_qr_template:
            raise ValueError("voucher_qr_template must contain {code}")
        if self.warn_within >= self.max_balance:
            raise ValueError("warn_within must be below max_balance")
        return self


def centi(value: Decimal) -> int:
    """A settings amount (hours, two decimals) as integer hundredths."""
    return int(value * 100)
