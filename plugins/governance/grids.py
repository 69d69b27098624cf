"""Grids (网格) and their teams: a grid is a named part of the community with its buildings,
a building belongs to one grid, and a grid's team members see and handle its requests.

``import_csv`` reads ``grid,building[,building…]`` lines and applies all of them or none.
"""

from __future__ import annotations

import csv
import io

from yizhan.core.api import (
    YizhanError,
    atomic,
    get_member,
    invalid,
    list_buildings,
    not_found,
    now,
    publish,
    require_admin,
)
from yizhan.plugins.governance.common import settings, text
from yizhan.plugins.governance.tables import Grid, GridBuilding, TeamMember


async def get_grid(community: dict, grid_id: int, field: str = "gridId") -> dict:
    """The grid ``grid_id`` of the community, or NOT_FOUND."""
    row = await Grid.select().where((Grid.id == grid_id)
                                    & (Grid.community == community["id"])).first()
    if row is None:
        raise not_found("grid", field)
    return row


async def grid_by_name(community: dict, name: str) -> dict | None:
    """The grid named ``name``, or None."""
    return await Grid.select().where((Grid.community == community["id"])
                                     & (Grid.name == name.strip())).first()


async def list_grids(community: dict) -> list[dict]:
    """The community's grids, by name."""
    return await Grid.select().where(Grid.community == community["id"]).order_by(Grid.name)


async def grid_of_building(building_id: int | None) -> int | None:
    """The id of the grid ``building_id`` belongs to, or None."""
    if building_id is None:
        return None
    row = await GridBuilding.select(GridBuilding.grid).where(
        GridBuilding.building == building_id).first()
    return row["grid"] if row else None


async def buildings_of(grid_ids: list[int]) -> dict[int, list[int]]:
    """Building ids per grid, for a page of grids at once."""
    found: dict[int, list[int]] = {g: [] for g in grid_ids}
    if grid_ids:
        for row in await GridBuilding.select().where(GridBuilding.grid.is_in(grid_ids)):
            found[row["grid"]].append(row["building"])
    return found


async def teams_of(grid_ids: list[int]) -> dict[int, list[dict]]:
    """Team member rows per grid, for a page of grids at once."""
    found: dict[int, list[dict]] = {g: [] for g in grid_ids}
    if grid_ids:
        for row in await TeamMember.select().where(TeamMember.grid.is_in(grid_ids)).order_by(
                TeamMember.id):
            found[row["grid"]].append(row)
    return found


async def grids_of_member(community: dict, member_id: int) -> list[int]:
    """Ids of the grids whose team ``member_id`` is on."""
    rows = await TeamMember.select(TeamMember.grid).where(
        (TeamMember.community == community["id"]) & (TeamMember.member == member_id))
    return sorted({r["grid"] for r in rows})


async def team_member_ids(grid_id: int) -> list[int]:
    """Member ids of a grid's team."""
    rows = await TeamMember.select(TeamMember.member).where(TeamMember.grid == grid_id)
    return sorted({r["member"] for r in rows})


async def _building_ids(community: dict, names: list[str], field: str) -> list[int]:
    by_name = {b["name"]: b["id"] for b in await list_buildings(community)}
    ids = []
    for name in names:
        if name.strip() not in by_name:
            raise invalid(field, "No building named {name} in this community.",
                          code="UNKNOWN_BUILDING", name=name.strip())
        ids.append(by_name[name.strip()])
    return ids


async def create_grid(community: dict, actor: dict | None, name: str, description: str = "",
                      buildings: list[str] | None = None) -> dict:
    """Create a grid with its buildings (admins). A building already in a grid is refused
    (BUILDING_IN_ANOTHER_GRID); use :func:`set_buildings` to move it."""
    if actor is not None:
        require_admin(actor)
    name = text(name, "name", 60)
    description = text(description, "description", 500, required=False)
    ids = await _building_ids(community, buildings or [], "buildings")
    async with atomic():
        if await grid_by_name(community, name):
            raise YizhanError("GRID_EXISTS", "There is already a grid named {name}.",
                              field="name", name=name)
        await _refuse_taken(ids, None)
        grid = (await Grid.insert(Grid(community=community["id"], name=name,
                                       description=description, created_at=now()))
                .returning(*Grid.all_columns()))[0]
        for building in ids:
            await GridBuilding.insert(GridBuilding(community=community["id"], grid=grid["id"],
                                                   building=building))
        await publish(community["id"], "governance.grid_created",
                      {"grid": grid["id"], "name": name})
    return grid


async def _refuse_taken(building_ids: list[int], grid_id: int | None) -> None:
    if not building_ids:
        return
    query = GridBuilding.select(GridBuilding.building).where(
        GridBuilding.building.is_in(building_ids))
    if grid_id is not None:
        query = query.where(GridBuilding.grid != grid_id)
    if await query.first():
        raise YizhanError("BUILDING_IN_ANOTHER_GRID",
                          "A building belongs to one grid only; this one is in another.",
                          field="buildings")


