"""Grids and teams: a building belongs to one grid, requests are routed by the building's
grid, team roles come from the community's list, and ``yizhan governance grids import``
applies a CSV all or nothing with a dry run and errors naming their lines."""

from __future__ import annotations

import pytest
from governance_helpers import ASSIGN, submitted

from yizhan.core.api import to_gid
from yizhan.plugins.governance import service
from yizhan.plugins.governance.tables import Grid, TeamMember

CREATE = ("mutation($i: CreateGovernanceGridInput!) { createGovernanceGrid(input: $i) "
          "{ grid { id name buildings team { role member { username } } } "
          "errors { field code } } }")
TEAM = ("mutation($i: AddGovernanceTeamMemberInput!) { addGovernanceTeamMember(input: $i) "
        "{ grid { name team { role member { username } } } errors { field code message } } }")
REMOVE = ("mutation($i: RemoveGovernanceTeamMemberInput!) { removeGovernanceTeamMember("
          "input: $i) { grid { team { role } } errors { field code } } }")
MOVE = ("mutation($i: SetGovernanceGridBuildingsInput!) { setGovernanceGridBuildings(input: $i)"
        " { grid { name buildings } errors { field code } } }")
GRIDS = 'query { governanceGrids(community: "testville") { name buildings team { role } } }'


async def test_grids_and_teams_through_graphql_and_routing_by_building(gov, admin, resident,
                                                                      neighbour, gql):
    made = await admin.gql.mutate(CREATE, {"i": {"community": "testville", "name": "西区",
                                                 "buildings": ["B"]}})
    assert made["grid"]["buildings"] == ["B"] and made["errors"] == []
    taken = await admin.gql.mutate(CREATE, {"i": {"community": "testville", "name": "北区",
                                                  "buildings": ["A"]}})
    assert taken["errors"] == [{"field": "buildings", "code": "BUILDING_IN_ANOTHER_GRID"}]
    bad_role = await admin.gql.mutate(TEAM, {"i": {"gridId": made["grid"]["id"],
                                                   "memberId": neighbour.id, "role": "boss"}})
    assert bad_role["errors"][0]["code"] == "INVALID_ROLE"
    assert "楼组长" in bad_role["errors"][0]["message"]
    added = await admin.gql.mutate(TEAM, {"i": {"gridId": made["grid"]["id"],
                                                "memberId": neighbour.id, "role": "楼组长"}})
    assert added["grid"]["team"] == [{"role": "楼组长", "member": {"username": "neighbour1"}}]
    again = await admin.gql.mutate(TEAM, {"i": {"gridId": made["grid"]["id"],
                                                "memberId": neighbour.id, "role": "党员"}})
    assert again["errors"][0]["code"] == "ALREADY_ON_TEAM"
    assert await resident.gql.error_code(TEAM, {"i": {"gridId": made["grid"]["id"],
                                                      "memberId": resident.id,
                                                      "role": "党员"}}) == "FORBIDDEN"
    public = (await gql.data(GRIDS))["governanceGrids"]
    assert public == [{"name": "东区", "buildings": ["A"], "team": []},
                      {"name": "西区", "buildings": ["B"], "team": [{"role": "楼组长"}]}]
    in_b = await submitted(resident, building="B")
    in_a = await submitted(resident, building="A")
    assert (in_b["grid"], in_a["grid"]) == ({"name": "西区"}, {"name": "东区"})
    assert await Grid.count() == 2 and await TeamMember.count() == 1


async def test_grid_ids_of_another_type_are_refused(gov, admin, neighbour):
    result = await admin.gql.mutate(TEAM, {"i": {"gridId": to_gid("Need", 1),
                                                 "memberId": neighbour.id, "role": "党员"}})
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("gridId", "INVALID_ID")]
    assert await TeamMember.count() == 0


