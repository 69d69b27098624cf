"""The indexed copies and running totals that keep queries flat with community size give the
same answers as the straightforward computation over every row (core/matching.py,
core/services/hours.py)."""

from __future__ import annotations

import json
from datetime import timedelta

from core_helpers import post_need, step_ok

from yizhan.core import clock, matching
from yizhan.core.graphql.ids import pk_of
from yizhan.core.tables import Community, HelpRecord, Member, Need
from yizhan.testing.people import make_actor

CANDIDATES = """query($id: ID!) { candidates(needId: $id, first: 100) {
  member { id } score reasons } }"""
CANDIDATES_FIRST = """query($id: ID!, $first: Int) { candidates(needId: $id, first: $first) {
  member { id } score reasons } }"""
PROFILE = """mutation($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) {
  errors { code } } }"""
HOURS = """query($id: ID!) { node(id: $id) { ... on Member { hours { minutesGiven
  minutesReceived needsHelped peopleHelped } } } }"""
COMMUNITY = '{ communityHours(community: "testville") { minutes needs helpers } }'
SKILLS = ["plumbing", "errand", "tutoring"]


async def _straightforward_candidates(need_id: int) -> list[tuple[int, float, list[str]]]:
    """Score every verified member, as matching did before it used a bounded pool."""
    need = await Need.select().where(Need.id == need_id).first()
    community = await Community.select().where(Community.id == need["community"]).first()
    found = []
    for member in await Member.select().where(
            (Member.community == need["community"]) & (Member.status == "verified")
            & (Member.id != need["requester"])):
        score, reasons = 0, []
        if need["category"] in json.loads(member["skills"] or "[]"):
            score, reasons = score + matching.SKILL, [*reasons, "skill"]
        if need["building"] is not None and member["building"] == need["building"]:
            score, reasons = score + matching.SAME_BUILDING, [*reasons, "same_building"]
        if matching._free_at(member, need, community["time_zone"]):
            score, reasons = score + matching.FREE, [*reasons, "free"]
        found.append((member["id"], float(score), reasons))
    found.sort(key=lambda c: (-c[1], c[0]))
    return found


async def test_candidates_from_the_pool_equal_scoring_everyone(community, gql, resident,
                                                               neighbour, leader, pending):
    crowd = [neighbour, leader]
    for i in range(9):
        crowd.append(await make_actor(community, gql, f"n{i}", "AB"[i % 2], "resident"))
    for i, actor in enumerate(crowd):
        payload = await actor.gql.mutate(PROFILE, {"input": {
            "community": "testville", "skills": SKILLS[i % 3: i % 3 + i % 2 + 1],
            "availability": [{"weekday": (i * 2) % 7, "start": "08:00", "end": "10:30"},
                             {"weekday": i % 7, "start": "13:00", "end": "24:00"}]}})
        assert payload["errors"] == []
    await pending.gql.mutate(PROFILE, {"input": {"community": "testville",
                                                 "skills": ["plumbing"]}})
    start = clock.now() + timedelta(days=1)
    for category, length in (("plumbing", 2), ("errand", 30), ("tutoring", 1)):
        need = await post_need(resident, category=category,
                               windowStart=start.isoformat(),
                               windowEnd=(start + timedelta(hours=length)).isoformat())
        got = (await resident.gql.data(CANDIDATES, {"id": need["id"]}))["candidates"]
        expected = await _straightforward_candidates(pk_of(need["id"], "Need"))
        found = [(pk_of(c["member"]["id"], "Member"), c["score"], c["reasons"]) for c in got]
        assert found == expected
        assert any(c["reasons"] for c in got)
        # With a short page each of the pool's LIMITed queries is cut short: the best few
        # are still exactly the best few of scoring everyone.
        for first in (1, 2, 3, 5):
            short = (await resident.gql.data(CANDIDATES_FIRST, {"id": need["id"],
                                                                "first": first}))["candidates"]
            assert [(pk_of(c["member"]["id"], "Member"), c["score"], c["reasons"])
                    for c in short] == expected[:first]
    # A changed profile changes the indexed copies with it.
    for actor in crowd:
        await actor.gql.mutate(PROFILE, {"input": {"community": "testville", "skills": [],
                                                   "availability": []}})
    need = await post_need(resident, category="plumbing")
    got = (await resident.gql.data(CANDIDATES, {"id": need["id"]}))["candidates"]
    assert all("skill" not in c["reasons"] and "free" not in c["reasons"] for c in got)


async def test_running_hours_equal_the_sum_of_help_records(resident, neighbour, leader,
                                                           deputy, gql):
    assert (await gql.data(COMMUNITY))["communityHours"] == {"minutes": 0, "needs": 0,
                                                             "helpers": 0}
    people = [resident, neighbour, leader, deputy]
    for i, (requester, helper) in enumerate([(0, 1), (0, 1), (1, 0), (2, 1), (3, 2), (0, 2),
                                             (1, 3)]):
        need = (await post_need(people[requester], estimatedMinutes=5 + 7 * i))["id"]
        await step_ok(people[helper], "acceptNeed", need, "accepted")
        await step_ok(people[helper], "markNeedDone", need, "done")
        await step_ok(people[requester], "confirmNeed", need, "confirmed")
    rows = await HelpRecord.select()
    assert (await gql.data(COMMUNITY))["communityHours"] == {
        "minutes": sum(r["minutes"] for r in rows), "needs": len(rows),
        "helpers": len({r["helper"] for r in rows})}
    for actor in people:
        given = [r for r in rows if r["helper"] == actor.member_id]
        hours = (await resident.gql.data(HOURS, {"id": actor.id}))["node"]["hours"]
        assert hours == {
            "minutesGiven": sum(r["minutes"] for r in given),
            "minutesReceived": sum(r["minutes"] for r in rows
                                   if r["requester"] == actor.member_id),
            "needsHelped": len(given), "peopleHelped": len({r["requester"] for r in given})}
