"""Partner shops for the 水榭花都 demo community, from the field reports: the supermarket with its
"满100可用" deal and no credits for tobacco and alcohol, the pharmacy where 李姐 spent the 0.2
credits of 张阿姨's soy-sauce errand on a band-aid, and the fruit stall that came asking to join.

``yizhan demo`` (``cli/demo.py``) calls :func:`seed_demo` once, after its members and needs
exist, when merchants is on.
"""

from __future__ import annotations

from datetime import timedelta

from yizhan.core.api import add_member, create_person, find_person, plugin_enabled
from yizhan.plugins.credits import service as credits
from yizhan.plugins.merchants import NAME, redemptions, rules, shops

#: Shop staff the demo adds: username, display name, real name.
STAFF = (("zhou", "周店长", "周海涛"), ("qian", "钱药师", "钱文静"))


async def _staff_member(community: dict, username: str, display: str, real: str,
                        password: str) -> dict:
    person = await find_person(username) or await create_person(
        username, display, password)
    return await add_member(community, person["id"], None, "resident", real)


async def _redeem(community: dict, resident: dict, staff: dict, shop: dict, amount: str,
                  category: str) -> dict:
    code = await redemptions.request_code(community, resident)
    return await redemptions.submit(community, staff, shop["id"], code["code"], amount,
                                    category)


async def seed_demo(community: dict, members: dict[str, dict], *,
                    password: str = "yizhan-demo") -> dict:
    """Add the demo's partner shops, their staff and rules, and two redemptions with ratings.

    ``members`` maps the demo's usernames to their member rows (``wang``, ``li`` and
    ``zhang`` are used). Does nothing (returns ``{}``) unless credits and merchants are on.
    Call it once: it is not idempotent.
    """
    cid = community["id"]
    if not (plugin_enabled(cid, "credits") and plugin_enabled(cid, NAME)):
        return {}
    today = shops.local_date(community)
    zhou, qian = [await _staff_member(community, u, d, r, password) for u, d, r in STAFF]
    market = await shops.register(
        community, None, name="邻里优选超市", kind="supermarket", address="2号楼底商",
        contact="周店长 138-0571-0001", starts_on=today - timedelta(days=7),
        description="粮油、日用品、生鲜；积分兑换专区在收银台左侧。",
        latitude="30.746500", longitude="120.755000")
    pharmacy = await shops.register(
        community, None, name="康宁大药房", kind="pharmacy", address="1号楼东侧",
        contact="钱药师 139-0571-0002", starts_on=today - timedelta(days=7),
        description="常用药、创可贴、血压计免费测量。", latitude="30.746900",
        longitude="120.754300")
    fruit = await shops.register(
        community, None, name="鲜果园水果店", kind="fruit", address="3号楼对面",
        contact="林老板 137-0571-0003", starts_on=today,
        description="积分+1元换当季水果。", latitude="30.745800", longitude="120.756200")
    await shops.add_staff(community, None, market["id"], zhou["id"])
    await shops.add_staff(community, None, pharmacy["id"], qian["id"])
    await rules.add(community, None, market["id"], rules.THRESHOLD, minOrder="100.00",
                    credits="2.00", discount="30.00", note="满100元，2积分抵30元")
    for category in ("tobacco", "alcohol"):
        await rules.add(community, None, market["id"], rules.CATEGORY, category=category,
                        accepted=False, note="烟酒不参与积分兑换")
    await rules.add(community, None, pharmacy["id"], rules.CAP, cap="5.00",
                    note="每单最多5积分")
    await rules.add(community, None, fruit["id"], rules.CATEGORY, category="fruit",
                    note="只限水果")
    done = {}
    wang, li = members.get("wang"), members.get("li")
    if li is not None and redemptions.own_credits(await credits.balance(community,
                                                                        li["id"])) >= 20:
        bandaid = await _redeem(community, li, qian, pharmacy, "2.00", "medicine")
        await redemptions.rate(community, li, bandaid["id"], stars=5, smooth=True,
                               discount_real=True, comment="真能换！")
        done["li"] = bandaid["id"]
    if wang is not None:
        await credits.award(community, wang["id"], 300, reason="楼长带头示范：首批体验积分",
                            key="merchants:demo:wang", source_kind="merchants.demo")
        groceries = await _redeem(community, wang, zhou, market, "128.00", "daily")
        await redemptions.rate(community, wang, groceries["id"], stars=4, smooth=True,
                               discount_real=True, comment="满减实在，排队稍久。")
        done["wang"] = groceries["id"]
        # One unhappy resident rating the pharmacy down again and again still counts once:
        # the board names a shop only when five distinct residents rate it below the bar.
        for _ in range(3):
            small = await _redeem(community, wang, qian, pharmacy, "1.00", "medicine")
            await redemptions.rate(community, wang, small["id"], stars=1, smooth=False,
                                   discount_real=True, comment="排队太久。")
        done["wang_pharmacy"] = small["id"]
    return {"merchants": [market["name"], pharmacy["name"], fruit["name"]],
            "staff_logins": [u for u, _, _ in STAFF], "redemptions": done}
