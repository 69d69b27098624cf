"""Check-in and closing through GraphQL: codes, QR payloads, names, walk-ins and late
arrivals; completed and no-show; rewards from the community fund exactly once (replays, the
automatic close run by two job runners at once), the referral rules, volunteering hours, and
the same records without credits."""

from __future__ import annotations

import asyncio

import pytest
from events_helpers import (
    ATTENDANCE,
    HOURS,
    check_in,
    close,
    create_game,
    dates,
    iso,
    notifications,
    sign_up,
    snapshot,
)

from yizhan.core import deadlines, jobs
from yizhan.plugins.credits import service as credits
from yizhan.plugins.credits import verify
from yizhan.plugins.events.tables import Reward

START = {"day": 7, "hour": 6, "minute": 0}  # Saturday 7 November 14:00 Shanghai


async def balance(community: dict, member_id: int) -> int:
    """A member's balance in hundredths."""
    return (await credits.balance(community, member_id)).balance


async def fund(community: dict) -> int:
    """The community fund's balance in hundredths."""
    return await credits.account_balance(community, credits.COMMUNITY_FUND)


async def test_check_in_by_code_qr_name_member_and_walk_in(
        events_on, leader, resident, neighbour, newcomer, deputy, clock):
    first = dates(await create_game(leader, capacity=3))[0]["id"]
    by_code = (await sign_up(resident, first))["signUp"]
    by_qr = (await sign_up(neighbour, first))["signUp"]
    assert (await sign_up(newcomer, first))["errors"] == []
    early = await check_in(leader, first, code=by_code["code"])
    assert early["errors"][0]["code"] == "CHECKIN_NOT_OPEN"
    clock.set(clock.now().replace(**START))
    typed = by_code["code"].lower()[:4] + " " + by_code["code"].lower()[4:]
    done = await check_in(leader, first, code=typed)
    assert done["errors"] == [] and done["signUp"]["checkedInAt"] and not done["signUp"]["late"]
    before = await snapshot()
    twice = await check_in(leader, first, code=by_code["code"])
    assert twice["errors"][0]["code"] == "ALREADY_CHECKED_IN"
    assert (await check_in(leader, first, code="ABCDEFGH"))["errors"][0]["code"] == (
        "CODE_INVALID")
    assert (await check_in(leader, first, name="Nobody"))["errors"][0]["code"] == (
        "NOT_SIGNED_UP")
    assert (await check_in(leader, first))["errors"][0]["code"] == "CHECKIN_NEEDS_ONE"
    assert await snapshot() == before
    assert (await check_in(leader, first, code=by_qr["qrPayload"]))["errors"] == []
    clock.advance(minutes=20)
    late = await check_in(leader, first, name="newcomer1")
    assert late["errors"] == [] and late["signUp"]["late"] is True
    # A walk-in: added past capacity and checked in at once.
    walk = await check_in(leader, first, memberId=deputy.id, walkIn=True)
    assert walk["errors"] == [] and walk["signUp"]["walkIn"] and walk["signUp"]["checkedInAt"]
    assert walk["signUp"]["signedUpBy"]["id"] == leader.id
    listing = await leader.gql.data(ATTENDANCE, {"id": first})
    assert [r["checkedInAt"] is not None for r in listing["eventAttendance"]] == [True] * 4
    refused = await resident.gql.execute(ATTENDANCE, {"id": first})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_code_for_another_date_is_refused(events_on, leader, resident, clock):
    found = dates(await create_game(leader))
    later = (await sign_up(resident, found[1]["id"]))["signUp"]
    clock.set(clock.now().replace(**START))
    wrong = await check_in(leader, found[0]["id"], code=later["code"])
    assert wrong["errors"][0]["code"] == "CODE_OTHER_OCCURRENCE"


