"""``yizhan community|building|member|token``: tables for people, ``--json`` for scripts, one
clear line and exit 1 for a mistake (nothing written)."""

from __future__ import annotations

import json

import pytest
from cli_checks import ok, refused

from yizhan.core.services import people
from yizhan.testing.cli import run_yizhan


def test_community_create_and_list(cli):
    created = ok(cli("community", "create", "riverside", "--name", "Riverside",
                     "--time-zone", "Asia/Chongqing", "--locale", "en"))
    assert "slug: riverside" in created.stdout.splitlines()
    as_json = ok(cli("community", "create", "hill", "--name", "Hill", "--json")).json()
    assert as_json["slug"] == "hill" and as_json["locale"] == "zh_Hans"
    assert as_json["time_zone"] == "Asia/Shanghai"
    listed = ok(cli("community", "list", "--json")).json()
    assert [(c["slug"], c["name"], c["time_zone"]) for c in listed] == [
        ("hill", "Hill", "Asia/Shanghai"), ("riverside", "Riverside", "Asia/Chongqing")]
    table = ok(cli("community", "list")).stdout.splitlines()
    assert table[0].split() == ["ID", "SLUG", "NAME", "TIME_ZONE", "LOCALE"]
    assert table[2].split()[1:] == ["riverside", "Riverside", "Asia/Chongqing", "en"]


@pytest.mark.parametrize("args, code, message", [
    (("Bad Slug", "--name", "X"), "INVALID_SLUG",
     "Use 1-40 lowercase letters, digits, - or _."),
    (("ok", "--name", " "), "REQUIRED", "This field cannot be empty."),
    (("ok", "--name", "X", "--time-zone", "Mars/Olympus"), "INVALID_TIME_ZONE",
     "Unknown time zone Mars/Olympus."),
    (("testville", "--name", "Again"), "SLUG_TAKEN",
     "A community with this slug already exists."),
])
def test_community_create_mistakes(community, cli, args, code, message):
    refused(cli("community", "create", *args), code, message)
    assert [c["slug"] for c in ok(cli("community", "list", "--json")).json()] == ["testville"]


def test_building_create_and_list(community, cli):
    created = ok(cli("building", "create", "C", "-c", "testville", "--households", "12",
                     "--json")).json()
    assert (created["name"], created["households"]) == ("C", 12)
    refused(cli("building", "create", "C", "-c", "testville"), "NAME_TAKEN")
    refused(cli("building", "create", "D", "-c", "testville", "--households", "-1"),
            "OUT_OF_RANGE")
    refused(cli("building", "create", "D", "-c", "nowhere"), "NOT_FOUND",
            "No such community.")
    names = [b["name"] for b in ok(cli("building", "list", "-c", "testville", "--json")).json()]
    assert names == ["A", "B", "C"]


def test_member_add_verify_promote_list(community, cli):
    leader = ok(cli("member", "add", "wang", "-c", "testville", "--name", "Wang",
                    "--building", "A", "--real-name", "Wang Jianguo", "--role",
                    "building_leader", "--password", "a-good-password", "--json")).json()
    assert (leader["status"], leader["role"]) == ("verified", "building_leader")
    pending = ok(cli("member", "add", "li", "-c", "testville", "--building", "A",
                     "--password", "another-password", "--json")).json()
    assert (pending["status"], pending["role"]) == ("pending", "resident")
    refused(cli("member", "promote", "li", "-c", "testville", "--role", "deputy_leader"),
            "NOT_VERIFIED")
    verified = ok(cli("member", "verify", "li", "-c", "testville", "--real-name", "Li Xiumei",
                      "--json")).json()
    assert verified["status"] == "verified" and verified["verified_by"] is None
    refused(cli("member", "verify", "li", "-c", "testville", "--real-name", "Li"),
            "NOT_PENDING", "This member is not waiting for verification.")
    promoted = ok(cli("member", "promote", "li", "-c", "testville", "--role",
                      "deputy_leader", "--json")).json()
    assert promoted["role"] == "deputy_leader"
    refused(cli("member", "promote", "li", "-c", "testville", "--role", "king"),
            "INVALID_ROLE", "Unknown role king.")
    refused(cli("member", "verify", "nobody", "-c", "testville", "--real-name", "X"),
            "NOT_FOUND", "nobody is not a member of testville.")
    refused(cli("member", "add", "zhao", "-c", "testville", "--role", "admin"),
            "INVALID_INPUT")
    refused(cli("member", "add", "zhao", "-c", "testville", "--building", "Z"), "NOT_FOUND",
            "No such building.")
    listed = ok(cli("member", "list", "-c", "testville", "--json")).json()
    assert [(m["username"], m["role"], m["status"], m["building_name"]) for m in listed] == [
        ("wang", "building_leader", "verified", "A"), ("li", "deputy_leader", "verified", "A")]
    table = ok(cli("member", "list", "-c", "testville")).stdout.splitlines()
    assert table[1].split()[:6] == ["1", "wang", "Wang", "building_leader", "verified", "A"]
    assert ok(cli("member", "list", "-c", "testville", "--status", "pending")).stdout == (
        "(none)\n")


def test_token_create_list_revoke(community, cli):
    ok(cli("member", "add", "wang", "-c", "testville", "--password", "a-good-password"))
    login = ok(cli("token", "create", "--username", "wang", "--hours", "2", "--json")).json()
    assert login["kind"] == "login" and login["token"].startswith("yz_")
    service = ok(cli("token", "create", "--service", "mini-program", "-c", "testville",
                     "--json")).json()
    assert service["kind"] == "service" and service["expires_at"] is None
    listed = ok(cli("token", "list", "--json")).json()
    assert {t["id"] for t in listed} == {login["id"], service["id"]}
    assert all("token" not in t and "token_hash" not in t for t in listed)  # never the value
    assert ok(cli("token", "revoke", login["id"])).stdout == f"Token {login['id']} revoked.\n"
    refused(cli("token", "revoke", login["id"]), "NOT_FOUND")
    revoked = {t["id"]: t["revoked_at"] for t in ok(cli("token", "list", "--json")).json()}
    assert revoked[login["id"]] is not None and revoked[service["id"]] is None
    refused(cli("token", "create"), "INVALID_INPUT", "Give either --username or --service.")
    refused(cli("token", "create", "--service", "x"), "INVALID_INPUT")
    refused(cli("token", "create", "--username", "ghost"), "NOT_FOUND")


async def test_a_cli_token_logs_in_and_its_revocation_logs_out(community, gql, yizhan_db):
    person = await people.create_person("wang", "Wang", "a-good-password")
    made = run_yizhan("token", "create", "--username", "wang", "--json",
                      database_url=yizhan_db)
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)
    viewer = await gql.as_(token["token"]).data("{ viewer { username } }")
    assert viewer == {"viewer": {"username": person["username"]}}
    revoked = run_yizhan("token", "revoke", str(token["id"]), database_url=yizhan_db)
    assert revoked.returncode == 0, revoked.stderr
    result = await gql.as_(token["token"]).execute("{ viewer { username } }")
    assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
