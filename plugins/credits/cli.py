"""``yizhan ledger verify|balance|statement|fund|reverse`` and
``yizhan vouchers issue|list|cancel|pdf``."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core.api import (
    YizhanError,
    credits_to_centi,
    find_person,
    format_centi,
    get_community,
    get_member,
    get_person,
    member_for,
    validate_text,
)
from yizhan.plugins.credits import accounts, chain, codes, service, statements, verify, vouchers
from yizhan.plugins.credits.tables import CreditTransaction

ledger_app = typer.Typer(help="The credits ledger: verify the chain, balances, statements.",
                         no_args_is_help=True)
vouchers_app = typer.Typer(help="Experience cards (vouchers): issue, list, cancel, print.",
                           no_args_is_help=True)


async def _community(slug: str) -> dict:
    row = await get_community(slug)
    service.require_enabled(row)
    return row


async def _member_id(community: dict, username: str) -> int:
    person = await find_person(username)
    member = await member_for(community["id"], person["id"]) if person else None
    if member is None:
        raise YizhanError("NOT_FOUND", "No such {what}.", kind="not_found", what="member")
    return member["id"]


async def _account(community: dict, member: str | None, account: str | None) -> dict:
    if member:
        return await accounts.member_account(community["id"],
                                             await _member_id(community, member))
    if account:
        return await accounts.require(community["id"], account)
    raise YizhanError("REQUIRED", "Name a --member or an --account.")


async def _member_names(community: dict, member_ids: list[int]) -> dict[int, str]:
    """Display names of members (for admins' listings)."""
    out = {}
    for member_id in member_ids:
        member = await get_member(community, member_id)
        person = await get_person(member["person"])
        out[member_id] = person["display_name"] if person else ""
    return out


# --- ledger -----------------------------------------------------------------------------


@ledger_app.command("verify")
def ledger_verify(community: str = COMMUNITY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Recompute the community's hash chain and name the first transaction that does not
    match. Exits 1 when the chain does not verify."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    async def body():
        row = await _community(community)
        head = await statements.head(row["id"])
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), transient=True,
                      disable=as_json or not sys.stderr.isatty(),
                      console=None) as progress:
            task = progress.add_task("Verifying", total=head["seq"] or 1)
            return await verify.verify(
                row["id"], progress=lambda done, total: progress.update(task, completed=done,
                                                                        total=total or 1))

    result = run(body)
    data = {"ok": result.ok, "checked": result.checked, "head_seq": result.head_seq,
            "head_hash": result.head_hash, "first_bad_seq": result.first_bad_seq,
            "problem": result.problem, "account": result.account, "message": result.message}
    if as_json:
        emit(data, True)
    else:
        typer.echo(("OK: " if result.ok else "FAILED: ") + result.message)
        typer.echo(f"head: #{result.head_seq} {result.head_hash}")
    if not result.ok:
        raise typer.Exit(1)


