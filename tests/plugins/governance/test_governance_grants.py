"""Micro-grants: a round with its fund in exact yuan, proposals, reviews by admins and named
reviewers, grants that never exceed what is left — also with many decisions at once —
progress and completion by the proposer, and the public list of funded projects."""

from __future__ import annotations

import asyncio

import pytest

from yizhan.core.api import YizhanError, to_gid
from yizhan.plugins.governance import service
from yizhan.plugins.governance.tables import Proposal, Review, Round

ROUND = ("mutation($i: CreateGovernanceRoundInput!) { createGovernanceRound(input: $i) "
         "{ round { id name total granted remaining open reviewers { username } } "
         "errors { field code } } }")
REVIEWER = ("mutation($i: AddGovernanceReviewerInput!) { addGovernanceReviewer(input: $i) "
            "{ round { reviewers { username } } errors { code } } }")
PROPOSE = ("mutation($i: SubmitGovernanceProposalInput!) { submitGovernanceProposal(input: $i)"
           " { proposal { id title budget granted status proposer { username } } "
           "errors { field code } } }")
REVIEW = ("mutation($i: ReviewGovernanceProposalInput!) { reviewGovernanceProposal(input: $i) "
          "{ review { score verdict reason reviewer { username } } errors { field code } } }")
GRANT = ("mutation($i: GrantGovernanceProposalInput!) { grantGovernanceProposal(input: $i) "
         "{ proposal { status granted } errors { field code message } } }")
DECLINE = ("mutation($i: GovernanceProposalNoteInput!) { declineGovernanceProposal(input: $i) "
           "{ proposal { status decisionReason } errors { field code } } }")
PROGRESS = ("mutation($i: GovernanceProposalNoteInput!) { addGovernanceProgress(input: $i) "
            "{ proposal { progress { note } } errors { field code } } }")
COMPLETE = ("mutation($i: GovernanceProposalNoteInput!) { completeGovernanceProposal(input: $i)"
            " { proposal { status completedAt } errors { field code } } }")
ROUNDS = 'query { governanceRounds(community: "testville") { name total granted remaining } }'
FUNDED = """query { governanceFundedProjects(community: "testville") {
  edges { node { title granted status proposer { username } reviews { score } } } } }"""


@pytest.fixture
async def fund(gov, admin) -> dict:
    result = await admin.gql.mutate(ROUND, {"i": {"community": "testville", "name": "2026",
                                                  "total": "150000.00"}})
    assert result["errors"] == []
    return result["round"]


async def propose(actor, fund, title="楼道美术馆", budget="8000.00") -> dict:
    result = await actor.gql.mutate(PROPOSE, {"i": {
        "roundId": fund["id"], "title": title, "description": "Paintings by the children "
        "of building A in the stairwell.", "team": "3 parents, 12 children", "budget": budget}})
    assert result["errors"] == [], result
    return result["proposal"]


async def test_a_proposal_is_reviewed_granted_and_the_fund_drops_by_exactly_that(
        fund, admin, resident, neighbour, gql):
    assert fund["total"] == "150000.00" and fund["remaining"] == "150000.00"
    named = await admin.gql.mutate(REVIEWER, {"i": {"roundId": fund["id"],
                                                    "memberId": neighbour.id}})
    assert named["round"]["reviewers"] == [{"username": "neighbour1"}]
    proposal = await propose(resident, fund)
    review = await neighbour.gql.mutate(REVIEW, {"i": {"proposalId": proposal["id"],
                                                       "score": 5, "verdict": "APPROVE",
                                                       "reason": "Cheap and joyful."}})
    assert review["review"]["verdict"] == "APPROVE"
    granted = await admin.gql.mutate(GRANT, {"i": {"proposalId": proposal["id"],
                                                   "amount": "7500.50"}})
    assert granted["proposal"] == {"status": "GRANTED", "granted": "7500.50"}
    rounds = (await gql.data(ROUNDS))["governanceRounds"]
    assert rounds == [{"name": "2026", "total": "150000.00", "granted": "7500.50",
                       "remaining": "142499.50"}]
    progress = await resident.gql.mutate(PROGRESS, {"i": {"proposalId": proposal["id"],
                                                          "note": "Walls painted."}})
    assert progress["proposal"]["progress"] == [{"note": "Walls painted."}]
    done = await resident.gql.mutate(COMPLETE, {"i": {"proposalId": proposal["id"],
                                                      "note": "Opened!"}})
    assert done["proposal"]["status"] == "COMPLETED"
    funded = (await gql.data(FUNDED))["governanceFundedProjects"]["edges"]
    assert funded == [{"node": {"title": "楼道美术馆", "granted": "7500.50",
                                "status": "COMPLETED", "proposer": {"username": "resident1"},
                                "reviews": []}}]  # anonymous readers see no reviews


