"""``yizhan toollib …``: what a leader or admin looks at from the command line."""

from __future__ import annotations

import typer
from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit
from yizhan.cli.runner import run
from yizhan.core.api import community_with_plugin, format_centi

from yizhan_toollib import NAME, service

toollib_app = typer.Typer(help="The tool library: tools and loans of a community.",
                          no_args_is_help=True)


@toollib_app.command("tools")
def tools(community: str = COMMUNITY_OPTION,
          available: bool = typer.Option(False, help="Only tools nobody asked for or has."),
          as_json: bool = JSON_OPTION) -> None:
    """The tools on the shelf, newest first."""

    async def body() -> list[dict]:
        row = await community_with_plugin(community, NAME)
        rows = await service.list_tools(row, available=True if available else None,
                                        limit=500)
        names = await service.display_names(*{r["owner"] for r in rows})
        return [{"id": r["id"], "name": r["name"], "category": r["category"],
                 "owner": names.get(r["owner"], ""), "deposit": format_centi(r["deposit_centi"]),
                 "available": r["current_loan"] is None} for r in rows]

    emit(run(body), as_json, ["id", "name", "category", "owner", "deposit", "available"])


@toollib_app.command("overdue")
def overdue(community: str = COMMUNITY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Loans out past their due date: who has what, since when."""

    async def body() -> list[dict]:
        row = await community_with_plugin(community, NAME)
        loans = await service.list_loans(row, overdue=True, limit=500)
        names = await service.display_names(*{m for r in loans
                                              for m in (r["owner"], r["borrower"])})
        out = []
        for loan in loans:
            tool = await service.get_tool(row, loan["tool"])
            out.append({"loan": loan["id"], "tool": tool["name"],
                        "borrower": names.get(loan["borrower"], ""),
                        "owner": names.get(loan["owner"], ""),
                        "due": service.local_time(row, loan["due_at"])})
        return out

    emit(run(body), as_json, ["loan", "tool", "borrower", "owner", "due"])
