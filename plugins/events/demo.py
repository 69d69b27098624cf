"""Events for the 水榭花都 demo community, from the field reports: the Saturday cashflow game
(现金流游戏, 14:00–16:30 in the activity room, leaders inviting their buildings three days
ahead, the first time free and +1 credit, +0.5 for bringing a newcomer) with three past
sessions, their attendees, referrals and a few newcomers who went on to post needs; the
百家宴 neighbourhood feast; and 粽香传情, young families making dumplings for elders living
alone, whose volunteers' hours were confirmed.

``yizhan demo`` calls :func:`seed_demo` once, inside its transaction, when events is on.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from yizhan.core.api import (
    add_member,
    create_person,
    find_person,
    list_buildings,
    now,
    plugin_enabled,
    post_need,
)
from yizhan.plugins.events import closing, signups
from yizhan.plugins.events import events as ev
from yizhan.plugins.events.tables import SignUp

#: Newcomers the demo adds: username, display name, real name, building.
NEWCOMERS = (
    ("zhouxy", "周晓燕", "周晓燕", "1号楼"), ("wujp", "吴建平", "吴建平", "2号楼"),
    ("zhengli", "郑丽", "郑丽", "2号楼"), ("fenghai", "冯海", "冯海", "3号楼"),
    ("hejing", "何静", "何静", "1号楼"), ("xuqiang", "许强", "许强", "3号楼"),
)
#: Who came to each past session (username, the member who brought them) and who did not.
SESSIONS = (
    ([("chen", None), ("zhao", None), ("zhang", None), ("zhouxy", "chen"), ("wujp", "zhao")],
     ["zhengli"]),
    ([("chen", None), ("zhouxy", None), ("zhengli", "wujp"), ("fenghai", "zhao")], []),
    ([("chen", None), ("zhao", None), ("hejing", "zhouxy"), ("xuqiang", "wang"), ("wujp", None)],
     ["fenghai"]),
)
#: Newcomers who went on to post a need after their first game.
NEEDS = (("zhouxy", "周末帮忙接一下孩子", "childcare", 30),
         ("wujp", "教我用手机挂号", "errand", 20),
         ("fenghai", "阳台水管漏水，请人看看", "repair", 45))


def _next_saturday(today: date) -> date:
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


async def _people(community: dict, members: dict[str, dict], password: str) -> dict[str, dict]:
    buildings = {b["name"]: b["id"] for b in await list_buildings(community)}
    found = dict(members)
    for username, display, real, building in NEWCOMERS:
        person = await find_person(username) or await create_person(username, display, password)
        found[username] = await add_member(community, person["id"], buildings.get(building),
                                           "resident", real)
    return found


async def _attend(community: dict, event: dict, occurrence: dict, who: dict,
                  referrer: dict | None, came: bool) -> None:
    signup = await signups._place(community, event, occurrence, who, referrer=referrer,
                                  by=None)
    changes = {SignUp.created_at: occurrence["starts_at"] - timedelta(days=2)}
    if came:
        changes[SignUp.checked_in_at] = occurrence["starts_at"] + timedelta(minutes=5)
    await SignUp.update(changes).where(SignUp.id == signup["id"])


async def seed_demo(community: dict, members: dict[str, dict], *,
                    password: str = "yizhan-demo") -> dict:
    """Add the demo's events. ``members`` maps the demo's usernames to member rows (``wang``,
    ``zhao``, ``zhang``, ``chen``, ``sun`` are used; 李姐 is left for the story of the coming
    Saturday and the merchants demo's own figures). Does nothing unless events is on. Call it
    once: it is not idempotent."""
    if not plugin_enabled(community["id"], ev.PLUGIN):
        return {}
    people = await _people(community, members, password)
    if plugin_enabled(community["id"], "credits"):
        from yizhan.plugins.credits import service as credits

        await credits.transfer(community, credits.ISSUANCE, credits.COMMUNITY_FUND, 100_00,
                               kind="funding", reason="活动奖励预算", key="events:demo:fund")
    buildings = [b["id"] for b in await list_buildings(community)]
    tz = ev.zone(community)
    today = ev.local(community, now()).date()
    saturday = _next_saturday(today)
    first = datetime.combine(saturday - timedelta(weeks=len(SESSIONS)), time(14, 0),
                             tzinfo=tz)
    game = await ev.create_event(
        community, None, title="现金流游戏", kind="game", place="社区活动室",
        description="每周六下午的财商桌游：首次参与免费，完成后送1积分；带新人来再得0.5积分。"
                    "茶点水果管够。",
        starts_at=first, ends_at=first + timedelta(hours=2, minutes=30), capacity=25,
        rrule="FREQ=WEEKLY;BYDAY=SA", organiser=people["wang"], invited=buildings,
        allow_past=True)
    dates = [o for o, _ in await ev.upcoming(community, event_id=game["id"],
                                             start=first - timedelta(days=1))]
    past = [o for o in dates if o["ends_at"] < now()][-len(SESSIONS):]
    for occurrence, (came, absent) in zip(past, SESSIONS, strict=False):
        for username, brought_by in came:
            await _attend(community, game, occurrence, people[username],
                          people[brought_by] if brought_by else None, True)
        for username in absent:
            await _attend(community, game, occurrence, people[username], None, False)
        await closing.close(community, None, occurrence["id"])
    for username, title, category, minutes in NEEDS:
        start = now() + timedelta(days=5)  # next week: open for a while yet
        await post_need(community, people[username], title=title, category=category,
                        window_start=start, window_end=start + timedelta(hours=3),
                        estimated_minutes=minutes, credits="0.50")
    coming = [o for o in dates if o["starts_at"] > now()]
    if coming:  # two already signed up for the coming Saturday
        for username, brought_by in (("chen", None), ("zhengli", None)):
            await signups._place(community, game, coming[0], people[username],
                                 referrer=people[brought_by] if brought_by else None, by=None)
    feast_day = datetime.combine(saturday + timedelta(days=8), time(17, 30), tzinfo=tz)
    await ev.create_event(
        community, None, title="百家宴", kind="feast", place="中心广场",
        description="每家带一道拿手菜，邻里围坐一桌。", starts_at=feast_day,
        ends_at=feast_day + timedelta(hours=2, minutes=30), capacity=120,
        organiser=people["sun"], invited=buildings)
    dumplings_day = datetime.combine(saturday - timedelta(days=13), time(9, 0), tzinfo=tz)
    dumplings = await ev.create_event(
        community, None, title="粽香传情", kind="volunteering", place="社区食堂",
        description="年轻家庭为独居老人包粽子、送上门。志愿时长按实际确认计入积分。",
        starts_at=dumplings_day, ends_at=dumplings_day + timedelta(hours=3), capacity=20,
        organiser=people["zhao"], allow_past=True)
    (pack,) = [o for o, _ in await ev.upcoming(community, event_id=dumplings["id"],
                                               start=dumplings_day - timedelta(days=1))]
    volunteers = (("zhao", "3"), ("zhouxy", "2.5"), ("hejing", "3"))
    for username, _ in volunteers:
        await _attend(community, dumplings, pack, people[username], None, True)
    await closing.close(community, None, pack["id"], hours=[
        (people[u]["id"], hours) for u, hours in volunteers])
    return {"game": game["id"], "past_sessions": len(past)}