async def set_buildings(community: dict, actor: dict | None, grid_id: int,
                        buildings: list[str]) -> dict:
    """Replace a grid's buildings (admins); a building taken by another grid is refused."""
    if actor is not None:
        require_admin(actor)
    grid = await get_grid(community, grid_id)
    ids = await _building_ids(community, buildings, "buildings")
    async with atomic():
        await _refuse_taken(ids, grid_id)
        await GridBuilding.delete().where(GridBuilding.grid == grid_id)
        for building in ids:
            await GridBuilding.insert(GridBuilding(community=community["id"], grid=grid_id,
                                                   building=building))
    return grid


async def add_team_member(community: dict, actor: dict | None, grid_id: int, member_id: int,
                          role: str) -> dict:
    """Put a verified member on a grid's team with a role from the community's list."""
    if actor is not None:
        require_admin(actor)
    grid = await get_grid(community, grid_id)
    member = await get_member(community, member_id, "memberId")
    if member["status"] != "verified":
        raise YizhanError("NOT_VERIFIED", "Only verified members can be on a team.",
                          field="memberId")
    roles = settings(community).team_roles
    role = (role or "").strip()
    if role not in roles:
        raise invalid("role", "Choose a role from the community's list: {roles}.",
                      code="INVALID_ROLE", roles="、".join(roles))
    async with atomic():
        if await TeamMember.exists().where((TeamMember.grid == grid["id"])
                                           & (TeamMember.member == member_id)):
            raise YizhanError("ALREADY_ON_TEAM", "This member is already on the team.",
                              field="memberId")
        return (await TeamMember.insert(TeamMember(
            community=community["id"], grid=grid["id"], member=member_id, role=role,
            created_at=now())).returning(*TeamMember.all_columns()))[0]


async def remove_team_member(community: dict, actor: dict | None, grid_id: int,
                             member_id: int) -> bool:
    """Take a member off a grid's team (admins); NOT_FOUND if they were not on it."""
    if actor is not None:
        require_admin(actor)
    await get_grid(community, grid_id)
    async with atomic():
        rows = await TeamMember.delete().where(
            (TeamMember.grid == grid_id) & (TeamMember.member == member_id)).returning(
            TeamMember.id)
    if not rows:
        raise not_found("team member", "memberId")
    return True



async def import_csv(community: dict, content: str, *, dry_run: bool = False) -> dict:
    """Apply ``grid,building[,building…]`` lines: create missing grids and put the buildings
    in them (a building named in two lines, or already in another grid, is an error).

    All or nothing: every line is checked first, and one bad line refuses the whole file
    (INVALID_CSV, with ``errors`` naming each line). ``dry_run`` checks and reports only.
    """
    by_name = {b["name"]: b["id"] for b in await list_buildings(community)}
    existing = {g["name"]: g["id"] for g in await list_grids(community)}
    taken = {r["building"]: r["grid"] for r in await GridBuilding.select().where(
        GridBuilding.community == community["id"])}
    errors: list[str] = []
    plan: dict[str, list[int]] = {}
    seen: dict[int, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(content)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (cells and cells[0].startswith("#")):
            continue
        if number == 1 and cells[0].lower() == "grid":
            continue
        if len(cells) < 2 or not cells[0] or not any(cells[1:]):
            errors.append(f"line {number}: expected grid,building[,building…]")
            continue
        grid = cells[0]
        if len(grid) > 60:
            errors.append(f"line {number}: grid name longer than 60 characters")
            continue
        for name in (c for c in cells[1:] if c):
            building = by_name.get(name)
            if building is None:
                errors.append(f"line {number}: no building named {name}")
            elif building in seen:
                errors.append(f"line {number}: building {name} is already on line "
                              f"{seen[building]}")
            elif building in taken and taken[building] != existing.get(grid):
                errors.append(f"line {number}: building {name} is in another grid")
            else:
                seen[building] = number
                plan.setdefault(grid, []).append(building)
    if not plan and not errors:
        errors.append("the file has no grid lines")
    if errors:
        raise YizhanError("INVALID_CSV", "The file was not imported: {errors}",
                          field="file", errors="; ".join(errors))
    report = {"grids": len(plan), "new_grids": sorted(g for g in plan if g not in existing),
              "buildings": sum(len(b) for b in plan.values()), "dry_run": dry_run}
    if dry_run:
        return report
    async with atomic():
        for name, buildings in plan.items():
            grid_id = existing.get(name)
            if grid_id is None:
                grid_id = (await Grid.insert(Grid(community=community["id"], name=name,
                                                  created_at=now())).returning(Grid.id))[0]["id"]
            for building in buildings:
                if taken.get(building) == grid_id:
                    continue
                await GridBuilding.insert(GridBuilding(community=community["id"], grid=grid_id,
                                                       building=building))
    return report


async def member_left(community: dict, member: dict) -> None:
    """A member left the community or was removed: off every team and review panel; requests
    assigned to them go back to their grid team (or the admins)."""
    from yizhan.plugins.governance.tables import Request, Reviewer

    cid, mid = community["id"], member["id"]
    await TeamMember.delete().where((TeamMember.community == cid) & (TeamMember.member == mid))
    await Reviewer.delete().where((Reviewer.community == cid) & (Reviewer.member == mid))
    await Request.update({Request.assignee: None, Request.updated_at: now()}).where(
        (Request.community == cid) & (Request.assignee == mid)
        & Request.status.is_in(["submitted", "assigned", "in_progress"]))
