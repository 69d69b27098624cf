"""Paying for help: credits are held when a need is accepted and paid when it is confirmed.

Who pays: the requester (mutual mode, the default) or the community fund (setting ``payer``);
a need a leader posted on a member's behalf is paid by the fund when ``fund_pays_on_behalf``.
The payer decided at acceptance is the payer at confirmation: the hold remembers it, so a need
that was accepted always pays when it is confirmed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from yizhan.core.api import EventContext, is_postgres, raw_sql
from yizhan.plugins.credits import accounts, ledger
from yizhan.plugins.credits.ledger import Line

SOURCE = "need"
#: The confirmation recorded for the leader pool (once per need).
_RECORD_SQL = ("INSERT INTO yz_credit_confirmed_need (community, need, building, month, "
               "confirmed_at) VALUES ({}, {}, {}, {}, {}) ON CONFLICT DO NOTHING")


def fund_pays(need: dict, settings) -> bool:
    """True when the community fund pays for ``need`` under ``settings``."""
    if settings.payer == "community_fund":
        return True
    return settings.fund_pays_on_behalf and need["posted_by"] != need["requester"]


async def payer_account(community_id: int, need: dict, settings) -> dict:
    """The account that pays for ``need``."""
    if fund_pays(need, settings):
        return await accounts.builtin(community_id, accounts.COMMUNITY_FUND)
    return await accounts.member_account(community_id, need["requester"])


async def check_affordable(ctx: EventContext, need: dict) -> None:
    """At posting: refuse a need the requester cannot pay for now (they pay themselves)."""
    amount = need["credits_centi"]
    settings = ledger.settings_of(ctx.community_id)
    if amount <= 0 or fund_pays(need, settings):
        return
    account = await accounts.get_by_code(ctx.community_id, accounts.member_code(need["requester"]))
    limits = accounts.limits_of(account or {"kind": accounts.MEMBER}, settings)
    available = (account["balance_centi"] - account["held_centi"]) if account else 0
    if available - amount < (limits.floor or 0):
        from yizhan.plugins.credits import errors

        raise errors.credit_limit(max(available - (limits.floor or 0), 0), amount,
                                  -(limits.floor or 0),
                                  payer_is_actor=need["posted_by"] == need["requester"],
                                  field="credits")


async def on_accepted(ctx: EventContext, need: dict) -> None:
    """Hold the need's credits: the payer's available credit and the helper's room below the
    maximum balance are both reserved, or the acceptance is refused."""
    amount = need["credits_centi"]
    if amount <= 0:
        return
    settings = ledger.settings_of(ctx.community_id)
    payer = await payer_account(ctx.community_id, need, settings)
    payee = await accounts.member_account(ctx.community_id, need["helper"])
    ledger.veto(ctx, {"kind": "need_payment", "amount_centi": amount, "from_code": payer["code"],
                      "to_code": payee["code"], "from_member": payer["member"],
                      "to_member": payee["member"], "source_kind": SOURCE,
                      "source_id": str(need["id"])})
    await ledger.hold(ctx.community, SOURCE, need["id"], payer, payee, amount,
                      hint={"field": "needId", "payer_is_actor": False,
                            "payee_is_actor": True})


async def on_released(ctx: EventContext, need: dict) -> None:
    """The helper withdrew or the need was cancelled: release its hold, if any."""
    found = await ledger.open_hold(ctx.community_id, SOURCE, need["id"])
    if found is not None:
        await ledger.release(ctx.community, found)


async def on_confirmed(ctx: EventContext, need: dict) -> None:
    """Record the confirmation (for the leader pool) and pay the helper."""
    tz = ZoneInfo(ctx.community["time_zone"])
    month = ctx.now.astimezone(tz).strftime("%Y-%m")
    amount = need["credits_centi"]
    record = [ctx.community_id, need["id"], need["building"], month, ctx.now]
    if amount <= 0 or not is_postgres():
        await raw_sql(_RECORD_SQL, *record)  # (PostgreSQL: with the hold's read below)
    if amount <= 0:
        return
    reason = f"Help: {need['title']}"
    key = f"need:{need['id']}:payment"
    actor = ctx.actor["id"] if ctx.actor else None
    label = {"reason_msgid": "Help: {title}", "reason_params": {"title": need["title"]}}
    captured = await ledger.capture_open(
        ctx.community, SOURCE, need["id"], kind="need_payment", reason=reason, key=key,
        actor=actor, **label, also=(_RECORD_SQL, record) if is_postgres() else None)
    if captured is not None:
        return
    # Accepted before credits was switched on: nothing was held, so pay within the limits.
    settings = ledger.settings_of(ctx.community_id)
    payer = await payer_account(ctx.community_id, need, settings)
    payee = await accounts.member_account(ctx.community_id, need["helper"])
    await ledger.post(ctx.community, [Line(payer, -amount), Line(payee, amount)],
                      kind="need_payment", reason=reason, key=key, source_kind=SOURCE,
                      source_id=need["id"], actor=actor, **label,
                      hint={"field": "needId", "payer_is_actor": True})
