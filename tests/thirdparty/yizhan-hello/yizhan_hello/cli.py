"""``yizhan hello …``: the hello plugin's admin commands."""

from __future__ import annotations

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit
from yizhan.cli.runner import run
from yizhan.core.api import community_with_plugin
from yizhan_hello import NAME, service

hello_app = typer.Typer(help="The hello plugin: greeting and guestbook.", no_args_is_help=True)


@hello_app.command("count")
def count(community: str = COMMUNITY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """How many entries a community's guestbook holds."""

    async def body() -> dict:
        row = await community_with_plugin(community, NAME)
        return {"community": row["slug"], "entries": await service.count(row),
                "greeting": service.greeting(row)}

    emit(run(body), as_json)
