"""Helpers for the disputes tests: GraphQL documents, a done need, balances and snapshots
that show a refusal wrote nothing."""

from __future__ import annotations

from datetime import timedelta

from yizhan.core import clock
from yizhan.core.graphql.ids import to_gid
from yizhan.core.tables import Need, Notice, Notification
from yizhan.plugins.credits import service as credits
from yizhan.plugins.credits.tables import CreditTransaction
from yizhan.plugins.disputes.tables import Dispute, DisputeStep

DISPUTE_FIELDS = """id category description photos status openedAt dueAt secondsLeft escalated
  outcome decidedAt automatic hoursToDecide withinDeadline reason publicLine release
  compensation takenBack overturnedAt overturnReason previousOutcome viewerCanDecide
  need { id status } redoNeed { id status title helper { displayName } credits }
  requester { displayName } helper { displayName } mediator { displayName }
  timeline { kind body at actor { displayName } }"""

PAYLOAD = "dispute { " + DISPUTE_FIELDS + " } errors { field code message } } }"

OPEN = """mutation($input: OpenDisputeInput!) { openDispute(input: $input) {
  """ + PAYLOAD

STATEMENT = """mutation($input: AddDisputeStatementInput!) { addDisputeStatement(input: $input) {
  """ + PAYLOAD

REASSIGN = """mutation($input: ReassignDisputeInput!) { reassignDispute(input: $input) {
  """ + PAYLOAD

DECIDE = """mutation($input: DecideDisputeInput!) { decideDispute(input: $input) {
  """ + PAYLOAD

OVERTURN = """mutation($input: OverturnDisputeDecisionInput!) {
  overturnDisputeDecision(input: $input) {
  """ + PAYLOAD

ONE = "query($id: ID!) { dispute(id: $id) { " + DISPUTE_FIELDS + " } }"

PROMISE = """query($c: String!) { disputePromise(community: $c) { decideWithinHours openNow
  thisMonth { decided withinDeadline sharePercent medianHours }
  allTime { decided withinDeadline sharePercent medianHours } } }"""

NOTICES = """query($c: String!) { notices(community: $c, source: "disputes") {
  edges { node { title body } } } }"""

CONFIRM = """mutation($id: ID!) { confirmNeed(input: {needId: $id}) {
  need { id status } errors { field code message } } }"""


async def done_need(community: dict, requester, helper, credits_amount: str = "1.00",
                    category: str = "repair") -> dict:
    """A need of ``requester`` that ``helper`` accepted and marked done (through core)."""
    from yizhan.core.services import needs

    now = clock.now()
    need = await needs.post(community, requester.member, title="Fix the kitchen tap",
                            category=category, window_start=now,
                            window_end=now + timedelta(hours=4), estimated_minutes=60,
                            credits=credits_amount)
    await needs.accept(community, helper.member, need["id"])
    return await needs.mark_done(community, helper.member, need["id"])


def need_gid(need: dict) -> str:
    """A need's global id."""
    return to_gid("Need", need["id"])


async def fund(community: dict, amount: int) -> None:
    """Put ``amount`` hundredths into the compensation fund (from issuance)."""
    await credits.transfer(community, credits.ISSUANCE, credits.COMPENSATION_FUND, amount,
                           kind="funding", reason="Test fund", key=f"test:fund:{amount}")


async def give(community: dict, member_id: int, amount: int) -> None:
    """Award a member ``amount`` hundredths from issuance."""
    await credits.award(community, member_id, amount, reason="Test credits",
                        key=f"test:give:{member_id}:{amount}")


async def balance(community: dict, member_id: int) -> int:
    """A member's balance in hundredths."""
    return (await credits.balance(community, member_id)).balance


async def fund_balance(community: dict) -> int:
    """The compensation fund's balance in hundredths."""
    return await credits.account_balance(community, credits.COMPENSATION_FUND)


async def snapshot(community_id: int) -> dict:
    """Counts of every row a dispute action may write (a refusal leaves them unchanged)."""
    tx = await CreditTransaction.count().where(CreditTransaction.community == community_id)
    return {
        "disputes": await Dispute.count(), "steps": await DisputeStep.count(),
        "decided": await Dispute.count().where(Dispute.status == "decided"),
        "notices": await Notice.count().where(Notice.community == community_id),
        "notifications": await Notification.count().where(
            Notification.community == community_id),
        "needs": await need_statuses(community_id), "transactions": tx,
    }


async def need_statuses(community_id: int) -> tuple[str, ...]:
    """The statuses of the community's needs, sorted."""
    rows = await Need.select(Need.status).where(Need.community == community_id)
    return tuple(sorted(r["status"] for r in rows))
