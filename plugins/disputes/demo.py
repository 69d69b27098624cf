"""Disputes for the 水榭花都 demo, from the field reports' sharpest promise: "服务纠纷(如维修没修好)
要快赔+公开" — 张阿姨's dripping tap, repaired by 陈师傅, did not hold; she opened a dispute, 王楼长
decided it three hours later with compensation from the compensation fund, and the board says
"问题已解决，以后会更严格审核技能". And one dispute still open: 小刘's bookshelf, which 李姐 did not
finish, waits for its mediator (3号楼 has no leader, so an admin mediates).
"""

from __future__ import annotations

from datetime import timedelta

from yizhan.core.api import (
    EventContext,
    accept_need,
    atomic,
    now,
    post_need,
    schedule_deadline,
)
from yizhan.plugins.disputes import service
from yizhan.plugins.disputes.tables import Dispute, DisputeStep

PUBLIC_LINE = "问题已解决，以后会更严格审核技能。"


async def _done_need(community: dict, requester: dict, helper: dict, **values) -> dict:
    from yizhan.core.api import mark_need_done

    start = now()
    need = await post_need(community, requester, window_start=start,
                           window_end=start + timedelta(hours=6), **values)
    await accept_need(community, helper, need["id"])
    return await mark_need_done(community, helper, need["id"])


async def seed_demo(ctx: EventContext, members: dict[str, dict]) -> None:
    """The decided tap repair and the open bookshelf dispute (not idempotent: call once)."""
    community = ctx.community
    zhang, chen, liu, li = (members[k] for k in ("zhang", "chen", "liu", "li"))
    credits_on = ctx.enabled("credits")
    async with atomic():
        if credits_on:
            from yizhan.plugins.credits import service as credits

            await credits.award(community, zhang["id"], 500, reason="Demo: welcome credits",
                                key="demo:disputes:zhang")
            await credits.transfer(community, credits.ISSUANCE, credits.COMPENSATION_FUND,
                                   2000, kind="funding", reason="Demo: compensation fund",
                                   key="demo:disputes:fund")
        tap = await _done_need(community, zhang, chen, title="厨房水龙头漏水，请师傅修一下",
                               category="repair", description="水龙头一直滴水，晚上听得很清楚。",
                               estimated_minutes=60, credits="1.00" if credits_on else "0")
        dispute = await service.open_dispute(
            community, zhang, tap["id"], category="poorly_done",
            description="修完第二天又开始滴水，比原来还厉害。", photos=["demo/tap-drip.jpg"])
        # The story happened three hours before the demo was made: open it then.
        opened = now() - timedelta(hours=3)
        due = opened + timedelta(hours=service.settings_of(community).decide_within_hours)
        await Dispute.update({Dispute.opened_at: opened, Dispute.due_at: due}).where(
            Dispute.id == dispute["id"])
        await schedule_deadline(community["id"], service.PLUGIN, service.DECIDE,
                                dispute["id"], due)
        await service.add_statement(community, chen, dispute["id"],
                                    "阀芯老化了，我当时只换了垫圈。愿意再上门一次。")
        for kind, at in (("opened", opened), ("statement", opened + timedelta(minutes=40))):
            await DisputeStep.update({DisputeStep.at: at}).where(
                (DisputeStep.dispute == dispute["id"]) & (DisputeStep.kind == kind))
        wang = await _mediator(community, dispute["id"])
        await service.decide(
            community, wang, dispute["id"],
            outcome=service.COMPENSATE if credits_on else service.REDO,
            reason="师傅承认只换了垫圈；补偿张阿姨本次积分，阀芯由物业更换。",
            public_line=PUBLIC_LINE)
        shelf = await _done_need(community, liu, li, title="帮忙组装书架",
                                 category="errand", description="宜家书架，零件都在。",
                                 estimated_minutes=40, credits="0.50" if credits_on else "0")
        await service.open_dispute(community, liu, shelf["id"], category="not_done",
                                   description="只装了一半，隔板都没装上。")


async def _mediator(community: dict, dispute_id: int) -> dict:
    from yizhan.core.api import get_member

    row = await service.get(community, dispute_id)
    return await get_member(community, row["mediator"])
