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
    Node,
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
    """An expert certification in a skill category (members apply with evidence)."""
    STAR = "star"
    """The mutual-aid star, awarded each quarter to those who helped most."""
    CUSTOM = "custom"
    """Any other badge the community defines."""


@strawberry.enum
class BadgeApplicationStatus(Enum):
    """Where an application stands."""

    PENDING = "pending"
    """Waiting for a reviewer."""
    APPROVED = "approved"
    """Approved: the badge was awarded."""
    REJECTED = "rejected"
    """Rejected, with a reason the applicant sees."""
    WITHDRAWN = "withdrawn"
    """Taken back by the applicant."""


@strawberry.enum
class BadgeAwardStatus(Enum):
    """Whether a held badge counts right now."""

    ACTIVE = "active"
    """Held and valid."""
    EXPIRED = "expired"
    """Its validity ran out; apply again to renew it."""
    REVOKED = "revoked"
    """Taken away by a reviewer, with a reason."""


@strawberry.enum
class LeaderboardPeriod(Enum):
    """The span a leaderboard covers (in the community's time zone)."""

    MONTH = "month"
    """A calendar month (`2026-11`)."""
    QUARTER = "quarter"
    """A calendar quarter (`2026Q4`)."""


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
    """What happened: `applied`, `approved`, `rejected`, `withdrawn` (an application);
    `awarded`, `revoked`, `expired`, `recheck`, `reconfirmed` (an award)."""
    note: str
    """The note or reason given with the step (empty if none)."""
    at: datetime
    """When it happened."""
    _actor: strawberry.Private[int | None]

    @strawberry.field(description="Who took the step (null for the CLI and the sweeps).")
    async def actor(self, info: Info) -> Member | None:
        return await member_by_id(info, self._actor)


async def _history(info: Info, community_id: int, subject: str, pk: int) -> list[BadgeStep]:
    community = await _community_row(info, community_id)
    return [BadgeStep(action=s["action"], note=s["note"], at=s["at"], _actor=s["actor"])
            for s in await service.history(community, subject, pk)]


@strawberry.type
class BadgeDefinition(Node):
    """A badge a community awards: an expert certification, the mutual-aid star, or custom.
    Public."""

    id: strawberry.ID
    """The global id (`node(id:)` fetches it again)."""
    slug: str
    """The badge's short name, unique in the community (`expert-electrician`)."""
    kind: BadgeKind
    """What the badge recognises."""
    category: str = strawberry.field(description="The skill category of an expert badge.")
    name: str
    """The badge's title, as shown."""
    description: str
    """What the badge means."""
    criteria: str
    """What it takes to earn it."""
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

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> BadgeDefinition | None:
        """``node(id:)``: public, like ``badgeDefinitions`` (where badges is on)."""
        row = await _loaders(info).definition.load(pk)
        if row is None:
            return None
        info.context.require_plugin(await _community_row(info, row["community"]), NAME)
        return cls.from_row(row)

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


async def _is_viewer(info: Info, community: dict, member_pk: int) -> bool:
    """True when the caller is the (pending or verified) member ``member_pk``."""
    viewer = await info.context.member(community)
    return (viewer is not None and viewer["id"] == member_pk
            and viewer["status"] in ("pending", "verified"))


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
class BadgeAward(Node):
    """A badge held by a member, with its Open Badges 3.0 credential. The holder sees theirs;
    verified members see active badges; reviewers see those of the members they review."""

    id: strawberry.ID
    """The global id (`node(id:)` fetches it again)."""
    status: BadgeAwardStatus
    """Whether it counts right now."""
    source: str = strawberry.field(
        description="How it came: `application`, `direct` (an admin) or `star`.")
    period: str = strawberry.field(
        description="The quarter of a mutual-aid star (`2026Q4`); empty for other badges.")
    awarded_at: datetime
    """When it was awarded."""
    expires_at: datetime | None
    """When it expires (null: never)."""
    revoked_at: datetime | None
    """When it was revoked (null: not revoked)."""
    _row: strawberry.Private[dict]

    @classmethod
    def from_row(cls, row: dict) -> BadgeAward:
        """Build from a ``yz_badge_award`` row."""
        return cls(id=to_gid("BadgeAward", row["id"]),
                   status=BadgeAwardStatus(service.award_status(row)), source=row["source"],
                   period=row["period"], awarded_at=row["awarded_at"],
                   expires_at=row["expires_at"], revoked_at=row["revoked_at"], _row=row)

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> BadgeAward | None:
        """``node(id:)``: the holder (``myBadges``); verified members for an active badge
        (``badgeProfile``); reviewers of the holder for any (``badgeApplications``)."""
        row = await _loaders(info).award.load(pk)
        if row is None:
            return None
        community = await _community_row(info, row["community"])
        info.context.require_plugin(community, NAME)
        if await _is_viewer(info, community, row["member"]):
            return cls.from_row(row)
        viewer = await info.context.require_verified(community)
        holder = await info.context.loaders.member.load(row["member"])
        if service.award_status(row) == "active" or service.may_review(viewer, holder):
            return cls.from_row(row)
        return None

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
class BadgeApplication(Node):
    """A member's application for a badge, with evidence, and the decision. The applicant
    and those who may review them see it."""

    id: strawberry.ID
    """The global id (`node(id:)` fetches it again)."""
    status: BadgeApplicationStatus
    """Where the application stands."""
    evidence: str
    """The applicant's evidence, in their words."""
    links: list[str]
    """Links to supporting documents (certificates, photos of work)."""
    submitted_at: datetime
    """When it was submitted."""
    decided_at: datetime | None
    """When it was approved, rejected or withdrawn (null while pending)."""
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

    @classmethod
    async def load_node(cls, info: Info, pk: int) -> BadgeApplication | None:
        """``node(id:)``: the applicant (``myBadgeApplications``) and verified reviewers of
        the applicant (``badgeApplications``)."""
        row = await ApplicationTable.select().where(ApplicationTable.id == pk).first()
        if row is None:
            return None
        community = await _community_row(info, row["community"])
        info.context.require_plugin(community, NAME)
        if await _is_viewer(info, community, row["member"]):
            return cls.from_row(row)
        viewer = await info.context.require_verified(community)
        applicant = await info.context.loaders.member.load(row["member"])
        return cls.from_row(row) if service.may_review(viewer, applicant) else None

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
    """Confirmed needs they helped with."""
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
    """1 for the top helper."""
    minutes_given: int
    """Minutes of confirmed help given in the period."""
    households_helped: int
    """Distinct households (requesters) helped in the period."""
    needs_helped: int
    """Confirmed needs helped with in the period."""
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
    """A month or a quarter."""
    period: str = strawberry.field(description="The period's label: `2026-11` or `2026Q4`.")
    starts_at: datetime
    """Start of the period (included)."""
    ends_at: datetime
    """End of the period (excluded)."""
    entries: list[LeaderboardEntry]
    """The helpers, best first."""