@ledger_app.command("anchor")
def ledger_anchor(community: str = COMMUNITY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Publish the chain head now (notice board, webhooks) unless it was published already,
    and list the published heads (newest first)."""
    from yizhan.plugins.credits import anchors

    async def body():
        row = await _community(community)
        made = await anchors.publish_head(row)
        return made, await anchors.list_anchors(row["id"])

    made, found = run(body)
    data = {"published": None if made is None else {"seq": made["seq"], "hash": made["hash"]},
            "anchors": [{"seq": a["seq"], "hash": a["hash"],
                         "published_at": a["published_at"].isoformat()} for a in found]}
    if as_json:
        emit(data, True)
        return
    typer.echo(f"published: #{made['seq']} {made['hash']}" if made else
               "nothing new to publish")
    for a in found:
        typer.echo(f"#{a['seq']} {a['hash']} {a['published_at'].isoformat()}")


@ledger_app.command("balance")
def ledger_balance(community: str = COMMUNITY_OPTION,
                   member: str = typer.Option(None, "--member", "-m", help="Username."),
                   account: str = typer.Option(None, "--account", "-a",
                                               help="Account code (community_fund …)."),
                   as_json: bool = JSON_OPTION) -> None:
    """A member's or an account's balance; without either, every account."""

    async def body():
        row = await _community(community)
        if member or account:
            found = [await _account(row, member, account)]
        else:
            found = await accounts.list_accounts(row["id"], limit=100_000)
        names = await _member_names(row, [a["member"] for a in found if a["member"]])
        return [{"code": a["code"], "name": a["name"] or names.get(a["member"], ""),
                 "balance": format_centi(a["balance_centi"]),
                 "held": format_centi(a["held_centi"]),
                 "incoming": format_centi(a["incoming_centi"])} for a in found]

    rows = run(body)
    emit(rows if not (member or account) or as_json else rows[0], as_json,
         ["code", "name", "balance", "held", "incoming"])


def _parse_day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail("INVALID_DATE", f"{field}: expected a date like 2027-03-31, got {text!r}.")
    raise AssertionError("unreachable")


@ledger_app.command("statement")
def ledger_statement(community: str = COMMUNITY_OPTION,
                     member: str = typer.Option(None, "--member", "-m", help="Username."),
                     account: str = typer.Option(None, "--account", "-a", help="Account code."),
                     since: str = typer.Option(None, help="From this local date (YYYY-MM-DD)."),
                     until: str = typer.Option(None, help="Before this local date."),
                     kind: list[str] = typer.Option(None, help="Only these transaction kinds."),
                     limit: int = typer.Option(1000, help="At most this many lines."),
                     as_csv: bool = typer.Option(False, "--csv", help="CSV on stdout."),
                     as_json: bool = JSON_OPTION) -> None:
    """An account's postings, newest first."""
    since_day, until_day = _parse_day(since, "--since"), _parse_day(until, "--until")

    async def body():
        row = await _community(community)
        found = await _account(row, member, account)
        tz = ZoneInfo(row["time_zone"])
        flt = statements.StatementFilter(
            kinds=kind or None,
            since=datetime.combine(since_day, datetime.min.time(), tz) if since_day else None,
            until=datetime.combine(until_day, datetime.min.time(), tz) if until_day else None)
        lines, before = [], None
        while len(lines) < limit:
            page = await statements.statement(found["id"], flt, before_posting=before,
                                              limit=min(500, limit - len(lines)))
            if not page:
                break
            others = await statements.counterparts([r["id"] for r in page], found["id"])
            for r in page:
                lines.append({
                    "seq": r["seq"],
                    "time": chain.from_us(r["created_us"]).astimezone(tz).isoformat(
                        timespec="seconds"),
                    "kind": r["kind"], "reason": statements.reason_text(r, row["locale"]),
                    "amount": format_centi(r["posted_centi"]),
                    "balance_after": format_centi(r["balance_after_centi"]),
                    "counterparts": " ".join(o["code"] for o in others.get(r["id"], [])),
                    "hash": r["hash"]})
            before = page[-1]["posting_id"]
        return lines

    lines = run(body)
    columns = ["seq", "time", "kind", "reason", "amount", "balance_after", "counterparts",
               "hash"]
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        writer.writerows(lines)
    else:
        emit(lines, as_json, columns[:-1])


@ledger_app.command("fund")
def ledger_fund(community: str = COMMUNITY_OPTION,
                to: str = typer.Option(..., "--to", help="System account to fund."),
                amount: str = typer.Option(..., help="Credits, e.g. 100 or 12.50."),
                reason: str = typer.Option(..., help="Why (kept in the ledger)."),
                source: str = typer.Option("issuance", "--from", help="System account to take "
                                           "from (issuance creates new credits)."),
                key: str = typer.Option(None, help="Idempotency key (default: a new one)."),
                as_json: bool = JSON_OPTION) -> None:
    """Move credits between system accounts (e.g. fund the community fund)."""
    import uuid

    async def body():
        row = await _community(community)
        centi = credits_to_centi(amount, "amount", maximum=1_000_000_00)
        for code in (source, to):
            if code.startswith("member:"):
                raise YizhanError("SYSTEM_ACCOUNTS_ONLY",
                                  "Funding moves credits between system accounts only.")
            await accounts.require(row["id"], code)
        posted = await service.transfer(row, source, to, centi, kind="funding",
                                        reason=validate_text(reason, "reason", max_length=200),
                                        key=f"funding:{key or uuid.uuid4().hex}")
        return {"seq": posted.transaction["seq"], "hash": posted.transaction["hash"],
                "replayed": posted.replayed,
                "balance": format_centi(await service.account_balance(row, to))}

    emit(run(body), as_json)


@ledger_app.command("reverse")
def ledger_reverse(community: str = COMMUNITY_OPTION,
                   seq: int = typer.Option(..., help="The transaction's place in the chain."),
                   reason: str = typer.Option(..., help="Why (kept in the ledger)."),
                   as_json: bool = JSON_OPTION) -> None:
    """Correct a mistake by posting the opposite of a transaction."""

    async def body():
        row = await _community(community)
        tx = await CreditTransaction.select().where(
            (CreditTransaction.community == row["id"]) & (CreditTransaction.seq == seq)).first()
        if tx is None:
            raise YizhanError("NOT_FOUND", "No such {what}.", kind="not_found",
                              what="transaction")
        posted = await service.reverse(row, tx["id"], reason=validate_text(reason, "reason",
                                                                     max_length=200))
        return {"seq": posted.transaction["seq"], "reverses": seq,
                "hash": posted.transaction["hash"]}

    emit(run(body), as_json)


# --- vouchers ---------------------------------------------------------------------------


async def _write_pdf(row: dict, batch: dict, path: str) -> dict:
    from yizhan.plugins.credits import pdf
    from yizhan.plugins.credits.ledger import settings_of

    template = settings_of(row["id"]).voucher_qr_template
    cards = []
    after = None
    while True:
        page = await vouchers.list_vouchers(row["id"], batch_id=batch["id"], after_id=after,
                                            limit=1000)
        if not page:
            break
        for card in page:
            cards.append(pdf.Card(
                code=card["code"], amount_centi=card["amount_centi"],
                last_day=vouchers.last_day(card, row["time_zone"]),
                qr_text=template.replace("{code}", codes.display(card["code"])).replace(
                    "{community}", row["slug"])))
        after = page[-1]["id"]
    return pdf.render(cards, row["name"], path)


@vouchers_app.command("issue")
def vouchers_issue(community: str = COMMUNITY_OPTION,
                   count: int = typer.Option(..., help="How many cards."),
                   credits: str = typer.Option("1", help="Credits per card."),
                   expires: str = typer.Option(..., help="Last valid day, YYYY-MM-DD."),
                   label: str = typer.Option("", help="A name for the batch."),
                   pdf_path: str = typer.Option(None, "--pdf", help="Write a printable sheet."),
                   as_json: bool = JSON_OPTION) -> None:
    """Issue a batch of single-use cards, funded from the voucher reserve."""
    last_day = _parse_day(expires, "--expires")

    async def body():
        row = await _community(community)
        batch = await vouchers.issue(row, count=count,
                                     amount=credits_to_centi(credits, "credits"),
                                     expires_on=last_day, label=label)
        out = {"batch": batch["id"], "count": batch["count"],
               "credits": format_centi(batch["amount_centi"]), "expires": expires}
        if pdf_path:
            sheet = await _write_pdf(row, batch, pdf_path)
            out.update(pdf=pdf_path, pages=sheet["pages"], chinese=sheet["chinese"])
        return out

    result = run(body)
    emit(result, as_json)
    if pdf_path and not result.get("chinese") and not as_json:
        typer.echo("note: no CJK font found (install fonts-wqy-microhei or set "
                   "YIZHAN_CJK_FONT); the cards are printed in English only.", err=True)


@vouchers_app.command("pdf")
def vouchers_pdf(community: str = COMMUNITY_OPTION,
                 batch: int = typer.Option(..., help="Batch id."),
                 out: str = typer.Option(..., "--out", help="Where to write the PDF."),
                 as_json: bool = JSON_OPTION) -> None:
    """Print (again) the sheet of a batch."""

    async def body():
        row = await _community(community)
        return await _write_pdf(row, await vouchers.get_batch(row["id"], batch), out)

    emit(run(body), as_json)


@vouchers_app.command("list")
def vouchers_list(community: str = COMMUNITY_OPTION,
                  batch: int = typer.Option(None, help="List the cards of this batch."),
                  status: str = typer.Option(None, help="open, redeemed, expired, cancelled."),
                  as_json: bool = JSON_OPTION) -> None:
    """Batches with how their cards stand; with --batch, the cards themselves."""

    async def body():
        row = await _community(community)
        if batch is None:
            out = []
            for b in await vouchers.list_batches(row["id"], limit=1000):
                counts = await vouchers.batch_counts(b["id"])
                out.append({"batch": b["id"], "label": b["label"], "count": b["count"],
                            "credits": format_centi(b["amount_centi"]),
                            "last_day": vouchers.last_day(b, row["time_zone"]).isoformat(),
                            **counts})
            return out
        await vouchers.get_batch(row["id"], batch)
        cards, after = [], None
        while True:
            page = await vouchers.list_vouchers(row["id"], batch_id=batch, status=status,
                                                after_id=after, limit=1000)
            if not page:
                return cards
            cards += [{"code": codes.display(c["code"]), "status": c["status"],
                       "credits": format_centi(c["amount_centi"]),
                       "redeemed_at": c["redeemed_at"]} for c in page]
            after = page[-1]["id"]

    rows = run(body)
    columns = (["batch", "label", "count", "credits", "last_day", "open", "redeemed", "expired",
                "cancelled"] if batch is None else ["code", "status", "credits", "redeemed_at"])
    emit(rows, as_json, columns)


@vouchers_app.command("cancel")
def vouchers_cancel(community: str = COMMUNITY_OPTION,
                    batch: int = typer.Option(None, help="Cancel every open card of a batch."),
                    code: list[str] = typer.Option(None, help="Cancel this card (repeatable)."),
                    as_json: bool = JSON_OPTION) -> None:
    """Cancel open cards; their credits go back to the voucher reserve."""

    async def body():
        row = await _community(community)
        return {"cancelled": await vouchers.cancel(row, batch_id=batch, codes_text=code)}

    emit(run(body), as_json)
