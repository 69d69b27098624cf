"""Helpers for the credits tests: needs through core's services, ledger snapshots."""

from __future__ import annotations

from datetime import timedelta

from yizhan.core import clock
from yizhan.core.services import needs
from yizhan.plugins.credits.tables import (
    CreditAccount,
    CreditHold,
    CreditLot,
    CreditPosting,
    CreditTransaction,
    CreditVoucher,
)

BALANCE = """query { myCredits(community: "testville") {
  balance held incoming available creditLimit maxBalance warnings } }"""


async def post_need(community: dict, actor: dict, credits: str = "1.00", *,
                    on_behalf_of: int | None = None, title: str = "Fetch a parcel") -> dict:
    """Post a need through core's service."""
    now = clock.now()
    return await needs.post(community, actor, title=title, category="errand",
                            window_start=now + timedelta(hours=1),
                            window_end=now + timedelta(hours=3), estimated_minutes=30,
                            credits=credits, on_behalf_of=on_behalf_of)


async def help_with(community: dict, requester: dict, helper: dict, credits: str = "1.00",
                    confirmer: dict | None = None, **kwargs) -> dict:
    """Post, accept, mark done and confirm a need; returns the confirmed need."""
    need = await post_need(community, requester, credits, **kwargs)
    await needs.accept(community, helper, need["id"])
    await needs.mark_done(community, helper, need["id"])
    return await needs.confirm(community, confirmer or requester, need["id"])


async def snapshot() -> dict:
    """Row counts of every ledger table (to check that a refusal wrote nothing)."""
    return {
        "accounts": await CreditAccount.select(CreditAccount.id, CreditAccount.balance_centi,
                                               CreditAccount.held_centi,
                                               CreditAccount.incoming_centi).order_by(
            CreditAccount.id),
        "transactions": await CreditTransaction.count(),
        "postings": await CreditPosting.count(),
        "holds": await CreditHold.select(CreditHold.id, CreditHold.status).order_by(
            CreditHold.id),
        "lots": await CreditLot.select(CreditLot.id, CreditLot.remaining_centi).order_by(
            CreditLot.id),
        "vouchers": await CreditVoucher.select(CreditVoucher.id, CreditVoucher.status).order_by(
            CreditVoucher.id),
    }


async def balance_of(community: dict, member_id: int) -> dict:
    """The member's account row (zeros when it was never opened)."""
    row = await CreditAccount.select().where(
        (CreditAccount.community == community["id"])
        & (CreditAccount.code == f"member:{member_id}")).first()
    return row or {"balance_centi": 0, "held_centi": 0, "incoming_centi": 0}


POST_NEED = """mutation($input: PostNeedInput!) { postNeed(input: $input) {
  need { id status credits } errors { field code message } } }"""

STEP = """mutation($input: NeedActionInput!) {{ {name}(input: $input) {{
  need {{ id status }} errors {{ field code message }} }} }}"""

STATEMENT = """query($filter: CreditStatementFilter, $first: Int, $after: String) {
  myCreditStatement(community: "testville", filter: $filter, first: $first, after: $after) {
    edges { cursor node { amount balanceAfter
      transaction { id seq kind reason sourceKind sourceId amount hash prevHash }
      counterparts { accountCode accountKind amount member { displayName } } } }
    pageInfo { hasNextPage endCursor } } }"""


def need_input(credits: str = "1.00", **overrides) -> dict:
    """A valid postNeed input paying ``credits``."""
    start = clock.now() + timedelta(hours=1)
    values = {"community": "testville", "title": "Fetch a parcel", "category": "errand",
              "windowStart": start.isoformat(),
              "windowEnd": (start + timedelta(hours=2)).isoformat(),
              "estimatedMinutes": 30, "credits": credits}
    values.update(overrides)
    return values


async def gql_post(actor, credits: str = "1.00", **overrides) -> dict:
    """Post a need through GraphQL: the payload (need and errors)."""
    return await actor.gql.mutate(POST_NEED, {"input": need_input(credits, **overrides)})


async def gql_step(actor, name: str, need_id: str) -> dict:
    """A need step through GraphQL (``acceptNeed`` …): its payload."""
    return await actor.gql.mutate(STEP.format(name=name), {"input": {"needId": need_id}})


async def my_credits(actor) -> dict:
    """``myCredits`` as ``actor``."""
    return (await actor.gql.data(BALANCE))["myCredits"]
