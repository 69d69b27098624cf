"""Posting transactions and holding credits: the only code that moves balances.

A posting updates each account with one conditional ``UPDATE … WHERE <limit holds> RETURNING``
(accounts in ascending id order), so concurrent payments — from several server processes on
one PostgreSQL — never overdraw an account or lose an update: a second writer waits for the
row and re-checks the limit against the committed balance.

The hash chain is linked at the very end of the action's database transaction
(:func:`yizhan.core.api.before_commit`): only then is the community's chain head locked
(``SELECT … FOR UPDATE``), the transactions get their place (``seq``), time and hashes, and the
head moves. The head is held just for the commit, so payments of one community do not queue
behind each other's unrelated work, and the chain order is the commit order. A transaction's
idempotency key is claimed first (``INSERT … ON CONFLICT DO NOTHING``): a retry racing the
original waits for it and then returns it.
"""

from __future__ import annotations

import contextvars
import json
from dataclasses import dataclass
from typing import Any

from yizhan.core.api import (
    EventContext,
    YizhanError,
    atomic,
    await_all,
    before_commit,
    current_transaction,
    for_update,
    hook,
    is_postgres,
    plugin_settings,
    raw_sql,
    with_writes,
)
from yizhan.core.api import now as _now
from yizhan.plugins.credits import NAME, chain, errors, lots, warnings
from yizhan.plugins.credits.accounts import MEMBER, Limits, limits_of
from yizhan.plugins.credits.tables import (
    CreditAccount,
    CreditChainHead,
    CreditHold,
    CreditTransaction,
)


@dataclass
class Line:
    """One posting to make: ``amount`` hundredths into (positive) or out of ``account``.

    ``checked`` False skips the limit check (a held payment being captured: its limits were
    checked when the credits were held). ``release_held`` / ``release_incoming`` lower the
    account's open holds in the same update (capturing a hold).
    """

    account: dict
    amount: int
    checked: bool = True
    release_held: int = 0
    release_incoming: int = 0


@dataclass
class Posted:
    """A posted (or, for a replayed idempotency key, the earlier) transaction."""

    transaction: dict
    postings: list[dict]
    replayed: bool = False


def settings_of(community_id: int) -> Any:
    """The community's credits settings."""
    return plugin_settings(community_id, NAME)


async def lock_head(community_id: int) -> dict:
    """Take the community's chain head (row lock on PostgreSQL) and return it."""
    lock = for_update()
    sql = f"SELECT id, seq, hash FROM yz_credit_chain_head WHERE community = {{}}{lock}"
    rows = await raw_sql(sql, community_id)
    if not rows:
        await CreditChainHead.insert(CreditChainHead(
            community=community_id, seq=0, hash=chain.GENESIS)).on_conflict(action="DO NOTHING")
        rows = await raw_sql(sql, community_id)
    return rows[0]


def _refusal(account: dict, amount: int, row: dict, limits: Limits, ctx_hint: dict) -> YizhanError:
    field = ctx_hint.get("field", "amount")
    if amount < 0:
        available = row["balance_centi"] - row["held_centi"]
        if account["kind"] == MEMBER:  # the member's credit headroom, as the API shows it
            limit = -(limits.floor or 0)
            return errors.credit_limit(max(available + limit, 0), -amount, limit,
                                       payer_is_actor=ctx_hint.get("payer_is_actor", True),
                                       field=field)
        return errors.insufficient(account["code"], available, -amount, field=field)
    return errors.balance_limit(limits.maximum or 0, amount,
                                payee_is_actor=ctx_hint.get("payee_is_actor", False),
                                field=field)


async def move(account: dict, *, balance: int = 0, held: int = 0, incoming: int = 0,
               check_floor: bool = False, check_max: bool = False, limits: Limits,
               hint: dict | None = None) -> dict:
    """One conditional update of an account; refuses with a clear code past a limit.

    Returns the account's new ``balance_centi``, ``held_centi`` and ``incoming_centi``.
    """
    where = ["id = {}"]
    args: list[Any] = [balance, held, incoming, account["id"]]
    if check_floor and limits.floor is not None:
        where.append("balance_centi + {} - (held_centi + {}) >= {}")
        args += [balance, held, limits.floor]
    if check_max and limits.maximum is not None:
        where.append("balance_centi + {} + (incoming_centi + {}) <= {}")
        args += [balance, incoming, limits.maximum]
    rows = await raw_sql(
        "UPDATE yz_credit_account SET balance_centi = balance_centi + {}, "
        "held_centi = held_centi + {}, incoming_centi = incoming_centi + {} WHERE "
        + " AND ".join(where) + " RETURNING balance_centi, held_centi, incoming_centi", *args)
    if rows:
        return rows[0]
    current = await CreditAccount.select().where(CreditAccount.id == account["id"]).first()
    delta = balance if balance else (-held if held else incoming)
    raise _refusal(account, delta, current, limits, hint or {})


