"""A request's life through GraphQL: submit (also by a leader for an elder), triage and route
to the building's grid team, work, answer, confirm, rate, reject, reopen; every step on the
timeline with who did it; refusals with a code and nothing written."""

from __future__ import annotations

import pytest
from governance_helpers import (
    ANSWER,
    ASSIGN,
    CLOSE,
    RATE,
    REJECT,
    REOPEN,
    TRIAGE,
    UPDATE,
    submit,
    submitted,
)

from yizhan.plugins.governance.tables import Request, RequestEvent

LIST = """query($u: GovernanceUrgency, $s: GovernanceRequestStatus, $o: Boolean) {
  %s(community: "testville", urgency: $u, status: $s, overdue: $o) {
    edges { node { number status urgency } } } }"""


async def test_a_red_request_is_routed_to_its_grid_team_answered_in_time_and_rated(
        gov, resident, steward, admin, clock):
    request = await submitted(resident, suggestedUrgency="RED", photos=["https://x/1.jpg"])
    assert request["status"] == "SUBMITTED" and request["urgency"] == "RED"
    assert request["grid"] == {"name": "东区"}  # building A is in 东区
    # The steward on 东区's team sees it in the grid queue and triages it.
    queue = await steward.gql.data(LIST % "governanceGridQueue")
    assert [e["node"]["number"] for e in queue["governanceGridQueue"]["edges"]] == [
        request["number"]]
    triaged = await steward.gql.mutate(TRIAGE, {"i": {"requestId": request["id"],
                                                      "urgency": "RED"}})
    assert triaged["errors"] == [] and triaged["request"]["status"] == "ASSIGNED"
    started = await steward.gql.mutate(UPDATE, {"i": {"requestId": request["id"],
                                                      "start": True, "note": "On my way"}})
    assert started["request"]["status"] == "IN_PROGRESS"
    clock.advance(hours=30)
    answered = await steward.gql.mutate(ANSWER, {"i": {"requestId": request["id"],
                                                       "response": "Fixed the machine."}})
    assert answered["request"]["status"] == "ANSWERED" and answered["request"]["onTime"]
    rated = await resident.gql.mutate(RATE, {"i": {"requestId": request["id"],
                                                   "satisfied": True, "comment": "Quick!"}})
    assert rated["request"]["satisfied"] is True
    closed = await resident.gql.mutate(CLOSE, {"i": {"requestId": request["id"]}})
    timeline = closed["request"]["timeline"]
    assert [(s["action"], s["actor"]["username"] if s["actor"] else None) for s in timeline] == [
        ("submitted", "resident1"), ("triaged", "steward1"), ("started", "steward1"),
        ("note", "steward1"), ("answered", "steward1"), ("rated", "resident1"),
        ("closed", "resident1")]
    assert closed["request"]["status"] == "CLOSED"


async def test_a_leader_files_for_an_elder_and_both_are_recorded(gov, leader, resident):
    request = await submitted(leader, onBehalfOf=resident.id, description="楼道堆满杂物")
    assert request["requester"] == {"username": "resident1"}
    assert request["filedBy"] == {"username": "leader1"}
    assert request["channel"] == "proxy"
    mine = await resident.gql.data(LIST % "governanceMyRequests")
    assert len(mine["governanceMyRequests"]["edges"]) == 1


