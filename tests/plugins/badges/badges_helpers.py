"""Helpers for the badges tests: GraphQL documents, confirmed help, row snapshots."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from yizhan.core import clock
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import needs
from yizhan.plugins.badges.tables import (
    BadgeApplication,
    BadgeAward,
    BadgeDefinition,
    BadgeEvent,
    BadgeKey,
    StarRound,
    StarWinner,
)
from yizhan.testing.people import Actor

#: The 1EdTech schemas, in ``shared/`` beside the repository (no network needed).
STANDARDS = Path(__file__).resolve().parents[4] / "shared" / "standards" / "openbadges-3.0"

DEFINITIONS = """query($c: String!) { badgeDefinitions(community: $c) {
  id slug kind category name imageUrl achievementUrl validityDays active } }"""

APPLY = """mutation($input: ApplyForBadgeInput!) { applyForBadge(input: $input) {
  application { id status evidence links badge { slug } applicant { id } }
  errors { field code message } } }"""

APPROVE = """mutation($input: ApproveBadgeApplicationInput!) {
  approveBadgeApplication(input: $input) {
  application { id status decisionReason decidedBy { id }
    award { id status credentialUrl credentialJwt expiresAt badge { slug } } }
  errors { field code message } } }"""

REJECT = """mutation($input: RejectBadgeApplicationInput!) {
  rejectBadgeApplication(input: $input) {
  application { id status decisionReason history { action note actor { id } } }
  errors { field code message } } }"""

WITHDRAW = """mutation($input: BadgeApplicationActionInput!) {
  withdrawBadgeApplication(input: $input) {
  application { id status } errors { field code message } } }"""

REVOKE = """mutation($input: RevokeBadgeInput!) { revokeBadge(input: $input) {
  award { id status revokedAt revokeReason } errors { field code message } } }"""

AWARD = """mutation($input: AwardBadgeInput!) { awardBadge(input: $input) {
  award { id status badge { slug } member { id } } errors { field code message } } }"""

DEFINE = """mutation($input: DefineBadgeInput!) { defineBadge(input: $input) {
  badge { id slug kind category name validityDays active imageUrl }
  errors { field code message } } }"""

CANDIDATES = """query($id: ID!) { candidates(needId: $id) { member { id } score reasons } }"""


async def badge_id(actor: Actor, slug: str) -> str:
    """The global id of a badge of testville, by slug."""
    found = (await actor.gql.data(DEFINITIONS, {"c": "testville"}))["badgeDefinitions"]
    return next(b["id"] for b in found if b["slug"] == slug)


async def apply_ok(actor: Actor, slug: str = "expert-electrician",
                   evidence: str = "Licensed electrician, 10 years.",
                   links: list[str] | None = None) -> dict[str, Any]:
    """Apply for a badge; the application must be accepted."""
    payload = await actor.gql.mutate(APPLY, {"input": {
        "badgeId": await badge_id(actor, slug), "evidence": evidence,
        "links": links or []}})
    assert payload["errors"] == [], payload
    return payload["application"]


async def approve_ok(reviewer: Actor, application_id: str, note: str = "") -> dict[str, Any]:
    """Approve an application; returns the award."""
    payload = await reviewer.gql.mutate(APPROVE, {"input": {"applicationId": application_id,
                                                            "note": note}})
    assert payload["errors"] == [], payload
    return payload["application"]["award"]


async def certify(applicant: Actor, reviewer: Actor,
                  slug: str = "expert-electrician") -> dict[str, Any]:
    """Apply and approve: the applicant holds the badge."""
    application = await apply_ok(applicant, slug)
    return await approve_ok(reviewer, application["id"])


async def give_help(community: dict, helper: Actor, requester: Actor, minutes: int,
                    category: str = "errand") -> dict:
    """A need of ``requester`` helped by ``helper`` and confirmed now (``minutes`` long)."""
    now = clock.now()
    need = await needs.post(community, requester.member, title="Help", category=category,
                            window_start=now, window_end=now + timedelta(hours=2),
                            estimated_minutes=minutes, credits="0")
    await needs.accept(community, helper.member, need["id"])
    await needs.mark_done(community, helper.member, need["id"])
    return await needs.confirm(community, requester.member, need["id"])


async def post_need(community: dict, requester: Actor, category: str = "electrician") -> str:
    """An open need of ``requester``; returns its global id."""
    now = clock.now()
    need = await needs.post(community, requester.member, title="Fix the stair light",
                            category=category, window_start=now + timedelta(hours=1),
                            window_end=now + timedelta(hours=4), estimated_minutes=45,
                            credits="1.00")
    return to_gid("Need", need["id"])


TABLES = (BadgeDefinition, BadgeApplication, BadgeAward, BadgeEvent, BadgeKey, StarRound,
          StarWinner)


async def snapshot() -> dict[str, int]:
    """Row counts of the badges tables: compare before and after a refused action."""
    return {t._meta.tablename: await t.count() for t in TABLES}


def load_schema(name: str) -> dict:
    """One of the 1EdTech Open Badges 3.0 JSON schemas (local copies, no network)."""
    return json.loads((STANDARDS / name).read_text(encoding="utf-8"))