@strawberry.type
class StarWinner:
    """A mutual-aid star of a quarter."""

    rank: int
    """1 for the first star."""
    minutes_given: int
    """Minutes of confirmed help given in the quarter."""
    households_helped: int
    """Distinct households helped in the quarter."""
    score: int
    """Minutes given plus 60 per distinct household helped."""
    credits_status: str = strawberry.field(
        description="The credits prize: `none` (no prize), `paid`, `skipped` (credits off) "
                    "or `failed`.")
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
    """The quarter (`2026Q4`)."""
    starts_at: datetime
    """Start of the quarter (included)."""
    ends_at: datetime
    """End of the quarter (excluded)."""
    ran_at: datetime
    """When the stars were chosen."""
    prize: str
    """The prize, in words (empty if none)."""
    sponsor: str
    """Who gave the prize (empty if nobody)."""
    prize_credits: Credits
    """Credits paid to each star (0 if none)."""
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
        """
        Args:
            community: The community's slug.
            kind: Only badges of this kind (default: every kind).
            include_retired: Include retired badges too.
        """
        row = await info.context.plugin_community(community, NAME)
        return [BadgeDefinition.from_row(r) for r in await service.list_definitions(
            row, kind.value if kind else None, include_retired)]

    @strawberry.field(description="My badges in a community, newest first (every status).")
    async def my_badges(self, info: Info, community: str, first: int | None = None,
                        after: str | None = None) -> Connection[BadgeAward]:
        """
        Args:
            community: The community's slug.
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
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
        """
        Args:
            community: The community's slug.
            status: Only applications in this state (default: every state).
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
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
        """
        Args:
            community: The community's slug.
            status: Only applications in this state (default PENDING; null: every state).
            first: Page size, 1 to 100 (default 20).
            after: Return the items after this cursor (`pageInfo.endCursor`).
        """
        row = await info.context.plugin_community(community, NAME)
        viewer = await info.context.require_verified(row)
        size = page_size(first)
        rows = await service.list_applications(
            row, viewer, status=status.value if status else None,
            before_id=from_cursor(after), limit=size + 1)
        return build_connection(rows, size, BadgeApplication.from_row)

    @strawberry.field(description="A member's badge profile (verified members of the "
                                  "community, and the member themself).")
    async def badge_profile(self, info: Info, member_id: strawberry.ID) -> BadgeProfile:
        """
        Args:
            member_id: The member's global id.
        """
        pk = pk_of(member_id, "Member", "memberId")
        member = await info.context.loaders.member.load(pk)
        if member is None:
            raise not_found("member", "memberId")
        community = await _community_row(info, member["community"])
        info.context.require_plugin(community, NAME)
        if not await _is_viewer(info, community, pk):  # strangers see only the public
            await info.context.require_verified(community)
        found = await service.profile(community, pk)
        return BadgeProfile(households_helped=found["households_helped"],
                            minutes_given=found["minutes_given"],
                            needs_helped=found["needs_helped"], _member=pk,
                            _awards=found["awards"])

    @strawberry.field(description="Who helped most this month or quarter, or in the one "
                                  "named by `period` (2026-11, 2026Q4). Public.")
    async def badge_leaderboard(self, info: Info, community: str, kind: LeaderboardPeriod,
                                period: str | None = None) -> Leaderboard:
        """
        Args:
            community: The community's slug.
            kind: A month or a quarter.
            period: Which one (`2026-11`, `2026Q4`); default: the current one.
        """
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
        """
        Args:
            community: The community's slug.
            first: How many quarters, 1 to 100 (default 20).
        """
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
    """The badge applied for (a `BadgeDefinition` id)."""
    evidence: str
    """Why you qualify, in your words (required)."""
    links: list[str] | None = None
    """Links to supporting documents (http or https URLs)."""