def _same(existing: dict, existing_postings: list[dict], kind: str,
          lines: list[Line]) -> bool:
    theirs = sorted((p["account"], p["amount_centi"]) for p in existing_postings)
    ours = sorted((line.account["id"], line.amount) for line in lines)
    return existing["kind"] == kind and theirs == ours


async def find_by_key(community_id: int, key: str) -> Posted | None:
    """The transaction posted with idempotency ``key`` in the community, if any."""
    tx = await CreditTransaction.select().where(
        (CreditTransaction.community == community_id)
        & (CreditTransaction.idempotency_key == key)).first()
    if tx is None:
        return None
    return Posted(tx, await postings_of(tx["id"]), replayed=True)


async def postings_of(tx_id: int) -> list[dict]:
    """A transaction's postings, with their account codes and members."""
    rows = await raw_sql(
        "SELECT p.id, p.tx, p.account, p.amount_centi, p.balance_after_centi, "
        "a.code AS account_code, a.kind AS account_kind, a.member AS member "
        "FROM yz_credit_posting p JOIN yz_credit_account a ON a.id = p.account "
        "WHERE p.tx = {} ORDER BY p.id", tx_id)
    return rows


def veto(ctx: EventContext, payment: dict[str, Any]) -> None:
    """Ask ``yizhan_credits_veto_payment``; raise the first veto as a refusal."""
    answer = hook(ctx, "yizhan_credits_veto_payment")(ctx=ctx, payment=payment)
    if answer is not None:
        raise YizhanError(answer.code, answer.message, **answer.params)


def payment_of(kind: str, lines: list[Line], amount: int, source_kind: str,
               source_id: str) -> dict[str, Any]:
    """The ``payment`` a veto hook sees: the biggest payer and receiver of the lines."""
    out = min(lines, key=lambda line: line.amount).account
    into = max(lines, key=lambda line: line.amount).account
    return {"kind": kind, "amount_centi": amount, "from_code": out["code"],
            "to_code": into["code"], "from_member": out["member"], "to_member": into["member"],
            "source_kind": source_kind, "source_id": source_id}


#: Claim the idempotency key and the transaction's row in one statement (seq and hashes are
#: filled in when the chain is linked, just before the commit).
CLAIM_SQL = (
    "INSERT INTO yz_credit_tx (community, seq, kind, reason, source_kind, source_id, "
    "idempotency_key, amount_centi, actor, reverses, created_us, prev_hash, hash, "
    "reason_msgid, reason_params) "
    "VALUES ({}, NULL, {}, {}, {}, {}, {}, {}, {}, {}, {}, '', '', {}, {}) "
    "ON CONFLICT (community, idempotency_key) DO NOTHING RETURNING id")
#: All of a transaction's postings in one multi-row INSERT.
POSTINGS_SQL = ("INSERT INTO yz_credit_posting (community, tx, account, amount_centi, "
                "balance_after_centi) VALUES ")


