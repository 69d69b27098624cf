"""The issue's "done when" on the demo, through the CLI and Open311: a red request is
triaged, routed to its grid team, answered inside 48 hours and rated; an overdue one is
escalated; the on-time figure is public; a micro-grant is awarded and the fund's balance
drops by exactly that; an Open311 client lists the requests."""

from __future__ import annotations

import pytest
import pytest_asyncio

from yizhan.core.services import communities


def test_the_demo_flow_through_the_cli(cli, clock):
    assert cli("demo").exit_code == 0
    listed = cli("governance", "requests", "list", "-c", "shuixie", "--json").json()
    assert len(listed) == 6
    assert sorted(r["urgency"] for r in listed) == ["blue", "blue", "red", "red", "yellow",
                                                     "yellow"]
    assert [r["id"] for r in listed if r["overdue"]] == [6]
    made = cli("governance", "requests", "submit", "-c", "shuixie", "--by", "wang", "--for",
               "zhang", "--category", "facilities", "--description", "单元门禁坏了",
               "--building", "1号楼", "--urgency", "red", "--json")
    assert made.exit_code == 0, made.stderr
    number = str(made.json()["id"])
    assert (made.json()["requester"], made.json()["filed_by"], made.json()["channel"]) == (
        "zhang", "wang", "proxy")
    triaged = cli("governance", "requests", "triage", number, "-c", "shuixie", "--by", "wang",
                  "--urgency", "red", "--json").json()
    assert (triaged["status"], triaged["grid"]) == ("assigned", "第一网格")
    clock.advance(hours=20)
    answered = cli("governance", "requests", "answer", number, "-c", "shuixie", "--by",
                   "zhao", "--response", "门禁已修好", "--json").json()
    assert (answered["status"], answered["on_time"]) == ("answered", True)
    rated = cli("governance", "requests", "rate", number, "-c", "shuixie", "--by", "zhang",
                "--satisfied", "--comment", "很快", "--json").json()
    assert rated["satisfied"] is True
    steps = cli("governance", "requests", "show", number, "-c", "shuixie", "--json").json()
    assert [(t["action"], t["actor"]) for t in steps["timeline"]] == [
        ("submitted", "wang"), ("triaged", "wang"), ("answered", "zhao"), ("rated", "zhang")]
    stranger = cli("governance", "requests", "rate", number, "-c", "shuixie", "--by", "li",
                   "--unsatisfied")
    assert stranger.exit_code == 1 and "[FORBIDDEN]" in stranger.stderr
    # The overdue red request is escalated by the next sweep, once.
    assert cli("jobs", "run", "--only", "core.deadlines").exit_code == 0
    shown = cli("governance", "requests", "show", "6", "-c", "shuixie", "--json").json()
    assert shown["breached"] is True
    assert [t["action"] for t in shown["timeline"]].count("escalated") == 1
    figures = cli("governance", "figures", "-c", "shuixie", "--json").json()
    red = next(f for f in figures if f["urgency"] == "red" and f["period"] == "all time")
    assert (red["due_or_answered"], red["answered_on_time"], red["on_time_percent"]) == (
        3, 2, "66.7")
    # The micro-grant fund: 8,000 already granted to the stairwell gallery.
    (fund,) = cli("governance", "grants", "rounds", "-c", "shuixie", "--json").json()
    assert (fund["total"], fund["granted"], fund["remaining"]) == (
        "150000.00", "8000.00", "142000.00")
    funded = cli("governance", "grants", "funded", "-c", "shuixie", "--json").json()
    assert [(p["title"], p["granted"], p["proposer"]) for p in funded] == [
        ("楼道美术馆", "8000.00", "li")]
    waiting = cli("governance", "grants", "proposals", "-c", "shuixie", "--status",
                  "submitted", "--json").json()
    (course,) = waiting
    granted = cli("governance", "grants", "grant", str(course["id"]), "-c", "shuixie",
                  "--by", "sun", "--amount", "4500.00", "--json").json()
    assert (granted["granted"], granted["round_remaining"]) == ("4500.00", "137500.00")
    (fund,) = cli("governance", "grants", "rounds", "-c", "shuixie", "--json").json()
    assert fund["remaining"] == "137500.00"
    bad = cli("governance", "grants", "grant", str(course["id"]), "-c", "shuixie",
              "--amount", "1.00")
    assert bad.exit_code == 1 and "[PROPOSAL_DECIDED]" in bad.stderr


@pytest_asyncio.fixture
async def demo(yizhan_db) -> dict:
    """The demo community, made before the app starts (its switch poller would otherwise
    reload the switches from outside the demo's transaction)."""
    from yizhan.cli.demo import create_demo

    return await create_demo()


@pytest.mark.hook("yizhan_seed_demo")
async def test_an_open311_client_lists_the_demo_requests(demo, app):
    assert demo["created"]
    community = await communities.get_community("shuixie")
    assert community["slug"] == "shuixie"
    base = "/governance/shuixie/open311/v2"
    services = (await app.get(f"{base}/services.json")).json()
    assert "facilities" in [s["service_code"] for s in services]
    listed = (await app.get(f"{base}/requests.json")).json()
    assert len(listed) == 6
    by_id = {r["service_request_id"]: r for r in listed}
    assert by_id["1"]["status"] == "closed" and "轴承" in by_id["1"]["status_notes"]
    assert by_id["6"]["status"] == "open" and by_id["6"]["address"] == "3号楼, 1号电梯"
    still_open = (await app.get(f"{base}/requests.json", params={"status": "open"})).json()
    assert sorted(r["service_request_id"] for r in still_open) == ["5", "6"]
