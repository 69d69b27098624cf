"""``yizhan governance …`` refusals: one ``error: … [CODE]`` line, exit status 1, nothing
written; and the plugin switch for GraphQL, the CLI and membership checks."""

from __future__ import annotations

from governance_helpers import SUBMIT, submitted

from yizhan.plugins.governance.tables import Request


def test_cli_refusals_have_a_code_and_write_nothing(gov, resident, cli):
    cases = [
        (("requests", "submit", "-c", "testville", "--by", "nobody", "--category",
          "facilities", "--description", "x", "--building", "A"), "[NOT_FOUND]"),
        (("requests", "submit", "-c", "testville", "--by", "resident1", "--category",
          "facilities", "--description", "x", "--building", "A", "--urgency", "purple"),
         "[INVALID_URGENCY]"),
        (("requests", "list", "-c", "testville", "--urgency", "purple"), "[INVALID_URGENCY]"),
        (("requests", "list", "-c", "testville", "--status", "lost"), "[INVALID_STATUS]"),
        (("requests", "show", "42", "-c", "testville"), "[NOT_FOUND]"),
        (("grids", "create", "东区", "-c", "testville"), "[GRID_EXISTS]"),
        (("grids", "team-add", "东区", "resident1", "-c", "testville", "--role", "king"),
         "[INVALID_ROLE]"),
        (("grants", "round-create", "2026", "-c", "testville", "--total", "1.5e3"),
         "[INVALID_AMOUNT]"),
        (("requests", "list", "-c", "nowhere"), "[NOT_FOUND]"),
    ]
    for args, code in cases:
        result = cli("governance", *args)
        assert result.exit_code == 1, (args, result.stdout)
        assert code in result.stderr and result.stderr.startswith("error: "), args
    listed = cli("governance", "requests", "list", "-c", "testville", "--json")
    assert listed.exit_code == 0 and listed.json() == []


def test_the_cli_refuses_where_the_plugin_is_off(community, cli):
    result = cli("governance", "requests", "list", "-c", "testville")
    assert result.exit_code == 1 and "[PLUGIN_DISABLED]" in result.stderr


async def test_graphql_refuses_where_the_plugin_is_off_and_for_unverified_members(
        community, resident, pending, gql, enable_plugin):
    variables = {"i": {"community": "testville", "category": "facilities",
                       "description": "x", "building": "A"}}
    result = await resident.gql.execute(SUBMIT, variables)
    assert result["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"
    figures = await gql.execute('query { governanceFigures(community: "testville") '
                                '{ allTime { submitted } } }')
    assert figures["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"
    await enable_plugin(community, "governance")
    result = await pending.gql.execute(SUBMIT, variables)
    assert result["errors"][0]["extensions"]["code"] == "NOT_VERIFIED"
    result = await gql.execute(SUBMIT, variables)
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await Request.count() == 0
    assert (await submitted(resident))["status"] == "SUBMITTED"
