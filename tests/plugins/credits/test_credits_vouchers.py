"""Experience cards: issuing, redeeming, every refusal, guessing limits, expiry, cancelling,
the printable sheet."""

import json
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest_asyncio
from credits_helpers import snapshot

from yizhan.core import attempts
from yizhan.plugins.credits import codes, service, vouchers
from yizhan.plugins.credits.tables import CreditVoucher

ISSUE = """mutation($input: IssueCreditVouchersInput!) { issueCreditVouchers(input: $input) {
  batch { id label count amount expiresAt open redeemed expired cancelled }
  errors { field code message } } }"""

REDEEM = """mutation($code: String!) { redeemCreditVoucher(input: {community: "testville",
  code: $code}) { transaction { kind amount } balance { balance }
  errors { field code message } } }"""

CARDS = """query($batch: ID, $status: CreditVoucherStatus) {
  creditVouchers(community: "testville", batchId: $batch, status: $status, first: 100) {
    nodes { id code amount status } } }"""

CANCEL = """mutation($input: CancelCreditVouchersInput!) { cancelCreditVouchers(input: $input) {
  cancelled errors { field code } } }"""


@pytest_asyncio.fixture
async def batch(credits_on) -> dict:
    """Three one-credit cards valid through 31 March 2027."""
    return await vouchers.issue(credits_on, count=3, amount=100, expires_on=date(2027, 3, 31),
                                label="Stand")


async def open_codes(batch_id: int) -> list[str]:
    rows = await CreditVoucher.select(CreditVoucher.code).where(
        (CreditVoucher.batch == batch_id) & (CreditVoucher.status == "open")).order_by(
        CreditVoucher.id)
    return [codes.display(r["code"]) for r in rows]


def mistype(code: str) -> str:
    """The code with one character changed."""
    plain = codes.normalize(code)
    swap = "3" if plain[0] != "3" else "4"
    return swap + plain[1:]


async def test_issuing_holds_the_reserve(credits_on, admin):
    payload = await admin.gql.mutate(ISSUE, {"input": {
        "community": "testville", "count": 4, "credits": "1.50", "expiresOn": "2027-03-31",
        "label": "Trust stand"}})
    assert payload["errors"] == []
    assert {k: payload["batch"][k] for k in ("label", "count", "amount", "open")} == {
        "label": "Trust stand", "count": 4, "amount": "1.50", "open": 4}
    assert payload["batch"]["expiresAt"].startswith("2027-03-31T16:00:00")
    reserve = await service.account_balance(credits_on, "voucher_reserve")
    assert reserve == 600
    cards = (await admin.gql.data(CARDS))["creditVouchers"]["nodes"]
    assert len(cards) == 4 and len({c["code"] for c in cards}) == 4
    for card in cards:
        plain = codes.normalize(card["code"])
        assert len(card["code"]) == 14 and codes.is_well_formed(plain)
        assert not set(plain) & set("01IO")


async def test_issuing_refuses_bad_input_and_writes_nothing(credits_on, admin, resident):
    before = await snapshot()
    for values, code in (({"count": 0}, "OUT_OF_RANGE"), ({"count": 5001}, "OUT_OF_RANGE"),
                         ({"credits": "0"}, "ZERO_AMOUNT"), ({"credits": "-1"}, "NEGATIVE_AMOUNT"),
                         ({"credits": "0.123"}, "INVALID_AMOUNT"),
                         ({"expiresOn": "2026-11-01"}, "EXPIRY_IN_PAST")):
        data = {"community": "testville", "count": 2, "credits": "1", "expiresOn": "2027-03-31",
                **values}
        payload = await admin.gql.mutate(ISSUE, {"input": data})
        assert [e["code"] for e in payload["errors"]] == [code], values
    assert await snapshot() == before
    assert await resident.gql.error_code(ISSUE, {"input": {
        "community": "testville", "count": 1, "credits": "1",
        "expiresOn": "2027-03-31"}}) == "FORBIDDEN"


