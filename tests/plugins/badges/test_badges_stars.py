"""The quarterly mutual-aid stars, the disputes hook, and the leaderboards."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from badges_helpers import give_help, load_schema

from yizhan.core import jobs
from yizhan.core.errors import YizhanError
from yizhan.core.graphql.ids import pk_of
from yizhan.core.plugins import get_registry, hookimpl
from yizhan.core.services import plugin_admin
from yizhan.plugins.badges import stars
from yizhan.plugins.badges.tables import StarRound, StarWinner

SHANGHAI = ZoneInfo("Asia/Shanghai")

STARS = """query { mutualAidStars(community: "testville") { quarter prize sponsor prizeCredits
  winners { rank minutesGiven householdsHelped score creditsStatus member { id }
            award { status period credential badge { kind } } } } }"""

NOTICES = """query { notices(community: "testville", source: "badges") {
  nodes { title body source } } }"""

BOARD = """query($kind: LeaderboardPeriod!, $period: String) {
  badgeLeaderboard(community: "testville", kind: $kind, period: $period) {
  kind period startsAt endsAt entries { rank score minutesGiven householdsHelped
  member { id } } } }"""

INBOX = """query { notifications(community: "testville", first: 50) { nodes { kind body } } }"""


def local(text: str) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def _third_quarter(community, enable_plugin, clock, admin, leader, deputy, resident,
                         neighbour, **settings):
    """Badges on since September; help given in Q3 (and some in Q4, which must not count)."""
    clock.set(local("2026-09-01 09:00"))
    await enable_plugin(community, "badges")
    await plugin_admin.configure(community, "badges", {
        "stars_per_quarter": 2, "star_min_minutes": 30, **settings})
    await give_help(community, neighbour, resident, 60)   # neighbour: 90 min, 2 households
    await give_help(community, neighbour, leader, 30)     #   -> 90 + 120 = 210
    await give_help(community, leader, neighbour, 150)    # leader: 150 + 60 = 210 (tie)
    await give_help(community, deputy, resident, 120)     # deputy: 120 + 60 = 180
    await give_help(community, admin, resident, 20)       # admin: under the minimum
    clock.set(local("2026-09-30 23:50"))
    await give_help(community, deputy, neighbour, 600)    # confirmed in Q3 still
    clock.set(local("2026-10-01 00:10"))
    await give_help(community, admin, resident, 900)      # Q4: does not count for Q3


async def test_quarterly_sweep_names_the_stars_once(community, enable_plugin, clock, gql,
                                                    admin, leader, deputy, resident,
                                                    neighbour):
    await _third_quarter(community, enable_plugin, clock, admin, leader, deputy, resident,
                         neighbour, star_prize="A 50-yuan voucher", star_sponsor="Fruit shop")
    clock.set(local("2026-10-01 01:00"))
    assert (await jobs.run_due(force=True, only="badges.stars"))["badges.stars"] == 1
    for _ in range(3):  # however often it runs
        assert (await jobs.run_due(force=True, only="badges.stars"))["badges.stars"] == 0
        found, made = await stars.run_round(community, "2026Q3")
        assert made is False and found["period"] == "2026Q3"
    assert await StarRound.count() == 1 and await StarWinner.count() == 2

    rounds = (await gql.data(STARS))["mutualAidStars"]
    assert [r["quarter"] for r in rounds] == ["2026Q3"]
    (q3,) = rounds
    assert (q3["prize"], q3["sponsor"], q3["prizeCredits"]) == (
        "A 50-yuan voucher", "Fruit shop", "0.00")
    # deputy: 720 min, 2 households = 840; neighbour and leader tie at 210: more households
    # wins, so the neighbour is second and the leader is not a star.
    assert [(w["rank"], w["member"]["id"], w["score"]) for w in q3["winners"]] == [
        (1, deputy.id, 840), (2, neighbour.id, 210)]
    assert all(w["creditsStatus"] == "none" for w in q3["winners"])
    award = q3["winners"][0]["award"]
    assert award["status"] == "ACTIVE" and award["period"] == "2026Q3"
    assert award["badge"]["kind"] == "STAR"
    jsonschema.Draft201909Validator(load_schema("achievementcredential.schema.json")).validate(
        award["credential"])
    assert "12.0 hours" in award["credential"]["evidence"][0]["narrative"]

    (notice,) = (await gql.data(NOTICES))["notices"]["nodes"]
    assert notice["title"] == "Mutual-aid stars of 2026Q3"
    assert "1. Deputy1: 12.0 hours, 2 households helped" in notice["body"]
    assert "2. Neighbour1: 1.5 hours, 2 households helped" in notice["body"]
    assert "A 50-yuan voucher" in notice["body"] and "Fruit shop" in notice["body"]
    kinds = [n["kind"] for n in (await deputy.gql.data(INBOX))["notifications"]["nodes"]]
    assert kinds.count("badges.star") == 1


async def test_upheld_disputes_exclude_a_member(community, enable_plugin, clock, gql, admin,
                                                leader, deputy, resident, neighbour):
    await _third_quarter(community, enable_plugin, clock, admin, leader, deputy, resident,
                         neighbour)
    asked = []

    class FakeDisputes:
        """A stand-in for a disputes plugin: a dispute was upheld against the deputy."""

        @hookimpl
        async def yizhan_badges_upheld_disputes(self, ctx, member_ids, start, end):
            asked.append((ctx.community_id, sorted(member_ids), start, end))
            return [deputy.member_id]

    registry = get_registry()
    plugin = FakeDisputes()
    registry.add_implementations(plugin, name="fake-disputes")
    try:
        clock.set(local("2026-10-01 01:00"))
        found, made = await stars.run_round(community)
    finally:
        registry.remove_implementations(plugin)
    assert made and found["period"] == "2026Q3"
    (call,) = asked
    assert call[0] == community["id"] and deputy.member_id in call[1]
    assert (call[2], call[3]) == (local("2026-07-01 00:00"), local("2026-10-01 00:00"))
    q3 = (await gql.data(STARS))["mutualAidStars"][0]
    # The deputy is left out: the neighbour and the leader (tied, more households first).
    assert [w["member"]["id"] for w in q3["winners"]] == [neighbour.id, leader.id]


async def test_credit_prize_is_skipped_while_credits_is_off(community, enable_plugin, clock,
                                                            gql, admin, leader, deputy,
                                                            resident, neighbour):
    await _third_quarter(community, enable_plugin, clock, admin, leader, deputy, resident,
                         neighbour, star_prize_credits="2.50")
    clock.set(local("2026-10-01 01:00"))
    await stars.run_round(community)
    q3 = (await gql.data(STARS))["mutualAidStars"][0]
    assert q3["prizeCredits"] == "2.50"
    assert [w["creditsStatus"] for w in q3["winners"]] == ["skipped", "skipped"]


async def test_no_round_for_a_quarter_before_badges_was_on(badges, clock):
    # Badges was switched on in Q4: the sweep does not go back to name Q3's stars.
    assert (await jobs.run_due(force=True, only="badges.stars"))["badges.stars"] == 0
    assert await StarRound.count() == 0
    with pytest.raises(YizhanError) as refused:
        await stars.run_round(badges, "2026Q4")
    assert refused.value.code == "PERIOD_NOT_OVER"
    with pytest.raises(YizhanError) as refused:
        await stars.run_round(badges, "2026Q5")
    assert refused.value.code == "INVALID_PERIOD"
    assert await StarRound.count() == 0


async def test_quiet_quarter_names_nobody(badges, clock, gql):
    clock.set(local("2027-01-01 08:00"))
    found, made = await stars.run_round(badges)
    assert made and found["period"] == "2026Q4"
    assert await StarWinner.count() == 0
    assert (await gql.data(NOTICES))["notices"]["nodes"] == []


async def test_retired_star_badge_names_nobody(badges, clock, admin):
    await admin.gql.mutate("""mutation { defineBadge(input: {community: "testville",
        slug: "mutual-aid-star", active: false}) { errors { code } } }""")
    clock.set(local("2027-01-01 08:00"))
    assert await stars.run_round(badges) == (None, False)
    assert await StarRound.count() == 0


async def test_ties_fall_to_the_earlier_member(badges, resident, neighbour, leader, deputy):
    await give_help(badges, neighbour, resident, 30)
    await give_help(badges, leader, deputy, 30)
    ranked = await stars.standings(badges, local("2026-11-01 00:00"),
                                   local("2026-12-01 00:00"))
    assert [s.member_id for s in ranked] == sorted([neighbour.member_id, leader.member_id])
    assert [s.rank for s in ranked] == [1, 2]


async def test_leaderboards_for_the_month_and_the_quarter(badges, clock, gql, resident,
                                                          neighbour, leader, deputy):
    clock.set(local("2026-10-20 10:00"))
    await give_help(badges, leader, resident, 300)          # October: quarter only
    clock.set(local("2026-11-02 09:00"))
    await give_help(badges, neighbour, resident, 45)
    await give_help(badges, neighbour, deputy, 45)
    await give_help(badges, deputy, resident, 60)

    month = (await gql.data(BOARD, {"kind": "MONTH"}))["badgeLeaderboard"]
    assert (month["kind"], month["period"]) == ("MONTH", "2026-11")
    assert month["startsAt"].startswith("2026-10-31T16:00:00")  # midnight in Shanghai
    assert [(e["rank"], e["member"]["id"], e["score"]) for e in month["entries"]] == [
        (1, neighbour.id, 210), (2, deputy.id, 120)]
    quarter = (await gql.data(BOARD, {"kind": "QUARTER"}))["badgeLeaderboard"]
    assert quarter["period"] == "2026Q4"
    assert [e["member"]["id"] for e in quarter["entries"]] == [leader.id, neighbour.id,
                                                               deputy.id]
    october = (await gql.data(BOARD, {"kind": "MONTH", "period": "2026-10"}))
    assert [e["member"]["id"] for e in october["badgeLeaderboard"]["entries"]] == [leader.id]
    bad = await gql.execute(BOARD, {"kind": "QUARTER", "period": "2026-11"})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_PERIOD"


async def test_credit_prize_is_paid_through_the_credits_service(community, enable_plugin,
                                                                clock, gql, admin, leader,
                                                                deputy, resident, neighbour):
    from yizhan.plugins.credits import service as credits

    await enable_plugin(community, "credits")
    await _third_quarter(community, enable_plugin, clock, admin, leader, deputy, resident,
                         neighbour, star_prize_credits="2.50")
    before = {m: (await credits.balance(community, m)).balance
              for m in (deputy.member_id, neighbour.member_id, leader.member_id)}
    clock.set(local("2026-10-01 01:00"))
    await stars.run_round(community)
    await stars.run_round(community)  # once per quarter: nothing more is paid
    q3 = (await gql.data(STARS))["mutualAidStars"][0]
    assert [w["creditsStatus"] for w in q3["winners"]] == ["paid", "paid"]
    after = {m: (await credits.balance(community, m)).balance for m in before}
    assert after[deputy.member_id] - before[deputy.member_id] == 250
    assert after[neighbour.member_id] - before[neighbour.member_id] == 250
    assert after[leader.member_id] == before[leader.member_id]
    (notice,) = (await gql.data(NOTICES))["notices"]["nodes"]
    assert "Each star receives 2.50 time credits." in notice["body"]


async def test_leaderboard_from_running_figures_equals_the_help_records(
        badges, clock, gql, admin, resident, neighbour, leader, deputy):
    """The leaderboard reads running figures per helper and period; they rank exactly as
    :func:`stars.standings` ranks straight from the help records (households across months,
    a period's edge, repeated pairs)."""
    people = [admin, resident, neighbour, leader, deputy]
    moments = ["2026-09-30 23:50", "2026-10-01 00:10", "2026-10-31 23:59", "2026-11-01 00:01",
               "2026-11-15 12:00", "2026-12-31 23:59"]
    for i in range(18):
        clock.set(local(moments[i % len(moments)]))
        helper, requester = people[(i * 3) % 5], people[(i * 3 + 1 + i % 3) % 5]
        await give_help(badges, helper, requester, 10 + 7 * i)
    for kind, label in (("MONTH", "2026-10"), ("MONTH", "2026-11"), ("QUARTER", "2026Q4"),
                        ("QUARTER", "2026Q3")):
        board = (await gql.data(BOARD, {"kind": kind, "period": label}))["badgeLeaderboard"]
        start = datetime.fromisoformat(board["startsAt"])
        end = datetime.fromisoformat(board["endsAt"])
        expected = await stars.standings(badges, start, end)
        assert [(e["rank"], pk_of(e["member"]["id"], "Member"), e["score"],
                 e["minutesGiven"], e["householdsHelped"]) for e in board["entries"]] == [
            (s.rank, s.member_id, s.score, s.minutes_given, s.households_helped)
            for s in expected], label
        assert board["entries"], label
