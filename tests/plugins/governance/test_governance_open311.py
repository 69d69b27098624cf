"""Open311 GeoReport v2 round trips: requests shaped as the standard describes (form-encoded
POST with ``api_key``, ``.json`` paths, W3C dates), answers shaped as it answers, errors as a
list of ``{code, description}`` — and nothing written on a refusal."""

from __future__ import annotations

import pytest
from governance_helpers import ANSWER, gid, submitted

from yizhan.core.services import communities, people
from yizhan.plugins.governance.tables import Request

BASE = "/governance/testville/open311/v2"


@pytest.fixture
async def api_key(gov) -> str:
    token, _ = await people.create_service_token("city-dashboard", gov["id"])
    return token


async def post(app, data: dict, **headers):
    return await app.post(f"{BASE}/requests.json", data=data, headers=headers)


async def test_services_are_the_communitys_categories(app, gov):
    response = await app.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services = response.json()
    assert services[0] == {"service_code": "facilities", "service_name": "公共设施 Facilities",
                           "description": "", "metadata": False, "type": "realtime",
                           "keywords": "", "group": ""}
    assert [s["service_code"] for s in services] == [
        "facilities", "sanitation", "safety", "neighbours", "suggestion"]


@pytest.mark.hook("yizhan_register_routes")
async def test_a_client_submits_lists_and_reads_a_request_and_sees_the_answer(
        app, gov, api_key, admin, clock):
    response = await post(app, {"api_key": api_key, "service_code": "sanitation",
                                "description": "楼道堆满杂物", "address_id": "A",
                                "address_string": "3单元", "first_name": "Mei",
                                "last_name": "Li", "media_url": "https://img/1.jpg",
                                "urgency": "red"})
    assert response.status_code == 201, response.text
    (created,) = response.json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    number = created["service_request_id"]
    token = (await app.get(f"{BASE}/tokens/{created['token']}.json")).json()
    assert token == [{"service_request_id": number, "token": created["token"]}]
    (one,) = (await app.get(f"{BASE}/requests/{number}.json")).json()
    assert one["status"] == "open" and one["status_notes"] == ""
    assert one["service_code"] == "sanitation" and one["service_name"] == "环境卫生 Sanitation"
    assert one["description"] == "楼道堆满杂物" and one["address"] == "A, 3单元"
    assert one["address_id"] == "A" and one["media_url"] == "https://img/1.jpg"
    assert one["requested_datetime"] == "2026-11-02T01:00:00+00:00"
    assert one["expected_datetime"] == "2026-11-04T01:00:00+00:00"  # red: 48 h
    row = await Request.select().first()
    assert (row["channel"], row["reporter_name"], row["grid"]) == (
        "open311", "Mei Li", gov["grid"]["id"])
    listed = (await app.get(f"{BASE}/requests.json", params={"status": "open"})).json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert (await app.get(f"{BASE}/requests.json", params={"status": "closed"})).json() == []
    clock.advance(hours=3)
    await admin.gql.mutate(ANSWER, {"i": {"requestId": gid(int(number)),
                                          "response": "已清理。"}})
    (closed,) = (await app.get(f"{BASE}/requests/{number}.json")).json()
    assert closed["status"] == "closed" and closed["status_notes"] == "已清理。"
    assert closed["updated_datetime"] == "2026-11-02T04:00:00+00:00"
    by_code = (await app.get(f"{BASE}/requests.json",
                             params={"service_code": "safety"})).json()
    assert by_code == []
    window = (await app.get(f"{BASE}/requests.json", params={
        "start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-03T00:00:00Z"})).json()
    assert [r["service_request_id"] for r in window] == [number]


async def test_a_private_answer_is_not_in_the_status_notes(app, gov, resident, admin):
    request = await submitted(resident)
    await admin.gql.mutate(ANSWER, {"i": {"requestId": request["id"], "response": "secret",
                                          "public": False}})
    (one,) = (await app.get(f"{BASE}/requests/{request['number']}.json")).json()
    assert one["status"] == "closed" and one["status_notes"] == ""


async def test_a_bearer_header_works_too_and_json_bodies_are_accepted(app, gov, api_key):
    response = await app.post(f"{BASE}/requests.json", json={
        "service_code": "safety", "description": "Loose railing", "address_string": "北门"},
        headers={"Authorization": f"Bearer {api_key}"})
    assert response.status_code == 201
    assert await Request.count() == 1


@pytest.mark.parametrize(("data", "status", "fragment"), [
    ({"service_code": "safety", "description": "x", "address_id": "A"}, 403, "api_key"),
    ({"api_key": "wrong", "service_code": "safety", "description": "x", "address_id": "A"},
     403, "api_key"),
    ({"api_key": "KEY", "description": "x", "address_id": "A"}, 400, "service_code"),
    ({"api_key": "KEY", "service_code": "nope", "description": "x", "address_id": "A"}, 400,
     "category"),
    ({"api_key": "KEY", "service_code": "safety", "description": "", "address_id": "A"}, 400,
     "description"),
    ({"api_key": "KEY", "service_code": "safety", "description": "x", "address_id": "Z"}, 400,
     "building"),
])
async def test_refusals_are_open311_error_lists_and_write_nothing(app, gov, api_key, data,
                                                                  status, fragment):
    if data.get("api_key") == "KEY":
        data = {**data, "api_key": api_key}
    response = await post(app, data)
    assert response.status_code == status
    (error,) = response.json()
    assert error["code"] == status and fragment in error["description"]
    assert await Request.count() == 0


async def test_another_communitys_key_unknown_ids_bad_dates_and_a_switched_off_plugin(
        app, gov, yizhan_db):
    other = await communities.create_community("elsewhere", "Elsewhere")
    foreign, _ = await people.create_service_token("theirs", other["id"])
    response = await post(app, {"api_key": foreign, "service_code": "safety",
                                "description": "x", "address_id": "A"})
    assert response.status_code == 403 and await Request.count() == 0
    missing = await app.get(f"{BASE}/requests/999.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    bad = await app.get(f"{BASE}/requests.json", params={"start_date": "yesterday"})
    assert bad.status_code == 400 and "start_date" in bad.json()[0]["description"]
    off = await app.get("/governance/elsewhere/open311/v2/services.json")
    assert off.status_code == 404 and off.json()[0]["code"] == 404


async def test_reads_need_a_key_when_the_community_says_so(app, gov, api_key):
    from yizhan.core.services import plugin_admin

    await plugin_admin.configure(gov, "governance", {"open311_public_reads": False})
    assert (await app.get(f"{BASE}/requests.json")).status_code == 403
    ok = await app.get(f"{BASE}/requests.json", params={"api_key": api_key})
    assert ok.status_code == 200 and ok.json() == []


async def test_raw_utf8_and_percent_encoded_forms_both_work(app, gov, api_key):
    raw = f"api_key={api_key}&service_code=sanitation&address_id=A&description=楼道堆满纸箱"
    response = await app.post(f"{BASE}/requests.json", content=raw.encode("utf-8"),
                              headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 201, response.text
    encoded = await post(app, {"api_key": api_key, "service_code": "sanitation",
                               "address_string": "北门", "description": "路灯不亮"})
    assert encoded.status_code == 201
    listed = (await app.get(f"{BASE}/requests.json")).json()
    assert [r["description"] for r in listed] == ["路灯不亮", "楼道堆满纸箱"]
    bad = await app.post(f"{BASE}/requests.json", content=b"description=\xff",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400 and await Request.count() == 2
