"""Per-community settings of the badges plugin (``yizhan plugins config badges -c SLUG``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from yizhan.core.api import CORE_MATCH_MAX_SCORE

#: The most core's own matching can give a candidate: skill + same building + free then.
CORE_MAX_SCORE = CORE_MATCH_MAX_SCORE


class BadgesSettings(BaseModel):
    """How certification, matching and the mutual-aid stars work in one community."""

    #: Points added to a certified expert's score for a need in their category. It must exceed
    #: the most core's matching gives anyone, so certified experts always come first.
    expert_boost: int = Field(default=10, ge=CORE_MAX_SCORE + 1, le=1000)
    #: Days a new expert certification stays valid when its badge does not say (0: forever).
    default_validity_days: int = Field(default=365, ge=0, le=3650)
    #: How many mutual-aid stars are named each quarter.
    stars_per_quarter: int = Field(default=3, ge=1, le=50)
    #: Minutes of confirmed help a member must have given in the quarter to be a star.
    star_min_minutes: int = Field(default=60, ge=1, le=100_000)
    #: The prize, as shown on the notice board (e.g. "a 50-yuan voucher"); may be empty.
    star_prize: str = Field(default="", max_length=200)
    #: Who sponsors the prize (a partner merchant); may be empty.
    star_sponsor: str = Field(default="", max_length=100)
    #: Time credits each star receives when the credits module is on (0: none).
    star_prize_credits: Decimal = Field(default=Decimal("0"), ge=0, le=100, decimal_places=2)
    #: How many members a leaderboard shows.
    leaderboard_size: int = Field(default=10, ge=1, le=100)
