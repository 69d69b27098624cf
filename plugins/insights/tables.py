"""The insights plugin's tables: the stored values of closed periods, and snapshots of the
running ones.

Once a month (or quarter) has ended in a community's time zone, the ``insights.close_months``
job computes every indicator once and stores it here; reading a closed period afterwards is
one indexed query and never changes. A period still running is read from its snapshot, which
the ``insights.refresh_running`` job recomputes every ``running_refresh_minutes``.
``community`` 0 holds the whole deployment's figures.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Text, Timestamptz, Varchar
from piccolo.table import Table


class InsightsValue(Table, tablename="yz_insights_value"):
    """One indicator's value for one closed period of a community (0: the deployment)."""

    community = BigInt(default=0, index=True)
    #: ``2026-11`` or ``2026-Q4``.
    period = Varchar(length=8, index=True)
    key = Varchar(length=100)
    #: The exact value as text (``42``, ``61.5``); null when there was nothing to measure.
    value = Varchar(length=40, null=True, default=None)
    stored_at = Timestamptz(default=None, null=True)


class InsightsClosedPeriod(Table, tablename="yz_insights_closed"):
    """A period whose values are stored (once: the job skips it afterwards)."""

    community = BigInt(default=0, index=True)
    period = Varchar(length=8)
    closed_at = Timestamptz(default=None, null=True)
    #: The admins were sent the monthly report (months of communities only).
    report_sent = Boolean(default=False)


class InsightsSnapshot(Table, tablename="yz_insights_snapshot"):
    """Every indicator of a running period of a community (0: the deployment) as of
    ``computed_at``: one row per (community, period), replaced when it is refreshed."""

    community = BigInt(default=0)
    #: ``2026-11`` or ``2026-Q4``.
    period = Varchar(length=8)
    #: When the figures were computed (reads show "as of" this time).
    computed_at = Timestamptz(default=None, null=True)
    #: ``{key: exact text or null}`` as JSON: every indicator on in the community then.
    figures = Text(default="{}")
    #: ``{"category": [[label, needs], …], "building": …}`` as JSON: the monthly report's
    #: breakdowns of the period's needs (once the period ended: its final ones).
    breakdowns = Text(default="{}")
