"""The core flow of a time bank through Yizhan's GraphQL API, with Python's gql client.

A resident posts a need, a neighbour accepts it and marks it done, the resident confirms —
then both see where they stand: their credit balances where the community has the credits
plugin on, otherwise the hours they gave and received.

    pip install -r requirements.txt
    yizhan init --demo && yizhan serve          # another terminal
    python core_flow.py                          # the demo's 小刘 asks, 陈师傅 helps

Progress goes to stderr; a JSON summary to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta

from yizhan_client import YizhanError, call, http_client, log_in, say

COMMUNITY = """
query Community($slug: String!) {
  community(slug: $slug) { name enabledPlugins }
}"""

POST_NEED = """
mutation PostNeed($input: PostNeedInput!) {
  postNeed(input: $input) {
    need { id title status credits estimatedMinutes }
    errors { field code message }
  }
}"""

# One document for the three steps: the operation name picks the mutation.
STEPS = """
mutation Accept($input: NeedActionInput!) {
  acceptNeed(input: $input) { need { status helper { displayName } } errors { field code message } }
}
mutation MarkDone($input: NeedActionInput!) {
  markNeedDone(input: $input) { need { status } errors { field code message } }
}
mutation Confirm($input: NeedActionInput!) {
  confirmNeed(input: $input) { need { status closedAt } errors { field code message } }
}"""

CREDITS = """
query MyCredits($slug: String!) {
  myCredits(community: $slug) { balance available }
}"""

HOURS = """
query MyHours {
  viewer {
    memberships { community { slug } hours { minutesGiven minutesReceived needsHelped } }
  }
}"""


async def step(url: str, token: str, operation: str, need_id: str) -> dict:
    """Run one of the :data:`STEPS` as the member holding ``token``."""
    from gql import GraphQLRequest

    async with http_client(url, token) as session:
        result = await session.execute(GraphQLRequest(
            STEPS, variable_values={"input": {"needId": need_id}}, operation_name=operation))
    (payload,) = result.values()
    if payload["errors"]:
        raise YizhanError(payload["errors"][0]["code"], payload["errors"][0]["message"])
    return payload["need"]


async def standing(url: str, token: str, slug: str, credits_on: bool) -> dict:
    """The member's balance (credits on) or hours (credits off) in the community."""
    async with http_client(url, token) as session:
        if credits_on:
            return (await call(session, CREDITS, slug=slug))["myCredits"]
        viewer = (await call(session, HOURS))["viewer"]
    return next(m["hours"] for m in viewer["memberships"] if m["community"]["slug"] == slug)


async def main(args: argparse.Namespace) -> dict:
    requester = await log_in(args.url, args.requester, args.password)
    helper = await log_in(args.url, args.helper, args.helper_password or args.password)
    async with http_client(args.url, requester) as session:
        community = (await call(session, COMMUNITY, slug=args.community))["community"]
        credits_on = "credits" in community["enabledPlugins"]
        start = datetime.now(UTC) + timedelta(minutes=30)
        need = (await call(session, POST_NEED, input={
            "community": args.community, "title": args.title, "category": "errand",
            "windowStart": start.isoformat(), "windowEnd": (start + timedelta(hours=2)).isoformat(),
            "estimatedMinutes": 10, "credits": args.credits,
        }))["postNeed"]["need"]
    say(f"Posted “{need['title']}” in {community['name']} ({need['credits']} credits).")
    accepted = await step(args.url, helper, "Accept", need["id"])
    say(f"{accepted['helper']['displayName']} accepted it.")
    await step(args.url, helper, "MarkDone", need["id"])
    say("The helper marked it done.")
    confirmed = await step(args.url, requester, "Confirm", need["id"])
    say(f"Confirmed: {confirmed['status']}.")
    summary = {
        "need": need["id"], "title": need["title"], "status": confirmed["status"],
        "credits": need["credits"], "mode": "credits" if credits_on else "hours",
        "requester": await standing(args.url, requester, args.community, credits_on),
        "helper": await standing(args.url, helper, args.community, credits_on),
    }
    if credits_on:
        say(f"Balances: requester {summary['requester']['balance']}, "
            f"helper {summary['helper']['balance']}.")
    else:
        say(f"Hours: the helper gave {summary['helper']['minutesGiven']} minutes, the "
            f"requester received {summary['requester']['minutesReceived']}.")
    return summary


def parse() -> argparse.Namespace:
    """Command-line options; the defaults fit ``yizhan init --demo``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--community", default="shuixie")
    parser.add_argument("--requester", default="liu")
    parser.add_argument("--helper", default="chen")
    parser.add_argument("--password", default="yizhan-demo")
    parser.add_argument("--helper-password", default=None)
    parser.add_argument("--title", default="Carry a parcel upstairs")
    parser.add_argument("--credits", default="0.20")
    return parser.parse_args()


if __name__ == "__main__":
    try:
        print(json.dumps(asyncio.run(main(parse())), ensure_ascii=False))
    except YizhanError as error:
        raise SystemExit(f"error: {error}") from None
