"""``yizhan merchants add|list|staff|rules|suspend|reinstate|end|board|settle|profile``: partner
shops from the admin CLI. A shop is named by its number (from ``list``) or its exact name.

Everything done here is recorded with no actor (the CLI is the platform operator).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core.api import (
    canonical_int,
    community_with_plugin,
    find_person,
    format_centi,
    get_member,
    get_person,
    member_for,
)
from yizhan.plugins.merchants import (
    NAME,
    board,
    guarantees,
    pdf,
    profile,
    rules,
    settlement,
    shops,
)
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.settings import fen

merchants_app = typer.Typer(help="Partner shops: registration, staff, rules, the monthly "
                                 "board and settlement statements.", no_args_is_help=True)
MERCHANT_ARG = typer.Argument(..., help="The shop's number (see `merchants list`) or name.")


async def _community(slug: str) -> dict:
    return await community_with_plugin(slug, NAME)


async def _shop(community: dict, ref: str) -> dict:
    if canonical_int(ref.strip()) is not None:
        return await shops.get(community, int(ref), "merchant")
    found = [s for s in await shops.list_merchants(community) if s["name"] == ref.strip()]
    found.sort(key=lambda s: s["status"] == shops.ENDED)
    if not found:
        fail("NOT_FOUND", f"No partner shop named {ref!r} in {community['slug']}.")
    return found[0]


async def _member_id(community: dict, username: str) -> int:
    person = await find_person(username)
    member = await member_for(community["id"], person["id"]) if person else None
    if member is None:
        fail("NOT_FOUND", f"{username} is not a member of {community['slug']}.")
    return member["id"]


def _shop_out(row: dict) -> dict:
    return {"id": row["id"], "name": row["name"], "kind": row["kind"],
            "address": row["address"], "contact": row["contact"],
            "starts_on": row["starts_on"].isoformat(), "status": row["status"],
            "status_reason": row["status_reason"], "guarantee": format_fen(row["guarantee_fen"]),
            "account": row["account_code"]}


def _rule_out(row: dict) -> dict:
    return {"id": row["id"], "kind": row["kind"], "rule": rules.describe(row, "en"),
            "from": row["valid_from"].isoformat(),
            "until": row["valid_until"].isoformat() if row["valid_until"] else "",
            "withdrawn": bool(row["withdrawn_at"]), "note": row["note"]}


@merchants_app.command("add")
def add(name: str, community: str = COMMUNITY_OPTION,
        kind: str = typer.Option(..., help="Kind of shop: supermarket, pharmacy, clinic …"),
        address: str = typer.Option(..., help="Where it is."),
        contact: str = typer.Option(..., help="Whom to call, and the number."),
        starts_on: str = typer.Option(None, help="First day of the partnership (YYYY-MM-DD; "
                                                 "default today)."),
        description: str = typer.Option("", help="What it sells."),
        latitude: str = typer.Option(None, help="Latitude in degrees."),
        longitude: str = typer.Option(None, help="Longitude in degrees."),
        guarantee: str = typer.Option(None, help="Guaranteed volume of the first month in yuan "
                                                 "(default: the community's setting)."),
        as_json: bool = JSON_OPTION) -> None:
    """Register a partner shop."""

    async def body():
        row = await _community(community)
        start = _date(starts_on, "starts-on")
        return _shop_out(await shops.register(
            row, None, name=name, kind=kind, address=address, contact=contact,
            starts_on=start, description=description, latitude=latitude,
            longitude=longitude, guarantee=guarantee))

    emit(run(body), as_json)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail("INVALID_DATE", f"--{option} takes a date like 2026-11-02.")
    raise AssertionError("unreachable")


@merchants_app.command("list")
def list_shops(community: str = COMMUNITY_OPTION,
               all_states: bool = typer.Option(False, "--all", help="Include ended shops."),
               as_json: bool = JSON_OPTION) -> None:
    """List the community's partner shops."""

    async def body():
        row = await _community(community)
        statuses = None if all_states else [shops.ACTIVE, shops.SUSPENDED]
        out = []
        for shop in await shops.list_merchants(row, statuses=statuses):
            entry = _shop_out(shop)
            entry["staff"] = len(await shops.staff_rows(shop["id"]))
            out.append(entry)
        return out

    emit(run(body), as_json, ["id", "name", "kind", "status", "starts_on", "staff",
                              "guarantee"])


