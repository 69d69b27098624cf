"""The tool library's per-community settings (``yizhan plugins config toollib -c SLUG …``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator


class ToolLibrarySettings(BaseModel):
    """How lending works in one community. Deposits apply only where credits is on."""

    #: Loan length when the borrower does not say, in days.
    default_loan_days: int = Field(default=7, ge=1, le=365)
    #: The longest loan anyone may agree to, in days.
    max_loan_days: int = Field(default=30, ge=1, le=365)
    #: Remind the borrower this many hours before the due date (0: only on the day).
    remind_before_hours: int = Field(default=24, ge=0, le=7 * 24)
    #: The deposit of a tool whose owner set none, in credits.
    default_deposit: Decimal = Field(default=Decimal("0.50"), ge=0, le=100, decimal_places=2)
    #: The highest deposit an owner may ask, in credits.
    max_deposit: Decimal = Field(default=Decimal("5.00"), ge=0, le=100, decimal_places=2)
    #: Tools one member may have requested or out at the same time.
    max_open_loans: int = Field(default=3, ge=1, le=50)
    #: Which tool categories help with which need categories: owners of such a tool rank
    #: higher as helpers (a tool of the need's own category always counts).
    tools_for_needs: dict[str, list[str]] = Field(default_factory=lambda: {
        "repair": ["drill", "ladder", "toolbox"], "moving": ["trolley", "ladder"],
        "sewing": ["sewing"], "gardening": ["garden"]})
    #: Points a candidate gains for owning such a tool.
    tool_owner_boost: float = Field(default=1.0, ge=0, le=10)

    @model_validator(mode="after")
    def _check(self) -> ToolLibrarySettings:
        if self.default_loan_days > self.max_loan_days:
            raise ValueError("default_loan_days must not exceed max_loan_days")
        if self.default_deposit > self.max_deposit:
            raise ValueError("default_deposit must not exceed max_deposit")
        if len(self.tools_for_needs) > 100 or any(
                len(v) > 20 for v in self.tools_for_needs.values()):
            raise ValueError("tools_for_needs holds at most 100 needs of 20 tools each")
        return self


def centi(value: Decimal) -> int:
    """A settings amount (credits, two decimals) as integer hundredths."""
    return int(value * 100)
