"""Two people acting at once: one wins, the other is told why, nothing is doubled."""

from __future__ import annotations

import asyncio

from badges_helpers import APPLY, APPROVE, REVOKE, apply_ok, approve_ok, badge_id

from yizhan.plugins.badges.tables import BadgeApplication, BadgeAward


async def test_two_reviewers_approve_at_once(badges, leader, admin, resident):
    application = await apply_ok(resident)
    variables = {"input": {"applicationId": application["id"]}}
    results = await asyncio.gather(leader.gql.mutate(APPROVE, variables),
                                   admin.gql.mutate(APPROVE, variables))
    codes = sorted(e["code"] for r in results for e in r["errors"])
    assert codes == ["NOT_PENDING"]
    assert await BadgeAward.count() == 1


async def test_double_submitted_application(badges, resident):
    variables = {"input": {"badgeId": await badge_id(resident, "expert-electrician"),
                           "evidence": "Licensed."}}
    results = await asyncio.gather(*(resident.gql.mutate(APPLY, variables) for _ in range(3)))
    codes = sorted(e["code"] for r in results for e in r["errors"])
    assert codes == ["APPLICATION_PENDING", "APPLICATION_PENDING"]
    assert await BadgeApplication.count() == 1


async def test_two_revocations_at_once(badges, leader, admin, resident):
    award = await approve_ok(leader, (await apply_ok(resident))["id"])
    variables = {"input": {"awardId": award["id"], "reason": "Complaint upheld."}}
    results = await asyncio.gather(leader.gql.mutate(REVOKE, variables),
                                   admin.gql.mutate(REVOKE, variables))
    assert sorted(e["code"] for r in results for e in r["errors"]) == ["ALREADY_REVOKED"]