@merchants_app.command("staff")
def staff(merchant: str = MERCHANT_ARG,
          username: str = typer.Argument(None, help="A member to add (or, with --remove, "
                                                    "remove)."),
          community: str = COMMUNITY_OPTION,
          remove: bool = typer.Option(False, "--remove", help="Remove the member instead."),
          as_json: bool = JSON_OPTION) -> None:
    """List a shop's staff, or add or remove one."""

    async def body():

        row = await _community(community)
        shop = await _shop(row, merchant)
        if username:
            member_id = await _member_id(row, username)
            if remove:
                await shops.remove_staff(row, None, shop["id"], member_id)
            else:
                await shops.add_staff(row, None, shop["id"], member_id)
        out = []
        for staff_row in await shops.staff_rows(shop["id"]):
            member = await get_member(row, staff_row["member"])
            person = await get_person(member["person"])
            out.append({"member": member["id"], "username": person["username"],
                        "name": person["display_name"], "since": staff_row["added_at"]})
        return out

    emit(run(body), as_json, ["member", "username", "name", "since"])


@merchants_app.command("rules")
def rules_command(
        merchant: str = MERCHANT_ARG, community: str = COMMUNITY_OPTION,
        add_kind: str = typer.Option(None, "--add", help="Add a rule: cap, threshold or "
                                                         "category."),
        cap: str = typer.Option(None, help="cap: the most credits per order."),
        min_order: str = typer.Option(None, help="threshold: the smallest order (yuan)."),
        credits: str = typer.Option(None, help="threshold: credits the deal spends."),
        discount: str = typer.Option(None, help="threshold: yuan the deal takes off."),
        category: str = typer.Option(None, help="category: the product category."),
        refuse: bool = typer.Option(False, "--refuse", help="category: refuse it (default: "
                                                            "accept)."),
        valid_from: str = typer.Option(None, "--from", help="First day (default today)."),
        valid_until: str = typer.Option(None, "--until", help="Last day (default open)."),
        note: str = typer.Option("", help="A note kept with the rule."),
        confirm_below_value: bool = typer.Option(
            False, "--confirm-below-value", help="threshold: add it even though its credits "
                                                 "are worth more than the discount."),
        withdraw: int = typer.Option(None, help="Withdraw the rule with this number."),
        show_all: bool = typer.Option(False, "--all", help="List past and withdrawn rules "
                                                           "too."),
        as_json: bool = JSON_OPTION) -> None:
    """List a shop's rules (current and upcoming), add one, or withdraw one."""

    async def body():
        row = await _community(community)
        shop = await _shop(row, merchant)
        if add_kind:
            await rules.add(
                row, None, shop["id"], add_kind, cap=cap, minOrder=min_order, credits=credits,
                discount=discount, category=category,
                accepted=(not refuse) if add_kind == rules.CATEGORY else (False if refuse
                                                                           else None),
                validFrom=_date(valid_from, "from"), validUntil=_date(valid_until, "until"),
                note=note, confirm_below_value=confirm_below_value)
        if withdraw is not None:
            found = await rules.get(row, withdraw, "withdraw")
            if found["merchant"] != shop["id"]:
                fail("NOT_FOUND", f"Rule {withdraw} is not a rule of {shop['name']}.")
            await rules.withdraw(row, None, withdraw)
        found = (await rules.of_merchant(shop["id"]) if show_all
                 else await rules.current_and_future(row, shop["id"]))
        rate = fen(shops.settings_of(row).yuan_per_credit)
        return [{**_rule_out(r), "yuan_per_credit": str(rules.effective_rate(r, rate))}
                for r in found]

    emit(run(body), as_json, ["id", "kind", "rule", "yuan_per_credit", "from", "until",
                              "withdrawn"])


