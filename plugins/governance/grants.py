"""Micro-grants (微基金): a fund per round in yuan (integer fen), residents' proposals, reviews
by the admins and the round's named reviewers, grants that never exceed what is left, progress
notes and completion by the proposers, and the public list of funded projects.

The fund cannot be overspent, also with decisions at the same moment: a grant adds to the
round's ``granted_fen`` in one conditional ``UPDATE … WHERE total_fen - granted_fen >= amount``,
which takes the round's row lock (PostgreSQL re-checks the condition on the row as the earlier
decision committed it; SQLite writers queue).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from piccolo.query import WhereRaw

from yizhan.core.api import (
    YizhanError,
    atomic,
    forbidden,
    format_centi,
    get_member,
    invalid,
    is_admin,
    not_found,
    notify,
    now,
    publish,
    require_admin,
)
from yizhan.plugins.governance.common import text
from yizhan.plugins.governance.tables import Progress, Proposal, Review, Reviewer, Round

#: The largest fund or amount accepted: 100 million yuan, in fen.
MAX_FEN = 100_000_000_00
#: How an amount is written: digits, a point and decimals (no exponent, sign or separator).
AMOUNT = re.compile(r"^[0-9]{1,12}(\.[0-9]+)?$")
SUBMITTED, GRANTED, DECLINED, COMPLETED = "submitted", "granted", "declined", "completed"
PROPOSAL_STATUSES = (SUBMITTED, GRANTED, DECLINED, COMPLETED)


def yuan_to_fen(value, field: str) -> int:
    """A yuan amount given as a decimal string (``"150000.00"``) as integer fen."""
    if isinstance(value, float):
        raise invalid(field, "Give the amount as a decimal string, not a float.",
                      code="INVALID_AMOUNT")
    cleaned = str(value).strip()
    if not AMOUNT.match(cleaned):
        raise invalid(field, "Not an amount in yuan.", code="INVALID_AMOUNT")
    try:
        amount = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        raise invalid(field, "Not an amount in yuan.", code="INVALID_AMOUNT") from None
    if amount <= 0:
        raise invalid(field, "The amount must be more than zero.", code="INVALID_AMOUNT")
    if amount > Decimal(MAX_FEN) / 100:
        raise invalid(field, "At most {max} yuan.", code="AMOUNT_TOO_LARGE",
                      max=format_centi(MAX_FEN))
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field, "Amounts in yuan have at most two decimals.",
                      code="INVALID_AMOUNT")
    return int(amount * 100)


def yuan(fen: int) -> str:
    """Integer fen as a yuan string: 15000000 -> ``"150000.00"``."""
    return format_centi(fen)


# --- rounds -----------------------------------------------------------------------------


async def get_round(community: dict, round_id: int, field: str = "roundId") -> dict:
    """The round ``round_id`` of the community, or NOT_FOUND."""
    row = await Round.select().where((Round.id == round_id)
                                     & (Round.community == community["id"])).first()
    if row is None:
        raise not_found("round", field)
    return row


async def round_by_name(community: dict, name: str) -> dict | None:
    """The round named ``name``, or None."""
    return await Round.select().where((Round.community == community["id"])
                                      & (Round.name == name.strip())).first()


async def list_rounds(community: dict) -> list[dict]:
    """The community's rounds, newest first."""
    return await Round.select().where(Round.community == community["id"]).order_by(
        Round.id, ascending=False)


async def create_round(community: dict, actor: dict | None, name: str, total: str,
                       description: str = "") -> dict:
    """Open a round with its fund (admins): ``total`` in yuan, e.g. ``"150000.00"``."""
    if actor is not None:
        require_admin(actor)
    name = text(name, "name", 60)
    description = text(description, "description", 2000, required=False)
    total_fen = yuan_to_fen(total, "total")
    async with atomic():
        if await round_by_name(community, name):
            raise YizhanError("ROUND_EXISTS", "There is already a round named {name}.",
                              field="name", name=name)
        row = (await Round.insert(Round(
            community=community["id"], name=name, description=description,
            total_fen=total_fen, granted_fen=0, status="open", created_at=now(),
        )).returning(*Round.all_columns()))[0]
        await publish(community["id"], "governance.round_opened",
                      {"round": row["id"], "name": name, "total": yuan(total_fen)})
    return row


