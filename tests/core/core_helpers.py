"""Helpers shared by core's tests: GraphQL documents, posting needs, row snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from yizhan.core import clock as clock_module
from yizhan.core.tables import (
    Building,
    HelpRecord,
    Member,
    Need,
    NeedEvent,
    Notice,
    Notification,
    Outbox,
    Person,
    Token,
)
from yizhan.testing.client import GraphQLClient
from yizhan.testing.people import Actor

NEED_FIELDS = """id status title category credits lateNight weekend escalated estimatedMinutes
  windowStart windowEnd closeReason
  requester { id displayName } postedBy { id } helper { id } building { id name }"""

POST_NEED = f"""mutation($input: PostNeedInput!) {{ postNeed(input: $input) {{
  need {{ {NEED_FIELDS} }} errors {{ field code message }} }} }}"""

STEP = """mutation($input: NeedActionInput!) {{ {name}(input: $input) {{
  need {{ id status helper {{ id }} }} errors {{ field code message }} }} }}"""

CANCEL = """mutation($input: CancelNeedInput!) { cancelNeed(input: $input) {
  need { id status closeReason } errors { field code message } } }"""

NEED = f"""query($id: ID!) {{ need(id: $id) {{ {NEED_FIELDS}
  history {{ action note actorId }} }} }}"""

UNREAD = """query { unreadCount(community: "testville") }"""

INBOX = """query { notifications(community: "testville", first: 100) {
  nodes { id kind title body read } } }"""


def local(text: str) -> datetime:
    """A Shanghai wall-clock time, e.g. ``local("2026-11-02 10:00")``."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def window(start_in: timedelta = timedelta(hours=1), length: timedelta = timedelta(hours=2)
           ) -> tuple[str, str]:
    """A time window relative to the test clock, as ISO strings."""
    start = clock_module.now() + start_in
    return start.isoformat(), (start + length).isoformat()


def need_input(**overrides: Any) -> dict[str, Any]:
    """A valid postNeed input (a 10-minute errand in the next hours), with overrides."""
    start, end = window()
    values = {"community": "testville", "title": "Buy soy sauce", "category": "errand",
              "windowStart": start, "windowEnd": end, "estimatedMinutes": 10,
              "credits": "0.20"}
    values.update(overrides)
    return values


async def post_need(actor: Actor, **overrides: Any) -> dict[str, Any]:
    """Post a need as ``actor`` and return it; the post must succeed."""
    payload = await actor.gql.mutate(POST_NEED, {"input": need_input(**overrides)})
    assert payload["errors"] == [], payload
    return payload["need"]


async def step(actor: Actor | GraphQLClient, name: str, need_id: str) -> dict[str, Any]:
    """Run a need step mutation (``acceptNeed`` …) and return its payload."""
    client = actor.gql if isinstance(actor, Actor) else actor
    return await client.mutate(STEP.format(name=name), {"input": {"needId": need_id}})


async def step_ok(actor: Actor, name: str, need_id: str, status: str) -> dict[str, Any]:
    """A step that must succeed and leave the need in ``status`` (``"accepted"`` means the
    ``NeedStatus`` value ``ACCEPTED``)."""
    payload = await step(actor, name, need_id)
    assert payload["errors"] == [], payload
    assert payload["need"]["status"] == status.upper()
    return payload["need"]


async def step_refused(actor: Actor, name: str, need_id: str) -> str:
    """The code of a refused step, payload error or GraphQL error alike; asserts no change."""
    client = actor.gql if isinstance(actor, Actor) else actor
    result = await client.execute(STEP.format(name=name), {"input": {"needId": need_id}})
    if result.get("errors"):
        assert result["data"] is None
        return result["errors"][0]["extensions"]["code"]
    payload = result["data"][name]
    assert payload["need"] is None and len(payload["errors"]) == 1, payload
    return payload["errors"][0]["code"]


async def need_status(actor: Actor, need_id: str) -> str:
    """The status of a need as ``actor`` sees it."""
    return (await actor.gql.data(NEED, {"id": need_id}))["need"]["status"]


async def unread(actor: Actor) -> int:
    """``actor``'s unread notification count in testville."""
    return (await actor.gql.data(UNREAD))["unreadCount"]


async def inbox(actor: Actor) -> list[dict[str, Any]]:
    """``actor``'s notifications in testville, newest first."""
    return (await actor.gql.data(INBOX))["notifications"]["nodes"]


TABLES = (Person, Member, Building, Need, NeedEvent, HelpRecord, Notice, Notification, Outbox,
          Token)


async def snapshot() -> dict[str, int]:
    """Row counts of core's tables: compare before and after a refused action."""
    return {t._meta.tablename: await t.count() for t in TABLES}