@merchants_app.command("suspend")
def suspend(merchant: str = MERCHANT_ARG, community: str = COMMUNITY_OPTION,
            reason: str = typer.Option(..., help="Why (the shop's staff see it)."),
            as_json: bool = JSON_OPTION) -> None:
    """Suspend a shop: it refuses redemptions until reinstated."""

    async def body():
        row = await _community(community)
        return _shop_out(await shops.suspend(row, None, (await _shop(row, merchant))["id"],
                                             reason))

    emit(run(body), as_json)


@merchants_app.command("reinstate")
def reinstate(merchant: str = MERCHANT_ARG, community: str = COMMUNITY_OPTION,
              note: str = typer.Option("", help="A note kept in the history."),
              as_json: bool = JSON_OPTION) -> None:
    """Reinstate a suspended shop."""

    async def body():
        row = await _community(community)
        return _shop_out(await shops.reinstate(row, None, (await _shop(row, merchant))["id"],
                                               note))

    emit(run(body), as_json)


@merchants_app.command("review")
def review(merchant: str = MERCHANT_ARG, community: str = COMMUNITY_OPTION,
           confirm: bool = typer.Option(None, "--confirm/--overturn",
                                        help="Confirm the suspension the monthly board "
                                             "proposed (suspended now) or overturn it."),
           month: str = typer.Option(None, help="The board's month (default: the latest "
                                                "pending)."),
           note: str = typer.Option("", help="A note kept in the history."),
           as_json: bool = JSON_OPTION) -> None:
    """Confirm or overturn a suspension the monthly board proposed (it applies by itself when
    nobody answers within ``suspend_review_hours``)."""

    async def body():
        if confirm is None:
            from yizhan.core.api import invalid

            raise invalid("confirm", "Say --confirm or --overturn.", code="REQUIRED")
        row = await _community(community)
        return _shop_out(await board.review(row, None, (await _shop(row, merchant))["id"],
                                            confirm=confirm, month=month, note=note))

    emit(run(body), as_json)


@merchants_app.command("end")
def end(merchant: str = MERCHANT_ARG, community: str = COMMUNITY_OPTION,
        reason: str = typer.Option(..., help="Why the partnership ends."),
        as_json: bool = JSON_OPTION) -> None:
    """End a partnership for good (its statements and history stay)."""

    async def body():
        row = await _community(community)
        return _shop_out(await shops.end(row, None, (await _shop(row, merchant))["id"], reason))

    emit(run(body), as_json)


@merchants_app.command("board")
def show_board(community: str = COMMUNITY_OPTION,
               month: str = typer.Option(None, help="The month, e.g. 2026-11 (default: the "
                                                    "current one; with --close the last one "
                                                    "that ended)."),
               close: bool = typer.Option(False, "--close", help="Close that month's board if "
                                                                 "not done yet: name and "
                                                                 "suspend (idempotent)."),
               as_json: bool = JSON_OPTION) -> None:
    """Show a month's board of partner shops (or close a finished month)."""

    async def body():
        row = await _community(community)
        made = False
        label = month
        if close:
            closed, made = await board.close_month(row, month)
            label = closed["month"]
        period, closed_row, lines = await board.board(row, label)
        return {"month": period.label, "closed": closed_row is not None, "closed_now": made,
                "entries": [{"rank": line.rank, "id": line.merchant["id"],
                             "name": line.merchant["name"], "average": line.average,
                             "ratings": line.ratings, "redemptions": line.redemptions,
                             "value": format_fen(line.value_fen), "flagged": line.flagged,
                             "suspended": line.suspended, "review": line.review}
                            for line in lines]}

    result = run(body)
    if as_json:
        emit(result, True)
        return
    state = "closed" if result["closed"] else "open"
    typer.echo(f"Partner shops, {result['month']} ({state}"
               + (", closed now" if result["closed_now"] else "") + ")")
    emit(result["entries"], False, ["rank", "name", "average", "ratings", "redemptions",
                                    "value", "flagged", "suspended", "review"])