def test_import_a_csv_with_a_dry_run_then_for_real(gov, cli, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text("grid,building\n南区,B\n东区,A\n", encoding="utf-8")
    dry = cli("governance", "grids", "import", str(path), "-c", "testville", "--dry-run",
              "--json")
    assert dry.exit_code == 0, dry.stderr
    assert dry.json() == {"grids": 2, "new_grids": ["南区"], "buildings": 2, "dry_run": True}
    listed = cli("governance", "grids", "list", "-c", "testville", "--json").json()
    assert [g["name"] for g in listed] == ["东区"]
    real = cli("governance", "grids", "import", str(path), "-c", "testville", "--json")
    assert real.exit_code == 0 and real.json()["dry_run"] is False
    listed = cli("governance", "grids", "list", "-c", "testville", "--json").json()
    assert [(g["name"], g["buildings"]) for g in listed] == [("东区", ["A"]), ("南区", ["B"])]


def test_a_bad_csv_imports_nothing_and_names_every_bad_line(gov, cli, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text("北区,B\n西区,Z\n\n南区\n中区,B\n", encoding="utf-8")
    result = cli("governance", "grids", "import", str(path), "-c", "testville")
    assert result.exit_code == 1
    assert "[INVALID_CSV]" in result.stderr
    for fragment in ("line 2: no building named Z", "line 4: expected grid,building",
                     "line 5: building B is already on line 1"):
        assert fragment in result.stderr
    listed = cli("governance", "grids", "list", "-c", "testville", "--json").json()
    assert [g["name"] for g in listed] == ["东区"]
    taken = tmp_path / "taken.csv"
    taken.write_text("西区,A\n", encoding="utf-8")
    moved = cli("governance", "grids", "import", str(taken), "-c", "testville")
    assert moved.exit_code == 1 and "building A is in another grid" in moved.stderr
    missing = cli("governance", "grids", "import", str(tmp_path / "nope.csv"), "-c",
                  "testville")
    assert missing.exit_code == 1 and "[INVALID_CSV]" in missing.stderr




async def test_team_members_leave_and_buildings_move(gov, admin, neighbour):
    grid = to_gid("GovernanceGrid", gov["grid"]["id"])
    await admin.gql.mutate(TEAM, {"i": {"gridId": grid, "memberId": neighbour.id,
                                        "role": "志愿者"}})
    removed = await admin.gql.mutate(REMOVE, {"i": {"gridId": grid, "memberId": neighbour.id}})
    assert removed == {"grid": {"team": []}, "errors": []}
    again = await admin.gql.execute(REMOVE, {"i": {"gridId": grid, "memberId": neighbour.id}})
    assert again["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    moved = await admin.gql.mutate(MOVE, {"i": {"gridId": grid, "buildings": ["A", "B"]}})
    assert moved["grid"] == {"name": "东区", "buildings": ["A", "B"]}
    other = await admin.gql.mutate(CREATE, {"i": {"community": "testville", "name": "西区"}})
    taken = await admin.gql.mutate(MOVE, {"i": {"gridId": other["grid"]["id"],
                                                "buildings": ["B"]}})
    assert taken["errors"] == [{"field": "buildings", "code": "BUILDING_IN_ANOTHER_GRID"}]
    assert await TeamMember.count() == 0


@pytest.mark.hook("yizhan_member_left")
async def test_a_member_who_leaves_leaves_the_team_and_their_requests_go_back(
        gov, steward, resident, admin):
    from yizhan.core.services import members

    request = await submitted(resident)
    await admin.gql.mutate(ASSIGN, {"i": {"requestId": request["id"],
                                          "assigneeId": steward.id}})
    await members.leave(gov, steward.member)
    assert await TeamMember.count() == 0
    data = await admin.gql.data('query { governanceGrids(community: "testville") '
                                '{ team { role } } }')
    assert data["governanceGrids"] == [{"team": []}]
    row = await service.get_request(gov, request["number"])
    assert row["assignee"] is None and row["status"] == "assigned"