@strawberry.input
class BadgeApplicationActionInput:
    """Act on an application (withdraw it)."""

    application_id: strawberry.ID
    """The application."""


@strawberry.input
class ApproveBadgeApplicationInput:
    """Approve an application; the note is kept in its history."""

    application_id: strawberry.ID
    """The application to approve."""
    note: str = ""
    """A note for the applicant (optional)."""


@strawberry.input
class RejectBadgeApplicationInput:
    """Reject an application with a reason the member will see."""

    application_id: strawberry.ID
    """The application to reject."""
    reason: str
    """Why, for the applicant (required)."""


@strawberry.input
class RevokeBadgeInput:
    """Revoke a held badge with a reason."""

    award_id: strawberry.ID
    """The held badge (a `BadgeAward` id)."""
    reason: str
    """Why, for the holder (required)."""


@strawberry.input
class AwardBadgeInput:
    """Award a badge directly (admins), e.g. after checking a qualification in person."""

    badge_id: strawberry.ID
    """The badge to award (a `BadgeDefinition` id)."""
    member_id: strawberry.ID
    """Who receives it (a `Member` id of the community)."""
    note: str = ""
    """Why, kept in the award's history (optional)."""


@strawberry.input
class DefineBadgeInput:
    """Create a badge, or change the one with this slug (admins). Omitted fields keep their
    value."""

    community: str
    """The community's slug."""
    slug: str
    """The badge's short name (`expert-electrician`); an existing slug changes that badge."""
    kind: BadgeKind | None = None
    """What it recognises (required for a new badge)."""
    name: str | None = None
    """The title shown (required for a new badge)."""
    category: str | None = None
    """The skill category of an expert badge."""
    description: str | None = None
    """What the badge means."""
    criteria: str | None = None
    """What it takes to earn it."""
    image_url: str | None = None
    """An image URL (empty: the generated image)."""
    validity_days: int | None = None
    """Days an award stays valid (0: forever)."""
    active: bool | None = None
    """False retires the badge: no longer awarded, held ones stay."""


@strawberry.type
class BadgeApplicationPayload:
    """The application after the step."""

    application: BadgeApplication | None = None
    """The application (null when there are errors)."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


@strawberry.type
class BadgeAwardPayload:
    """The award after the step."""

    award: BadgeAward | None = None
    """The award (null when there are errors)."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


@strawberry.type
class BadgeDefinitionPayload:
    """The badge after the change."""

    badge: BadgeDefinition | None = None
    """The badge (null when there are errors)."""
    errors: list[UserError] = strawberry.field(default_factory=list)
    """What was wrong with the input (empty on success; nothing was changed otherwise)."""


@strawberry.type
class BadgesMutation:
    """Badge mutations."""

    @strawberry.mutation(description="Apply for a badge (verified members).")
    @payload(BadgeApplicationPayload)
    async def apply_for_badge(self, info: Info, input: ApplyForBadgeInput
                              ) -> BadgeApplicationPayload:
        """
        Args:
            input: The badge and your evidence.
        """
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
        """
        Args:
            input: The application to withdraw.
        """
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
        """
        Args:
            input: The application and a note.
        """
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
        """
        Args:
            input: The application and the reason.
        """
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
        """
        Args:
            input: The held badge and the reason.
        """
        award, community = await _row_community(info, AwardTable, input.award_id,
                                                "BadgeAward", "awardId", "badge award")
        actor = await info.context.require_verified(community)
        row = await service.revoke(community, actor, award["id"], input.reason)
        return BadgeAwardPayload(award=BadgeAward.from_row(row))

    @strawberry.mutation(description="Award a badge directly (admins).")
    @payload(BadgeAwardPayload)
    async def award_badge(self, info: Info, input: AwardBadgeInput) -> BadgeAwardPayload:
        """
        Args:
            input: The badge, the member and a note.
        """
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
        """
        Args:
            input: The badge's slug and the fields to set.
        """
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
    from strawberry.tools import merge_types

    from yizhan.plugins.badges.disputes import BadgesRecheckMutation

    return GraphQLContribution(query=BadgesQuery, mutation=merge_types(
        "BadgesMutations", (BadgesMutation, BadgesRecheckMutation)))
