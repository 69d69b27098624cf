"""Periodic jobs: idempotent sweeps over what is due, with a lease so only one process runs each.

The server runs due jobs in the background; ``yizhan jobs run`` runs them once (for cron).
A job function gets the current time and returns how many things it acted on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from yizhan.core import audit, clock, db, metrics
from yizhan.core.tables import JobLease

log = logging.getLogger(__name__)
HOLDER = f"{socket.gethostname()}:{os.getpid()}"
#: How long a claim on a job lasts unless renewed: a crashed runner's job is free again
#: within this time. A running job renews its lease every :data:`RENEW_EVERY` seconds.
LEASE_SECONDS = 45
RENEW_EVERY = 15


@dataclass(frozen=True)
class Job:
    """A periodic job: a unique ``name``, how often (seconds), an async ``run(now)``."""

    name: str
    interval_seconds: int
    run: Callable[[datetime], Awaitable[int]]


def all_jobs() -> list[Job]:
    """Jobs registered by core and the installed plugins, in dependency order."""
    from yizhan.core.plugins import get_registry

    jobs: list[Job] = []
    owners: dict[str, str] = {}
    for plugin, answer in get_registry().register_results("yizhan_register_jobs").items():
        for job in answer or []:
            if job.name in owners:
                raise JobError(f"Job {job.name!r} is registered by both {owners[job.name]!r} "
                               f"and {plugin!r}")
            owners[job.name] = plugin
            jobs.append(job)
    return jobs


class JobError(RuntimeError):
    """Two plugins registered a job of the same name."""


async def _take_lease(job: Job, now: datetime, force: bool) -> bool:
    """Atomically claim ``job``: True if this process may run it now."""
    async with db.atomic():
        # Another runner may be creating the same row right now: never fail on that.
        await JobLease.insert(JobLease(name=job.name, holder="", locked_until=None)).on_conflict(
            target=JobLease.name, action="DO NOTHING")
        due = now - timedelta(seconds=job.interval_seconds)
        query = JobLease.update({
            JobLease.holder: HOLDER,
            JobLease.locked_until: now + timedelta(seconds=LEASE_SECONDS),
        }).where(JobLease.name == job.name).where(
            JobLease.locked_until.is_null() | (JobLease.locked_until < now)
        )
        if not force:
            query = query.where(JobLease.last_run_at.is_null() | (JobLease.last_run_at <= due))
        return bool(await query.returning(JobLease.id))


async def _renew(job: Job) -> None:
    """Keep this process's claim on ``job`` alive while it runs (a background task)."""
    while True:
        await asyncio.sleep(RENEW_EVERY)
        try:
            async with db.atomic():
                await JobLease.update({
                    JobLease.locked_until: clock.now() + timedelta(seconds=LEASE_SECONDS),
                }).where((JobLease.name == job.name) & (JobLease.holder == HOLDER))
        except Exception:  # the next renewal tries again; the lease outlives one miss
            log.exception("renewing the lease of job %s failed", job.name)


async def _release(job: Job, now: datetime) -> None:
    async with db.atomic():
        await JobLease.update({JobLease.locked_until: None, JobLease.last_run_at: now}).where(
            (JobLease.name == job.name) & (JobLease.holder == HOLDER)
        )


async def run_due(force: bool = False, only: str | None = None) -> dict[str, int | None]:
    """Run every job that is due (or all, with ``force``); {job: acted-on count or None}."""
    results: dict[str, int | None] = {}
    for job in all_jobs():
        if only and job.name != only:
            continue
        now = clock.now()
        if not await _take_lease(job, now, force):
            results[job.name] = None
            continue
        renewer = asyncio.create_task(_renew(job))
        metrics.JOB_RUNS.labels(job.name).inc()
        try:
            with audit.acting_as(audit.SYSTEM):
                results[job.name] = await job.run(now)
        except Exception:
            log.exception("job %s failed", job.name)
            metrics.JOB_FAILURES.labels(job.name).inc()
            results[job.name] = None
        finally:
            renewer.cancel()
            await _release(job, now)
    return results
