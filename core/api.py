"""The public API of core for plugin authors: import from here, nothing else is promised.

Everything a plugin needs — the hook marker and spec, errors, the transaction, the clock,
community and member look-ups, the notice board, notifications, the outbox, GraphQL helpers —
is re-exported here, so core can move its insides without breaking plugins.
"""

from __future__ import annotations

from yizhan.core import deadlines as _deadlines
from yizhan.core import indicators as _indicators

# The contract: hooks, specs, errors, transactions, time, jobs, GraphQL helpers, messages.
from yizhan.core import typeable_codes as typeable_codes
from yizhan.core.clock import now as now
from yizhan.core.core_indicators import needs_breakdown as needs_breakdown
from yizhan.core.db import after_commit as after_commit
from yizhan.core.db import atomic as atomic
from yizhan.core.db import is_postgres as is_postgres
from yizhan.core.deadlines import Deadline as Deadline
from yizhan.core.errors import YizhanError as YizhanError
from yizhan.core.errors import forbidden as forbidden
from yizhan.core.errors import invalid as invalid
from yizhan.core.errors import not_found as not_found
from yizhan.core.errors import (
    plugin_disabled,
)
from yizhan.core.events import EventContext as EventContext
from yizhan.core.events import emit as emit
from yizhan.core.events import hook as hook
from yizhan.core.fonts import find_cjk_font as find_cjk_font
from yizhan.core.graphql.connections import Connection as Connection
from yizhan.core.graphql.connections import page_size as page_size
from yizhan.core.graphql.contributions import GraphQLContribution as GraphQLContribution
from yizhan.core.graphql.errors import UserError as UserError
from yizhan.core.graphql.errors import payload as payload
from yizhan.core.graphql.ids import from_cursor as from_cursor
from yizhan.core.graphql.ids import pk_of as pk_of
from yizhan.core.graphql.ids import to_gid as to_gid
from yizhan.core.graphql.loaders import members_by_id as members_by_id
from yizhan.core.graphql.scalars import Credits as Credits
from yizhan.core.graphql.types import Member as Member
from yizhan.core.graphql.types import member_by_id as member_by_id
from yizhan.core.graphql.types import member_objects as member_objects
from yizhan.core.i18n import translate as translate
from yizhan.core.indicators import Indicator as Indicator
from yizhan.core.jobs import Job as Job
from yizhan.core.metrics import MetricGauge as MetricGauge
from yizhan.core.plugins import PluginSpec as PluginSpec
from yizhan.core.plugins import Veto as Veto
from yizhan.core.plugins import hookimpl as hookimpl
from yizhan.core.services.communities import (
    communities_with_plugin as communities_with_plugin,
)
from yizhan.core.services.communities import (
    get_community,
    get_community_by_id,
)
from yizhan.core.services.communities import list_buildings as list_buildings
from yizhan.core.services.hours import community_hours as community_hours
from yizhan.core.services.hours import (
    helpers_between as helpers_between,
)
from yizhan.core.services.hours import (
    member_hours as member_hours,
)
from yizhan.core.services.members import count_members as count_members
from yizhan.core.services.members import get_member as get_member
from yizhan.core.services.notices import post_notice as post_notice
from yizhan.core.services.notifications import notify as notify
from yizhan.core.services.outbox import publish as publish
from yizhan.core.services.validation import credits_to_centi as credits_to_centi
from yizhan.core.services.validation import format_centi as format_centi
from yizhan.core.services.validation import is_admin as is_admin
from yizhan.core.services.validation import is_leader_of as is_leader_of
from yizhan.core.services.validation import require_admin as require_admin
from yizhan.core.switches import switches

#: Deadlines (see :mod:`yizhan.core.deadlines`): schedule or move, cancel, look up.
schedule_deadline = _deadlines.schedule
cancel_deadline = _deadlines.cancel
cancel_deadlines = _deadlines.cancel_all
pending_deadlines = _deadlines.pending
#: What an indicator is computed for, and the units it may have.
IndicatorScope = _indicators.Scope
INDICATOR_UNITS = _indicators.UNITS
#: Helpers for indicators in raw SQL: the community condition, a percentage, a median.
indicator_community_sql = _indicators.community_sql
indicator_share = _indicators.share
indicator_median = _indicators.median_sql
#: Every installed indicator, those of plugins on in a community, and computing them.
all_indicators = _indicators.all_indicators
indicators_for = _indicators.indicators_for
compute_indicators = _indicators.compute


def build_connection(rows: list[dict], size: int, convert, key: str = "id") -> Connection:
    """A Relay connection from ``size + 1`` rows fetched newest/oldest first by ``key``
    (the extra row says there is a next page); ``convert`` turns a row into a node."""
    from yizhan.core.graphql.connections import build

    return build(rows, size, convert, key)

async def community_with_plugin(slug_or_id: str | int, plugin: str) -> dict:
    """A community row (by slug or id), refused with PLUGIN_DISABLED where ``plugin`` is off."""
    community = (await get_community_by_id(slug_or_id) if isinstance(slug_or_id, int)
                 else await get_community(slug_or_id))
    if not switches.enabled(community["id"], plugin):
        raise plugin_disabled(plugin)
    return community


async def community_admins(community_id: int) -> list[dict]:
    """The verified admins of a community (member rows), oldest first."""
    from yizhan.core.services.members import leaders_of

    return await leaders_of(community_id, None)


def plugin_settings(community_id: int, plugin: str):
    """``plugin``'s validated settings in a community."""
    return switches.settings(community_id, plugin)


__all__ = [name for name in dir() if not name.startswith("_")]
