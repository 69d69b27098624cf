"""``yizhan audit`` and the CLI's operator: every change made from the CLI is logged with the
name of who ran it (``--operator``, ``YIZHAN_OPERATOR``, else the OS user); ``member add``
does everything or nothing."""

from __future__ import annotations

from cli_checks import ok, refused


def test_cli_changes_are_logged_with_the_operator(community, cli, monkeypatch):
    ok(cli("--operator", "孙主任", "member", "add", "wang", "-c", "testville", "--building",
           "A", "--real-name", "Wang Jianguo", "--role", "building_leader", "--password",
           "a-good-password"))
    monkeypatch.setenv("YIZHAN_OPERATOR", "night-shift")
    ok(cli("building", "create", "C", "-c", "testville"))
    entries = [e for e in ok(cli("audit", "-c", "testville", "--json")).json()
               if e["via"] != "internal"]  # the fixture's own buildings
    assert [(e["action"], e["via"], e["operator"], e["subject_type"]) for e in entries] == [
        ("building.created", "cli", "night-shift", "Building"),
        ("member.role_changed", "cli", "孙主任", "Member"),
        ("member.verified", "cli", "孙主任", "Member"),
        ("member.joined", "cli", "孙主任", "Member"),
    ]
    assert entries[1]["details"]["previous_role"] == "resident"
    assert entries[1]["details"]["role"] == "building_leader"
    # Filters: an action or a prefix, what one operator did; a table for people.
    joined = ok(cli("audit", "-c", "testville", "--action", "member.", "--by", "孙主任",
                    "--json")).json()
    assert len(joined) == 3
    assert ok(cli("audit", "-c", "testville", "--action", "need.posted", "--json")).json() == []
    table = ok(cli("audit", "-c", "testville", "--limit", "1")).stdout.splitlines()
    assert table[0].split() == ["ID", "AT", "VIA", "OPERATOR", "ACTOR", "ACTION", "SUBJECT",
                                "DETAILS"]
    assert "building.created" in table[1] and "night-shift" in table[1]
    refused(cli("audit", "-c", "nowhere"), "NOT_FOUND", "No such community.")
    refused(cli("audit", "-c", "testville", "--actor", "ghost"), "NOT_FOUND")


def test_without_an_operator_the_os_user_is_named(community, cli, monkeypatch):
    monkeypatch.delenv("YIZHAN_OPERATOR", raising=False)
    ok(cli("member", "add", "li", "-c", "testville", "--building", "A", "--real-name",
           "Li Xiumei", "--password", "a-good-password"))
    entries = ok(cli("audit", "-c", "testville", "--action", "member.", "--json")).json()
    assert len(entries) == 2
    # Without --operator or YIZHAN_OPERATOR: the OS user's name, never empty.
    assert all(e["via"] == "cli" and e["operator"] for e in entries)


def test_member_add_with_a_refused_role_leaves_nothing_behind(community, cli):
    ok(cli("member", "add", "wang", "-c", "testville", "--building", "A", "--real-name",
           "Wang Jianguo", "--role", "building_leader", "--password", "a-good-password"))
    refused(cli("member", "add", "zhou", "-c", "testville", "--building", "A", "--real-name",
                "Zhou Min", "--role", "building_leader", "--password", "another-password"),
            "LEADER_EXISTS", "This building already has a head leader.")
    listed = ok(cli("member", "list", "-c", "testville", "--json")).json()
    assert [m["username"] for m in listed] == ["wang"]  # no verified zhou without a role
    refused(cli("token", "create", "--username", "zhou"), "NOT_FOUND")  # no login either
    logged = ok(cli("audit", "-c", "testville", "--action", "member.", "--json")).json()
    assert {e["subject_id"] for e in logged} == {str(listed[0]["id"])}