async def test_a_resident_cannot_file_for_someone_else(gov, neighbour, resident):
    result = await neighbour.gql.execute(
        "mutation($i: SubmitGovernanceRequestInput!) { submitGovernanceRequest(input: $i) "
        "{ errors { code } } }",
        {"i": {"community": "testville", "category": "facilities", "description": "x",
               "building": "A", "onBehalfOf": resident.id}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Request.count() == 0


@pytest.mark.parametrize(("fields", "field", "code"), [
    ({"category": "nope"}, "category", "UNKNOWN_CATEGORY"),
    ({"description": "  "}, "description", "REQUIRED"),
    ({"description": "x" * 2001}, "description", "TOO_LONG"),
    ({"building": "Z"}, "building", "UNKNOWN_BUILDING"),
    ({"building": None, "place": ""}, "place", "PLACE_REQUIRED"),
    ({"photos": ["a b"]}, "photos", "INVALID_PHOTO"),
    ({"photos": [f"p{i}" for i in range(10)]}, "photos", "TOO_MANY_PHOTOS"),
])
async def test_bad_submissions_are_refused_and_write_nothing(gov, resident, fields, field,
                                                             code):
    result = await submit(resident, **fields)
    assert result["request"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert await Request.count() == 0 and await RequestEvent.count() == 0


async def test_only_staff_triage_and_answer(gov, resident, bystander, neighbour):
    request = await submitted(resident)
    for actor, query, extra in ((bystander, TRIAGE, {"urgency": "RED"}),
                                (neighbour, ANSWER, {"response": "ok"})):
        result = await actor.gql.execute(query, {"i": {"requestId": request["id"], **extra}})
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    row = await Request.select().first()
    assert row["status"] == "submitted" and row["response"] == ""
    assert await RequestEvent.count() == 1


async def test_admin_lists_with_filters_and_a_person_assignee_handles_it(
        gov, resident, admin, bystander, clock):
    red = await submitted(resident, suggestedUrgency="RED")
    blue = await submitted(resident, suggestedUrgency="BLUE", building=None, place="北门")
    assert blue["grid"] is None
    moved = await admin.gql.mutate(ASSIGN, {"i": {"requestId": blue["id"],
                                                  "assigneeId": bystander.id}})
    assert moved["request"]["assignee"] == {"username": "bystander1"}
    queue = await bystander.gql.data(LIST % "governanceGridQueue")
    assert [e["node"]["number"] for e in queue["governanceGridQueue"]["edges"]] == [
        blue["number"]]
    clock.advance(hours=49)
    data = await admin.gql.data(LIST % "governanceRequests", {"o": True})
    assert [e["node"]["number"] for e in data["governanceRequests"]["edges"]] == [red["number"]]
    data = await admin.gql.data(LIST % "governanceRequests", {"u": "BLUE"})
    assert [e["node"]["number"] for e in data["governanceRequests"]["edges"]] == [
        blue["number"]]
    assert await resident.gql.error_code(LIST % "governanceRequests") == "FORBIDDEN"


async def test_reject_with_reason_then_reopen_in_time_but_not_after(gov, resident, admin,
                                                                    clock):
    request = await submitted(resident)
    refused = await admin.gql.mutate(REJECT, {"i": {"requestId": request["id"],
                                                    "reason": " "}})
    assert refused["errors"][0]["code"] == "REQUIRED"
    rejected = await admin.gql.mutate(REJECT, {"i": {"requestId": request["id"],
                                                     "reason": "Not the community's job."}})
    assert rejected["request"]["status"] == "REJECTED"
    clock.advance(days=2)
    reopened = await resident.gql.mutate(REOPEN, {"i": {"requestId": request["id"],
                                                        "reason": "It is: shared space."}})
    assert reopened["request"]["status"] == "SUBMITTED"
    answered = await admin.gql.mutate(ANSWER, {"i": {"requestId": request["id"],
                                                     "response": "Cleared.",
                                                     "public": False}})
    assert answered["request"]["responsePublic"] is False
    clock.advance(days=8)
    late = await resident.gql.mutate(REOPEN, {"i": {"requestId": request["id"],
                                                    "reason": "Again"}})
    assert late["errors"][0]["code"] == "REOPEN_WINDOW_PASSED"
    row = await Request.select().first()
    assert row["status"] in ("answered", "closed")


async def test_rating_twice_and_steps_out_of_order_are_refused(gov, resident, admin):
    request = await submitted(resident)
    early = await resident.gql.mutate(RATE, {"i": {"requestId": request["id"],
                                                   "satisfied": True}})
    assert early["errors"][0]["code"] == "INVALID_STATUS"
    closing = await resident.gql.mutate(CLOSE, {"i": {"requestId": request["id"]}})
    assert closing["errors"][0]["code"] == "INVALID_STATUS"
    await admin.gql.mutate(ANSWER, {"i": {"requestId": request["id"], "response": "Done"}})
    first = await resident.gql.mutate(RATE, {"i": {"requestId": request["id"],
                                                   "satisfied": False, "comment": "meh"}})
    assert first["errors"] == []
    again = await resident.gql.mutate(RATE, {"i": {"requestId": request["id"],
                                                   "satisfied": True}})
    assert again["errors"][0]["code"] == "ALREADY_RATED"
    assert (await Request.select().first())["satisfied"] is False