async def test_closing_pays_the_newcomer_and_the_referrer_exactly_once(
        credits_on, leader, resident, newcomer, neighbour, clock):
    found = dates(await create_game(leader))
    first = found[0]["id"]
    mine = (await sign_up(newcomer, first, referrerId=resident.id))["signUp"]
    assert (await sign_up(neighbour, first))["errors"] == []  # will not come
    clock.set(clock.now().replace(**START))
    assert (await close(leader, found[1]["id"]))["errors"][0]["code"] == (
        "OCCURRENCE_NOT_STARTED")
    assert (await check_in(leader, first, code=mine["code"]))["errors"] == []
    fund_before = await fund(credits_on)
    clock.advance(hours=3)
    done = await close(leader, first)
    assert done["errors"] == [] and done["occurrence"]["status"] == "CLOSED"
    listing = {r["member"]["id"]: r for r in (await leader.gql.data(
        ATTENDANCE, {"id": first}))["eventAttendance"]}
    assert listing[newcomer.id]["status"] == "COMPLETED"
    assert listing[newcomer.id]["firstTime"] is True
    assert listing[neighbour.id]["status"] == "NO_SHOW"
    assert sorted((r["kind"], r["amount"], r["status"], r["member"]["id"])
                  for r in listing[newcomer.id]["rewards"]) == [
        ("FIRST_TIME", "1.00", "PAID", newcomer.id), ("REFERRAL", "0.50", "PAID", resident.id)]
    assert await balance(credits_on, newcomer.member_id) == 100
    assert await balance(credits_on, resident.member_id) == 50
    assert await fund(credits_on) == fund_before - 150
    assert (await notifications(newcomer))[0]["kind"] == "events.rewarded"

    # Replays: closing again is refused and pays nothing; the autoclose deadline was dropped.
    before = await snapshot()
    assert (await close(leader, first))["errors"][0]["code"] == "OCCURRENCE_CLOSED"
    clock.advance(days=1)
    await jobs.run_due(only="core.deadlines")
    assert await snapshot() == before

    # The newcomer's second session: no more first-time or referral rewards, even when they
    # name someone again.
    second = found[1]["id"]
    again = (await sign_up(newcomer, second, referrerId=neighbour.id))["signUp"]
    clock.set(clock.now().replace(day=14, hour=6, minute=5))
    assert (await check_in(leader, second, code=again["code"]))["errors"] == []
    assert (await close(leader, second))["errors"] == []
    assert await balance(credits_on, newcomer.member_id) == 100
    assert await balance(credits_on, neighbour.member_id) == 0
    assert await Reward.count() == 2
    assert (await verify.verify(credits_on["id"])).ok


async def test_referral_rules_self_and_those_who_already_attended(
        credits_on, leader, resident, newcomer, neighbour, clock):
    found = dates(await create_game(leader))
    # The resident attends first, unreferred.
    mine = (await sign_up(resident, found[0]["id"]))["signUp"]
    clock.set(clock.now().replace(**START))
    await check_in(leader, found[0]["id"], code=mine["code"])
    await close(leader, found[0]["id"])
    assert await balance(credits_on, resident.member_id) == 100
    # Next week the neighbour names the resident as their referrer — but the resident is not
    # a newcomer to them: the neighbour is. Then the resident names the newcomer: the resident
    # had already attended, so nobody earns a referral reward for them.
    second = found[1]["id"]
    a = (await sign_up(neighbour, second, referrerId=resident.id))["signUp"]
    b = (await sign_up(resident, second, referrerId=newcomer.id))["signUp"]
    assert (await sign_up(newcomer, second, referrerId=newcomer.id))["errors"][0]["code"] == (
        "SELF_REFERRAL")
    clock.set(clock.now().replace(day=14, hour=6))
    for row in (a, b):
        assert (await check_in(leader, second, code=row["code"]))["errors"] == []
    await close(leader, second)
    assert await balance(credits_on, resident.member_id) == 100 + 50
    assert await balance(credits_on, neighbour.member_id) == 100
    assert await balance(credits_on, newcomer.member_id) == 0


@pytest.mark.hook("yizhan_deadline_due")
async def test_the_automatic_close_pays_once_with_two_job_runners(
        credits_on, leader, resident, newcomer, clock):
    first = dates(await create_game(leader))[0]["id"]
    mine = (await sign_up(newcomer, first, referrerId=resident.id))["signUp"]
    clock.set(clock.now().replace(**START))
    await check_in(leader, first, code=mine["code"])
    clock.set(clock.now().replace(day=8, hour=4, minute=31))  # end + 12 hours
    fired = await asyncio.gather(deadlines.run_due(clock.now()),
                                 deadlines.run_due(clock.now()))
    assert sum(fired) >= 1
    assert await balance(credits_on, newcomer.member_id) == 100
    assert await balance(credits_on, resident.member_id) == 50
    assert await Reward.count() == 2
    listing = (await leader.gql.data(ATTENDANCE, {"id": first}))["eventAttendance"]
    assert [r["status"] for r in listing] == ["COMPLETED"]


