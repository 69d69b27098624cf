"""GraphQL for badges: members apply and see their badges and profiles, reviewers decide and
revoke, everyone sees the badges, leaderboards and mutual-aid stars. Resolvers stay thin: they
resolve the community, check the switch (``PLUGIN_DISABLED``) and who may act, and call the
service.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from yizhan.core.api import (
    Connection,
    Credits,
    GraphQLContribution,
    Member,
    UserError,
    build_connection,
    by_id_loader,
    forbidden,
    format_centi,
    from_cursor,
    member_by_id,
    not_found,
    page_size,
    payload,
    pk_of,
    require_admin,
    to_gid,
)
from yizhan.core.api import format_centi as credits
from yizhan.plugins.badges import NAME, credentials, service, stars
from yizhan.plugins.badges.tables import BadgeApplication as ApplicationTable
from yizhan.plugins.badges.tables import BadgeAward as AwardTable
from yizhan.plugins.badges.tables import BadgeDefinition as DefinitionTable


@strawberry.enum
class BadgeKind(Enum):
    """What a badge recognises."""

    EXPERT = "expert"
    STAR = "star"
    CUSTOM = "custom"


@strawberry.enum
class BadgeApplicationStatus(Enum):
    """Where an application stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@strawberry.enum
class BadgeAwardStatus(Enum):
    """Whether a held badge counts right now."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@strawberry.enum
class LeaderboardPeriod(Enum):
    """The span a leaderboard covers (in the community's time zone)."""

    MONTH = "month"
    QUARTER = "quarter"


class _Loaders:
    """Batched look-ups of badges rows for one request (a page of awards costs one query for
    its badges, not one per award)."""

    def __init__(self) -> None:
        self.definition = by_id_loader(DefinitionTable)
        self.award = by_id_loader(AwardTable)


def _loaders(info: Info) -> _Loaders:
    """This request's badges loaders (kept with core's, dropped with the request)."""
    return info.context.loaders.of_plugin(NAME, _Loaders)




async def _community_row(info: Info, community_id: int) -> dict:
    return await info.context.loaders.community.load(community_id)


@strawberry.type
class BadgeStep:
    """One step in the life of an application or award: who, when, why."""

    action: str
    note: str
    at: datetime
    _actor: strawberry.Private[int | None]

    @strawberry.field(description="Who took the step (null for the CLI and the sweeps).")
    async def actor(self, info: Info) -> Member | None:
        return await member_by_id(info, self._actor)


async def _history(info: Info, community_id: int, subject: str, pk: int) -> list[BadgeStep]:
    community = await _community_row(info, community_id)
    return [BadgeStep(action=s["action"], note=s["note"], at=s["at"], _actor=s["actor"])
            for s in await service.history(community, subject, pk)]


@strawberry.type
class BadgeDefinition:
    """A badge a community awards: an expert certification, the mutual-aid star, or custom."""

    id: strawberry.ID
    slug: str
    kind: BadgeKind
    category: str = strawberry.field(description="The skill category of an expert badge.")
    name: str
    description: str
    criteria: str
    validity_days: int = strawberry.field(description="Days an award stays valid; 0: forever.")
    active: bool = strawberry.field(description="False once retired: no longer awarded.")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> BadgeDefinition:
        """Build from a ``yz_badge_definition`` row."""
        return cls(id=to_gid("BadgeDefinition", row["id"]), slug=row["slug"],
                   kind=BadgeKind(row["kind"]), category=row["category"], name=row["name"],
                   description=row["description"], criteria=row["criteria"],
                   validity_days=row["validity_days"], active=row["active"], _row=row)

    @strawberry.field(description="The badge's image: the admin's URL or the generated one.")
    async def image_url(self, info: Info) -> str:
        community = await _community_row(info, self._row["community"])
        return credentials.image_url(community, self._row)

    @strawberry.field(description="The public Open Badges Achievement URL of this badge.")
    async def achievement_url(self, info: Info) -> str:
        community = await _community_row(info, self._row["community"])
        return credentials.achievement_url(community, self._row)


async def _definition(info: Info, pk: int) -> BadgeDefinition:
    return BadgeDefinition.from_row(await _loaders(info).definition.load(pk))


async def _viewer_reviews(info: Info, member_pk: int, community_id: int) -> bool:
    """True for the member themself and for those who may review them."""
    community = await _community_row(info, community_id)
    viewer = await info.context.member(community)
    if viewer is None:
        return False
    if viewer["id"] == member_pk:
        return True
    subject = await info.context.loaders.member.load(member_pk)
    return subject is not None and service.may_review(viewer, subject)


@strawberry.type
class BadgeAward:
    """A badge held by a member, with its Open Badges 3.0 credential."""

    id: strawberry.ID
    status: BadgeAwardStatus
    source: str = strawberry.field(description="application, direct or star.")
    period: str = strawberry.field(description="The quarter of a mutual-aid star (2026Q4).")
    awarded_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> BadgeAward:
        """Build from a ``yz_badge_award`` row."""
        return cls(id=to_gid("BadgeAward", row["id"]),
                   status=BadgeAwardStatus(service.award_status(row)), source=row["source"],
                   period=row["period"], awarded_at=row["awarded_at"],
                   expires_at=row["expires_at"], revoked_at=row["revoked_at"], _row=row)

    @strawberry.field
    async def badge(self, info: Info) -> BadgeDefinition:
        """The badge."""
        return await _definition(info, self._row["definition"])

    @strawberry.field
    async def member(self, info: Info) -> Member:
        """Who holds it."""
        return await member_by_id(info, self._row["member"])  # type: ignore[return-value]

    @strawberry.field(description="Why it was revoked (the holder and their reviewers only).")
    async def revoke_reason(self, info: Info) -> str | None:
        if not self._row["revoke_reason"] or not await _viewer_reviews(
                info, self._row["member"], self._row["community"]):
            return None
        return self._row["revoke_reason"]

    @strawberry.field(description="The credential's public URL (JSON-LD; HTTP 410 once revoked).")
    async def credential_url(self, info: Info) -> str:
        community = await _community_row(info, self._row["community"])
        return credentials.credential_url(community, self._row["uuid"])

    @strawberry.field(description="The credential as signed: a VC-JWT (EdDSA).")
    def credential_jwt(self) -> str:
        return self._row["credential_jwt"]

    @strawberry.field(description="The OpenBadgeCredential (JSON-LD) as issued.")
    def credential(self) -> JSON:
        return service.credential_of(self._row)

    @strawberry.field(description="Every step: awarded, revoked, expired (holder and reviewers).")
    async def history(self, info: Info) -> list[BadgeStep]:
        if not await _viewer_reviews(info, self._row["member"], self._row["community"]):
            return []
        return await _history(info, self._row["community"], "award", self._row["id"])


@strawberry.type
class BadgeApplication:
    """A member's application for a badge, with evidence, and the decision."""

    id: strawberry.ID
    status: BadgeApplicationStatus
    evidence: str
    links: list[str]
    submitted_at: datetime
    decided_at: datetime | None
    decision_reason: str = strawberry.field(
        description="The reviewer's note on approval, or the reason for rejection.")
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> BadgeApplication:
        """Build from a ``yz_badge_application`` row."""
        links = json.loads(row["links"]) if isinstance(row["links"], str) else row["links"]
        return cls(id=to_gid("BadgeApplication", row["id"]),
                   status=BadgeApplicationStatus(row["status"]), evidence=row["evidence"],
                   links=links or [], submitted_at=row["submitted_at"],
                   decided_at=row["decided_at"], decision_reason=row["decision_reason"],
                   _row=row)

    @strawberry.field
    async def badge(self, info: Info) -> BadgeDefinition:
        """The badge applied for."""
        return await _definition(info, self._row["definition"])

    @strawberry.field
    async def applicant(self, info: Info) -> Member:
        """Who applied."""
        return await member_by_id(info, self._row["member"])  # type: ignore[return-value]

    @strawberry.field(description="Who decided (null while pending, or from the CLI).")
    async def decided_by(self, info: Info) -> Member | None:
        return await member_by_id(info, self._row["decided_by"])

    @strawberry.field(description="The badge awarded when approved.")
    async def award(self, info: Info) -> BadgeAward | None:
        if self._row["award"] is None:
            return None
        row = await _loaders(info).award.load(self._row["award"])
        return BadgeAward.from_row(row) if row else None

    @strawberry.field(description="Every step: applied, approved, rejected, withdrawn.")
    async def history(self, info: Info) -> list[BadgeStep]:
        return await _history(info, self._row["community"], "application", self._row["id"])


@strawberry.type
class BadgeProfile:
    """A member's public badge profile."""

    households_helped: int = strawberry.field(
        description="Distinct households (requesters) helped through confirmed needs.")
    minutes_given: int = strawberry.field(description="Minutes of confirmed help given.")
    needs_helped: int
    _member: strawberry.Private[int]
    _awards: strawberry.Private[list[dict]]

    @strawberry.field
    async def member(self, info: Info) -> Member:
        """The member."""
        return await member_by_id(info, self._member)  # type: ignore[return-value]

    @strawberry.field(description="Badges held now (active: not expired, not revoked).")
    def badges(self) -> list[BadgeAward]:
        return [BadgeAward.from_row(r) for r in self._awards]

    @strawberry.field(description="Hours of help given with two decimals, rounded down "
                                  "(\"1.50\").")
    def hours_given(self) -> str:
        return format_centi(self.minutes_given * 100 // 60)


@strawberry.type
class LeaderboardEntry:
    """A member's place on a leaderboard."""

    rank: int
    minutes_given: int
    households_helped: int
    needs_helped: int
    score: int = strawberry.field(
        description="Minutes given plus 60 per distinct household helped.")
    _member: strawberry.Private[int]

    @strawberry.field
    async def member(self, info: Info) -> Member:
        """The member."""
        return await member_by_id(info, self._member)  # type: ignore[return-value]


@strawberry.type
class Leaderboard:
    """Who helped most in a month or quarter (ties: more households, more minutes, earlier
    member)."""

    kind: LeaderboardPeriod
    period: str = strawberry.field(description="2026-11 or 2026Q4.")
    starts_at: datetime
    ends_at: datetime
    entries: list[LeaderboardEntry]


@strawberry.type
class StarWinner:
    """A mutual-aid star of a quarter."""

    rank: int
    minutes_given: int
    households_helped: int
    score: int
    credits_status: str = strawberry.field(
        description="none, paid, skipped (credits off) or failed.")
    _member: strawberry.Private[int]
    _award: strawberry.Private[int | None]

    @strawberry.field
    async def member(self, info: Info) -> Member:
        """The star."""
        return await member_by_id(info, self._member)  # type: ignore[return-value]

    @strawberry.field(description="The star badge awarded.")
    async def award(self, info: Info) -> BadgeAward | None:
        if self._award is None:
            return None
        row = await _loaders(info).award.load(self._award)
        return BadgeAward.from_row(row) if row else None


@strawberry.type
class StarRound:
    """One quarter's mutual-aid stars, with the prize of that quarter."""

    quarter: str
    starts_at: datetime
    ends_at: datetime
    ran_at: datetime
    prize: str
    sponsor: str
    prize_credits: Credits
    _row: strawberry.Private[dict]

    @strawberry.field
    async def winners(self) -> list[StarWinner]:
        """The stars, by rank."""
        return [StarWinner(rank=w["rank"], minutes_given=w["minutes_given"],
                           households_helped=w["households_helped"], score=w["score"],
                           credits_status=w["credits_status"], _member=w["member"],
                           _award=w["award"])
                for w in await stars.winners(self._row["id"])]


# --- helpers --------------------------------------------------------------------------------


async def _row_community(info: Info, table, gid: str, type_name: str, field: str,
                         what: str) -> tuple[dict, dict]:
    """The row behind a global id and its community, after the plugin switch is checked."""
    pk = pk_of(gid, type_name, field)
    row = await table.select().where(table.id == pk).first()
    if row is None:
        raise not_found(what, field)
    community = await _community_row(info, row["community"])
    info.context.require_plugin(community, NAME)
    return row, community


def _acting_member(actor: dict) -> dict:
    if actor.get("id") is None:
        raise forbidden("A service token must act for a member (X-Act-As) to do this.")
    return actor


async def _member_in(info: Info, community: dict, gid: str, field: str) -> int:
    pk = pk_of(gid, "Member", field)
    row = await info.context.loaders.member.load(pk)
    if row is None or row["community"] != community["id"]:
        raise not_found("member", field)
    return pk


# --- queries --------------------------------------------------------------------------------


@strawberry.type
class BadgesQuery:
    """Badge queries."""

    @strawberry.field(description="A community's badges (public).")
    async def badge_definitions(self, info: Info, community: str,
                                kind: BadgeKind | None = None,
                                include_retired: bool = False) -> list[BadgeDefinition]:
        row = await info.context.plugin_community(community, NAME)
        return [BadgeDefinition.from_row(r) for r in await service.list_definitions(
            row, kind.value if kind else None, include_retired)]

    @strawberry.field(description="My badges in a community, newest first (every status).")
    async def my_badges(self, info: Info, community: str, first: int | None = None,
                        after: str | None = None) -> Connection[BadgeAward]:
        row = await info.context.plugin_community(community, NAME)
        viewer = _acting_member(await info.context.require_member(row))
        size = page_size(first)
        rows = await service.list_awards(row, member_id=viewer["id"],
                                         before_id=from_cursor(after), limit=size + 1)
        return build_connection(rows, size, BadgeAward.from_row)

    @strawberry.field(description="My badge applications, newest first.")
    async def my_badge_applications(self, info: Info, community: str,
                                    status: BadgeApplicationStatus | None = None,
                                    first: int | None = None, after: str | None = None
                                    ) -> Connection[BadgeApplication]:
        row = await info.context.plugin_community(community, NAME)
        viewer = _acting_member(await info.context.require_member(row))
        size = page_size(first)
        rows = await service.list_applications(
            row, viewer, status=status.value if status else None, member_id=viewer["id"],
            before_id=from_cursor(after), limit=size + 1)
        return build_connection(rows, size, BadgeApplication.from_row)

    @strawberry.field(description="Applications to review (leaders: their building's "
                                  "residents; admins: everyone), newest first.")
    async def badge_applications(self, info: Info, community: str,
                                 status: BadgeApplicationStatus | None =
                                 BadgeApplicationStatus.PENDING,
                                 first: int | None = None, after: str | None = None
                                 ) -> Connection[BadgeApplication]:
        row = await info.context.plugin_community(community, NAME)
        viewer = await info.context.require_verified(row)
        size = page_size(first)
        rows = await service.list_applications(
            row, viewer, status=status.value if status else None,
            before_id=from_cursor(after), limit=size + 1)
        return build_connection(rows, size, BadgeApplication.from_row)

    @strawberry.field(description="A member's public badge profile (members of the community).")
    async def badge_profile(self, info: Info, member_id: strawberry.ID) -> BadgeProfile:
        pk = pk_of(member_id, "Member", "memberId")
        member = await info.context.loaders.member.load(pk)
        if member is None:
            raise not_found("member", "memberId")
        community = await _community_row(info, member["community"])
        info.context.require_plugin(community, NAME)
        await info.context.require_member(community)
        found = await service.profile(community, pk)
        return BadgeProfile(households_helped=found["households_helped"],
                            minutes_given=found["minutes_given"],
                            needs_helped=found["needs_helped"], _member=pk,
                            _awards=found["awards"])

    @strawberry.field(description="Who helped most this month or quarter, or in the one "
                                  "named by `period` (2026-11, 2026Q4). Public.")
    async def badge_leaderboard(self, info: Info, community: str, kind: LeaderboardPeriod,
                                period: str | None = None) -> Leaderboard:
        row = await info.context.plugin_community(community, NAME)
        found, entries = await stars.leaderboard(row, kind.value, period)
        return Leaderboard(kind=kind, period=found.label, starts_at=found.start,
                           ends_at=found.end, entries=[
                               LeaderboardEntry(rank=e.rank, minutes_given=e.minutes_given,
                                                households_helped=e.households_helped,
                                                needs_helped=e.needs_helped, score=e.score,
                                                _member=e.member_id) for e in entries])

    @strawberry.field(description="The mutual-aid stars, newest quarter first (public).")
    async def mutual_aid_stars(self, info: Info, community: str,
                               first: int | None = None) -> list[StarRound]:
        row = await info.context.plugin_community(community, NAME)
        rounds = await stars.list_rounds(row, page_size(first))
        return [StarRound(quarter=r["period"], starts_at=r["starts_at"], ends_at=r["ends_at"],
                          ran_at=r["ran_at"], prize=r["prize"], sponsor=r["sponsor"],
                          prize_credits=credits(r["prize_credits_centi"]), _row=r)
                for r in rounds]


# --- mutations ------------------------------------------------------------------------------


@strawberry.input
class ApplyForBadgeInput:
    """Apply for an expert certification or a custom badge, with evidence."""

    badge_id: strawberry.ID
    evidence: str
    links: list[str] | None = None


@strawberry.input
class BadgeApplicationActionInput:
    """Act on an application (withdraw it)."""

    application_id: strawberry.ID


@strawberry.input
class ApproveBadgeApplicationInput:
    """Approve an application; the note is kept in its history."""

    application_id: strawberry.ID
    note: str = ""


@strawberry.input
class RejectBadgeApplicationInput:
    """Reject an application with a reason the member will see."""

    application_id: strawberry.ID
    reason: str


@strawberry.input
class RevokeBadgeInput:
    """Revoke a held badge with a reason."""

    award_id: strawberry.ID
    reason: str


@strawberry.input
class AwardBadgeInput:
    """Award a badge directly (admins), e.g. after checking a qualification in person."""

    badge_id: strawberry.ID
    member_id: strawberry.ID
    note: str = ""


@strawberry.input
class DefineBadgeInput:
    """Create a badge, or change the one with this slug (admins). Omitted fields keep their
    value."""

    community: str
    slug: str
    kind: BadgeKind | None = None
    name: str | None = None
    category: str | None = None
    description: str | None = None
    criteria: str | None = None
    image_url: str | None = None
    validity_days: int | None = None
    active: bool | None = None


@strawberry.type
class BadgeApplicationPayload:
    """The application after the step."""

    application: BadgeApplication | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BadgeAwardPayload:
    """The award after the step."""

    award: BadgeAward | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BadgeDefinitionPayload:
    """The badge after the change."""

    badge: BadgeDefinition | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BadgesMutation:
    """Badge mutations."""

    @strawberry.mutation(description="Apply for a badge (verified members).")
    @payload(BadgeApplicationPayload)
    async def apply_for_badge(self, info: Info, input: ApplyForBadgeInput
                              ) -> BadgeApplicationPayload:
        definition, community = await _row_community(info, DefinitionTable, input.badge_id,
                                                     "BadgeDefinition", "badgeId", "badge")
        actor = _acting_member(await info.context.require_verified(community))
        row = await service.apply(community, actor, definition["id"], input.evidence,
                                  input.links)
        return BadgeApplicationPayload(application=BadgeApplication.from_row(row))

    @strawberry.mutation(description="Take back my pending application.")
    @payload(BadgeApplicationPayload)
    async def withdraw_badge_application(self, info: Info, input: BadgeApplicationActionInput
                                         ) -> BadgeApplicationPayload:
        application, community = await _row_community(
            info, ApplicationTable, input.application_id, "BadgeApplication", "applicationId",
            "application")
        actor = await info.context.require_member(community)
        row = await service.withdraw(community, actor, application["id"])
        return BadgeApplicationPayload(application=BadgeApplication.from_row(row))

    @strawberry.mutation(description="Approve an application: the badge is awarded (leaders "
                                     "of the applicant's building, admins).")
    @payload(BadgeApplicationPayload)
    async def approve_badge_application(self, info: Info, input: ApproveBadgeApplicationInput
                                        ) -> BadgeApplicationPayload:
        application, community = await _row_community(
            info, ApplicationTable, input.application_id, "BadgeApplication", "applicationId",
            "application")
        actor = await info.context.require_verified(community)
        row = await service.approve(community, actor, application["id"], input.note)
        return BadgeApplicationPayload(application=BadgeApplication.from_row(row))

    @strawberry.mutation(description="Reject an application with a reason.")
    @payload(BadgeApplicationPayload)
    async def reject_badge_application(self, info: Info, input: RejectBadgeApplicationInput
                                       ) -> BadgeApplicationPayload:
        application, community = await _row_community(
            info, ApplicationTable, input.application_id, "BadgeApplication", "applicationId",
            "application")
        actor = await info.context.require_verified(community)
        row = await service.reject(community, actor, application["id"], input.reason)
        return BadgeApplicationPayload(application=BadgeApplication.from_row(row))

    @strawberry.mutation(description="Revoke a badge with a reason (leaders of the holder's "
                                     "building, admins).")
    @payload(BadgeAwardPayload)
    async def revoke_badge(self, info: Info, input: RevokeBadgeInput) -> BadgeAwardPayload:
        award, community = await _row_community(info, AwardTable, input.award_id,
                                                "BadgeAward", "awardId", "badge award")
        actor = await info.context.require_verified(community)
        row = await service.revoke(community, actor, award["id"], input.reason)
        return BadgeAwardPayload(award=BadgeAward.from_row(row))

    @strawberry.mutation(description="Award a badge directly (admins).")
    @payload(BadgeAwardPayload)
    async def award_badge(self, info: Info, input: AwardBadgeInput) -> BadgeAwardPayload:
        definition, community = await _row_community(info, DefinitionTable, input.badge_id,
                                                     "BadgeDefinition", "badgeId", "badge")
        actor = await info.context.require_verified(community)
        require_admin(actor)
        member = await _member_in(info, community, input.member_id, "memberId")
        row = await service.award(community, actor, definition["id"], member, input.note)
        return BadgeAwardPayload(award=BadgeAward.from_row(row))

    @strawberry.mutation(description="Create or change a badge (admins).")
    @payload(BadgeDefinitionPayload)
    async def define_badge(self, info: Info, input: DefineBadgeInput
                           ) -> BadgeDefinitionPayload:
        community = await info.context.plugin_community(input.community, NAME)
        actor = await info.context.require_verified(community)
        require_admin(actor)
        row = await service.define(
            community, actor, slug=input.slug, kind=input.kind.value if input.kind else None,
            name=input.name, category=input.category, description=input.description,
            criteria=input.criteria, image_url=input.image_url,
            validity_days=input.validity_days, active=input.active)
        return BadgeDefinitionPayload(badge=BadgeDefinition.from_row(row))


def contribution() -> GraphQLContribution:
    """What the badges plugin adds to the schema."""
    return GraphQLContribution(query=BadgesQuery, mutation=BadgesMutation)
