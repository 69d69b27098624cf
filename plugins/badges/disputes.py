"""Badges and disputes: when a dispute against a certified expert is upheld, the expert's
certification in the need's category is flagged for re-check; until a reviewer re-confirms it,
it gives no priority in matching. The flag and the re-confirmation are steps in the award's
history (``yz_badge_event``: ``recheck`` and ``reconfirmed``), so no table is added.

Disputes calls ``yizhan_dispute_decided`` (its own hook); badges does not require disputes.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from yizhan.core.api import (
    EventContext,
    UserError,
    YizhanError,
    forbidden,
    get_need,
    is_leader_of,
    not_found,
    notify,
    now,
    payload,
    pk_of,
)
from yizhan.plugins.badges.tables import BadgeAward, BadgeDefinition, BadgeEvent

RECHECK, RECONFIRMED = "recheck", "reconfirmed"
UPHELD = ("redo", "compensate", "redo_and_compensate")


async def _expert_awards(community_id: int, member_ids: list[int], category: str) -> list[dict]:
    """Active expert awards of ``member_ids`` in ``category``."""
    if not member_ids or not category:
        return []
    definitions = await BadgeDefinition.select(BadgeDefinition.id).where(
        (BadgeDefinition.community == community_id) & (BadgeDefinition.kind == "expert")
        & (BadgeDefinition.category == category))
    if not definitions:
        return []
    at = now()
    return await BadgeAward.select().where(
        (BadgeAward.community == community_id)
        & BadgeAward.definition.is_in([d["id"] for d in definitions])
        & BadgeAward.member.is_in(list(member_ids)) & BadgeAward.revoked_at.is_null()
        & (BadgeAward.expires_at.is_null() | (BadgeAward.expires_at > at)))


async def _flagged(community_id: int, award_ids: list[int]) -> set[int]:
    """Awards whose latest re-check step is a flag, not a re-confirmation."""
    if not award_ids:
        return set()
    rows = await BadgeEvent.select(BadgeEvent.subject_id, BadgeEvent.action).where(
        (BadgeEvent.community == community_id) & (BadgeEvent.subject == "award")
        & BadgeEvent.subject_id.is_in(award_ids)
        & BadgeEvent.action.is_in([RECHECK, RECONFIRMED])).order_by(BadgeEvent.id)
    latest = {r["subject_id"]: r["action"] for r in rows}
    return {award for award, action in latest.items() if action == RECHECK}


async def under_recheck(community_id: int, member_ids: set[int] | list[int],
                        category: str) -> set[int]:
    """Which of ``member_ids`` hold a certification in ``category`` flagged for re-check."""
    awards = await _expert_awards(community_id, list(member_ids), category)
    flagged = await _flagged(community_id, [a["id"] for a in awards])
    return {a["member"] for a in awards if a["id"] in flagged}


async def on_dispute_decided(ctx: EventContext, dispute: dict, outcome: str) -> None:
    """An upheld dispute flags the helper's certification in the need's category."""
    if outcome not in UPHELD:
        return
    need = await get_need(ctx.community, dispute["need"])
    awards = await _expert_awards(ctx.community_id, [dispute["helper"]], need["category"])
    flagged = await _flagged(ctx.community_id, [a["id"] for a in awards])
    for award in awards:
        if award["id"] in flagged:
            continue
        await BadgeEvent.insert(BadgeEvent(
            community=ctx.community_id, subject="award", subject_id=award["id"], action=RECHECK,
            actor=ctx.actor["id"] if ctx.actor and ctx.actor.get("id") else None,
            note=f"dispute {dispute['id']}: {outcome}", at=now()))
        await notify(ctx.community_id, award["member"], "badges.recheck",
                     "Your certification will be re-checked",
                     "A dispute about your help was upheld. Until a reviewer re-confirms your "
                     "certification, it gives no priority in matching.")


async def reconfirm(community: dict, actor: dict | None, award_id: int, note: str = "") -> dict:
    """A reviewer (a leader of the holder's building, or an admin; None: the CLI) re-confirms
    a flagged certification: it counts for priority matching again."""
    from yizhan.core.api import atomic, get_member

    async with atomic():
        award = await BadgeAward.select().where(
            (BadgeAward.id == award_id) & (BadgeAward.community == community["id"])).first()
        if award is None:
            raise not_found("badge award", "awardId")
        holder = await get_member(community, award["member"])
        if actor is not None and (actor.get("id") == holder["id"]
                                  or not is_leader_of(actor, holder["building"])):
            raise forbidden("Only a leader of the holder's building or an admin can do this.")
        if award["id"] not in await _flagged(community["id"], [award["id"]]):
            raise YizhanError("NOT_UNDER_RECHECK", "This certification is not waiting for a "
                              "re-check.", field="awardId")
        await BadgeEvent.insert(BadgeEvent(
            community=community["id"], subject="award", subject_id=award["id"],
            action=RECONFIRMED, actor=actor["id"] if actor else None,
            note=(note or "").strip()[:500], at=now()))
    return award


@strawberry.input(description="Re-confirm a certification flagged after an upheld dispute.")
class ReconfirmCertificationInput:
    award_id: strawberry.ID = strawberry.field(description="The expert award.")
    note: str = strawberry.field(default="", description="What the reviewer checked.")


@strawberry.type(description="The re-confirmed award, or what to fix.")
class ReconfirmCertificationPayload:
    award_id: strawberry.ID | None = strawberry.field(default=None,
                                                      description="The award re-confirmed.")
    errors: list[UserError] = strawberry.field(default_factory=list,
                                               description="What to fix.")


@strawberry.type(description="Badges' mutations about disputes.")
class BadgesRecheckMutation:
    @strawberry.mutation(description="Re-confirm a certification flagged for re-check after "
                                      "an upheld dispute (a reviewer): it counts for priority "
                                      "matching again.")
    @payload(ReconfirmCertificationPayload)
    async def reconfirm_certification(self, info: Info, input: ReconfirmCertificationInput
                                      ) -> ReconfirmCertificationPayload:
        """
        Args:
            input: The award and what the reviewer checked.
        """
        pk = pk_of(input.award_id, "BadgeAward", "awardId")
        award = await BadgeAward.select(BadgeAward.community).where(BadgeAward.id == pk).first()
        if award is None:
            raise not_found("badge award", "awardId")
        community = await info.context.loaders.community.load(award["community"])
        info.context.require_plugin(community, "badges")
        member = await info.context.require_member(community)
        await reconfirm(community, member, pk, input.note)
        return ReconfirmCertificationPayload(award_id=input.award_id)