async def test_a_reserve_without_auto_funding_must_be_funded_first(credits_on, configure):
    from yizhan.core.errors import YizhanError

    await configure(voucher_auto_fund=False)
    before = await snapshot()
    try:
        await vouchers.issue(credits_on, count=2, amount=100, expires_on=date(2027, 1, 1))
    except YizhanError as error:
        assert error.code == "INSUFFICIENT_FUNDS"
    else:
        raise AssertionError("issued without a funded reserve")
    assert await snapshot() == before
    await service.transfer(credits_on, "issuance", "voucher_reserve", 200, kind="funding",
                           reason="Cards", key="cards")
    await vouchers.issue(credits_on, count=2, amount=100, expires_on=date(2027, 1, 1))
    assert await service.account_balance(credits_on, "voucher_reserve") == 200


async def test_a_card_is_redeemed_once(batch, resident, neighbour):
    code = (await open_codes(batch["id"]))[0]
    payload = await resident.gql.mutate(REDEEM, {"code": code.lower().replace("-", " ")})
    assert payload["errors"] == []
    assert payload["transaction"] == {"kind": "voucher_redemption", "amount": "1.00"}
    assert payload["balance"] == {"balance": "1.00"}
    before = await snapshot()
    again = await neighbour.gql.mutate(REDEEM, {"code": code})
    assert [(e["code"], e["field"]) for e in again["errors"]] == [
        ("VOUCHER_ALREADY_REDEEMED", "code")]
    assert await snapshot() == before
    assert await attempts.count("credits.voucher") == 0


async def test_one_card_per_batch_per_member_by_default(batch, resident, configure):
    first, second = (await open_codes(batch["id"]))[:2]
    assert (await resident.gql.mutate(REDEEM, {"code": first}))["errors"] == []
    refused = await resident.gql.mutate(REDEEM, {"code": second})
    assert [e["code"] for e in refused["errors"]] == ["VOUCHER_LIMIT_REACHED"]
    await configure(voucher_limit_per_member=0)
    assert (await resident.gql.mutate(REDEEM, {"code": second}))["errors"] == []


async def test_mistyped_unknown_expired_and_cancelled_codes(batch, resident, admin, clock,
                                                            credits_on):
    first, second, _ = await open_codes(batch["id"])
    soon = await vouchers.issue(credits_on, count=1, amount=100, expires_on=date(2026, 11, 3))
    (short_lived,) = await open_codes(soon["id"])
    before = await snapshot()
    assert [e["code"] for e in (await resident.gql.mutate(
        REDEEM, {"code": mistype(first)}))["errors"]] == ["VOUCHER_CODE_INVALID"]
    unknown = codes.new_code()
    assert [e["code"] for e in (await resident.gql.mutate(
        REDEEM, {"code": unknown}))["errors"]] == ["VOUCHER_NOT_FOUND"]
    assert await snapshot() == before
    cancelled = await admin.gql.mutate(CANCEL, {"input": {"community": "testville",
                                                          "codes": [second]}})
    assert cancelled == {"cancelled": 1, "errors": []}
    before = await snapshot()
    assert [e["code"] for e in (await resident.gql.mutate(
        REDEEM, {"code": second}))["errors"]] == ["VOUCHER_CANCELLED"]
    clock.advance(days=2)
    expired = await resident.gql.mutate(REDEEM, {"code": short_lived})
    assert [e["code"] for e in expired["errors"]] == ["VOUCHER_EXPIRED"]
    assert "2026-11-03" in expired["errors"][0]["message"]
    assert await snapshot() == before
    assert await attempts.count("credits.voucher") == 2


async def test_guessing_is_rate_limited(batch, resident, clock):
    for _ in range(5):
        payload = await resident.gql.mutate(REDEEM, {"code": codes.new_code()})
        assert [e["code"] for e in payload["errors"]] == ["VOUCHER_NOT_FOUND"]
    good = (await open_codes(batch["id"]))[0]
    assert await resident.gql.error_code(REDEEM, {"code": good}) == "VOUCHER_RATE_LIMITED"
    assert await open_codes(batch["id"]) != [] and len(await open_codes(batch["id"])) == 3
    clock.advance(minutes=16)
    assert (await resident.gql.mutate(REDEEM, {"code": good}))["errors"] == []


async def test_pending_members_cannot_redeem(batch, pending):
    code = (await open_codes(batch["id"]))[0]
    assert await pending.gql.error_code(REDEEM, {"code": code}) == "NOT_VERIFIED"


