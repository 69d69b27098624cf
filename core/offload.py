"""CPU-heavy work (password hashing, PDF rendering, chain verification) off the event loop.

Such work run on the event loop stalls every other request: during 16 parallel logins a
one-row read took seconds. :func:`run_cpu` runs a function in a worker thread, at most
``YIZHAN_CPU_THREADS`` at a time (argon2, fpdf2's compression and hashlib release the GIL
for most of their work), so a burst of logins queues behind a small pool instead of
starving reads.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from anyio import CapacityLimiter, to_thread

from yizhan.core.config import get_settings

T = TypeVar("T")

#: One limiter per event loop (tests and CLI commands may run several loops in turn).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary())


def _limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    found = _limiters.get(loop)
    if found is None:
        found = CapacityLimiter(max(1, get_settings().cpu_threads))
        _limiters[loop] = found
    return found


async def run_cpu(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a bounded worker thread; its result (or exception).

    The function must not touch the database (it runs outside the request's transaction).
    """
    call = functools.partial(function, *args, **kwargs) if kwargs else function
    return await to_thread.run_sync(call, *args if not kwargs else (), limiter=_limiter())
