"""Per-community settings of the governance plugin: categories, deadlines, reminders, roles.

``yizhan plugins config governance -c SLUG red_hours=24 reminder_percents='[50,80]'``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator, model_validator

#: Default request categories: (code, name). The code is Open311's ``service_code``.
DEFAULT_CATEGORIES = [
    {"code": "facilities", "name": "公共设施 Facilities"},
    {"code": "sanitation", "name": "环境卫生 Sanitation"},
    {"code": "safety", "name": "安全隐患 Safety"},
    {"code": "neighbours", "name": "邻里纠纷 Neighbours"},
    {"code": "suggestion", "name": "意见建议 Suggestions"},
]
DEFAULT_ROLES = ["党员", "楼组长", "物业管家", "志愿者"]


class Category(BaseModel):
    """A request category: a short code (letters, digits, ``-``, ``_``) and its name."""

    code: str = Field(pattern=r"^[a-z0-9_-]{1,40}$")
    name: str = Field(min_length=1, max_length=60)
    description: str = Field(default="", max_length=300)


class GovernanceSettings(BaseModel):
    """How a community handles residents' requests, its grids and its micro-grants."""

    #: The categories residents choose from (Open311's services).
    categories: list[Category] = Field(
        default_factory=lambda: [Category(**c) for c in DEFAULT_CATEGORIES],
        min_length=1, max_length=50)
    #: Hours to answer a red (urgent) request, counted from submission.
    red_hours: int = Field(default=48, ge=1, le=24 * 60)
    #: Hours to answer a yellow (normal) request.
    yellow_hours: int = Field(default=5 * 24, ge=1, le=24 * 90)
    #: Hours to answer a blue request (a suggestion).
    blue_hours: int = Field(default=15 * 24, ge=1, le=24 * 365)
    #: Reminders to the assignee at these shares of the time allowed (percent, ascending).
    reminder_percents: list[int] = Field(default_factory=lambda: [50, 80], max_length=5)
    #: Days after an answer before the request closes on its own if the resident says nothing.
    auto_close_days: int = Field(default=7, ge=1, le=90)
    #: Days after an answer (or a rejection) during which the resident may reopen it.
    reopen_days: int = Field(default=7, ge=0, le=90)
    #: Role names of grid team members.
    team_roles: list[str] = Field(default_factory=lambda: list(DEFAULT_ROLES),
                                  min_length=1, max_length=20)
    #: Whether Open311 clients may list and read requests without a service token.
    open311_public_reads: bool = True

    @field_validator("reminder_percents")
    @classmethod
    def _percents(cls, value: list[int]) -> list[int]:
        if any(p < 1 or p > 99 for p in value) or value != sorted(set(value)):
            raise ValueError("reminder_percents must be ascending, distinct, between 1 and 99")
        return value

    @field_validator("team_roles")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        cleaned = [r.strip() for r in value]
        if any(not r or len(r) > 30 for r in cleaned) or len(set(cleaned)) != len(cleaned):
            raise ValueError("team_roles must be distinct names of 1-30 characters")
        return cleaned

    @model_validator(mode="after")
    def _check(self) -> GovernanceSettings:
        codes = [c.code for c in self.categories]
        if len(set(codes)) != len(codes):
            raise ValueError("category codes must be distinct")
        return self

    def hours_for(self, urgency: str) -> int:
        """The hours allowed for ``urgency`` (red, yellow or blue)."""
        return {"red": self.red_hours, "yellow": self.yellow_hours,
                "blue": self.blue_hours}[urgency]

    def category(self, code: str) -> Category | None:
        """The category with ``code``, or None."""
        return next((c for c in self.categories if c.code == code), None)