async def post(community: dict, lines: list[Line], *, kind: str, reason: str, key: str,
               source_kind: str = "", source_id: str | int = "", actor: int | None = None,
               reverses: int | None = None, ask_veto: bool = True,
               hint: dict | None = None, expiring_lot: int | None = None,
               reason_msgid: str = "", reason_params: dict | None = None) -> Posted:
    """Post one transaction: postings that sum to zero, balances moved in the same database
    transaction, linked into the chain when that transaction commits (``seq`` and ``hash`` are
    filled in the returned row then). A replayed ``key`` returns the earlier transaction
    (``replayed``) and posts nothing; the same key for different postings is refused.

    ``reason`` is the text the hash covers (English); ``reason_msgid`` (the message it was
    made from, ``Help: {title}``) and ``reason_params`` let statements show it in the reader's
    language (:func:`yizhan.plugins.credits.statements.reason_text`)."""
    community_id = community["id"]
    source_id = str(source_id)
    _validate(community_id, lines, key, kind)
    amount = sum(line.amount for line in lines if line.amount > 0)
    ctx = EventContext(community=community)
    async with atomic():
        now = _now()
        tx = {"community": community_id, "seq": None, "kind": kind, "reason": reason,
              "source_kind": source_kind, "source_id": source_id, "idempotency_key": key,
              "amount_centi": amount, "actor": actor, "reverses": reverses,
              "created_us": chain.to_us(now), "prev_hash": "", "hash": ""}
        claimed = await raw_sql(CLAIM_SQL, community_id, kind, reason, source_kind, source_id,
                               key, amount, actor, reverses, tx["created_us"], reason_msgid,
                               json.dumps(reason_params or {}, ensure_ascii=False,
                                          sort_keys=True))
        if not claimed:
            earlier = await find_by_key(community_id, key)
            assert earlier is not None
            if not _same(earlier.transaction, earlier.postings, kind, lines):
                raise YizhanError("IDEMPOTENCY_CONFLICT",
                                  "This request key was already used for a different "
                                  "transaction.", field="idempotencyKey")
            return earlier
        tx["id"] = claimed[0]["id"]
        if ask_veto:
            veto(ctx, payment_of(kind, lines, amount, source_kind, source_id))
        settings = settings_of(community_id)
        moved: list[tuple[Line, dict]] = []
        if not is_postgres() and not any(line.checked for line in lines):
            # SQLite (write transactions serialised: no lock order to keep) and no limit to
            # check (a hold being captured): every account in one UPDATE
            moved = await _move_unchecked(sorted(lines, key=lambda item: item.account["id"]))
            lines = []
        for line in sorted(lines, key=lambda item: item.account["id"]):
            limits = limits_of(line.account, settings)
            row = await move(line.account, balance=line.amount, held=-line.release_held,
                             incoming=-line.release_incoming,
                             check_floor=line.checked and line.amount < 0,
                             check_max=line.checked and line.amount > 0, limits=limits,
                             hint=hint)
            moved.append((line, row))
        values: list[Any] = []
        for line, row in moved:
            values += [community_id, tx["id"], line.account["id"], line.amount,
                       row["balance_centi"]]
        await raw_sql(POSTINGS_SQL + ", ".join(["({}, {}, {}, {}, {})"] * len(moved)), *values)
        return await _posted(community, ctx, tx, moved, settings, now, expiring_lot)


async def _move_unchecked(lines: list[Line]) -> list[tuple[Line, dict]]:
    """Move every account of ``lines`` in one statement, no limit checked."""
    cases = " ".join(["WHEN {} THEN {}"] * len(lines))
    args: list[Any] = []
    for field in ("amount", "release_held", "release_incoming"):
        for line in lines:
            args += [line.account["id"], getattr(line, field) * (1 if field == "amount" else -1)]
    args += [line.account["id"] for line in lines]
    rows = await raw_sql(
        f"UPDATE yz_credit_account SET balance_centi = balance_centi + CASE id {cases} END, "
        f"held_centi = held_centi + CASE id {cases} END, "
        f"incoming_centi = incoming_centi + CASE id {cases} END "
        f"WHERE id IN ({', '.join(['{}'] * len(lines))}) "
        "RETURNING id, balance_centi, held_centi, incoming_centi", *args)
    found = {row["id"]: row for row in rows}
    for line in lines:
        if line.account["id"] not in found:
            raise errors.unknown_account(line.account["code"], None)
    return [(line, found[line.account["id"]]) for line in lines]


async def _posted(community: dict, ctx: EventContext, tx: dict, moved: list[tuple[Line, dict]],
                  settings: Any, now: Any, expiring_lot: int | None = None) -> Posted:
    """What follows a transaction's rows being written (inside its database transaction): its
    link in the chain at commit, the members' lots and warnings, the posted hook."""
    _link_on_commit(community["id"], tx, [(line.account["id"], line.amount,
                                          line.account["code"]) for line, _ in moved])
    postings = [{"tx": tx["id"], "account": line.account["id"],
                 "account_code": line.account["code"], "account_kind": line.account["kind"],
                 "member": line.account["member"], "amount_centi": line.amount,
                 "balance_after_centi": row["balance_centi"]} for line, row in moved]
    for line, row in moved:
        if line.account["kind"] != MEMBER:
            continue
        await lots.after_posting(community, line.account, row["balance_centi"] - line.amount,
                                 row["balance_centi"], tx, now, settings,
                                 prefer_lot=expiring_lot)
        await warnings.after_change(community, line.account, row, settings,
                                    balance=line.amount, held=-line.release_held,
                                    incoming=-line.release_incoming)
    await await_all(hook(ctx, "yizhan_credits_transaction_posted")(
        ctx=ctx, transaction=tx, postings=postings))
    return Posted(tx, postings)


