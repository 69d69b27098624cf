"""Queries and small helpers shared by the governance tests."""

from __future__ import annotations

from yizhan.core.api import to_gid

FIELDS = """id number status urgency triaged onTime overdue breached dueAt submittedAt
            response responsePublic satisfied channel building place
            requester { username } filedBy { username } assignee { username }
            grid { name } timeline { action note actor { username } }"""
SUBMIT = ("mutation($i: SubmitGovernanceRequestInput!) { submitGovernanceRequest(input: $i) "
          "{ request { " + FIELDS + " } errors { field code message } } }")


def step(name: str, input_type: str) -> str:
    """A request mutation returning the request and errors."""
    return (f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ request {{ {FIELDS} }} "
            "errors { field code message } } }")


TRIAGE = step("triageGovernanceRequest", "TriageGovernanceRequestInput")
ASSIGN = step("assignGovernanceRequest", "AssignGovernanceRequestInput")
UPDATE = step("updateGovernanceRequest", "UpdateGovernanceRequestInput")
ANSWER = step("answerGovernanceRequest", "AnswerGovernanceRequestInput")
CLOSE = step("closeGovernanceRequest", "CloseGovernanceRequestInput")
REJECT = step("rejectGovernanceRequest", "GovernanceRequestReasonInput")
REOPEN = step("reopenGovernanceRequest", "GovernanceRequestReasonInput")
RATE = step("rateGovernanceRequest", "RateGovernanceRequestInput")
FIGURES = """query { governanceFigures(community: "testville") {
  thisMonth { submitted dueOrAnswered answered answeredOnTime overdueOpen onTimePercent
              medianHoursToAnswer rated satisfactionPercent }
  allTime { submitted dueOrAnswered answeredOnTime onTimePercent medianHoursToAnswer
            satisfactionPercent }
  byUrgency { urgency hoursAllowed allTime { dueOrAnswered answeredOnTime onTimePercent } } } }"""


async def submit(actor, **fields) -> dict:
    """Submit a request as ``actor``; the payload."""
    values = {"community": "testville", "category": "facilities",
              "description": "The fitness machine by building A is broken.",
              "building": "A", **fields}
    return await actor.gql.mutate(SUBMIT, {"i": values})


async def submitted(actor, **fields) -> dict:
    """Submit a request that must succeed; the request."""
    result = await submit(actor, **fields)
    assert result["errors"] == [], result
    return result["request"]


def gid(pk: int, type_name: str = "GovernanceRequest") -> str:
    """A global id."""
    return to_gid(type_name, pk)
