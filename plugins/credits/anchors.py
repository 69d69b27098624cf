"""Anchoring the chain: its head published at least daily, where a rewrite cannot follow.

Anyone with write access to the database could recompute a whole chain after changing it;
the chain alone cannot tell. So once a (local) day, when the chain moved, the head — its
``seq`` and ``hash`` — is published: a notice on the community's board, a
``credits.chain_head`` event in the outbox (delivered to webhooks, so copies live outside the
database), and a row in ``yz_credit_anchor``. Verification then checks that today's chain
still contains every published head with the same hash (:mod:`.integrity`), and anyone holding
a copy of a notice or a webhook delivery can compare it with the public proof of that ``seq``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from yizhan.core.api import (
    atomic,
    communities_with_plugin,
    now,
    post_notice,
    publish,
    translate,
)
from yizhan.plugins.credits import statements
from yizhan.plugins.credits.tables import CreditAnchor

EVENT = "credits.chain_head"


async def latest(community_id: int) -> dict | None:
    """The newest published head of the community, if any."""
    return await CreditAnchor.select().where(CreditAnchor.community == community_id).order_by(
        CreditAnchor.seq, ascending=False).first()


async def list_anchors(community_id: int, limit: int = 100) -> list[dict]:
    """Published heads, newest first."""
    return await CreditAnchor.select().where(CreditAnchor.community == community_id).order_by(
        CreditAnchor.seq, ascending=False).limit(limit)


def _local_day(community: dict, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(community["time_zone"])).date().isoformat()


async def publish_head(community: dict, moment: datetime | None = None) -> dict | None:
    """Publish the community's chain head now (notice, outbox event, anchor row), unless it
    was published already or the chain is empty. Returns the new anchor row, or None."""
    moment = moment or now()
    async with atomic():
        head = await statements.head(community["id"])
        last = await latest(community["id"])
        if head["seq"] == 0 or (last is not None and last["seq"] >= head["seq"]):
            return None
        day = _local_day(community, moment)
        locale = community["locale"]
        notice = await post_notice(
            community["id"],
            translate("Ledger checkpoint {date}: #{seq}", locale, date=day, seq=head["seq"]),
            translate("The time-credit ledger's chain head on {date} is transaction #{seq} "
                      "with hash {hash}. Keep a copy: verification checks that the ledger "
                      "still contains it, so history cannot be rewritten unnoticed.", locale,
                      date=day, seq=head["seq"], hash=head["hash"]),
            source="credits")
        await publish(community["id"], EVENT, {"seq": head["seq"], "hash": head["hash"],
                                               "published_at": moment.isoformat(),
                                               "community": community["slug"]})
        return (await CreditAnchor.insert(CreditAnchor(
            community=community["id"], seq=head["seq"], hash=head["hash"],
            published_at=moment, notice=notice["id"])).returning(
                *CreditAnchor.all_columns()))[0]


async def publish_due(moment: datetime) -> int:
    """Job: in every community with credits on, publish the head once per local day when the
    chain moved since the last one. Returns how many were published."""
    published = 0
    for community in await communities_with_plugin("credits"):
        last = await latest(community["id"])
        if last is not None and _local_day(community, last["published_at"]) == _local_day(
                community, moment):
            continue
        published += await publish_head(community, moment) is not None
    return published