#: Transactions posted in the open database transaction, waiting for their link in the chain:
#: (the Piccolo transaction, {community id: [(tx row, postings)]}).
_unlinked: contextvars.ContextVar[tuple[object, dict] | None] = contextvars.ContextVar(
    "yizhan_credits_unlinked", default=None)


def _link_on_commit(community_id: int, tx: dict, pairs: list[tuple[int, int, str]]) -> None:
    current = current_transaction()
    state = _unlinked.get()
    if state is None or state[0] is not current:
        state = (current, {})
        _unlinked.set(state)
        waiting = state[1]
        before_commit(lambda: _link(waiting), sends_writes=True)
    state[1].setdefault(community_id, []).append((tx, pairs))


def pending_ids() -> set[int]:
    """Transactions posted in the open database transaction and not linked yet (verifying
    inside that transaction must not take them for forgeries)."""
    state = _unlinked.get()
    if state is None or state[0] is not current_transaction():
        return set()
    return {tx["id"] for waiting in state[1].values() for tx, _ in waiting}


LINK_SQL = ("UPDATE yz_credit_tx SET seq = {}, created_us = {}, prev_hash = {}, hash = {} "
            "WHERE id = {}")


async def _link(waiting: dict[int, list[tuple[dict, list[tuple[int, int, str]]]]]) -> None:
    """Give the action's transactions their place in each community's chain (heads locked in
    community order, just before the commit)."""
    now_us = chain.to_us(_now())
    postgres = is_postgres()
    for community_id in sorted(waiting):
        if postgres and len(waiting[community_id]) == 1 and await _link_one_pg(
                community_id, *waiting[community_id][0], now_us):
            continue
        head = await lock_head(community_id)
        seq, prev = head["seq"], head["hash"]
        updates: list[str] = []
        args: list[Any] = []
        for tx, pairs in waiting[community_id]:
            seq += 1
            tx.update(seq=seq, created_us=now_us, prev_hash=prev)
            tx["hash"] = chain.compute_hash(prev, tx, pairs)
            if postgres:  # sent with the head's update below: one round trip
                updates.append(f"t{len(updates)} AS ({LINK_SQL})")
                args += [seq, now_us, prev, tx["hash"], tx["id"]]
            else:
                await raw_sql(LINK_SQL, seq, now_us, prev, tx["hash"], tx["id"])
            prev = tx["hash"]
        head_sql = "UPDATE yz_credit_chain_head SET seq = {}, hash = {} WHERE id = {}"
        if updates:
            head_sql = f"WITH {', '.join(updates)} {head_sql}"
        await raw_sql(head_sql, *args, seq, prev, head["id"])
    waiting.clear()
    _unlinked.set(None)


#: PostgreSQL: one transaction's link in one statement — lock the head (``o``), move it on
#: with the new hash computed by the database (``sha256`` over the same canonical text:
#: the previous hash, then the text with the new ``seq`` in its place) and write the
#: transaction's place. The head is held from this statement to the commit only.
LINK_ONE_PG_SQL = (
    "WITH o AS (SELECT id, seq, hash FROM yz_credit_chain_head WHERE community = {} "
    "FOR UPDATE), "
    "h AS (UPDATE yz_credit_chain_head SET seq = o.seq + 1, hash = encode(sha256(convert_to("
    "o.hash || {} || (o.seq + 1)::text || {}, 'UTF8')), 'hex') FROM o "
    "WHERE yz_credit_chain_head.id = o.id "
    "RETURNING yz_credit_chain_head.seq AS seq, yz_credit_chain_head.hash AS hash, "
    "o.hash AS prev), "
    "t AS (UPDATE yz_credit_tx SET seq = h.seq, created_us = {}, prev_hash = h.prev, "
    "hash = h.hash FROM h WHERE yz_credit_tx.id = {}) "
    "SELECT seq, hash, prev FROM h")
_SEQ_MARK = "\x00seq\x00"