@merchants_app.command("settle")
def settle(merchant: str = MERCHANT_ARG, community: str = COMMUNITY_OPTION,
           month: str = typer.Option(None, help="The month, e.g. 2026-11 (default: current)."),
           csv_path: str = typer.Option(None, "--csv", help="Write the statement as CSV."),
           pdf_path: str = typer.Option(None, "--pdf", help="Write the statement as PDF."),
           mark_paid: bool = typer.Option(False, "--mark-paid",
                                          help="Record that the guarantee top-up due this "
                                               "month was paid."),
           note: str = typer.Option("", help="With --mark-paid: a note (the payment's "
                                             "reference)."),
           as_json: bool = JSON_OPTION) -> None:
    """A shop's monthly settlement statement (figures; CSV and PDF files on request); with
    --mark-paid, record the guarantee top-up as paid."""

    async def body():
        row = await _community(community)
        shop = await _shop(row, merchant)
        st = await settlement.statement(row, shop["id"], month)
        g = st.guarantee
        out = {"merchant": shop["name"], "month": st.month.label,
               "redemptions": st.redemptions, "credits": format_centi(st.credits_centi),
               "value": format_fen(st.value_fen), "voids": st.voids,
               "voided_credits": format_centi(st.voided_centi),
               "voided_value": format_fen(st.voided_value_fen),
               "net_credits": format_centi(st.net_centi),
               "net_value": format_fen(st.net_value_fen),
               "discount_given": format_fen(st.discount_fen),
               "leader_bonus_given": format_fen(st.leader_bonus_fen),
               "account_balance": format_centi(st.account_balance_centi),
               "guarantee": g.status, "guarantee_target": format_fen(g.target_fen),
               "guarantee_achieved": format_fen(g.achieved_fen),
               "guarantee_settles_in": g.settles_in, "top_up": format_fen(g.top_up_fen)}
        paid = await guarantees.payment_of(shop["id"], st.month.label)
        out["top_up_paid_at"] = paid["paid_at"].isoformat() if paid else None
        if mark_paid:
            made = await guarantees.mark_paid(row, None, shop["id"], st.month.label,
                                              note=note)
            out["top_up_paid_at"] = made["paid_at"].isoformat()
        if csv_path:
            Path(csv_path).write_text(settlement.csv_text(row, st), encoding="utf-8")
            out["csv"] = csv_path
        if pdf_path:
            data, chinese = pdf.render(row, st)
            Path(pdf_path).write_bytes(data)
            out.update(pdf=pdf_path, chinese=chinese)
        return out

    result = run(body)
    emit(result, as_json)
    if pdf_path and not result.get("chinese") and not as_json:
        typer.echo("note: no CJK font found; the PDF is in English (install fonts-wqy-microhei "
                   "or set YIZHAN_CJK_FONT).", err=True)


@merchants_app.command("profile")
def show_profile(community: str = COMMUNITY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The community in aggregate figures, for pitching a new partner shop."""

    async def body():
        row = await _community(community)
        p = await profile.profile(row)
        return {"households": p.households, "buildings": p.buildings,
                "verified_members": p.verified_members,
                f"active_helpers_{p.active_helper_days}d": p.active_helpers,
                "help_hours": str((Decimal(p.help_minutes) / 60).quantize(Decimal("0.01"))),
                "needs_confirmed": p.needs_confirmed, "active_merchants": p.active_merchants,
                "redemptions_by_month": [
                    {"month": m.month, "redemptions": m.redemptions,
                     "credits": format_centi(m.credits_centi), "value": format_fen(m.value_fen),
                     "residents": m.residents} for m in p.by_month]}

    result = run(body)
    if as_json:
        emit(result, True)
        return
    months_rows = result.pop("redemptions_by_month")
    emit(result, False)
    emit(months_rows, False, ["month", "redemptions", "credits", "value", "residents"])
