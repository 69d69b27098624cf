"""The core loop through GraphQL: post, accept, done, confirm."""

POST = """mutation($input: PostNeedInput!) { postNeed(input: $input) {
  need { id status credits lateNight weekend requester { displayName } }
  errors { field code message } } }"""


async def test_core_loop(resident, neighbour, community):
    payload = await resident.gql.mutate(POST, {"input": {
        "community": "testville", "title": "Buy soy sauce", "category": "errand",
        "windowStart": "2026-11-02T10:00:00+08:00", "windowEnd": "2026-11-02T12:00:00+08:00",
        "estimatedMinutes": 10, "credits": "0.20"}})
    assert payload["errors"] == []
    need = payload["need"]
    assert need["status"] == "open" and need["credits"] == "0.20"
    for mutation, actor, status in (("acceptNeed", neighbour, "accepted"),
                                    ("markNeedDone", neighbour, "done"),
                                    ("confirmNeed", resident, "confirmed")):
        result = await actor.gql.mutate(
            f"mutation($i: NeedActionInput!) {{ {mutation}(input: $i) {{ need {{ status }} "
            "errors { code } } }", {"i": {"needId": need["id"]}})
        assert result == {"need": {"status": status}, "errors": []}