async def _link_one_pg(community_id: int, tx: dict, pairs: list[tuple[int, int, str]],
                       now_us: int) -> bool:
    """Link one transaction in one round trip (PostgreSQL); False (nothing written) when the
    community has no chain head yet. The hash the database computed is checked against
    :func:`chain.compute_hash` before the commit."""
    tx.update(seq=_SEQ_MARK, created_us=now_us)
    before, after = chain.canonical(tx, pairs).split(_SEQ_MARK)
    # the action's writes queued for the commit go with it (one round trip)
    rows = await with_writes(LINK_ONE_PG_SQL, community_id, "\n" + before, after, now_us,
                             tx["id"])
    if not rows:
        tx["seq"] = None
        return False
    row = rows[0]
    tx.update(seq=row["seq"], prev_hash=row["prev"], hash=row["hash"])
    if chain.compute_hash(row["prev"], tx, pairs) != row["hash"]:
        raise RuntimeError("the database's chain hash differs from the ledger's")
    return True


def _validate(community_id: int, lines: list[Line], key: str, kind: str) -> None:
    if len(lines) < 2:
        raise ValueError("a transaction needs at least two postings")
    if sum(line.amount for line in lines) != 0:
        raise ValueError("postings must sum to zero")
    ids = [line.account["id"] for line in lines]
    if len(set(ids)) != len(ids):
        raise ValueError("one posting per account")
    for line in lines:
        if not isinstance(line.amount, int) or isinstance(line.amount, bool) or not line.amount:
            raise ValueError("posting amounts are non-zero integers (hundredths)")
        if line.account["community"] != community_id:
            raise ValueError("an account of another community")
    if not key or len(key) > 160:
        raise YizhanError("INVALID_IDEMPOTENCY_KEY",
                          "The request key must be 1 to 160 characters.", field="idempotencyKey")
    if not kind:
        raise ValueError("a transaction needs a kind")


# --- holds -----------------------------------------------------------------------------


async def open_hold(community_id: int, source_kind: str, source_id: str | int) -> dict | None:
    """The open hold for a source (an accepted need), if any."""
    return await CreditHold.select().where(
        (CreditHold.community == community_id) & (CreditHold.source_kind == source_kind)
        & (CreditHold.source_id == str(source_id)) & (CreditHold.status == "open")).first()


async def hold(community: dict, source_kind: str, source_id: str | int, payer: dict,
               payee: dict, amount: int, *, hint: dict | None = None) -> dict:
    """Reserve ``amount`` from ``payer`` for ``payee``: the payer's ``held`` and the payee's
    ``incoming`` grow, each within its limit, or the hold is refused with a clear code."""
    community_id = community["id"]
    if amount <= 0:
        raise errors.zero_amount()
    settings = settings_of(community_id)
    async with atomic():
        rows = {}
        for account in sorted((payer, payee), key=lambda a: a["id"]):
            limits = limits_of(account, settings)
            if account is payer:
                rows["payer"] = await move(account, held=amount, check_floor=True,
                                           limits=limits, hint=hint)
            else:
                rows["payee"] = await move(account, incoming=amount, check_max=True,
                                           limits=limits, hint=hint)
        row = (await CreditHold.insert(CreditHold(
            community=community_id, source_kind=source_kind, source_id=str(source_id),
            payer=payer["id"], payee=payee["id"], amount_centi=amount, status="open",
            created_at=_now())).returning(*CreditHold.all_columns()))[0]
        if payer["kind"] == MEMBER:
            await warnings.after_change(community, payer, rows["payer"], settings, held=amount)
        if payee["kind"] == MEMBER:
            await warnings.after_change(community, payee, rows["payee"], settings,
                                        incoming=amount)
    return row


async def release(community: dict, hold_row: dict) -> bool:
    """Release an open hold (the need was withdrawn or cancelled). False if it was not open."""
    async with atomic():
        closed = await CreditHold.update({CreditHold.status: "released",
                                          CreditHold.closed_at: _now()}).where(
            (CreditHold.id == hold_row["id"]) & (CreditHold.status == "open")
        ).returning(CreditHold.id)
        if not closed:
            return False
        no_limits = Limits(None, None)
        for account_id in sorted((hold_row["payer"], hold_row["payee"])):
            account = {"id": account_id}
            if account_id == hold_row["payer"]:
                await move(account, held=-hold_row["amount_centi"], limits=no_limits)
            else:
                await move(account, incoming=-hold_row["amount_centi"], limits=no_limits)
    return True