async def test_grants_never_exceed_what_is_left(fund, admin, resident):
    big = await propose(resident, fund, "Big", "100000.00")
    other = await propose(resident, fund, "Other", "60000.00")
    await admin.gql.mutate(GRANT, {"i": {"proposalId": big["id"], "amount": "100000.00"}})
    refused = await admin.gql.mutate(GRANT, {"i": {"proposalId": other["id"],
                                                   "amount": "50000.01"}})
    assert refused["errors"][0]["code"] == "FUND_EXHAUSTED"
    assert "49999.99" not in refused["errors"][0]["message"]
    assert "50000.00" in refused["errors"][0]["message"]
    row = await Proposal.select().where(Proposal.title == "Other").first()
    assert row["status"] == "submitted" and row["granted_fen"] == 0
    assert (await Round.select().first())["granted_fen"] == 100000_00
    exact = await admin.gql.mutate(GRANT, {"i": {"proposalId": other["id"],
                                                 "amount": "50000.00"}})
    assert exact["errors"] == []
    assert (await Round.select().first())["granted_fen"] == 150000_00


async def test_concurrent_grants_never_overspend_the_fund(fund, admin, resident, gov):
    rnd = await service.round_by_name(gov, "2026")
    ids = []
    for i in range(8):
        row = await service.submit_proposal(gov, resident.member, rnd["id"], title=f"P{i}",
                                            description="d", team="", budget="40000.00")
        ids.append(row["id"])

    async def decide(pk: int) -> str:
        try:
            await service.grant(gov, admin.member, pk, "40000.00")
            return "ok"
        except YizhanError as error:
            return error.code

    outcomes = await asyncio.gather(*(decide(pk) for pk in ids))
    assert sorted(outcomes) == ["FUND_EXHAUSTED"] * 5 + ["ok"] * 3
    after = await Round.select().first()
    assert after["granted_fen"] == 120000_00 <= after["total_fen"]
    granted = await Proposal.select().where(Proposal.status == "granted")
    assert sum(p["granted_fen"] for p in granted) == after["granted_fen"]


@pytest.mark.parametrize(("fields", "field", "code"), [
    ({"budget": "0"}, "budget", "INVALID_AMOUNT"),
    ({"budget": "12.345"}, "budget", "INVALID_AMOUNT"),
    ({"budget": "abc"}, "budget", "INVALID_AMOUNT"),
    ({"budget": "150000.01"}, "budget", "BUDGET_TOO_LARGE"),
    ({"title": ""}, "title", "REQUIRED"),
])
async def test_bad_proposals_are_refused_and_write_nothing(fund, resident, fields, field, code):
    values = {"roundId": fund["id"], "title": "T", "description": "D", "budget": "10.00",
              **fields}
    result = await resident.gql.mutate(PROPOSE, {"i": values})
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert await Proposal.count() == 0


async def test_reviews_and_decisions_are_refused_with_codes(fund, admin, resident, neighbour):
    proposal = await propose(resident, fund)
    result = await neighbour.gql.execute(REVIEW, {"i": {"proposalId": proposal["id"],
                                                        "score": 3}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # not a named reviewer
    bad = await admin.gql.mutate(REVIEW, {"i": {"proposalId": proposal["id"], "score": 6}})
    assert bad["errors"][0]["code"] == "OUT_OF_RANGE"
    unexplained = await admin.gql.mutate(REVIEW, {"i": {"proposalId": proposal["id"],
                                                        "verdict": "REJECT"}})
    assert unexplained["errors"][0]["code"] == "REASON_REQUIRED"
    assert await Review.count() == 0
    over = await admin.gql.mutate(GRANT, {"i": {"proposalId": proposal["id"],
                                                "amount": "8000.01"}})
    assert over["errors"][0]["code"] == "OVER_BUDGET"
    result = await resident.gql.execute(GRANT, {"i": {"proposalId": proposal["id"],
                                                      "amount": "10.00"}})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    declined = await admin.gql.mutate(DECLINE, {"i": {"proposalId": proposal["id"],
                                                      "note": "Not this year."}})
    assert declined["proposal"]["status"] == "DECLINED"
    again = await admin.gql.mutate(GRANT, {"i": {"proposalId": proposal["id"],
                                                 "amount": "10.00"}})
    assert again["errors"][0]["code"] == "PROPOSAL_DECIDED"
    early = await resident.gql.mutate(PROGRESS, {"i": {"proposalId": proposal["id"],
                                                       "note": "x"}})
    assert early["errors"][0]["code"] == "NOT_FUNDED"
    assert (await Round.select().first())["granted_fen"] == 0
    dup = await admin.gql.mutate(ROUND, {"i": {"community": "testville", "name": "2026",
                                               "total": "1.00"}})
    assert dup["errors"][0]["code"] == "ROUND_EXISTS"


async def test_grant_ids_from_another_type_are_refused(fund, admin):
    result = await admin.gql.mutate(GRANT, {"i": {"proposalId": to_gid("Need", 1),
                                                  "amount": "1.00"}})
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("proposalId", "INVALID_ID")]
    assert await Proposal.count() == 0
