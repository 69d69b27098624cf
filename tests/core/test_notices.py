"""The notice board, the inbox, and hours of help without money."""

from __future__ import annotations

import pytest
from core_helpers import inbox, post_need, snapshot, step, step_ok, unread

from yizhan.core.errors import YizhanError
from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import notices as notices_service

POST_NOTICE = """mutation($input: PostNoticeInput!) { postNotice(input: $input) {
  notice { id title body source pinned } errors { field code message } } }"""

BOARD = """query($first: Int, $after: String, $source: String) {
  notices(community: "testville", first: $first, after: $after, source: $source) {
    nodes { title pinned source } pageInfo { hasNextPage endCursor } } }"""

MARK = """mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) {
  count errors { field code message } } }"""


async def announce(actor, title: str, **values) -> dict:
    return await actor.gql.execute(POST_NOTICE, {"input": {
        "community": "testville", "title": title, **values}})


async def test_leaders_and_admins_post_and_anyone_reads(admin, leader, deputy, gql):
    for actor, title in ((admin, "Cashflow game on Saturday"), (leader, "Lift repair"),
                         (deputy, "Dumplings for elders")):
        payload = (await announce(actor, title, body="Details"))["data"]["postNotice"]
        assert payload["errors"] == [] and payload["notice"]["source"] == "core"
    pinned = (await announce(admin, "Rules of the time bank", pinned=True))["data"]
    assert pinned["postNotice"]["notice"]["pinned"] is True
    # Public: no login needed; pinned first, then newest first.
    board = (await gql.data(BOARD))["notices"]["nodes"]
    assert [n["title"] for n in board] == ["Rules of the time bank", "Dumplings for elders",
                                           "Lift repair", "Cashflow game on Saturday"]


async def test_residents_and_outsiders_cannot_post(resident, pending, admin, gql):
    before = await snapshot()
    for client, code in ((resident.gql, "FORBIDDEN"), (pending.gql, "NOT_VERIFIED"),
                         (gql, "UNAUTHENTICATED")):
        result = await client.execute(POST_NOTICE, {"input": {"community": "testville",
                                                              "title": "Hello"}})
        assert result["errors"][0]["extensions"]["code"] == code
    for values, code in (({"title": "  "}, "REQUIRED"), ({"title": "x" * 121}, "TOO_LONG"),
                         ({"title": "ok", "body": "x" * 5001}, "TOO_LONG")):
        result = await admin.gql.execute(POST_NOTICE, {"input": {"community": "testville",
                                                                 **values}})
        assert [e["code"] for e in result["data"]["postNotice"]["errors"]] == [code]
    result = await admin.gql.execute(POST_NOTICE, {"input": {"community": "nowhere",
                                                             "title": "x"}})
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await snapshot() == before


async def test_plugins_post_through_cores_api(community, gql, admin):
    await notices_service.post_notice(community["id"], "Mutual aid star: Grandma Li",
                                      source="badges")
    await announce(admin, "A person's notice")
    board = (await gql.data(BOARD, {"source": "badges"}))["notices"]["nodes"]
    assert board == [{"title": "Mutual aid star: Grandma Li", "pinned": False,
                      "source": "badges"}]
    with pytest.raises(YizhanError) as refused:
        await notices_service.post_notice(community["id"], "")
    assert refused.value.code == "REQUIRED"