async def capture(community: dict, hold_row: dict, *, kind: str, reason: str, key: str,
                  actor: int | None = None) -> Posted:
    """Turn an open hold into the payment it reserved (limits were checked when held)."""
    found = {row["id"]: row for row in await CreditAccount.select().where(
        CreditAccount.id.is_in([hold_row["payer"], hold_row["payee"]]))}
    return await _capture(community, hold_row, found[hold_row["payer"]],
                          found[hold_row["payee"]], kind=kind, reason=reason, key=key,
                          actor=actor)


_ACCOUNT_COLUMNS = [column._meta.db_column_name for column in CreditAccount.all_columns()]
_HOLD_COLUMNS = [column._meta.db_column_name for column in CreditHold.all_columns()]
OPEN_HOLD_SQL = (
    "SELECT " + ", ".join([f"h.{c} AS h_{c}" for c in _HOLD_COLUMNS]
                          + [f"p.{c} AS p_{c}" for c in _ACCOUNT_COLUMNS]
                          + [f"q.{c} AS q_{c}" for c in _ACCOUNT_COLUMNS])
    + " FROM yz_credit_hold h JOIN yz_credit_account p ON p.id = h.payer "
    "JOIN yz_credit_account q ON q.id = h.payee WHERE h.community = {} AND h.source_kind = {} "
    "AND h.source_id = {} AND h.status = 'open' ORDER BY h.id LIMIT 1")


async def capture_open(community: dict, source_kind: str, source_id: str | int, *, kind: str,
                       reason: str, key: str, actor: int | None = None,
                       reason_msgid: str = "", reason_params: dict | None = None,
                       also: tuple[str, list[Any]] | None = None) -> Posted | None:
    """Capture the open hold of a source, if there is one (None otherwise): the hold and both
    of its accounts are read in one statement. ``also`` — (an INSERT, its arguments), on
    PostgreSQL only — is written in that same statement (a ``WITH`` before the read)."""
    if also is not None:
        rows = await raw_sql(f"WITH also AS ({also[0]}) {OPEN_HOLD_SQL}", *also[1],
                             community["id"], source_kind, str(source_id))
    else:
        rows = await raw_sql(OPEN_HOLD_SQL, community["id"], source_kind, str(source_id))
    if not rows:
        return None
    row = rows[0]
    hold_row = {c: row[f"h_{c}"] for c in _HOLD_COLUMNS}
    payer = {c: row[f"p_{c}"] for c in _ACCOUNT_COLUMNS}
    payee = {c: row[f"q_{c}"] for c in _ACCOUNT_COLUMNS}
    return await _capture(community, hold_row, payer, payee, kind=kind, reason=reason, key=key,
                          actor=actor, reason_msgid=reason_msgid, reason_params=reason_params)


async def _capture(community: dict, hold_row: dict, payer: dict, payee: dict, *, kind: str,
                   reason: str, key: str, actor: int | None, reason_msgid: str = "",
                   reason_params: dict | None = None) -> Posted:
    amount = hold_row["amount_centi"]
    if is_postgres():
        posted = await _capture_pg(community, hold_row, payer, payee, kind=kind, reason=reason,
                                   key=key, actor=actor, reason_msgid=reason_msgid,
                                   reason_params=reason_params)
        if posted is not None:
            return posted
    async with atomic():
        posted = await post(community, [
            Line(payer, -amount, checked=False, release_held=amount),
            Line(payee, amount, checked=False, release_incoming=amount),
        ], kind=kind, reason=reason, key=key, source_kind=hold_row["source_kind"],
            source_id=hold_row["source_id"], actor=actor, ask_veto=False,
            reason_msgid=reason_msgid, reason_params=reason_params)
        closed = await raw_sql(
            "UPDATE yz_credit_hold SET status = 'captured', closed_at = {}, tx = {} "
            "WHERE id = {} AND status = 'open' RETURNING id", _now(),
            posted.transaction["id"], hold_row["id"])
        if not closed:  # captured or released by someone else meanwhile: undo everything
            raise YizhanError("HOLD_CLOSED", "These credits are no longer held.")
    return posted


_MOVE_PG = (
    "UPDATE yz_credit_account SET balance_centi = balance_centi + {}, "
    "held_centi = held_centi + {}, incoming_centi = incoming_centi + {} "
    "WHERE id = {} AND EXISTS (SELECT 1 FROM %s) "
    "RETURNING id, community, balance_centi, held_centi, incoming_centi")
