"""The public figures read running totals (counts, the answer-time distribution, the open
requests the due deadline marked): after a scripted history across two months — answers at
odd delays, ratings, a close, a rejection, a reopening, deadlines passing before and after
the deadline sweep ran, an urgency moving a marked deadline away — every figure equals what a
model of the history, computed from scratch in the test, gives. The rebuild that backfills
the totals in the migration gives the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from zoneinfo import ZoneInfo

from governance_helpers import ANSWER, CLOSE, RATE, REJECT, REOPEN, TRIAGE, submitted

from yizhan.core import deadlines, indicators
from yizhan.core.api import IndicatorScope

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = {"red": 48, "yellow": 120, "blue": 360}
PERIOD = ("submitted dueOrAnswered answered answeredOnTime overdueOpen onTimePercent "
          "medianHoursToAnswer rated satisfactionPercent")
QUERY = ('query { governanceFigures(community: "testville") { thisMonth { ' + PERIOD
         + ' } allTime { ' + PERIOD + ' } byUrgency { urgency thisMonth { ' + PERIOD
         + ' } allTime { ' + PERIOD + ' } } } }')


class Model:
    """The requests as the test made them, and the figures counted from them."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.rows: dict[str, dict] = {}

    def submitted(self, request: dict, level: str) -> None:
        at = self.clock.now()
        self.rows[request["id"]] = {"urgency": level, "submitted_at": at, "clock_from": at,
                                    "status": "open", "answer_seconds": None,
                                    "on_time": None, "satisfied": None}

    def due(self, row: dict) -> datetime:
        return row["clock_from"] + timedelta(hours=HOURS[row["urgency"]])

    def answered(self, request: dict) -> None:
        row, at = self.rows[request["id"]], self.clock.now()
        row.update(status="answered", answer_seconds=int((at - row["clock_from"])
                                                          .total_seconds()),
                   on_time=at <= self.due(row))

    def reopened(self, request: dict) -> None:
        self.rows[request["id"]].update(status="open", clock_from=self.clock.now(),
                                        answer_seconds=None, on_time=None, satisfied=None)

    def period(self, rows: list[dict]) -> dict:
        now = self.clock.now()
        rows = [r for r in rows if r["status"] != "rejected"]
        answered = [r for r in rows if r["answer_seconds"] is not None]
        overdue = [r for r in rows if r["status"] == "open" and self.due(r) < now]
        rated = [r for r in rows if r["satisfied"] is not None]
        on_time = sum(1 for r in answered if r["on_time"])
        due = len(answered) + len(overdue)

        def percent(part: int, whole: int) -> str | None:
            return None if not whole else str(
                (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))

        hours = None
        if answered:
            middle = Decimal(str(median(r["answer_seconds"] for r in answered)))
            hours = str((middle / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP))
        return {"submitted": len(rows), "dueOrAnswered": due, "answered": len(answered),
                "answeredOnTime": on_time, "overdueOpen": len(overdue),
                "onTimePercent": percent(on_time, due), "medianHoursToAnswer": hours,
                "rated": len(rated),
                "satisfactionPercent": percent(sum(1 for r in rated if r["satisfied"]),
                                               len(rated))}

    def figures(self) -> dict:
        local = self.clock.now().astimezone(SHANGHAI)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        rows = list(self.rows.values())
        month = [r for r in rows if r["submitted_at"] >= start]
        return {"thisMonth": self.period(month), "allTime": self.period(rows),
                "byUrgency": [{"urgency": u.upper(),
                               "thisMonth": self.period([r for r in month
                                                         if r["urgency"] == u]),
                               "allTime": self.period([r for r in rows
                                                       if r["urgency"] == u])}
                              for u in HOURS]}


