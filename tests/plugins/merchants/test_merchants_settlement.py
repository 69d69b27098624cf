"""Monthly settlement statements: figures, voids, the first month's guaranteed volume, CSV and
PDF, and who may read them."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from merchants_helpers import VOID, code_for, relogin, shop_id, submit

from yizhan.plugins.merchants import pdf, service, settlement

STATEMENT = """query($id: ID!, $month: String) {
  merchantSettlement(merchantId: $id, month: $month) {
  month redemptions creditsRedeemed value voids creditsVoided voidedValue netCredits netValue
  orderTotal discountGiven leaderBonusGiven accountBalance
  guarantee { status target achieved settlesIn topUp periodStart periodEnd }
  lines { number status credits } csv } }"""


def local(text: str) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
async def new_shop(merchants_on, cashier, clock):
    """A fruit stall whose partnership starts on 15 November (guarantee 500 yuan)."""
    clock.set(local("2026-11-10 09:00"))
    row = await service.register(merchants_on, None, name="Fruit stall", kind="fruit",
                                 address="Gate 3", contact="Ms Lin",
                                 starts_on=date(2026, 11, 15))
    await service.add_staff(merchants_on, None, row["id"], cashier.member_id)
    return row


async def test_a_first_month_under_the_guarantee_shows_the_top_up(
        merchants_on, new_shop, cashier, rich_resident, admin, clock):
    clock.set(local("2026-11-16 10:00"))
    await submit(cashier, new_shop, await code_for(rich_resident), "80.00")
    voided = await submit(cashier, new_shop, await code_for(rich_resident), "45.50")
    assert (await cashier.gql.mutate(VOID, {"input": {
        "redemptionId": voided["redemption"]["id"], "reason": "Customer changed mind"}}))[
        "errors"] == []
    clock.set(local("2026-12-03 10:00"))
    cashier, rich_resident, admin = [await relogin(a) for a in (cashier, rich_resident, admin)]
    await submit(cashier, new_shop, await code_for(rich_resident), "20.00")

    clock.set(local("2026-11-30 12:00"))
    running = (await admin.gql.data(STATEMENT, {"id": shop_id(new_shop),
                                                "month": "2026-11"}))["merchantSettlement"]
    assert running["guarantee"]["status"] == "RUNNING"

    clock.set(local("2026-12-20 10:00"))
    nov = (await admin.gql.data(STATEMENT, {"id": shop_id(new_shop), "month": "2026-11"}))[
        "merchantSettlement"]
    assert {k: nov[k] for k in ("redemptions", "creditsRedeemed", "value", "voids",
                                "creditsVoided", "voidedValue", "netCredits", "netValue",
                                "orderTotal", "discountGiven", "accountBalance")} == {
        "redemptions": 2, "creditsRedeemed": "12.55", "value": "125.50", "voids": 1,
        "creditsVoided": "4.55", "voidedValue": "45.50", "netCredits": "8.00",
        "netValue": "80.00", "orderTotal": "80.00", "discountGiven": "80.00",
        "accountBalance": "10.00"}
    assert nov["guarantee"] == {
        "status": "SHORTFALL", "target": "500.00", "achieved": "100.00",
        "settlesIn": "2026-12", "topUp": "0.00",
        "periodStart": "2026-11-14T16:00:00+00:00", "periodEnd": "2026-12-14T16:00:00+00:00"}
    assert [(line["status"], line["credits"]) for line in nov["lines"]] == [
        ("COMPLETED", "8.00"), ("VOIDED", "4.55")]
    dec = (await admin.gql.data(STATEMENT, {"id": shop_id(new_shop), "month": "2026-12"}))[
        "merchantSettlement"]
    assert (dec["redemptions"], dec["netValue"]) == (1, "20.00")
    assert (dec["guarantee"]["status"], dec["guarantee"]["topUp"]) == ("SHORTFALL", "400.00")

    rows = list(csv.reader(io.StringIO(nov["csv"])))
    assert rows[0][:4] == ["Receipt", "Time", "Category", "Order (yuan)"]
    assert [r[9] for r in rows[1:3]] == ["completed", "voided"]
    assert rows[1][1] == "2026-11-16 10:00"
    labelled = {r[0]: r for r in rows[3:]}
    assert labelled["Gross"][3:9] == ["125.50", "12.55", "125.50", "125.50", "0.00", "0.00"]
    assert labelled["Net"][3:9] == ["80.00", "8.00", "80.00", "80.00", "0.00", "0.00"]
    assert labelled["Voided"][4:6] == ["-4.55", "-45.50"]
    dec_rows = {r[0]: r for r in csv.reader(io.StringIO(dec["csv"]))}
    assert dec_rows["Guarantee top-up"][5] == "400.00"


async def test_a_guarantee_met_owes_nothing(merchants_on, cashier, rich_resident, admin, clock):
    clock.set(local("2026-11-01 09:00"))
    shop = await service.register(merchants_on, None, name="Clinic", kind="clinic",
                                  address="Gate 4", contact="Dr He", guarantee="100.00")
    await service.add_staff(merchants_on, None, shop["id"], cashier.member_id)
    await submit(cashier, shop, await code_for(rich_resident), "120.00")
    clock.set(local("2026-12-01 00:00"))
    nov = (await admin.gql.data(STATEMENT, {"id": shop_id(shop), "month": "2026-11"}))[
        "merchantSettlement"]
    assert (nov["guarantee"]["status"], nov["guarantee"]["settlesIn"],
            nov["guarantee"]["topUp"], nov["guarantee"]["achieved"]) == (
        "MET", "2026-11", "0.00", "120.00")


async def test_a_shop_without_a_guarantee_and_statements_of_other_months(
        merchants_on, cashier, admin, clock):
    shop = await service.register(merchants_on, None, name="Barber", kind="services",
                                  address="Gate 5", contact="Mr Ma", guarantee="0")
    found = (await admin.gql.data(STATEMENT, {"id": shop_id(shop)}))["merchantSettlement"]
    assert (found["month"], found["redemptions"], found["guarantee"]["status"]) == (
        "2026-11", 0, "NONE")


async def test_only_the_shops_staff_and_admins_read_statements(merchants_on, shop, resident,
                                                               cashier):
    result = await resident.gql.execute(STATEMENT, {"id": shop_id(shop)})
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await cashier.gql.data(STATEMENT, {"id": shop_id(shop)}))["merchantSettlement"]


async def test_the_pdf_prints_the_statement(merchants_on, shop, cashier, rich_resident, admin,
                                            monkeypatch):
    await submit(cashier, shop, await code_for(rich_resident), "66.60")
    st = await settlement.statement(merchants_on, shop["id"])
    monkeypatch.setattr(pdf, "find_cjk_font", lambda: None)  # a machine with no CJK font
    data, chinese = pdf.render({**merchants_on, "name": "水榭花都"}, st, "zh_Hans")
    assert data.startswith(b"%PDF") and chinese is False
    encoded = (await admin.gql.data(
        'query($id: ID!) { merchantSettlement(merchantId: $id) { pdfBase64 } }',
        {"id": shop_id(shop)}))["merchantSettlement"]["pdfBase64"]
    assert base64.b64decode(encoded).startswith(b"%PDF")


async def test_the_pdf_prints_chinese_with_a_cjk_font(merchants_on, shop, cashier,
                                                      rich_resident):
    font = pdf.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    await submit(cashier, shop, await code_for(rich_resident), "66.60")
    st = await settlement.statement(merchants_on, shop["id"])
    data, chinese = pdf.render({**merchants_on, "name": "水榭花都"}, st, "zh_Hans")
    assert chinese is True and data.startswith(b"%PDF")
    assert b"WenQuanYi" in data or b"Noto" in data or b"uming" in data.lower() or b"cjk" in data


@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 11, 15), "2026-12-14T16:00:00+00:00"),
    (date(2027, 1, 31), "2027-02-28T16:00:00+00:00"),
    (date(2026, 12, 1), "2026-12-31T16:00:00+00:00"),
])
def test_the_first_month_ends_on_the_same_day_of_the_next_month(start, end):
    from yizhan.plugins.merchants import shops

    community = {"time_zone": "Asia/Shanghai"}
    begins, ends = shops.guarantee_period(community, {"starts_on": start})
    assert begins.isoformat().endswith("16:00:00+00:00")
    assert ends.isoformat() == end


def test_statement_headings_and_states_have_chinese():
    from yizhan.core.i18n import translate

    words = [*settlement.COLUMNS, *(title for title, _ in pdf.TABLE), "completed", "voided",
             "none", "running", "met", "shortfall"]
    missing = [w for w in words if translate(w, "zh_Hans") == w]
    assert missing == []


async def test_a_refusal_names_the_rule_kind_in_the_readers_language(merchants_on, admin,
                                                                    shop):
    from merchants_helpers import ADD_RULE

    result = await admin.gql.data(ADD_RULE, {"input": {
        "merchantId": shop_id(shop), "kind": "CAP", "cap": "2", "category": "daily"}},
        **{"Accept-Language": "zh-CN"})
    assert result["addMerchantRule"]["errors"][0]["message"] == "这一项不属于每单上限规则。"