#: PostgreSQL: a hold's capture in one statement — claim the key (``c``), move both accounts
#: (``a1`` then ``a2``, ascending ids: ``a2`` waits for ``a1``'s row, so locks are taken in
#: the same order as :func:`post` takes them), write the postings with the new balances and
#: close the hold. Nothing but the claim happens when the key was used already.
CAPTURE_PG_SQL = (
    "WITH c AS (" + CLAIM_SQL + "), "
    "a1 AS (" + _MOVE_PG % "c" + "), "
    "a2 AS (" + _MOVE_PG % "a1" + "), "
    "p AS (INSERT INTO yz_credit_posting (community, tx, account, amount_centi, "
    "balance_after_centi) SELECT a1.community, c.id, a1.id, {}::bigint, a1.balance_centi "
    "FROM a1, c UNION ALL SELECT a2.community, c.id, a2.id, {}::bigint, a2.balance_centi "
    "FROM a2, c), "
    "h AS (UPDATE yz_credit_hold SET status = 'captured', closed_at = {}, tx = c.id FROM c "
    "WHERE yz_credit_hold.id = {} AND yz_credit_hold.status = 'open' "
    "RETURNING yz_credit_hold.id) "
    "SELECT c.id AS tx, (SELECT COUNT(*) FROM h) AS closed, "
    "a1.balance_centi AS b1, a1.held_centi AS h1, a1.incoming_centi AS i1, "
    "a2.balance_centi AS b2, a2.held_centi AS h2, a2.incoming_centi AS i2 "
    "FROM c LEFT JOIN a1 ON TRUE LEFT JOIN a2 ON TRUE")


async def _capture_pg(community: dict, hold_row: dict, payer: dict, payee: dict, *, kind: str,
                      reason: str, key: str, actor: int | None, reason_msgid: str,
                      reason_params: dict | None) -> Posted | None:
    """:func:`_capture` in one round trip on PostgreSQL, with the same checks, rows, chain
    link, lots, warnings and hook as :func:`post`; None (nothing written) when the key was
    used already — then the general path answers as it would."""
    amount = hold_row["amount_centi"]
    lines = [Line(payer, -amount, checked=False, release_held=amount),
             Line(payee, amount, checked=False, release_incoming=amount)]
    community_id = community["id"]
    _validate(community_id, lines, key, kind)
    lines.sort(key=lambda item: item.account["id"])
    source_kind, source_id = hold_row["source_kind"], str(hold_row["source_id"])
    async with atomic():
        now = _now()
        tx = {"community": community_id, "seq": None, "kind": kind, "reason": reason,
              "source_kind": source_kind, "source_id": source_id, "idempotency_key": key,
              "amount_centi": amount, "actor": actor, "reverses": None,
              "created_us": chain.to_us(now), "prev_hash": "", "hash": ""}
        args: list[Any] = [community_id, kind, reason, source_kind, source_id, key, amount,
                           actor, None, tx["created_us"], reason_msgid,
                           json.dumps(reason_params or {}, ensure_ascii=False, sort_keys=True)]
        for line in lines:
            args += [line.amount, -line.release_held, -line.release_incoming, line.account["id"]]
        args += [lines[0].amount, lines[1].amount, now, hold_row["id"]]
        rows = await raw_sql(CAPTURE_PG_SQL, *args)
        if not rows:
            return None  # the key was claimed before: nothing else was written
        row = rows[0]
        if not row["closed"] or row["b1"] is None or row["b2"] is None:
            # captured or released by someone else meanwhile (or an account is gone): undo
            raise YizhanError("HOLD_CLOSED", "These credits are no longer held.")
        tx["id"] = row["tx"]
        moved = [(lines[0], {"balance_centi": row["b1"], "held_centi": row["h1"],
                             "incoming_centi": row["i1"]}),
                 (lines[1], {"balance_centi": row["b2"], "held_centi": row["h2"],
                             "incoming_centi": row["i2"]})]
        return await _posted(community, EventContext(community=community), tx, moved,
                             settings_of(community_id), now)


async def lock_account(account_id: int) -> dict:
    """Lock an account row for the rest of the transaction (PostgreSQL) and read it."""
    lock = for_update()
    return (await raw_sql(f"SELECT * FROM yz_credit_account WHERE id = {{}}{lock}",
                         account_id))[0]
