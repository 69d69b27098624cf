"""Wait for new needs with a GraphQL subscription (gql over graphql-transport-ws).

Logs in over HTTP, then subscribes to ``needPosted`` for the community and prints every need
posted from now on as one JSON line — the building's own by default (an admin without a
building sees all).

    python wait_for_need.py --user li --count 1

"subscribed" goes to stderr once the subscription is sent; needs go to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from gql import GraphQLRequest
from yizhan_client import log_in, say, ws_client

NEED_POSTED = """
subscription NeedPosted($slug: String!) {
  needPosted(community: $slug) {
    id title category credits windowStart
    requester { displayName }
    building { name }
  }
}"""


async def main(args: argparse.Namespace) -> None:
    token = await log_in(args.url, args.user, args.password)
    ws_url = args.url.replace("http://", "ws://").replace("https://", "wss://")
    seen = 0
    async with ws_client(ws_url, token) as session:
        say("subscribed")
        async for event in session.subscribe(GraphQLRequest(
                NEED_POSTED, variable_values={"slug": args.community})):
            print(json.dumps(event["needPosted"], ensure_ascii=False), flush=True)
            seen += 1
            if args.count and seen >= args.count:
                break


def parse() -> argparse.Namespace:
    """Command-line options; the defaults fit ``yizhan init --demo``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--community", default="shuixie")
    parser.add_argument("--user", default="li")
    parser.add_argument("--password", default="yizhan-demo")
    parser.add_argument("--count", type=int, default=0, help="Stop after this many (0: never).")
    return parser.parse_args()


if __name__ == "__main__":
    try:
        asyncio.run(main(parse()))
    except KeyboardInterrupt:
        pass