async def close_round(community: dict, actor: dict | None, round_id: int) -> dict:
    """Stop taking proposals in a round (admins); decisions on submitted ones go on."""
    if actor is not None:
        require_admin(actor)
    await get_round(community, round_id)
    async with atomic():
        return (await Round.update({Round.status: "closed"}).where(Round.id == round_id)
                .returning(*Round.all_columns()))[0]


async def add_reviewer(community: dict, actor: dict | None, round_id: int,
                       member_id: int) -> dict:
    """Name a verified member as a reviewer of a round (admins)."""
    if actor is not None:
        require_admin(actor)
    await get_round(community, round_id)
    member = await get_member(community, member_id, "memberId")
    if member["status"] != "verified":
        raise YizhanError("NOT_VERIFIED", "Only verified members can review.", field="memberId")
    async with atomic():
        if await Reviewer.exists().where((Reviewer.round == round_id)
                                         & (Reviewer.member == member_id)):
            raise YizhanError("ALREADY_REVIEWER", "This member already reviews this round.",
                              field="memberId")
        return (await Reviewer.insert(Reviewer(community=community["id"], round=round_id,
                                               member=member_id))
                .returning(*Reviewer.all_columns()))[0]


async def reviewer_ids(round_id: int) -> list[int]:
    """The named reviewers of a round."""
    return sorted(r["member"] for r in await Reviewer.select(Reviewer.member).where(
        Reviewer.round == round_id))


# --- proposals ---------------------------------------------------------------------------


async def get_proposal(community: dict, proposal_id: int, field: str = "proposalId") -> dict:
    """The proposal ``proposal_id`` of the community, or NOT_FOUND."""
    row = await Proposal.select().where((Proposal.id == proposal_id)
                                        & (Proposal.community == community["id"])).first()
    if row is None:
        raise not_found("proposal", field)
    return row


async def submit_proposal(community: dict, actor: dict, round_id: int, *, title: str,
                          description: str, team: str, budget: str) -> dict:
    """A verified resident proposes a project to an open round with a budget in yuan."""
    rnd = await get_round(community, round_id)
    title = text(title, "title", 120)
    description = text(description, "description", 5000)
    team = text(team, "team", 500, required=False)
    budget_fen = yuan_to_fen(budget, "budget")
    if rnd["status"] != "open":
        raise YizhanError("ROUND_CLOSED", "This round takes no more proposals.",
                          field="roundId")
    if budget_fen > rnd["total_fen"]:
        raise invalid("budget", "The budget is more than the whole fund ({total} yuan).",
                      code="BUDGET_TOO_LARGE", total=yuan(rnd["total_fen"]))
    async with atomic():
        row = (await Proposal.insert(Proposal(
            community=community["id"], round=round_id, proposer=actor["id"], title=title,
            description=description, team=team, budget_fen=budget_fen, status=SUBMITTED,
            created_at=now())).returning(*Proposal.all_columns()))[0]
        await publish(community["id"], "governance.proposal_submitted",
                      {"proposal": row["id"], "round": round_id})
    return row


async def can_review(community: dict, member: dict | None, round_id: int) -> bool:
    """Admins and the round's named reviewers."""
    if not member or member["status"] != "verified":
        return False
    return is_admin(member) or member["id"] in await reviewer_ids(round_id)


