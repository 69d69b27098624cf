"""The governance plugin's service API: what its GraphQL fields, CLI, routes, hooks and other
plugins call. The logic lives in :mod:`.requests`, :mod:`.grids`, :mod:`.grants` and
:mod:`.figures`; this module names the stable entry points.
"""

from __future__ import annotations

from yizhan.plugins.governance.common import PLUGIN, URGENCIES, settings
from yizhan.plugins.governance.figures import (
    Figures,
    Period,
    compute,
    compute_running,
    month_start,
)
from yizhan.plugins.governance.grants import (
    add_progress,
    add_reviewer,
    can_review,
    close_round,
    complete,
    create_round,
    decline,
    get_proposal,
    get_round,
    grant,
    list_proposals,
    list_rounds,
    progress_of,
    review,
    reviewer_ids,
    reviews_of,
    round_by_name,
    submit_proposal,
    yuan,
    yuan_to_fen,
)
from yizhan.plugins.governance.grids import (
    add_team_member,
    buildings_of,
    create_grid,
    get_grid,
    grid_by_name,
    grids_of_member,
    import_csv,
    list_grids,
    remove_team_member,
    set_buildings,
    teams_of,
)
from yizhan.plugins.governance.requests import (
    STATUSES,
    answer,
    assign,
    close,
    get_request,
    is_overdue,
    is_staff,
    list_requests,
    photos_of,
    rate,
    reject,
    reopen,
    submit,
    timeline,
    triage,
    update,
)


async def figures(community: dict) -> dict[str, Figures]:
    """The public figures: ``month`` (this calendar month, locally) and ``all`` (all time)."""
    from datetime import timedelta

    from yizhan.core.api import now

    current = now()
    end = current + timedelta(microseconds=1)  # what was submitted this very moment counts
    month, total = await compute_running(
        community, [(month_start(community, current), end), (None, end)], at=current)
    return {"month": month, "all": total}


__all__ = [
    "PLUGIN", "URGENCIES", "STATUSES", "Figures", "Period", "settings", "figures", "compute",
    "month_start",
    "submit", "triage", "assign", "update", "answer", "close", "reject", "reopen", "rate",
    "get_request", "list_requests", "timeline", "is_overdue", "is_staff", "photos_of",
    "create_grid", "set_buildings", "add_team_member", "remove_team_member", "import_csv",
    "get_grid", "grid_by_name", "list_grids", "grids_of_member", "buildings_of", "teams_of",
    "create_round", "close_round", "add_reviewer", "reviewer_ids", "get_round",
    "round_by_name", "list_rounds", "submit_proposal", "review", "grant", "decline",
    "add_progress", "complete", "get_proposal", "list_proposals", "reviews_of", "progress_of",
    "can_review", "yuan", "yuan_to_fen",
]
