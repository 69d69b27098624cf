"""GraphQL documents and small steps shared by the tool library's tests."""

from __future__ import annotations

from yizhan.core.api import now

from yizhan_toollib.plugin import yizhan_register_jobs

TOOL_FIELDS = "id name category deposit depositApplies maxLoanDays listed available " \
              "owner { displayName }"
LOAN_FIELDS = ("id status days dueAt overdue deposit depositStatus closeReason "
               "tool { name available } borrower { displayName } owner { displayName }")
ADD = ("mutation($i: AddToolInput!) { addTool(input: $i) { tool { " + TOOL_FIELDS
       + " } errors { field code message } } }")
UPDATE = ("mutation($i: UpdateToolInput!) { updateTool(input: $i) { tool { " + TOOL_FIELDS
          + " } errors { field code } } }")
REQUEST = ("mutation($i: RequestToolLoanInput!) { requestToolLoan(input: $i) { loan { "
           + LOAN_FIELDS + " } errors { field code message } } }")
TOOLS = "query($f: ToolFilter) { tools(community: \"testville\", filter: $f) { nodes { " \
        + TOOL_FIELDS + " } } }"
LOANS = ("query($r: ToolLoanRole!, $o: Boolean!) { toolLoans(community: \"testville\", role: $r,"
         " overdue: $o) { nodes { " + LOAN_FIELDS + " } } }")
NOTIFICATIONS = """query { notifications(community: "testville") { nodes { kind body } } }"""
BALANCE = """query { myCredits(community: "testville") { balance available } }"""


def step(name: str, input_type: str = "ToolLoanInput") -> str:
    """A loan mutation (``lendTool``, ``returnTool`` …) returning the loan and errors."""
    return (f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ loan {{ {LOAN_FIELDS} }} "
            "errors { field code message } } }")


async def add_tool(actor, name: str = "Bosch drill", category: str = "drill", **extra) -> dict:
    """``actor`` lists a tool; returns it."""
    payload = await actor.gql.mutate(ADD, {"i": {"community": "testville", "name": name,
                                                 "category": category, **extra}})
    assert payload["errors"] == [], payload
    return payload["tool"]


async def request(actor, tool: dict, **extra) -> dict:
    """``actor`` asks to borrow ``tool``; returns the payload."""
    return await actor.gql.mutate(REQUEST, {"i": {"toolId": tool["id"], **extra}})


async def act(actor, name: str, loan: dict, **extra) -> dict:
    """Run loan mutation ``name`` as ``actor``; returns the payload."""
    input_type = {"declineToolLoan": "DeclineToolLoanInput",
                  "extendToolLoan": "ExtendToolLoanInput",
                  "reportToolLost": "ReportToolLostInput"}.get(name, "ToolLoanInput")
    return await actor.gql.mutate(step(name, input_type),
                                  {"i": {"loanId": loan["id"], **extra}})


async def lent(owner, borrower, **tool_fields) -> dict:
    """A tool of ``owner`` requested by and handed to ``borrower``; returns the loan."""
    tool = await add_tool(owner, **tool_fields)
    loan = (await request(borrower, tool, days=3))["loan"]
    payload = await act(owner, "lendTool", loan)
    assert payload["errors"] == [], payload
    return payload["loan"]


async def inbox(actor) -> list[dict]:
    """``actor``'s notifications from the tool library, newest first."""
    nodes = (await actor.gql.data(NOTIFICATIONS))["notifications"]["nodes"]
    return [n for n in nodes if n["kind"].startswith("toollib.")]


async def balance(actor) -> str:
    """``actor``'s credit balance."""
    return (await actor.gql.data(BALANCE))["myCredits"]["balance"]


async def remind() -> int:
    """Run the plugin's registered ``toollib.remind`` job once, at the test clock's time."""
    (job,) = yizhan_register_jobs()
    assert job.name == "toollib.remind"
    return await job.run(now())


SET_ENABLED = """mutation($i: SetPluginEnabledInput!) { setPluginEnabled(input: $i) {
  errors { field code } } }"""
CONFIGURE = """mutation($i: ConfigurePluginInput!) { configurePlugin(input: $i) {
  errors { field code } } }"""


async def switch(admin, plugin: str, on: bool) -> None:
    """``admin`` switches ``plugin`` on or off in testville (GraphQL, as an admin client)."""
    result = await admin.gql.mutate(SET_ENABLED, {"i": {"community": "testville",
                                                        "plugin": plugin, "enabled": on}})
    assert result == {"errors": []}, result


async def configure(admin, plugin: str, **settings) -> None:
    """``admin`` changes ``plugin``'s settings in testville."""
    result = await admin.gql.mutate(CONFIGURE, {"i": {"community": "testville",
                                                      "plugin": plugin, "settings": settings}})
    assert result == {"errors": []}, result
