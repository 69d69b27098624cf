"""Demo data for the 水榭花都 demo community, from the second field report: two grids with
their teams, residents' requests of each colour — a broken fitness machine (red), stairwell
clutter (yellow), a neighbour's noisy dog (blue) … — most answered on time, one red request
overdue (the first ``yizhan jobs run`` escalates it), and the 2026 micro-grant round of
150,000 yuan with the 楼道美术馆 stairwell gallery funded.

Past submissions are back-dated (``at``); the answers are given now, so each request's
time to answer is how long ago it was submitted.
"""

from __future__ import annotations

from datetime import timedelta

from yizhan.core.api import now, switches
from yizhan.plugins.governance import grants, grids, requests
from yizhan.plugins.governance.common import PLUGIN

#: (requester, filer, category, description, building, place, urgency, hours ago, answer)
REQUESTS = [
    ("zhang", "wang", "facilities", "1号楼楼下的健身器材（扭腰器）坏了，转盘卡住，老人用着危险。",
     "1号楼", "北侧健身角", "red", 30, "已联系物业更换轴承，器材今天修好，可以正常使用了。"),
    ("liu", "liu", "sanitation", "3号楼2单元楼道里堆满纸箱和旧家具，挡住了消防通道。",
     "3号楼", "2单元楼道", "yellow", 72, "网格员和物业一起清理了楼道，并提醒住户不要再堆放。"),
    ("chen", "chen", "facilities", "2号楼门口的路灯晚上不亮，回家看不清台阶。",
     "2号楼", "单元门口", "yellow", 50, "已更换灯泡，并检查了整条线路。"),
    ("li", "li", "suggestion", "建议在小区东门增设一组快递柜，双职工取件方便。",
     None, "东门", "blue", 200, "已与快递公司沟通，下月在东门安装快递柜。"),
    ("li", "li", "neighbours", "楼上邻居的狗每天晚上叫到十一点，影响孩子睡觉。",
     "1号楼", "", "blue", 96, None),
    ("liu", "liu", "safety", "3号楼电梯运行时有异响，还晃了一下，担心有安全隐患。",
     "3号楼", "1号电梯", "red", 60, None),
]


async def seed_demo(community: dict, members: dict[str, dict]) -> dict:
    """Add the grids, teams, requests and the micro-grant round; nothing if governance is
    off. Call it once (``yizhan demo`` does): it is not idempotent."""
    if not switches.enabled(community["id"], PLUGIN):
        return {}
    m = members
    first = await grids.create_grid(community, None, "第一网格", "1号楼及北侧健身角",
                                    ["1号楼"])
    second = await grids.create_grid(community, None, "第二网格", "2号楼、3号楼",
                                     ["2号楼", "3号楼"])
    await grids.add_team_member(community, None, first["id"], m["wang"]["id"], "楼组长")
    await grids.add_team_member(community, None, first["id"], m["zhao"]["id"], "党员")
    await grids.add_team_member(community, None, second["id"], m["chen"]["id"], "物业管家")
    await grids.add_team_member(community, None, second["id"], m["liu"]["id"], "志愿者")
    current = now()
    made = []
    for (who, filer, category, text, building, place, level, hours, answer) in REQUESTS:
        on_behalf = m[who]["id"] if who != filer else None
        row = await requests.submit(community, m[filer], category=category, description=text,
                                    building=building, place=place, suggested_urgency=level,
                                    on_behalf_of=on_behalf,
                                    at=current - timedelta(hours=hours))
        staff = m["wang"] if row["grid"] == first["id"] else (
            m["chen"] if row["grid"] == second["id"] else m["sun"])
        row = await requests.triage(community, staff, row["id"], level)
        if answer:
            await requests.update(community, staff, row["id"], start=True)
            row = await requests.answer(community, staff, row["id"], answer)
            await requests.rate(community, m[who], row["id"], True, "谢谢，处理得很及时！")
        elif level == "blue":
            row = await requests.update(community, staff, row["id"], start=True,
                                        note="已上门沟通，约定晚上十点后把狗关进室内。")
        made.append(row["id"])
    fund = await grants.create_round(community, None, "2026", "150000.00",
                                     "居民微基金：支持居民自己提出并实施的社区小项目。")
    await grants.add_reviewer(community, None, fund["id"], m["zhao"]["id"])
    gallery = await grants.submit_proposal(
        community, m["li"], fund["id"], title="楼道美术馆",
        description="把1号楼的楼道变成孩子们的画廊：清理墙面、刷白、装画框，每季度换一次展。",
        team="李姐牵头，3位家长和12个孩子", budget="8000.00")
    await grants.review(community, m["zhao"], gallery["id"], score=5, verdict="approve",
                        reason="花钱少，孩子和老人都喜欢，也解决了楼道堆物的问题。")
    await grants.review(community, m["sun"], gallery["id"], score=4, verdict="approve",
                        reason="预算清楚。")
    await grants.grant(community, m["sun"], gallery["id"], "8000.00", "评审一致通过。")
    await grants.add_progress(community, m["li"], gallery["id"],
                              "墙面已清理刷白，第一批20幅画已上墙。")
    await grants.submit_proposal(
        community, m["wang"], fund["id"], title="银发手机课堂",
        description="每周六上午教老人用手机：发需求、看通知、视频通话（只有23%的老人会用）。",
        team="王楼长和两位大学生志愿者", budget="5000.00")
    return {"grids": 2, "requests": made, "round": fund["id"]}
