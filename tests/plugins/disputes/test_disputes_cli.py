"""``yizhan disputes list|show|decide|overturn`` with ``--json``, and one-line errors."""

from __future__ import annotations

import pytest_asyncio
from disputes_helpers import done_need

from yizhan.plugins.disputes import service


@pytest_asyncio.fixture
async def opened(disputes_on, paying_resident, neighbour, leader) -> dict:
    """An open dispute about a done need of 1.00 credits."""
    need = await done_need(disputes_on, paying_resident, neighbour, "1.00")
    return await service.open_dispute(disputes_on, paying_resident.member, need["id"],
                                      category="damage", description="Scratched the floor.")


def test_list_show_decide_and_overturn(opened, cli, clock):
    listed = cli("disputes", "list", "-c", "testville", "--status", "open", "--json")
    assert listed.exit_code == 0, listed.stderr
    (row,) = listed.json()
    assert (row["id"], row["status"], row["seconds_left"]) == (opened["id"], "open", 86400)
    assert "damage" in cli("disputes", "list", "-c", "testville").stdout
    shown = cli("disputes", "show", str(opened["id"]), "-c", "testville", "--json")
    assert [s["kind"] for s in shown.json()["timeline"]] == ["opened"]
    clock.advance(hours=2)
    decided = cli("disputes", "decide", str(opened["id"]), "-c", "testville", "--outcome",
                  "compensate", "--compensation", "0.50", "--reason", "Floor scratched.",
                  "--public-line", "以后会更严格审核技能", "--json")
    assert decided.exit_code == 0, decided.stderr
    out = decided.json()
    assert (out["outcome"], out["compensation"], out["hours_to_decide"], out["release"]) == (
        "compensate", "0.50", "2.0", "confirmed")
    twice = cli("disputes", "decide", str(opened["id"]), "-c", "testville", "--outcome",
                "dismissed", "--reason", "Again.")
    assert twice.exit_code == 1 and "[DISPUTE_DECIDED]" in twice.stderr
    turned = cli("disputes", "overturn", str(opened["id"]), "-c", "testville", "--outcome",
                 "dismissed", "--reason", "Old scratch.", "--json")
    assert turned.exit_code == 0, turned.stderr
    assert (turned.json()["outcome"], turned.json()["previous_outcome"],
            turned.json()["compensation"]) == ("dismissed", "compensate", "0.00")


def _balance(cli, *who: str) -> str:
    found = cli("ledger", "balance", "-c", "testville", *who, "--json")
    assert found.exit_code == 0, found.stderr
    return found.json()[0]["balance"]


def test_the_cli_moves_exactly_the_compensation_from_the_fund(opened, cli):
    assert (_balance(cli, "--member", "resident1"),
            _balance(cli, "--account", "compensation_fund")) == ("5.00", "20.00")
    result = cli("disputes", "decide", str(opened["id"]), "-c", "testville", "--outcome",
                 "compensate", "--compensation", "0.70", "--reason", "Scratched.")
    assert result.exit_code == 0, result.stderr
    # The need's 1.00 was paid at the release; 0.70 came from the fund.
    assert (_balance(cli, "--member", "resident1"),
            _balance(cli, "--account", "compensation_fund")) == ("4.70", "19.30")


def test_bad_options_and_unknown_disputes(opened, cli):
    bad = cli("disputes", "decide", str(opened["id"]), "-c", "testville", "--outcome", "refund",
              "--reason", "x")
    assert bad.exit_code == 1 and "[INVALID_OPTION]" in bad.stderr
    missing = cli("disputes", "show", "999", "-c", "testville")
    assert missing.exit_code == 1 and "[NOT_FOUND]" in missing.stderr
    no_reason = cli("disputes", "decide", str(opened["id"]), "-c", "testville", "--outcome",
                    "dismissed", "--reason", " ")
    assert no_reason.exit_code == 1 and "[REQUIRED]" in no_reason.stderr
