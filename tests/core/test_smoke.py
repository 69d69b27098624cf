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
    assert need["status"] == "OPEN" and need["credits"] == "0.20"
    for mutation, actor, status in (("acceptNeed", neighbour, "ACCEPTED"),
                                    ("markNeedDone", neighbour, "DONE"),
                                    ("confirmNeed", resident, "CONFIRMED")):
        result = await actor.gql.mutate(
            f"mutation($i: NeedActionInput!) {{ {mutation}(input: $i) {{ need {{ status }} "
            "errors { code } } }", {"i": {"needId": need["id"]}})
        assert result == {"need": {"status": status}, "errors": []}


async def test_core_loop_over_http_against_yizhan_serve(clock, community, resident, neighbour,
                                                       yizhan_server):
    """The same loop against a real ``yizhan serve``, logging in over HTTP as a client would."""
    from datetime import UTC, datetime, timedelta

    import httpx

    from yizhan.testing.people import PASSWORD

    now = datetime.now(UTC)  # the server runs on the wall clock

    async def call(http, query, variables, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await http.post(yizhan_server.graphql_url, json={
            "query": query, "variables": variables}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        return payload

    login = """mutation($input: LoginInput!) { login(input: $input) {
      token viewer { username } errors { code } } }"""
    async with httpx.AsyncClient(timeout=30) as http:
        tokens = {}
        for who, identifier in (("resident", "resident1"), ("neighbour", "neighbour1")):
            payload = await call(http, login, {"input": {"identifier": identifier,
                                                         "password": PASSWORD}})
            assert payload["errors"] == [] and payload["viewer"]["username"] == identifier
            tokens[who] = payload["token"]
        payload = await call(http, POST, {"input": {
            "community": "testville", "title": "Buy soy sauce", "category": "errand",
            "windowStart": (now + timedelta(hours=1)).isoformat(),
            "windowEnd": (now + timedelta(hours=3)).isoformat(),
            "estimatedMinutes": 10, "credits": "0.20"}}, tokens["resident"])
        assert payload["errors"] == []
        need = payload["need"]
        assert need["status"] == "OPEN" and need["requester"]["displayName"] == "Resident1"
        for mutation, who, status in (("acceptNeed", "neighbour", "ACCEPTED"),
                                      ("markNeedDone", "neighbour", "DONE"),
                                      ("confirmNeed", "resident", "CONFIRMED")):
            result = await call(
                http, f"mutation($i: NeedActionInput!) {{ {mutation}(input: $i) {{ need {{ "
                "status } errors { code } } }", {"i": {"needId": need["id"]}}, tokens[who])
            assert result == {"need": {"status": status}, "errors": []}
        hours = await http.post(yizhan_server.graphql_url, json={
            "query": '{ communityHours(community: "testville") { minutes needs } }'})
        assert hours.json() == {"data": {"communityHours": {"minutes": 10, "needs": 1}}}
        health = await http.get(f"{yizhan_server.url}/health")
        assert health.json() == {"status": "ok"}