async def test_figures_equal_a_count_from_scratch_after_a_scripted_history(
        gov, resident, admin, gql, clock):
    model = Model(clock)
    checks = 0

    async def same() -> None:
        nonlocal checks
        assert (await gql.data(QUERY))["governanceFigures"] == model.figures(), checks
        checks += 1

    async def submit(level: str) -> dict:
        request = await submitted(resident, suggestedUrgency=level.upper())
        model.submitted(request, level)
        return request

    async def answer(request: dict) -> None:
        result = await admin.gql.mutate(ANSWER, {"i": {"requestId": request["id"],
                                                       "response": "Done."}})
        assert result["errors"] == []
        model.answered(request)

    async def step(query: str, actor, **fields) -> dict:
        result = await actor.gql.mutate(query, {"i": fields})
        assert result["errors"] == [], result
        return result["request"]

    await same()  # nothing yet
    clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))  # 20:00 in Shanghai
    r1, r2, r3 = await submit("red"), await submit("yellow"), await submit("blue")
    r4, r5 = await submit("red"), await submit("yellow")
    clock.advance(hours=1, minutes=23, seconds=17)
    await answer(r1)
    await same()  # one answer: its time is the median
    clock.advance(hours=3, seconds=41)
    await answer(r2)
    await same()  # two: the mean of the middle two
    clock.advance(hours=2, minutes=11, seconds=5)
    await answer(r5)
    await step(RATE, resident, requestId=r1["id"], satisfied=True)
    model.rows[r1["id"]]["satisfied"] = True
    await step(RATE, resident, requestId=r5["id"], satisfied=False)
    model.rows[r5["id"]]["satisfied"] = False
    await step(CLOSE, resident, requestId=r5["id"])
    model.rows[r5["id"]]["status"] = "closed"
    await same()
    clock.set(datetime(2026, 11, 28, 0, 0, tzinfo=UTC))
    r8 = await submit("red")  # due 30 November 00:00
    # r4's deadline passes; the sweep has not run yet: overdue all the same
    clock.set(datetime(2026, 11, 29, 12, 30, tzinfo=UTC))
    await same()
    assert await deadlines.run_due(clock.now()) >= 1  # the due deadline marks it
    assert (await gql.data(QUERY))["governanceFigures"]["allTime"]["overdueOpen"] == 1
    await same()
    # a longer urgency moves the marked deadline away: no longer overdue
    await step(TRIAGE, admin, requestId=r4["id"], urgency="BLUE")
    model.rows[r4["id"]]["urgency"] = "blue"
    await same()
    clock.set(datetime(2026, 11, 30, 0, 10, 7, tzinfo=UTC))
    await same()
    await deadlines.run_due(clock.now())
    await same()
    await answer(r8)  # late: the marked one leaves the overdue count
    await same()
    await step(REOPEN, resident, requestId=r2["id"], reason="Still broken.")
    model.reopened(r2)
    await same()
    # December in Shanghai: this month starts again
    clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    r6, r7 = await submit("red"), await submit("blue")
    await same()
    clock.advance(minutes=20, seconds=3)
    await answer(r2)
    await answer(r6)
    await step(REJECT, admin, requestId=r3["id"], reason="Not the community's to fix.")
    model.rows[r3["id"]]["status"] = "rejected"
    await same()
    clock.advance(hours=5, seconds=59)
    await answer(r4)  # blue now: on time
    await same()
    clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
    await deadlines.run_due(clock.now())
    await step(CLOSE, resident, requestId=r1["id"])
    model.rows[r1["id"]]["status"] = "closed"
    await same()
    assert model.rows[r7["id"]]["status"] == "open" and checks == 15

    # The indicators of whole local months read the same running totals.
    found = {i.key: i for i in indicators.all_indicators() if i.plugin == "governance"}
    for first, after in (((2026, 11), (2026, 12)), ((2026, 12), (2027, 1))):
        start = datetime(*first, 1, tzinfo=SHANGHAI).astimezone(UTC)
        end = datetime(*after, 1, tzinfo=SHANGHAI).astimezone(UTC)
        scope = IndicatorScope(gov["id"], start, end)
        expected = model.period([r for r in model.rows.values()
                                 if start <= r["submitted_at"] < end])
        assert await found["governance.requests_submitted"].compute(scope) == \
            expected["submitted"]
        for key, name in (("answered_on_time", "onTimePercent"),
                          ("median_hours_to_answer", "medianHoursToAnswer"),
                          ("satisfaction", "satisfactionPercent")):
            value = await found[f"governance.{key}"].compute(scope)
            assert (None if value is None else str(value)) == expected[name], key

    # The migration's backfill rebuilds the same totals from the requests.
    from yizhan.plugins.governance.totals import rebuild

    await rebuild()
    await same()
