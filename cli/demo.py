"""``yizhan demo``: the 水榭花都 (Shuixie Huadu) demo community, from the field reports.

Buildings, a head leader and a deputy, an elder whose leader posts for her (张阿姨 and her soy
sauce), a night-shift worker, an electrician, and needs in every state. Every installed plugin
is switched on, and each plugin adds its own demo data through ``yizhan_seed_demo`` (the
merchants plugin its shops). All demo logins use the password ``yizhan-demo``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import typer

from yizhan.cli.output import emit
from yizhan.cli.runner import run
from yizhan.core import clock, db
from yizhan.core.events import EventContext
from yizhan.core.events import emit as emit_event
from yizhan.core.plugins import CORE, get_registry
from yizhan.core.services import communities, members, needs, notices, people, plugin_admin
from yizhan.core.tables import Community

SLUG = "shuixie"
PASSWORD = "yizhan-demo"

PEOPLE = [
    # username, display name, real name, building, role, skills
    ("sun", "孙主任", "孙丽华", None, "admin", []),
    ("wang", "王楼长", "王建国", "1号楼", "building_leader", ["errand"]),
    ("zhao", "赵姐", "赵敏", "1号楼", "deputy_leader", ["childcare"]),
    ("zhang", "张阿姨", "张桂英", "1号楼", "resident", []),
    ("li", "李姐", "李秀梅", "1号楼", "resident", ["errand", "childcare"]),
    ("chen", "陈师傅", "陈志强", "2号楼", "resident", ["electrician", "repair"]),
    ("liu", "小刘", "刘洋", "3号楼", "resident", ["errand"]),
    ("wangnainai", "王奶奶", "王秀兰", "1号楼", "resident", []),
]


async def create_demo() -> dict:
    """Create the demo community (once); returns a summary."""
    async with db.atomic():
        if await Community.exists().where(Community.slug == SLUG):
            return {"community": SLUG, "created": False}
        return await _create()


async def _create() -> dict:
    community = await communities.create_community(SLUG, "水榭花都时间驿站", "Asia/Shanghai")
    for name in get_registry().order:
        if name != CORE:
            await plugin_admin.enable(community, name)
    buildings = {}
    for name, households in (("1号楼", 320), ("2号楼", 120), ("3号楼", 80)):
        buildings[name] = (await communities.create_building(community, name, households))["id"]
    m = {}
    password_hash = await people.hash_password(PASSWORD)  # one Argon2 run, not one a person
    for username, display, real, building, role, skills in PEOPLE:
        person = await people.find_person(username) or await people.create_person(
            username, display, password_hash=password_hash)
        member = await members.add_member(community, person["id"],
                                          buildings.get(building), role, real)
        m[username] = await members.set_profile(community, member, skills=skills)
    await members.set_profile(community, m["liu"], availability=[
        {"weekday": d, "start": "19:00", "end": "23:30"} for d in range(5)])
    await members.set_profile(community, m["chen"], availability=[
        {"weekday": d, "start": "08:00", "end": "18:00"} for d in range(7)])
    now = clock.now()
    soy = await needs.post(community, m["wang"], title="代买一瓶酱油", category="errand",
                           description="张阿姨做饭缺酱油，楼下超市就有。",
                           window_start=now, window_end=now + timedelta(hours=2),
                           estimated_minutes=10, credits="0.20", on_behalf_of=m["zhang"]["id"])
    await needs.accept(community, m["li"], soy["id"])
    await needs.mark_done(community, m["li"], soy["id"])
    await needs.confirm(community, m["wang"], soy["id"])
    promises = await _promises(community, m)
    tonight = (now + timedelta(days=1)).replace(hour=14, minute=30, second=0, microsecond=0)
    await needs.post(community, m["liu"], title="夜班回来前帮忙代取快递", category="errand",
                     description="快递柜 3 号格，取件码发您。", window_start=tonight,
                     window_end=tonight + timedelta(hours=1), estimated_minutes=15,
                     credits="0.30")
    child = await needs.post(community, m["zhang"], title="临时照看孩子10分钟",
                             category="childcare", window_start=now + timedelta(hours=1),
                             window_end=now + timedelta(hours=3), estimated_minutes=10,
                             credits="0.20")
    await needs.accept(community, m["zhao"], child["id"])
    await needs.post(community, m["liu"], title="楼道灯不亮了，请电工看看",
                     category="electrician", window_start=now + timedelta(days=2),
                     window_end=now + timedelta(days=2, hours=3), estimated_minutes=45,
                     credits="1.00", building_id=buildings["2号楼"])
    await notices.post_notice(community["id"], "时间驿站开张啦",
                              "邻里互助，时间记账：帮一小时，存一小时。信任展架在社区广场。",
                              author=m["sun"]["id"], pinned=True)
    await _history(community, m)
    await emit_event(EventContext(community=community), "yizhan_seed_demo", members=m)
    return {"community": SLUG, "created": True, "logins": [p[0] for p in PEOPLE],
            "password": PASSWORD, "promises": promises}


async def _promises(community: dict, m: dict) -> list[str]:
    """The promises of the core loop, as stories (docs/promises.md): a need nobody confirmed,
    confirmed automatically and paid; a leader confirming for an elder; a leader refused when
    he tries to help on a need he posted for her. Returns one line per story."""
    from yizhan.core import deadlines
    from yizhan.core.clock import MovableClock, install
    from yizhan.core.errors import YizhanError

    told = []
    # Three days ago 小刘 took in 陈师傅's washing before the rain and marked it done; 陈师傅 was
    # out on jobs and never confirmed. The reminder came after a day, the automatic
    # confirmation after two: 小刘 was paid all the same.
    now = clock.now()
    past = MovableClock(now - timedelta(days=3))
    previous = install(past)
    try:
        washing = await needs.post(community, m["chen"], title="下雨了，帮忙收一下阳台的被子",
                                   category="errand", window_start=past.now(),
                                   window_end=past.now() + timedelta(hours=2),
                                   estimated_minutes=15, credits="0.50")
        await needs.accept(community, m["liu"], washing["id"])
        past.advance(minutes=40)
        await needs.mark_done(community, m["liu"], washing["id"])
        past.set(now)
        await deadlines.run_due(now)  # what the server's sweep does: reminder, then confirm
    finally:
        install(previous)
    told.append(f"auto-confirmed and paid: {washing['title']} (need {washing['id']})")
    # 王奶奶 does not use the app: 王楼长 posts for her, her neighbour 张阿姨 helps, and the
    # deputy 赵姐 confirms for her (the history names 赵姐 and why).
    medicine = await needs.post(community, m["wang"], title="帮王奶奶去药店取降压药",
                                category="errand", window_start=now,
                                window_end=now + timedelta(hours=3), estimated_minutes=20,
                                credits="0.30", on_behalf_of=m["wangnainai"]["id"])
    await needs.accept(community, m["zhang"], medicine["id"])
    await needs.mark_done(community, m["zhang"], medicine["id"])
    await needs.confirm(community, m["zhao"], medicine["id"])
    told.append(f"confirmed by a leader for an elder: {medicine['title']} "
                f"(need {medicine['id']})")
    # The field report: 王楼长 posted "帮王奶奶买菜" for her and tried to take it himself.
    groceries = await needs.post(community, m["wang"], title="帮王奶奶买菜", category="errand",
                                 window_start=now + timedelta(hours=1),
                                 window_end=now + timedelta(hours=4), estimated_minutes=30,
                                 credits="2.00", on_behalf_of=m["wangnainai"]["id"])
    try:
        await needs.accept(community, m["wang"], groceries["id"])
    except YizhanError as refused:
        told.append(f"refused: 王楼长 helping on {groceries['title']} (need "
                    f"{groceries['id']}) [{refused.code}]")
    return told


#: Needs completed in each of the three months before this one and earlier this month: the
#: station growing (the field reports: from 12 households to 86), for the insights trends.
HISTORY = ((3, 4), (2, 7), (1, 11), (0, 13))
CATEGORIES = ("errand", "childcare", "repair", "errand", "electrician")


async def _history(community: dict, m: dict) -> None:
    """Needs posted, taken and confirmed in the last three months, on a clock set back to
    then (so every time and every indicator falls in its month)."""
    zone = ZoneInfo(community["time_zone"])
    today = clock.now().astimezone(zone)
    requesters = ["zhang", "liu", "li", "chen"]
    helpers = ["li", "chen", "zhao", "liu"]
    for back, count in HISTORY:
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        for k in range(count):
            day = datetime(year, month + 1, 2 + 2 * k, 9 + k % 10, tzinfo=zone)
            if day >= today - timedelta(days=1):  # only what is safely in the past
                break
            moved = clock.MovableClock(day.astimezone(UTC))
            previous = clock.install(moved)
            try:
                requester = m[requesters[k % 4]]
                helper = m[helpers[k % 4]]
                on_behalf = requester is m["zhang"]
                poster = m["wang"] if on_behalf else requester
                now = clock.now()
                need = await needs.post(
                    community, poster, title=f"邻里互助 {month + 1}月 #{k + 1}",
                    category=CATEGORIES[k % 5], window_start=now + timedelta(hours=1),
                    window_end=now + timedelta(hours=3), estimated_minutes=10 + 5 * (k % 4),
                    credits="0", on_behalf_of=requester["id"] if on_behalf else None)
                moved.advance(minutes=5 + 7 * k)
                await needs.accept(community, helper, need["id"])
                moved.advance(minutes=40)
                await needs.mark_done(community, helper, need["id"])
                await needs.confirm(community, poster, need["id"])
            finally:
                clock.install(previous)


def demo(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Create the 水榭花都 demo community (idempotent: an existing one is kept, and its
    needs whose time has passed are moved into the future)."""
    summary = run(start_demo)
    if as_json:
        emit(summary, True)
    elif summary["created"]:
        typer.echo(f"Demo community '{SLUG}' created. Logins: {', '.join(summary['logins'])} "
                   f"(password: {PASSWORD}).")
        for line in summary["promises"]:
            typer.echo(f"  {line}")
    else:
        typer.echo(f"Demo community '{SLUG}' already exists.")


