"""Deadlines with the movable clock: each urgency's reminders (50% and 80% of the time) go to
the handlers and the escalation to the admins exactly once — also with two job runners at the
same moment (separate connections; on PostgreSQL when ``YIZHAN_TEST_DATABASE_URL`` points at
one); a new urgency moves them; an answer cancels them; an answered request closes by itself."""

from __future__ import annotations

import asyncio

import pytest
from governance_helpers import ANSWER, TRIAGE, UPDATE, submitted

from yizhan.core import deadlines
from yizhan.plugins.governance.tables import Request, RequestEvent

INBOX = """query { notifications(community: "testville", first: 50) {
  edges { node { kind title } } } }"""


async def kinds(actor) -> list[str]:
    data = await actor.gql.data(INBOX)
    return sorted(e["node"]["kind"] for e in data["notifications"]["edges"]
                  if e["node"]["kind"] in ("governance.reminder", "governance.escalated"))


async def sweep(clock) -> int:
    """Two runners sweeping at the same moment; how many deadlines fired in all."""
    fired = await asyncio.gather(deadlines.run_due(clock.now()), deadlines.run_due(clock.now()))
    return sum(fired)


async def actions(number: int) -> list[str]:
    rows = await RequestEvent.select(RequestEvent.action).where(
        RequestEvent.request == number).order_by(RequestEvent.id)
    return [r["action"] for r in rows]


@pytest.mark.hook("yizhan_deadline_due")
@pytest.mark.parametrize(("urgency", "hours"), [("RED", 48), ("YELLOW", 120), ("BLUE", 360)])
async def test_each_urgency_reminds_twice_and_escalates_once(gov, resident, steward, admin,
                                                             clock, urgency, hours):
    request = await submitted(resident)
    triaged = await steward.gql.mutate(TRIAGE, {"i": {"requestId": request["id"],
                                                      "urgency": urgency}})
    assert triaged["errors"] == []
    clock.advance(hours=hours * 0.5 - 0.01)
    assert await sweep(clock) == 0 and await kinds(steward) == []
    clock.advance(hours=0.02)
    assert await sweep(clock) == 1
    assert await kinds(steward) == ["governance.reminder"]
    clock.advance(hours=hours * 0.3)
    assert await sweep(clock) == 1
    assert await kinds(steward) == ["governance.reminder"] * 2
    assert await kinds(admin) == []
    clock.advance(hours=hours * 0.2)
    assert await sweep(clock) == 1
    assert await sweep(clock) == 0
    assert await kinds(admin) == ["governance.escalated"]
    assert await kinds(steward) == ["governance.reminder"] * 2
    row = await Request.select().first()
    assert row["breached"] and row["escalated_at"] == clock.now()
    assert await actions(row["id"]) == ["submitted", "triaged", "reminded", "reminded",
                                        "escalated"]
    # Answered late: recorded as not on time.
    late = await steward.gql.mutate(ANSWER, {"i": {"requestId": request["id"],
                                                   "response": "Sorry, done now."}})
    assert late["request"]["onTime"] is False and late["request"]["breached"] is True


async def test_a_new_urgency_moves_the_deadline_and_the_reminders(gov, resident, admin,
                                                                  steward, clock):
    request = await submitted(resident, suggestedUrgency="YELLOW")
    clock.advance(hours=10)
    moved = await steward.gql.mutate(UPDATE, {"i": {"requestId": request["id"],
                                                    "urgency": "RED"}})
    assert moved["request"]["urgency"] == "RED"
    due = moved["request"]["dueAt"]
    assert due.startswith("2026-11-03T") or due.startswith("2026-11-04T")
    clock.advance(hours=38)  # 48 h after submission
    assert await sweep(clock) == 3  # both reminders (24 h, 38.4 h) and the deadline
    assert await kinds(admin) == ["governance.escalated"]
    clock.advance(hours=200)  # the yellow deadline of 120 h is gone
    assert await sweep(clock) == 0
    assert await kinds(admin) == ["governance.escalated"]


async def test_an_answer_cancels_the_deadline_and_the_request_closes_by_itself(
        gov, resident, admin, steward, clock):
    request = await submitted(resident, suggestedUrgency="RED")
    clock.advance(hours=30)
    assert await sweep(clock) == 1  # the 50% reminder
    answered = await steward.gql.mutate(ANSWER, {"i": {"requestId": request["id"],
                                                       "response": "Repaired."}})
    assert answered["request"]["onTime"] is True
    clock.advance(days=6)
    assert await sweep(clock) == 0
    assert await kinds(admin) == []
    clock.advance(days=1, seconds=1)
    assert await sweep(clock) == 1
    row = await Request.select().first()
    assert row["status"] == "closed" and not row["breached"]
    assert (await actions(row["id"]))[-1] == "closed"
    event = await RequestEvent.select().where(RequestEvent.action == "closed").first()
    assert event["actor"] is None


async def test_deadlines_wait_while_the_plugin_is_off(gov, resident, admin, clock):
    await submitted(resident, suggestedUrgency="RED")
    from yizhan.core.services import plugin_admin

    await plugin_admin.disable(gov, "governance")
    clock.advance(hours=49)
    assert await sweep(clock) == 0
    await plugin_admin.enable(gov, "governance")
    assert await sweep(clock) == 3  # late reminders are dropped, the escalation is sent
    assert await kinds(admin) == ["governance.escalated"]


async def test_a_breached_request_given_more_time_is_not_escalated_twice(gov, resident, admin,
                                                                         steward, clock):
    request = await submitted(resident, suggestedUrgency="RED")
    clock.advance(hours=49)
    assert await sweep(clock) == 3
    longer = await steward.gql.mutate(UPDATE, {"i": {"requestId": request["id"],
                                                     "urgency": "BLUE"}})
    assert longer["request"]["breached"] is True and longer["request"]["overdue"] is False
    clock.advance(days=15)
    await sweep(clock)
    assert await kinds(admin) == ["governance.escalated"]
    assert (await actions(longer["request"]["number"])).count("escalated") == 1
