"""Applying for a badge and reviewing it: every step kept, every refusal explained."""

from __future__ import annotations

import pytest
from badges_helpers import (
    APPLY,
    APPROVE,
    REJECT,
    WITHDRAW,
    apply_ok,
    approve_ok,
    badge_id,
    snapshot,
)

from yizhan.core.graphql.ids import to_gid
from yizhan.testing.people import make_actor

QUEUE = """query($status: BadgeApplicationStatus) {
  badgeApplications(community: "testville", status: $status, first: 50) {
  nodes { id status applicant { id } badge { slug } } } }"""

MINE = """query { myBadgeApplications(community: "testville") {
  nodes { id status decisionReason history { action note actor { id } } } } }"""

INBOX = """query { notifications(community: "testville", first: 50) { nodes { kind body } } }"""


async def _apply(actor, slug="expert-electrician", **fields):
    values = {"badgeId": await badge_id(actor, slug), "evidence": "I fix wiring.", **fields}
    return await actor.gql.execute(APPLY, {"input": values})


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"evidence": "  "}, "REQUIRED", "evidence"),
    ({"evidence": "x" * 2001}, "TOO_LONG", "evidence"),
    ({"links": ["ftp://example.org/x"]}, "INVALID_URL", "links"),
    ({"links": ["not a link"]}, "INVALID_URL", "links"),
    ({"links": [f"https://example.org/{i}" for i in range(6)]}, "TOO_MANY", "links"),
    ({"badgeId": "garbage"}, "INVALID_ID", "badgeId"),
    ({"badgeId": to_gid("Need", 1)}, "INVALID_ID", "badgeId"),
])
async def test_bad_applications_are_refused_and_write_nothing(badges, resident, fields,
                                                              code, field):
    before = await snapshot()
    result = await _apply(resident, **fields)
    payload = result["data"]["applyForBadge"]
    assert payload["application"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert await snapshot() == before


async def test_refusals_by_badge_and_state(badges, resident, admin):
    before = await snapshot()
    star = await _apply(resident, "mutual-aid-star")
    assert star["data"]["applyForBadge"]["errors"][0]["code"] == "NOT_APPLICABLE"
    missing = await resident.gql.execute(APPLY, {"input": {
        "badgeId": to_gid("BadgeDefinition", 999999), "evidence": "x"}})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await snapshot() == before

    await apply_ok(resident)
    again = await _apply(resident)
    assert again["data"]["applyForBadge"]["errors"][0]["code"] == "APPLICATION_PENDING"

    retire = await admin.gql.mutate(
        """mutation { defineBadge(input: {community: "testville", slug: "expert-tutor",
        active: false}) { badge { active } errors { code } } }""")
    assert retire == {"badge": {"active": False}, "errors": []}
    retired = await resident.gql.execute(APPLY, {"input": {
        "badgeId": to_gid("BadgeDefinition", (await _definition_pk("expert-tutor"))),
        "evidence": "I teach maths."}})
    assert retired["data"]["applyForBadge"]["errors"][0]["code"] == "BADGE_RETIRED"


async def _definition_pk(slug: str) -> int:
    from yizhan.plugins.badges.tables import BadgeDefinition

    return (await BadgeDefinition.select(BadgeDefinition.id).where(
        BadgeDefinition.slug == slug).first())["id"]


async def test_only_verified_members_apply(badges, pending, gql):
    pk = await _definition_pk("expert-electrician")
    variables = {"input": {"badgeId": to_gid("BadgeDefinition", pk), "evidence": "x"}}
    before = await snapshot()
    assert await pending.gql.error_code(APPLY, variables) == "NOT_VERIFIED"
    assert await gql.error_code(APPLY, variables) == "UNAUTHENTICATED"
    assert await snapshot() == before


async def test_reviewers_see_their_buildings_queue(badges, gql, leader, admin, resident,
                                                   neighbour):
    leader_b = await make_actor(badges, gql, "leaderb", "B", "building_leader")
    resident_b = await make_actor(badges, gql, "residentb", "B", "resident")
    mine = await apply_ok(resident)
    theirs = await apply_ok(resident_b, "expert-plumber")

    queue = (await leader.gql.data(QUEUE))["badgeApplications"]["nodes"]
    assert [a["id"] for a in queue] == [mine["id"]]
    queue_b = (await leader_b.gql.data(QUEUE))["badgeApplications"]["nodes"]
    assert [a["id"] for a in queue_b] == [theirs["id"]]
    everyone = (await admin.gql.data(QUEUE))["badgeApplications"]["nodes"]
    assert [a["id"] for a in everyone] == [theirs["id"], mine["id"]]
    assert await neighbour.gql.error_code(QUEUE) == "FORBIDDEN"

    # The leader of building B may not decide for building A's resident.
    before = await snapshot()
    result = await leader_b.gql.execute(APPROVE, {"input": {"applicationId": mine["id"]}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    result = await neighbour.gql.execute(REJECT, {"input": {"applicationId": mine["id"],
                                                            "reason": "no"}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before
    # Leaders were told about the application in their building.
    kinds = [n["kind"] for n in (await leader.gql.data(INBOX))["notifications"]["nodes"]]
    assert "badges.application" in kinds


async def test_nobody_reviews_themself(badges, leader):
    application = await apply_ok(leader)
    before = await snapshot()
    result = await leader.gql.execute(APPROVE, {"input": {"applicationId": application["id"]}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before


async def test_rejection_with_reason_then_apply_again(badges, leader, resident):
    application = await apply_ok(resident)
    before = await snapshot()
    empty = await leader.gql.mutate(REJECT, {"input": {"applicationId": application["id"],
                                                       "reason": " "}})
    assert [(e["code"], e["field"]) for e in empty["errors"]] == [("REQUIRED", "reason")]
    assert await snapshot() == before

    rejected = await leader.gql.mutate(REJECT, {"input": {
        "applicationId": application["id"], "reason": "Please add your licence."}})
    assert rejected["errors"] == []
    assert rejected["application"]["status"] == "REJECTED"
    assert rejected["application"]["decisionReason"] == "Please add your licence."
    steps = rejected["application"]["history"]
    assert [(s["action"], s["note"]) for s in steps] == [
        ("applied", ""), ("rejected", "Please add your licence.")]
    assert steps[0]["actor"]["id"] == resident.id and steps[1]["actor"]["id"] == leader.id

    twice = await leader.gql.mutate(APPROVE, {"input": {"applicationId": application["id"]}})
    assert twice["errors"][0]["code"] == "NOT_PENDING"
    bodies = [n["body"] for n in (await resident.gql.data(INBOX))["notifications"]["nodes"]]
    assert any("Please add your licence." in b for b in bodies)

    second = await apply_ok(resident, evidence="Licence no. 123")
    award = await approve_ok(leader, second["id"])
    assert award["status"] == "ACTIVE"
    mine = (await resident.gql.data(MINE))["myBadgeApplications"]["nodes"]
    assert [a["status"] for a in mine] == ["APPROVED", "REJECTED"]


async def test_withdraw(badges, resident, neighbour, leader):
    application = await apply_ok(resident)
    before = await snapshot()
    result = await neighbour.gql.execute(WITHDRAW, {"input": {
        "applicationId": application["id"]}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot() == before
    done = await resident.gql.mutate(WITHDRAW, {"input": {"applicationId": application["id"]}})
    assert done == {"application": {"id": application["id"], "status": "WITHDRAWN"},
                    "errors": []}
    again = await resident.gql.mutate(WITHDRAW, {"input": {"applicationId": application["id"]}})
    assert again["errors"][0]["code"] == "NOT_PENDING"
    late = await leader.gql.mutate(APPROVE, {"input": {"applicationId": application["id"]}})
    assert late["errors"][0]["code"] == "NOT_PENDING"


async def test_approval_note_too_long_writes_nothing(badges, leader, resident):
    application = await apply_ok(resident)
    before = await snapshot()
    result = await leader.gql.mutate(APPROVE, {"input": {"applicationId": application["id"],
                                                         "note": "n" * 501}})
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("TOO_LONG", "note")]
    assert await snapshot() == before


async def test_unknown_application_ids(badges, leader):
    garbage = await leader.gql.mutate(APPROVE, {"input": {"applicationId": "garbage"}})
    assert [(e["code"], e["field"]) for e in garbage["errors"]] == [
        ("INVALID_ID", "applicationId")]
    unknown = await leader.gql.execute(APPROVE, {"input": {
        "applicationId": to_gid("BadgeApplication", 424242)}})
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