async def test_the_sweep_expires_cards_and_releases_the_reserve(batch, resident, clock,
                                                                credits_on):
    code = (await open_codes(batch["id"]))[0]
    assert (await resident.gql.mutate(REDEEM, {"code": code}))["errors"] == []
    clock.advance(days=149)
    assert await vouchers.expire_due(clock.now()) == 0
    clock.advance(days=1)
    assert await vouchers.expire_due(clock.now()) == 2
    assert await vouchers.expire_due(clock.now()) == 0
    counts = await vouchers.batch_counts(batch["id"])
    assert counts == {"open": 0, "redeemed": 1, "expired": 2, "cancelled": 0}
    from yizhan.plugins.credits.accounts import get_by_code

    row = await get_by_code(credits_on["id"], "voucher_reserve")
    assert (row["balance_centi"], row["held_centi"]) == (200, 0)


async def test_cancelling_a_batch(batch, admin):
    from yizhan.core.graphql.ids import to_gid

    payload = await admin.gql.mutate(CANCEL, {"input": {
        "community": "testville", "batchId": to_gid("CreditVoucherBatch", batch["id"])}})
    assert payload == {"cancelled": 3, "errors": []}
    missing = await admin.gql.execute(CANCEL, {"input": {
        "community": "testville", "batchId": to_gid("CreditVoucherBatch", 999)}})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    bad = await admin.gql.mutate(CANCEL, {"input": {"community": "testville",
                                                    "codes": ["nope"]}})
    assert [e["code"] for e in bad["errors"]] == ["VOUCHER_CODE_INVALID"]


async def test_two_members_racing_for_one_card(batch, resident, neighbour, configure):
    import asyncio

    code = (await open_codes(batch["id"]))[0]
    results = await asyncio.gather(resident.gql.mutate(REDEEM, {"code": code}),
                                   neighbour.gql.mutate(REDEEM, {"code": code}))
    outcomes = sorted(tuple(e["code"] for e in r["errors"]) for r in results)
    assert outcomes == [(), ("VOUCHER_ALREADY_REDEEMED",)]


def test_the_cli_issues_lists_cancels_and_prints(credits_on, cli, tmp_path):
    sheet = tmp_path / "cards.pdf"
    run = cli("vouchers", "issue", "--count", "12", "--credits", "1", "--expires",
              "2027-03-31", "--pdf", str(sheet), "-c", "testville", "--json")
    assert run.exit_code == 0, run.stderr
    issued = json.loads(run.stdout)
    assert issued["count"] == 12 and issued["pages"] == 2
    assert sheet.read_bytes().startswith(b"%PDF")
    listed = json.loads(cli("vouchers", "list", "-c", "testville", "--json").stdout)
    assert listed[0]["open"] == 12 and listed[0]["last_day"] == "2027-03-31"
    cards = json.loads(cli("vouchers", "list", "-c", "testville", "--batch",
                           str(issued["batch"]), "--json").stdout)
    assert len(cards) == 12
    run = cli("vouchers", "cancel", "-c", "testville", "--code", cards[0]["code"], "--json")
    assert json.loads(run.stdout) == {"cancelled": 1}
    run = cli("vouchers", "issue", "--count", "1", "--expires", "2020-01-01", "-c", "testville")
    assert run.exit_code == 1 and "[EXPIRY_IN_PAST]" in run.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True,
                              text=True).stdout
        assert cards[1]["code"] in text and "2027-03-31" in text


def test_codes_catch_every_single_typo():
    code = codes.new_code()
    for i in range(codes.LENGTH):
        for ch in codes.ALPHABET:
            if ch != code[i]:
                assert not codes.is_well_formed(code[:i] + ch + code[i + 1:])


async def test_expired_cards_keep_their_day_in_the_community_time_zone(credits_on):
    batch = await vouchers.issue(credits_on, count=1, amount=100, expires_on=date(2026, 11, 2))
    card = (await CreditVoucher.select().where(CreditVoucher.batch == batch["id"]))[0]
    assert vouchers.last_day(card, "Asia/Shanghai") == date(2026, 11, 2)
    assert card["expires_at"] == vouchers.end_of_day(date(2026, 11, 2), "Asia/Shanghai")
    assert card["expires_at"] == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
