"""Per-community settings of the merchants plugin (``yizhan plugins config merchants -c SLUG``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator


def _yuan(default: str, *, ge: str, le: str) -> Decimal:
    return Field(default=Decimal(default), ge=Decimal(ge), le=Decimal(le), decimal_places=2)


class MerchantsSettings(BaseModel):
    """How partner shops take credits in one community. Money is in yuan with two decimals."""

    #: What one time credit is worth at a partner shop (1 credit = 10 yuan).
    yuan_per_credit: Decimal = _yuan("10", ge="0.01", le="10000")
    #: The extra discount building leaders (head and deputies) get, in percent of the order.
    leader_extra_discount_percent: Decimal = _yuan("5", ge="0", le="50")
    #: Minutes a redemption code stays valid.
    code_valid_minutes: int = Field(default=5, ge=1, le=60)
    #: Redemption codes a member may ask for in one hour.
    code_requests_per_hour: int = Field(default=30, ge=1, le=1000)
    #: Wrong codes a staff member may submit within ``staff_guess_window_minutes``.
    staff_guess_limit: int = Field(default=10, ge=1, le=100)
    staff_guess_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: What a code's QR code holds; ``{code}`` and ``{community}`` are filled in.
    qr_template: str = Field(default="yizhan:merchants:{community}:{code}", min_length=6,
                             max_length=300)
    #: The largest order a redemption may be for.
    max_order_yuan: Decimal = _yuan("100000", ge="1", le="10000000")
    #: Days after a redemption during which the resident may rate it.
    rating_window_days: int = Field(default=30, ge=1, le=365)
    #: A shop whose average rating in a month is below this …
    suspend_below: Decimal = Field(default=Decimal("3.0"), ge=Decimal("1"), le=Decimal("5"),
                                   decimal_places=2)
    #: … with at least this many distinct residents rating it that month (each resident's
    #: ratings of a shop count once a month: their latest) is named on the board …
    suspend_min_ratings: int = Field(default=5, ge=1, le=100_000)
    #: … and suspended (off: named only) once the admins confirm it, or when they have not
    #: overturned it within this many hours of the board closing.
    auto_suspend: bool = True
    suspend_review_hours: int = Field(default=72, ge=1, le=30 * 24)
    #: The guaranteed volume of a new shop's first month (0: no guarantee). Each shop keeps the
    #: amount in force when it was registered.
    guarantee_yuan: Decimal = _yuan("500", ge="0", le="1000000")
    #: The community profile counts members who helped within this many days as active helpers.
    active_helper_days: int = Field(default=90, ge=1, le=365)

    @model_validator(mode="after")
    def _check(self) -> MerchantsSettings:
        if "{code}" not in self.qr_template:
            raise ValueError("qr_template must contain {code}")
        return self


def fen(value: Decimal) -> int:
    """A settings amount in yuan as integer fen."""
    return int(value * 100)


def basis_points(percent: Decimal) -> int:
    """A percentage with two decimals as integer basis points (5% -> 500)."""
    return int(percent * 100)
