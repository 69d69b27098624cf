"""``raw_sql`` (the plugin API's plain SQL) numbers its placeholders once per statement text,
as Piccolo's ``Table.raw`` would on every run; and on PostgreSQL a write transaction lets the
server keep generic plans while reads outside one are planned for their own values."""

from __future__ import annotations

import os

import pytest

from yizhan.core.api import atomic, is_postgres, raw_sql
from yizhan.core.tables import Community


@pytest.mark.parametrize(("sql", "args"), [
    ("SELECT CAST({} AS INTEGER) AS a, {} AS b", (7, "seven")),
    ("SELECT 1 AS one", ()),
    ("SELECT name, slug FROM yz_community WHERE name = {} AND slug = {}", ("Testville",
                                                                         "testville")),
])
async def test_raw_sql_answers_as_piccolo_raw_does(community, sql, args):
    ours = await raw_sql(sql, *args)
    assert ours == await Community.raw(sql, *args)
    assert ours and isinstance(ours[0], dict)


async def test_a_doubled_brace_is_a_literal_one(community):
    # (Piccolo's raw numbers its values by the pieces of text, so a doubled brace there moves
    # every later value: ours numbers the placeholders themselves.)
    rows = await raw_sql("SELECT '{{}}' AS braces, CAST({} AS INTEGER) AS v, {} AS w", 5, "x")
    assert rows == [{"braces": "{}", "v": 5, "w": "x"}]


async def test_the_same_text_with_other_values_gets_its_own_values(community):
    sql = "SELECT name FROM yz_community WHERE id = {}"
    assert await raw_sql(sql, community["id"]) == [{"name": community["name"]}]
    assert await raw_sql(sql, -1) == []


async def test_writes_in_a_transaction_commit_or_roll_back(community):
    sql = "UPDATE yz_community SET name = {} WHERE id = {}"
    async with atomic():
        await raw_sql(sql, "Renamed in a transaction", community["id"])
    assert (await raw_sql("SELECT name FROM yz_community WHERE id = {}", community["id"]))[0][
        "name"] == "Renamed in a transaction"
    with pytest.raises(RuntimeError):
        async with atomic():
            await raw_sql(sql, "Never seen", community["id"])
            raise RuntimeError("undo")
    assert (await raw_sql("SELECT name FROM yz_community WHERE id = {}", community["id"]))[0][
        "name"] == "Renamed in a transaction"
    await raw_sql(sql, community["name"], community["id"])


@pytest.mark.skipif(not os.environ.get("YIZHAN_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="PostgreSQL's plan cache (SQLite has none)")
async def test_write_transactions_keep_generic_plans_and_reads_plan_each_run(community):
    assert is_postgres()
    show = "SELECT current_setting('plan_cache_mode') AS mode"
    assert (await raw_sql(show))[0]["mode"] == "force_custom_plan"
    async with atomic():
        assert (await raw_sql(show))[0]["mode"] == "auto"
    with pytest.raises(RuntimeError):
        async with atomic():
            assert (await raw_sql(show))[0]["mode"] == "auto"
            raise RuntimeError("rolled back")
    for _ in range(3):  # the pool's connections are back to planning each read
        assert (await raw_sql(show))[0]["mode"] == "force_custom_plan"
