"""``yizhan merchants add|list|staff|rules|suspend|reinstate|end|board|settle|profile``."""

from __future__ import annotations

import csv
import io

import pytest_asyncio

from yizhan.plugins.merchants import redemptions, service


@pytest_asyncio.fixture
async def sold(merchants_on, shop, cashier, rich_resident) -> dict:
    """One redemption of 35.00 yuan at the supermarket."""
    code = await redemptions.request_code(merchants_on, rich_resident.member)
    return await service.submit(merchants_on, cashier.member, shop["id"], code["code"],
                                "35.00", "daily")


def test_add_list_and_staff(merchants_on, cashier, cli):
    made = cli("merchants", "add", "Fruit stall", "-c", "testville", "--kind", "fruit",
               "--address", "Gate 3", "--contact", "Ms Lin", "--guarantee", "200", "--json")
    assert made.exit_code == 0, made.stderr
    assert (made.json()["status"], made.json()["guarantee"]) == ("active", "200.00")
    assert made.json()["account"] == f"merchants.shop_{made.json()['id']}"
    bad = cli("merchants", "add", "X", "-c", "testville", "--kind", "Not A Slug",
              "--address", "a", "--contact", "c")
    assert bad.exit_code == 1 and "[INVALID_SLUG]" in bad.stderr
    listed = cli("merchants", "list", "-c", "testville")
    assert listed.exit_code == 0 and "Fruit stall" in listed.stdout
    added = cli("merchants", "staff", "Fruit stall", "cashier1", "-c", "testville", "--json")
    assert added.exit_code == 0, added.stderr
    assert [s["username"] for s in added.json()] == ["cashier1"]
    again = cli("merchants", "staff", "Fruit stall", "cashier1", "-c", "testville")
    assert again.exit_code == 1 and "[ALREADY_STAFF]" in again.stderr
    nobody = cli("merchants", "staff", "Fruit stall", "nobody", "-c", "testville")
    assert nobody.exit_code == 1 and "[NOT_FOUND]" in nobody.stderr
    removed = cli("merchants", "staff", "Fruit stall", "cashier1", "-c", "testville",
                  "--remove", "--json")
    assert removed.json() == []
    unknown = cli("merchants", "staff", "No such shop", "-c", "testville")
    assert unknown.exit_code == 1 and "[NOT_FOUND]" in unknown.stderr


def test_rules_are_added_listed_and_withdrawn(shop, cli):
    ref = str(shop["id"])
    deal = cli("merchants", "rules", ref, "-c", "testville", "--add", "threshold",
               "--min-order", "100", "--credits", "2", "--discount", "30", "--json")
    assert deal.exit_code == 0, deal.stderr
    assert [r["rule"] for r in deal.json()] == [
        "2.00 credits take 30.00 yuan off orders of 100.00 yuan or more"]
    refuse = cli("merchants", "rules", ref, "-c", "testville", "--add", "category",
                 "--category", "tobacco", "--refuse", "--json")
    assert [r["rule"] for r in refuse.json()][-1] == "No credits for tobacco"
    conflict = cli("merchants", "rules", ref, "-c", "testville", "--add", "cap", "--cap", "1")
    assert conflict.exit_code == 1 and "[RULE_CONFLICT]" in conflict.stderr
    first = deal.json()[0]["id"]
    withdrawn = cli("merchants", "rules", ref, "-c", "testville", "--withdraw", str(first),
                    "--json")
    assert [r["kind"] for r in withdrawn.json()] == ["category"]
    every = cli("merchants", "rules", ref, "-c", "testville", "--all", "--json")
    assert [r["withdrawn"] for r in every.json()] == [True, False]


def test_suspend_reinstate_end(shop, cli):
    name = "Neighbourhood Supermarket"
    suspended = cli("merchants", "suspend", name, "-c", "testville", "--reason", "Audit",
                    "--json")
    assert suspended.json()["status"] == "suspended"
    twice = cli("merchants", "suspend", name, "-c", "testville", "--reason", "Audit")
    assert twice.exit_code == 1 and "[ALREADY_SUSPENDED]" in twice.stderr
    assert cli("merchants", "reinstate", name, "-c", "testville", "--json").json()[
        "status"] == "active"
    assert cli("merchants", "end", name, "-c", "testville", "--reason", "Closed",
               "--json").json()["status"] == "ended"
    assert "Neighbourhood" not in cli("merchants", "list", "-c", "testville").stdout
    assert "Neighbourhood" in cli("merchants", "list", "-c", "testville", "--all").stdout


def test_board_and_settlement(sold, shop, cli, tmp_path):
    shown = cli("merchants", "board", "-c", "testville", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["entries"][0]["value"] == "35.00"
    early = cli("merchants", "board", "-c", "testville", "--close", "--month", "2026-11")
    assert early.exit_code == 1 and "[PERIOD_NOT_OVER]" in early.stderr
    closed = cli("merchants", "board", "-c", "testville", "--close", "--month", "2026-10",
                 "--json")
    assert closed.exit_code == 0, closed.stderr
    assert (closed.json()["closed"], closed.json()["closed_now"]) == (True, True)
    table = cli("merchants", "board", "-c", "testville")
    assert "Partner shops, 2026-11 (open)" in table.stdout

    out_csv, out_pdf = tmp_path / "nov.csv", tmp_path / "nov.pdf"
    settled = cli("merchants", "settle", str(shop["id"]), "-c", "testville", "--month",
                  "2026-11", "--csv", str(out_csv), "--pdf", str(out_pdf), "--json")
    assert settled.exit_code == 0, settled.stderr
    data = settled.json()
    assert (data["redemptions"], data["credits"], data["value"], data["guarantee"],
            data["account_balance"]) == (1, "3.50", "35.00", "running", "3.50")
    rows = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert rows[1][3:6] == ["35.00", "3.50", "35.00"]
    assert out_pdf.read_bytes().startswith(b"%PDF")
    bad_month = cli("merchants", "settle", str(shop["id"]), "-c", "testville", "--month",
                    "November")
    assert bad_month.exit_code == 1 and "[INVALID_PERIOD]" in bad_month.stderr


def test_profile(sold, cli):
    shown = cli("merchants", "profile", "-c", "testville", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["households"] == 360
    assert shown.json()["redemptions_by_month"][-1]["value"] == "35.00"


def test_commands_refuse_where_merchants_is_off(community, cli):
    run = cli("merchants", "list", "-c", "testville")
    assert run.exit_code == 1 and "[PLUGIN_DISABLED]" in run.stderr