async def test_without_credits_attendance_and_referrals_are_still_recorded(
        events_on, leader, resident, newcomer, clock):
    first = dates(await create_game(leader))[0]["id"]
    mine = (await sign_up(newcomer, first, referrerId=resident.id))["signUp"]
    clock.set(clock.now().replace(**START))
    await check_in(leader, first, code=mine["code"])
    assert (await close(leader, first))["errors"] == []
    listing = (await leader.gql.data(ATTENDANCE, {"id": first}))["eventAttendance"]
    assert listing[0]["status"] == "COMPLETED" and listing[0]["firstTime"] is True
    assert sorted((r["kind"], r["amount"], r["status"]) for r in listing[0]["rewards"]) == [
        ("FIRST_TIME", "1.00", "RECORDED"), ("REFERRAL", "0.50", "RECORDED")]


async def test_an_empty_fund_makes_rewards_wait_until_it_is_funded(
        events_on, enable_plugin, leader, newcomer, clock):
    await enable_plugin(events_on, "credits")
    first = dates(await create_game(leader))[0]["id"]
    mine = (await sign_up(newcomer, first))["signUp"]
    clock.set(clock.now().replace(**START))
    await check_in(leader, first, code=mine["code"])
    assert (await close(leader, first))["errors"] == []
    listing = (await leader.gql.data(ATTENDANCE, {"id": first}))["eventAttendance"]
    assert [r["status"] for r in listing[0]["rewards"]] == ["UNFUNDED"]
    await credits.transfer(events_on, credits.ISSUANCE, credits.COMMUNITY_FUND, 10_00,
                           kind="funding", reason="Top-up", key="test:topup")
    clock.advance(hours=1, minutes=1)
    await deadlines.run_due(clock.now())
    listing = (await leader.gql.data(ATTENDANCE, {"id": first}))["eventAttendance"]
    assert [r["status"] for r in listing[0]["rewards"]] == ["PAID"]
    assert await balance(events_on, newcomer.member_id) == 100


async def test_volunteers_are_paid_the_hours_the_organiser_confirms(
        credits_on, leader, resident, neighbour, clock):
    made = await create_game(leader, title="粽香传情", kind="VOLUNTEERING", rrule=None,
                             startsAt=iso("2026-11-07T09:00"), endsAt=iso("2026-11-07T12:00"))
    first = dates(made)[0]["id"]
    rows = [(await sign_up(who, first))["signUp"] for who in (resident, neighbour)]
    clock.set(clock.now().replace(day=7, hour=1))
    for row in rows:
        await check_in(leader, first, code=row["code"])
    before = await snapshot()
    bad = await close(leader, first, hours=[{"memberId": resident.id, "hours": "30"}])
    assert bad["errors"][0]["code"] == "INVALID_HOURS"
    assert await snapshot() == before
    done = await close(leader, first, hours=[{"memberId": resident.id, "hours": "2.5"}])
    assert done["errors"] == []
    later = await leader.gql.mutate(HOURS, {"input": {"occurrenceId": first, "hours": [
        {"memberId": neighbour.id, "hours": "3"}]}})
    assert later["errors"] == [] and later["signUps"][0]["hours"] == "3.00"
    again = await leader.gql.mutate(HOURS, {"input": {"occurrenceId": first, "hours": [
        {"memberId": neighbour.id, "hours": "3"}]}})
    assert again["errors"][0]["code"] == "HOURS_ALREADY_CONFIRMED"
    # First-time reward plus the hours.
    assert await balance(credits_on, resident.member_id) == 100 + 250
    assert await balance(credits_on, neighbour.member_id) == 100 + 300


async def test_the_fee_is_asked_after_the_first_participation_and_refunded_on_cancel(
        credits_on, leader, newcomer, clock):
    found = dates(await create_game(leader, fee="1.00"))
    first = (await sign_up(newcomer, found[0]["id"]))["signUp"]
    assert first["fee"] == "0.00"  # the first participation is free
    clock.set(clock.now().replace(**START))
    await check_in(leader, found[0]["id"], code=first["code"])
    await close(leader, found[0]["id"])
    assert await balance(credits_on, newcomer.member_id) == 100
    fund_before = await fund(credits_on)
    second = (await sign_up(newcomer, found[1]["id"]))["signUp"]
    assert second["fee"] == "1.00"
    assert await balance(credits_on, newcomer.member_id) == 0
    assert await fund(credits_on) == fund_before + 100
    from events_helpers import CANCEL_SIGN_UP

    gone = await newcomer.gql.mutate(CANCEL_SIGN_UP, {"input": {"signUpId": second["id"]}})
    assert gone["errors"] == [] and gone["signUp"]["fee"] == "0.00"
    assert await balance(credits_on, newcomer.member_id) == 100
    again = (await sign_up(newcomer, found[1]["id"]))["signUp"]
    assert again["fee"] == "1.00" and await balance(credits_on, newcomer.member_id) == 0
    assert (await verify.verify(credits_on["id"])).ok
