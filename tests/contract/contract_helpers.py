"""GraphQL documents and small helpers for the contract tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from yizhan.core import clock
from yizhan.core.config import get_settings
from yizhan.core.graphql.ids import pk_of
from yizhan.core.plugins import PluginRegistry
from yizhan.core.tables import HelpRecord, Need, NeedEvent, Notice, Notification, Outbox

POST_NEED = """mutation($input: PostNeedInput!) { postNeed(input: $input) {
  need { id status title } errors { field code message } } }"""

STEP = """mutation($input: NeedActionInput!) {{ {name}(input: $input) {{
  need {{ id status }} errors {{ field code message }} }} }}"""

CANCEL = """mutation($input: CancelNeedInput!) { cancelNeed(input: $input) {
  need { id status } errors { field code message } } }"""

SET_PLUGIN = """mutation($input: SetPluginEnabledInput!) { setPluginEnabled(input: $input) {
  plugin { name enabled } errors { field code message } } }"""

CONFIGURE = """mutation($input: ConfigurePluginInput!) { configurePlugin(input: $input) {
  plugin { name enabled settings } errors { field code message } } }"""

ECHO = """query($c: String!, $t: String!) { probeEcho(community: $c, text: $t) }"""


def load_registry(*modules) -> PluginRegistry:
    """A registry of the installed plugins plus ``modules`` (honouring allow/deny)."""
    settings = get_settings()
    registry = PluginRegistry()
    registry.load(settings.allowed_plugins, settings.denied_plugins, extra_modules=modules)
    return registry


def need_input(community: str = "testville", **overrides: Any) -> dict[str, Any]:
    """A valid postNeed input: 10:00-12:00 today (the test clock stands at 09:00)."""
    start = clock.now() + timedelta(hours=1)
    values = {"community": community, "title": "Buy soy sauce", "category": "errand",
              "windowStart": start.isoformat(),
              "windowEnd": (start + timedelta(hours=2)).isoformat(),
              "estimatedMinutes": 10, "credits": "0.20"}
    values.update(overrides)
    return values


async def post_need(actor, community: str = "testville", **overrides: Any) -> dict:
    """Post a need as ``actor``; the payload (need and errors)."""
    return await actor.gql.mutate(POST_NEED, {"input": need_input(community, **overrides)})


async def step(actor, name: str, need_id: str) -> dict:
    """Run a need step mutation (``acceptNeed``, ``markNeedDone`` …) as ``actor``."""
    return await actor.gql.mutate(STEP.format(name=name), {"input": {"needId": need_id}})


async def posted(actor, community: str = "testville", **overrides: Any) -> str:
    """Post a need that must succeed; its global id."""
    payload = await post_need(actor, community, **overrides)
    assert payload["errors"] == [], payload
    return payload["need"]["id"]


def need_pk(gid: str) -> int:
    """The primary key in a Need global id."""
    return pk_of(gid, "Need")


async def counts() -> dict[str, int]:
    """Row counts of what an action writes, to prove a refused action wrote nothing."""
    return {
        "needs": await Need.count(),
        "steps": await NeedEvent.count(),
        "notices": await Notice.count(),
        "notifications": await Notification.count(),
        "outbox": await Outbox.count(),
        "help": await HelpRecord.count(),
    }