async def test_board_pages_hold_every_notice_once_pinned_first(community, gql):
    titles = []
    for i in range(7):
        pinned = i in (1, 4)
        await notices_service.post_notice(community["id"], f"notice {i}", pinned=pinned)
        titles.append((pinned, i))
    expected = [f"notice {i}" for _, i in sorted(titles, key=lambda t: (not t[0], -t[1]))]
    for size in (1, 2, 3):
        seen, after = [], None
        while True:
            page = (await gql.data(BOARD, {"first": size, "after": after}))["notices"]
            seen.extend(n["title"] for n in page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == expected, size


# --- notifications -----------------------------------------------------------------------


async def test_inbox_list_unread_and_mark_read(resident, neighbour):
    for _ in range(3):
        need = (await post_need(resident))["id"]
        await step_ok(neighbour, "acceptNeed", need, "accepted")
    assert await unread(resident) == 4  # welcome + three acceptances
    items = await inbox(resident)
    assert [n["kind"] for n in items] == ["need.accepted"] * 3 + ["member.verified"]
    assert items[0]["title"] == "Need accepted"
    assert "Buy soy sauce" in items[0]["body"] and not items[0]["read"]
    # Mark two read.
    payload = await resident.gql.mutate(MARK, {"input": {
        "community": "testville", "ids": [items[0]["id"], items[1]["id"]]}})
    assert payload == {"count": 2, "errors": []}
    assert await unread(resident) == 2
    unread_only = await resident.gql.data(
        '{ notifications(community: "testville", unreadOnly: true) { nodes { id read } } }')
    assert [n["id"] for n in unread_only["notifications"]["nodes"]] == [
        items[2]["id"], items[3]["id"]]
    # Marking again counts nothing new; then mark all.
    again = await resident.gql.mutate(MARK, {"input": {"community": "testville",
                                                      "ids": [items[0]["id"]]}})
    assert again == {"count": 0, "errors": []}
    everything = await resident.gql.mutate(MARK, {"input": {"community": "testville"}})
    assert everything["count"] == 2 and await unread(resident) == 0


async def test_another_members_notifications_cannot_be_marked(resident, neighbour):
    need = (await post_need(resident))["id"]
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    theirs = (await inbox(resident))[0]["id"]
    mine = (await inbox(neighbour))[0]["id"]
    before_count = await unread(resident)
    result = await neighbour.gql.execute(MARK, {"input": {"community": "testville",
                                                         "ids": [mine, theirs]}})
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # Nothing was marked, not even the caller's own.
    assert await unread(resident) == before_count
    assert not (await inbox(neighbour))[0]["read"]
    for ids, code in ((["garbage"], "INVALID_ID"), ([need], "INVALID_ID"),
                      ([to_gid("Notification", 99999)], "NOT_FOUND")):
        result = await neighbour.gql.execute(MARK, {"input": {"community": "testville",
                                                             "ids": ids}})
        if result.get("errors"):
            code_seen = result["errors"][0]["extensions"]["code"]
        else:
            code_seen = result["data"]["markNotificationsRead"]["errors"][0]["code"]
        assert code_seen == code
    # "Mark all" marks only the caller's own.
    await neighbour.gql.mutate(MARK, {"input": {"community": "testville"}})
    assert await unread(resident) == before_count


async def test_notification_pages(resident, neighbour):
    for _ in range(5):
        need = (await post_need(resident))["id"]
        await step_ok(neighbour, "acceptNeed", need, "accepted")
    query = """query($after: String) { notifications(community: "testville", first: 2,
      after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = (await resident.gql.data(query, {"after": after}))["notifications"]
        seen.extend(n["id"] for n in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [n["id"] for n in await inbox(resident)] and len(seen) == 6


async def test_the_inbox_is_written_in_the_actions_transaction(resident, neighbour,
                                                               add_hooks):
    def refuse(ctx, need):
        raise YizhanError("NO_HELPERS_TODAY", "Helpers rest today.")

    need = (await post_need(resident))["id"]
    add_hooks(yizhan_need_accepted=refuse)
    before = await snapshot()
    payload = await step(neighbour, "acceptNeed", need)
    assert [e["code"] for e in payload["errors"]] == ["NO_HELPERS_TODAY"]
    # No acceptance, no history step, no notification, no outbox event.
    assert await snapshot() == before


async def test_delivery_channels_run_after_commit(resident, neighbour, add_hooks):
    delivered: list[tuple[str, str]] = []

    def deliver(notification, text, title):
        delivered.append((notification["kind"], title))

    def broken(notification, text, title):
        raise RuntimeError("SMS gateway down")

    add_hooks(yizhan_deliver_notification=deliver)
    add_hooks(yizhan_deliver_notification=broken)
    need = (await post_need(resident))["id"]
    await step_ok(neighbour, "acceptNeed", need, "accepted")
    assert ("need.accepted", "Need accepted") in delivered
    # A failing channel never undoes the action or the inbox entry.
    assert (await inbox(resident))[0]["kind"] == "need.accepted"


# --- hours -------------------------------------------------------------------------------


async def test_community_hours_without_credits(resident, neighbour, leader, gql):
    query = '{ communityHours(community: "testville") { minutes needs helpers } }'
    assert (await gql.data(query))["communityHours"] == {"minutes": 0, "needs": 0,
                                                         "helpers": 0}
    for helper, minutes in ((neighbour, 10), (neighbour, 30), (leader, 45)):
        need = (await post_need(resident, estimatedMinutes=minutes))["id"]
        await step_ok(helper, "acceptNeed", need, "accepted")
        await step_ok(helper, "markNeedDone", need, "done")
        await step_ok(resident, "confirmNeed", need, "confirmed")
    # A need done but not confirmed does not count.
    pending_confirmation = (await post_need(resident, estimatedMinutes=60))["id"]
    await step_ok(neighbour, "acceptNeed", pending_confirmation, "accepted")
    await step_ok(neighbour, "markNeedDone", pending_confirmation, "done")
    assert (await gql.data(query))["communityHours"] == {"minutes": 85, "needs": 3,
                                                         "helpers": 2}
    hours = await resident.gql.data(
        "query($id: ID!) { node(id: $id) { ... on Member { hours { minutesGiven "
        "needsHelped peopleHelped } } } }", {"id": neighbour.id})
    assert hours["node"]["hours"] == {"minutesGiven": 40, "needsHelped": 2, "peopleHelped": 1}