async def review(community: dict, actor: dict, proposal_id: int, *, score: int | None = None,
                 verdict: str | None = None, reason: str = "") -> dict:
    """A reviewer scores (1-5) and/or approves or rejects a proposal, with reasons (a reject
    needs one). Reviewing again replaces the reviewer's earlier review."""
    proposal = await get_proposal(community, proposal_id)
    if not await can_review(community, actor, proposal["round"]):
        raise forbidden("Only the admins and this round's reviewers can review.")
    reason = text(reason, "reason", 2000, required=False)
    verdict = (verdict or "").strip().lower()
    if verdict not in ("", "approve", "reject"):
        raise invalid("verdict", "Choose approve or reject.", code="INVALID_VERDICT")
    if score is None and not verdict:
        raise invalid("score", "Give a score or a verdict.", code="REQUIRED")
    if score is not None and not 1 <= score <= 5:
        raise invalid("score", "Scores go from 1 to 5.", code="OUT_OF_RANGE")
    if verdict == "reject" and not reason:
        raise invalid("reason", "Say why you reject it.", code="REASON_REQUIRED")
    if proposal["status"] != SUBMITTED:
        raise YizhanError("PROPOSAL_DECIDED", "This proposal was already decided.",
                          field="proposalId")
    async with atomic():
        await Review.delete().where((Review.proposal == proposal_id)
                                    & (Review.reviewer == actor["id"]))
        return (await Review.insert(Review(
            community=community["id"], proposal=proposal_id, reviewer=actor["id"],
            score=score, verdict=verdict, reason=reason, created_at=now(),
        )).returning(*Review.all_columns()))[0]


async def reviews_of(proposal_ids: list[int]) -> dict[int, list[dict]]:
    """Reviews per proposal, for a page at once."""
    found: dict[int, list[dict]] = {p: [] for p in proposal_ids}
    if proposal_ids:
        for row in await Review.select().where(Review.proposal.is_in(proposal_ids)).order_by(
                Review.id):
            found[row["proposal"]].append(row)
    return found


async def grant(community: dict, actor: dict | None, proposal_id: int, amount: str,
                reason: str = "") -> dict:
    """Grant a submitted proposal ``amount`` yuan (admins): at most its budget and at most
    what is left in the round, checked and taken in one conditional update of the round."""
    if actor is not None:
        require_admin(actor)
    proposal = await get_proposal(community, proposal_id)
    amount_fen = yuan_to_fen(amount, "amount")
    reason = text(reason, "reason", 2000, required=False)
    if amount_fen > proposal["budget_fen"]:
        raise invalid("amount", "A grant cannot exceed the budget asked for ({budget} yuan).",
                      code="OVER_BUDGET", budget=yuan(proposal["budget_fen"]))
    if proposal["status"] != SUBMITTED:
        raise YizhanError("PROPOSAL_DECIDED", "This proposal was already decided.",
                          field="proposalId")
    async with atomic():
        decided = await Proposal.update({
            Proposal.status: GRANTED, Proposal.granted_fen: amount_fen,
            Proposal.decided_by: actor["id"] if actor else None, Proposal.decided_at: now(),
            Proposal.decision_reason: reason,
        }).where((Proposal.id == proposal_id) & (Proposal.status == SUBMITTED)).returning(
            *Proposal.all_columns())
        if not decided:
            raise YizhanError("PROPOSAL_DECIDED", "This proposal was already decided.",
                              field="proposalId")
        taken = await Round.update({Round.granted_fen: Round.granted_fen + amount_fen}).where(
            (Round.id == proposal["round"])
            & WhereRaw("total_fen - granted_fen >= {}", amount_fen)).returning(
            *Round.all_columns())
        if not taken:
            left = await get_round(community, proposal["round"])
            raise YizhanError("FUND_EXHAUSTED",
                              "Only {left} yuan is left in this round's fund.", field="amount",
                              left=yuan(left["total_fen"] - left["granted_fen"]))
        await notify(community["id"], proposal["proposer"], "governance.granted",
                     "Your proposal was funded",
                     "{title}: {amount} yuan granted.", title=proposal["title"],
                     amount=yuan(amount_fen))
        await publish(community["id"], "governance.proposal_granted",
                      {"proposal": proposal_id, "round": proposal["round"],
                       "amount": yuan(amount_fen),
                       "left": yuan(taken[0]["total_fen"] - taken[0]["granted_fen"])})
    return decided[0]


