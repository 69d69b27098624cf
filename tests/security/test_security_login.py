"""Logins against a real ``yizhan serve``: the rate limit holds under parallel guesses, and
password hashing does not stall other requests."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter

import httpx
from security_helpers import LOGIN, login_outcome, post

from yizhan.core.services import people
from yizhan.testing.people import PASSWORD
from yizhan.testing.server import start_server

READ = "{ communities { slug } }"


async def test_parallel_wrong_passwords_check_only_the_allowed_five(yizhan_server, community):
    await people.create_person("target", "Target", PASSWORD)
    async with httpx.AsyncClient() as client:
        results = await asyncio.gather(*(
            post(client, yizhan_server.graphql_url, LOGIN, {"i": "target", "p": f"wrong-{n}"})
            for n in range(25)))
        outcomes = Counter(login_outcome(r) for r in results)
        assert outcomes == {"INVALID_CREDENTIALS": 5, "RATE_LIMITED": 20}
        # The right password now waits for the window like every other guess.
        right = await post(client, yizhan_server.graphql_url, LOGIN,
                           {"i": "target", "p": PASSWORD})
        assert login_outcome(right) == "RATE_LIMITED"


async def test_parallel_guesses_with_the_right_one_among_them_are_bounded(yizhan_server,
                                                                          community):
    await people.create_person("target", "Target", PASSWORD)
    async with httpx.AsyncClient() as client:
        guesses = [f"wrong-{n}" for n in range(24)] + [PASSWORD]
        results = await asyncio.gather(*(
            post(client, yizhan_server.graphql_url, LOGIN, {"i": "target", "p": p})
            for p in guesses))
    outcomes = Counter(login_outcome(r) for r in results)
    # At most the allowed five were checked before the limit (the right one may be among
    # them: then its success resets the count, as a good login does, and a few more run).
    assert outcomes["RATE_LIMITED"] >= 15, outcomes
    if not outcomes["TOKEN"]:
        assert outcomes["INVALID_CREDENTIALS"] == 5, outcomes


async def test_guesses_from_one_address_are_limited_across_accounts(yizhan_db, community):
    server = await start_server(yizhan_db, env={"YIZHAN_LOGIN_MAX_FAILURES_PER_ADDRESS": "8"})
    try:
        async with httpx.AsyncClient() as client:
            results = await asyncio.gather(*(
                post(client, server.graphql_url, LOGIN, {"i": f"nobody{n}", "p": "guess-it"})
                for n in range(12)))
        outcomes = Counter(login_outcome(r) for r in results)
        assert outcomes == {"INVALID_CREDENTIALS": 8, "RATE_LIMITED": 4}
    finally:
        server.stop()


async def _timed_read(client: httpx.AsyncClient, url: str) -> float:
    started = time.perf_counter()
    result = await post(client, url, READ)
    assert result["data"]["communities"] == [{"slug": "testville"}]
    return time.perf_counter() - started


async def test_reads_stay_fast_during_sixteen_parallel_logins(yizhan_server, community):
    url = yizhan_server.graphql_url
    async with httpx.AsyncClient() as client:
        for _ in range(3):  # warm up caches and connections
            await _timed_read(client, url)
        started = time.perf_counter()
        burst = asyncio.gather(*(
            post(client, url, LOGIN, {"i": f"made-up-{n}", "p": "not-the-password"})
            for n in range(16)))
        await asyncio.sleep(0)  # the logins are sent first
        during: list[float] = []
        while not burst.done():
            during.append(await _timed_read(client, url))
        results = await burst
        burst_seconds = time.perf_counter() - started
    assert {login_outcome(r) for r in results} == {"INVALID_CREDENTIALS"}
    assert len(during) >= 5, (during, burst_seconds)
    # Hashing on the event loop made each read wait behind the logins queued before it
    # (measured: a read took 4-6 % of the burst, 20-40 times a quiet read); off the loop it
    # takes under 1 %.
    assert statistics.median(during) < 0.025 * burst_seconds, (during, burst_seconds)
