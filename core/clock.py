"""An injectable clock: everything that asks "what time is it" asks here, so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)


class MovableClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The time the test set."""
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (naive values are taken as UTC)."""
        self._now = when if when.tzinfo else when.replace(tzinfo=UTC)

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        self._now += timedelta(**delta)
        return self._now


_clock: Clock = Clock()


def now() -> datetime:
    """The current time from the installed clock."""
    return _clock.now()


def install(clock: Clock) -> Clock:
    """Install ``clock`` process-wide and return the previous one."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def current() -> Clock:
    """The installed clock."""
    return _clock
