"""A hypothesis state machine drives random sequences of ledger activity — needs confirmed,
held, withdrawn; vouchers issued and redeemed; awards (and replays of them); expiries;
reversals — and checks the ledger's invariants after every step."""

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from yizhan.core import db
from yizhan.core.errors import YizhanError
from yizhan.core.services import communities, members, needs, people, plugin_admin
from yizhan.core.switches import switches
from yizhan.plugins.credits import service, verify, vouchers
from yizhan.plugins.credits.tables import CreditTransaction, CreditVoucher
from yizhan.testing.database import truncate_all
from yizhan.testing.fixtures import START

LIMIT, MAXIMUM = 300, 800  # hundredths: credit limit 3, maximum balance 8
PEOPLE = 4
amounts = st.integers(min_value=1, max_value=250)
who = st.integers(min_value=0, max_value=PEOPLE - 1)


class Ledger(RuleBasedStateMachine):
    """The model: what should have been posted; the database: what was."""

    loop: asyncio.AbstractEventLoop
    clock = None

    def run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    @initialize()
    def setup(self):
        self.clock.set(START)
        self.run(self._setup())
        self.posted = 0  # transactions the model expects
        self.awards: dict[str, int] = {}
        self.pending: list[dict] = []

    async def _setup(self):
        await truncate_all()
        await switches.refresh(force=True)
        community = await communities.create_community("machine", "Machine", "Asia/Shanghai")
        building = await communities.create_building(community, "A", 10)
        await plugin_admin.enable(community, "credits")
        await plugin_admin.configure(community, "credits", {
            "credit_limit": "3", "max_balance": "8", "warn_within": "0.5",
            "expiry": "days", "expiry_days": 10, "voucher_limit_per_member": 0,
            "transfers_enabled": True})
        self.community = community
        self.members = []
        for i in range(PEOPLE):
            person = await people.find_person(f"m{i}") or await people.create_person(
                f"m{i}", f"M{i}", "correct-horse-battery")
            self.members.append(await members.add_member(
                community, person["id"], building["id"], "resident", verify_as=f"M {i}"))

    async def _attempt(self, coro) -> str | None:
        try:
            await coro
        except YizhanError as error:
            return error.code
        return None

    # --- rules --------------------------------------------------------------------------

    @rule(requester=who, helper=who, amount=amounts)
    def help(self, requester, helper, amount):
        """Post, accept, finish and confirm a need; refusals only at posting or acceptance."""
        if requester == helper:
            return
        r, h = self.members[requester], self.members[helper]

        async def go():
            credits = f"{amount // 100}.{amount % 100:02d}"
            try:
                need = await needs.post(self.community, r, title="Help", category="errand",
                                        window_start=self.clock.now(),
                                        window_end=self.clock.now() + timedelta(days=20),
                                        estimated_minutes=10, credits=credits)
                need = await needs.accept(self.community, h, need["id"])
            except YizhanError as error:
                assert error.code in ("CREDIT_LIMIT_REACHED", "BALANCE_LIMIT_REACHED"), error
                return None
            return need

        need = self.run(go())
        if need is not None:
            self.pending.append(need)

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(min_value=0, max_value=20), confirm=st.booleans())
    def settle(self, index, confirm):
        """Confirm (the helper is paid, whatever happened since) or withdraw a held need."""
        need = self.pending.pop(index % len(self.pending))
        helper = next(m for m in self.members if m["id"] == need["helper"])
        requester = next(m for m in self.members if m["id"] == need["requester"])

        async def go():
            if confirm:
                await needs.mark_done(self.community, helper, need["id"])
                await needs.confirm(self.community, requester, need["id"])
            else:
                await needs.withdraw(self.community, helper, need["id"])
                await needs.cancel(self.community, requester, need["id"])

        self.run(go())
        if confirm:
            self.posted += 1

    @rule(member=who, amount=amounts, key=st.sampled_from(["a", "b", "c", "d", "e", "f"]))
    def award(self, member, amount, key):
        """Award with an idempotency key: a replay posts nothing, a clash is refused."""
        full = f"award:{key}:{member}"
        code = self.run(self._attempt(service.award(
            self.community, self.members[member]["id"], amount, reason="Award", key=full)))
        if full in self.awards:
            assert code == (None if self.awards[full] == amount else "IDEMPOTENCY_CONFLICT")
            return
        assert code in (None, "BALANCE_LIMIT_REACHED")
        if code is None:
            self.awards[full] = amount
            self.posted += 1

    @rule(count=st.integers(1, 3), amount=amounts)
    def issue(self, count, amount):
        """Issue cards (the reserve is topped up from issuance when needed)."""
        today = self.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()

        async def go():
            before = await CreditTransaction.count()
            await vouchers.issue(self.community, count=count, amount=amount,
                                 expires_on=today + timedelta(days=5))
            return await CreditTransaction.count() - before

        funded = self.run(go())
        assert funded in (0, 1)  # the reserve is topped up only when it lacks credits
        self.posted += funded

    @rule(member=who, pick=st.integers(0, 50))
    def redeem(self, member, pick):
        """Redeem some card; used, expired and over-the-limit ones are refused."""
        async def go():
            cards = await CreditVoucher.select().order_by(CreditVoucher.id)
            if not cards:
                return "none", None
            card = cards[pick % len(cards)]
            from yizhan.plugins.credits.codes import display

            code = await self._attempt(vouchers.redeem(self.community, self.members[member],
                                                       display(card["code"])))
            return code, card

        code, card = self.run(go())
        if code == "none":
            return
        if card["status"] != "open":
            assert code in ("VOUCHER_ALREADY_REDEEMED", "VOUCHER_EXPIRED"), code
        else:
            assert code in (None, "BALANCE_LIMIT_REACHED", "VOUCHER_EXPIRED"), code
        if code is None:
            self.posted += 1

    @rule(member=who, other=who, amount=amounts)
    def transfer(self, member, other, amount):
        """A member sends credits to another, within the limits."""
        if member == other:
            return
        code = self.run(self._attempt(service.transfer_between_members(
            self.community, self.members[member]["id"], self.members[other]["id"], amount,
            note="", key=f"t{self.posted}:{member}:{other}:{amount}")))
        assert code in (None, "CREDIT_LIMIT_REACHED", "BALANCE_LIMIT_REACHED"), code
        if code is None:
            self.posted += 1

    @rule(days=st.integers(1, 6))
    def time_passes(self, days):
        """Days go by: expired credits and cards are swept."""
        self.clock.advance(days=days)

        async def go():
            before = await CreditTransaction.count()
            await vouchers.expire_due(self.clock.now())
            from yizhan.plugins.credits import expiry

            await expiry.expire_due(self.clock.now())
            return await CreditTransaction.count() - before

        self.posted += self.run(go())

    @rule(pick=st.integers(0, 100))
    def reverse(self, pick):
        """Reverse some transaction; reversals of reversals and repeats are refused."""
        async def go():
            txs = await CreditTransaction.select().order_by(CreditTransaction.seq)
            if not txs:
                return "none"
            return await self._attempt(service.reverse(
                self.community, txs[pick % len(txs)]["id"], reason="Mistake"))

        code = self.run(go())
        assert code in (None, "none", "CANNOT_REVERSE", "ALREADY_REVERSED",
                        "CREDIT_LIMIT_REACHED", "BALANCE_LIMIT_REACHED",
                        "INSUFFICIENT_FUNDS"), code
        if code is None:
            self.posted += 1

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def ledger_is_sound(self):
        if not hasattr(self, "community"):
            return
        self.run(self._check())

    async def _check(self):
        cid = self.community["id"]
        unbalanced = await db.raw(
            "SELECT tx FROM yz_credit_posting WHERE community = {} GROUP BY tx "
            "HAVING SUM(amount_centi) <> 0", cid)
        assert unbalanced == []
        total = await db.raw("SELECT COALESCE(SUM(amount_centi), 0) AS s FROM "
                             "yz_credit_posting WHERE community = {}", cid)
        assert total[0]["s"] == 0
        drift = await db.raw(
            "SELECT a.code FROM yz_credit_account a LEFT JOIN yz_credit_posting p "
            "ON p.account = a.id WHERE a.community = {} GROUP BY a.id, a.code, a.balance_centi "
            "HAVING a.balance_centi <> COALESCE(SUM(p.amount_centi), 0)", cid)
        assert drift == []
        held = {r["payer"]: r["s"] for r in await db.raw(
            "SELECT payer, SUM(amount_centi) AS s FROM yz_credit_hold WHERE community = {} "
            "AND status = 'open' GROUP BY payer", cid)}
        incoming = {r["payee"]: r["s"] for r in await db.raw(
            "SELECT payee, SUM(amount_centi) AS s FROM yz_credit_hold WHERE community = {} "
            "AND status = 'open' GROUP BY payee", cid)}
        lots = {r["account"]: r["s"] for r in await db.raw(
            "SELECT account, SUM(remaining_centi) AS s FROM yz_credit_lot WHERE community = {} "
            "GROUP BY account", cid)}
        cards = (await db.raw("SELECT COALESCE(SUM(amount_centi), 0) AS s FROM "
                              "yz_credit_voucher WHERE community = {} AND status = 'open'",
                              cid))[0]["s"]
        for account in await db.raw("SELECT * FROM yz_credit_account WHERE community = {}", cid):
            available = account["balance_centi"] - account["held_centi"]
            if account["kind"] == "member":
                assert available >= -LIMIT, account
                assert account["balance_centi"] + account["incoming_centi"] <= MAXIMUM, account
                assert lots.get(account["id"], 0) <= max(0, account["balance_centi"]), account
            elif not account["allow_negative"]:
                assert available >= 0, account
            expected = held.get(account["id"], 0) + (
                cards if account["code"] == "voucher_reserve" else 0)
            assert account["held_centi"] == expected, account
            assert account["incoming_centi"] == incoming.get(account["id"], 0), account
        assert await CreditTransaction.count() == self.posted
        result = await verify.verify(cid, record=False)
        assert result.ok, result


@pytest.mark.parametrize("seed", [0])
async def test_the_ledger_keeps_its_invariants(yizhan_db, clock, seed):
    Ledger.loop = asyncio.get_running_loop()
    Ledger.clock = clock
    machine_settings = settings(max_examples=20, stateful_step_count=25, deadline=None,
                                derandomize=True,
                                suppress_health_check=list(HealthCheck))
    await asyncio.to_thread(run_state_machine_as_test, Ledger, settings=machine_settings)