async def refresh_demo() -> int:
    """Keep the demo alive whenever it starts: open and accepted needs whose window has ended
    move forward by whole days (same time of day) so they are in the future again, and their
    escalation with them. Returns how many needs moved."""
    from yizhan.core.tables import Need

    community = await Community.select(Community.id).where(Community.slug == SLUG).first()
    if community is None:
        return 0
    now = clock.now()
    moved = 0
    async with db.atomic():
        stale = await Need.select(Need.id, Need.status, Need.window_start, Need.window_end,
                                  Need.escalate_at).where(
            (Need.community == community["id"]) & Need.status.is_in(["open", "accepted"])
            & (Need.window_end <= now))
        for need in stale:
            days = (now - need["window_end"]).days + 1
            shift = timedelta(days=days)
            await Need.update({
                Need.window_start: need["window_start"] + shift,
                Need.window_end: need["window_end"] + shift,
                Need.escalate_at: (need["escalate_at"] + shift) if need["escalate_at"] else None,
            }).where(Need.id == need["id"])
            if need["status"] == "accepted":  # its overdue reminders move with the window
                await needs.schedule_overdue(community, {
                    "id": need["id"], "window_end": need["window_end"] + shift})
            moved += 1
    return moved


async def start_demo() -> dict:
    """``yizhan demo`` and ``yizhan serve --demo``: create the demo if it is missing and
    refresh its needs."""
    summary = await create_demo()
    summary["refreshed"] = await refresh_demo()
    return summary