async def decline(community: dict, actor: dict | None, proposal_id: int, reason: str) -> dict:
    """Decline a submitted proposal with a reason (admins)."""
    if actor is not None:
        require_admin(actor)
    await get_proposal(community, proposal_id)
    reason = text(reason, "reason", 2000)
    async with atomic():
        rows = await Proposal.update({
            Proposal.status: DECLINED, Proposal.decided_by: actor["id"] if actor else None,
            Proposal.decided_at: now(), Proposal.decision_reason: reason,
        }).where((Proposal.id == proposal_id) & (Proposal.status == SUBMITTED)).returning(
            *Proposal.all_columns())
        if not rows:
            raise YizhanError("PROPOSAL_DECIDED", "This proposal was already decided.",
                              field="proposalId")
    return rows[0]


def _require_proposer(actor: dict | None, proposal: dict) -> None:
    if actor is not None and actor["id"] != proposal["proposer"]:
        raise forbidden("Only the proposer can do this.")


async def add_progress(community: dict, actor: dict | None, proposal_id: int,
                       note: str) -> dict:
    """The proposer reports progress on a funded project."""
    proposal = await get_proposal(community, proposal_id)
    _require_proposer(actor, proposal)
    note = text(note, "note", 2000)
    if proposal["status"] != GRANTED:
        raise YizhanError("NOT_FUNDED", "Only a funded, unfinished project takes progress "
                                        "notes.", field="proposalId")
    async with atomic():
        return (await Progress.insert(Progress(
            community=community["id"], proposal=proposal_id,
            author=actor["id"] if actor else proposal["proposer"], note=note,
            created_at=now())).returning(*Progress.all_columns()))[0]


async def complete(community: dict, actor: dict | None, proposal_id: int,
                   note: str = "") -> dict:
    """The proposer marks a funded project completed (with an optional last note)."""
    proposal = await get_proposal(community, proposal_id)
    _require_proposer(actor, proposal)
    note = text(note, "note", 2000, required=False)
    async with atomic():
        rows = await Proposal.update({Proposal.status: COMPLETED,
                                      Proposal.completed_at: now()}).where(
            (Proposal.id == proposal_id) & (Proposal.status == GRANTED)).returning(
            *Proposal.all_columns())
        if not rows:
            raise YizhanError("NOT_FUNDED", "Only a funded, unfinished project can be "
                                            "completed.", field="proposalId")
        if note:
            await Progress.insert(Progress(community=community["id"], proposal=proposal_id,
                                           author=proposal["proposer"], note=note,
                                           created_at=now()))
    return rows[0]


async def progress_of(proposal_ids: list[int]) -> dict[int, list[dict]]:
    """Progress notes per proposal, oldest first."""
    found: dict[int, list[dict]] = {p: [] for p in proposal_ids}
    if proposal_ids:
        for row in await Progress.select().where(Progress.proposal.is_in(proposal_ids)
                                                 ).order_by(Progress.id):
            found[row["proposal"]].append(row)
    return found


async def list_proposals(community: dict, *, round_id: int | None = None,
                         status: str | None = None, statuses: list[str] | None = None,
                         proposer: int | None = None, before_id: int | None = None,
                         limit: int = 50) -> list[dict]:
    """Proposals newest first with filters."""
    query = Proposal.select().where(Proposal.community == community["id"])
    if round_id is not None:
        query = query.where(Proposal.round == round_id)
    if status:
        query = query.where(Proposal.status == status)
    if statuses:
        query = query.where(Proposal.status.is_in(statuses))
    if proposer is not None:
        query = query.where(Proposal.proposer == proposer)
    if before_id is not None:
        query = query.where(Proposal.id < before_id)
    return await query.order_by(Proposal.id, ascending=False).limit(limit)
