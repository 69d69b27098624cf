"""``yizhan webhooks …``: manage a community's webhooks and read their delivery log.

Ids are the numbers ``list`` and ``deliveries`` print (GraphQL global ids work too).
"""

from __future__ import annotations

import typer

from yizhan.cli.output import COMMUNITY_OPTION, JSON_OPTION, emit, fail
from yizhan.cli.runner import run
from yizhan.core.api import canonical_int, community_with_plugin, from_gid
from yizhan.plugins.webhooks import NAME, delivery, service

webhooks_app = typer.Typer(help="Webhooks: signed HTTP callbacks for a community's events.",
                           no_args_is_help=True)
COMMUNITY = COMMUNITY_OPTION
JSON = JSON_OPTION
SUBSCRIPTION_COLUMNS = ["id", "url", "events", "active", "consecutive_failures",
                        "secret_hint", "description"]
DELIVERY_COLUMNS = ["id", "webhook", "event", "status", "attempts", "last_status_code",
                    "next_attempt_at", "last_error"]


def _pk(value: str, type_name: str) -> int:
    """A row id from ``42`` or a global id of ``type_name``."""
    if canonical_int(value) is not None:
        return int(value)
    try:
        return from_gid(value, type_name)[1]
    except Exception:  # noqa: BLE001 - any bad id gets the same one-line refusal
        fail("INVALID_ID", f"Not a valid {type_name} id: {value!r}.")
        raise


def _subscription(row: dict) -> dict:
    return {"id": row["id"], "url": row["url"], "events": service.patterns_of(row),
            "active": row["active"], "description": row["description"],
            "secret_hint": service.secret_hint(row),
            "consecutive_failures": row["consecutive_failures"],
            "created_at": row["created_at"]}


def _delivery(row: dict) -> dict:
    return {"id": row["id"], "webhook": row["subscription"], "event": row["event"],
            "status": row["status"], "attempts": row["attempts"],
            "last_status_code": row["last_status_code"], "last_error": row["last_error"],
            "next_attempt_at": row["next_attempt_at"], "delivered_at": row["delivered_at"],
            "created_at": row["created_at"]}


@webhooks_app.command("add")
def add(url: str, community: str = COMMUNITY,
        events: list[str] = typer.Option(..., "--event", "-e",
                                         help="Event pattern: need.posted, need.* or *. "
                                              "Repeat for several."),
        description: str = typer.Option("", help="What this webhook is for."),
        as_json: bool = JSON) -> None:
    """Subscribe URL to events; prints the signing secret once."""

    async def body() -> dict:
        row = await community_with_plugin(community, NAME)
        sub, secret = await service.create(row, None, url, events, description)
        return {**_subscription(sub), "secret": secret}

    result = run(body)
    emit(result, as_json)
    if not as_json:
        typer.echo("Store the secret now: it is not shown again.")


@webhooks_app.command("list")
def list_(community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """The community's webhooks."""

    async def body() -> list[dict]:
        row = await community_with_plugin(community, NAME)
        return [_subscription(r) for r in await service.list_subscriptions(row, limit=1000)]

    emit(run(body), as_json, SUBSCRIPTION_COLUMNS)


@webhooks_app.command("update")
def update(webhook: str, community: str = COMMUNITY,
           url: str = typer.Option(None, help="A new URL."),
           events: list[str] = typer.Option(None, "--event", "-e",
                                            help="Replace the event patterns."),
           description: str = typer.Option(None, help="A new description."),
           active: bool = typer.Option(None, "--resume/--pause",
                                       help="Resume or pause deliveries."),
           as_json: bool = JSON) -> None:
    """Change, pause or resume a webhook."""
    pk = _pk(webhook, "Webhook")

    async def body() -> dict:
        row = await community_with_plugin(community, NAME)
        return _subscription(await service.update(
            row, None, pk, url=url, events=events or None, description=description,
            active=active))

    emit(run(body), as_json)


@webhooks_app.command("remove")
def remove(webhook: str, community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """Remove a webhook and its delivery log."""
    pk = _pk(webhook, "Webhook")

    async def body() -> None:
        row = await community_with_plugin(community, NAME)
        await service.delete(row, None, pk)

    run(body)
    if as_json:
        emit({"id": pk, "community": community, "removed": True}, True)
    else:
        typer.echo(f"Webhook {pk} removed from {community}.")


@webhooks_app.command("rotate-secret")
def rotate_secret(webhook: str, community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """A new signing secret (printed once); the old one keeps signing for 24 hours."""
    pk = _pk(webhook, "Webhook")

    async def body() -> dict:
        row = await community_with_plugin(community, NAME)
        sub, secret = await service.rotate_secret(row, None, pk)
        return {**_subscription(sub), "secret": secret}

    emit(run(body), as_json)


@webhooks_app.command("ping")
def ping(webhook: str, community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """Send a ``webhook.ping`` now and show how it went."""
    pk = _pk(webhook, "Webhook")

    async def body() -> dict:
        row = await community_with_plugin(community, NAME)
        queued = await service.ping(row, None, pk)
        return _delivery(await delivery.send_now(row, queued["id"]))

    emit(run(body), as_json)


@webhooks_app.command("deliveries")
def deliveries(community: str = COMMUNITY,
               webhook: str = typer.Option(None, help="Only this webhook's deliveries."),
               status: str = typer.Option(None, help="pending, delivered or failed."),
               limit: int = typer.Option(20, min=1, max=1000, help="How many, newest first."),
               as_json: bool = JSON) -> None:
    """The delivery log, newest first."""
    pk = _pk(webhook, "Webhook") if webhook else None

    async def body() -> list[dict]:
        row = await community_with_plugin(community, NAME)
        rows = await service.list_deliveries(row, subscription_id=pk, status=status,
                                             limit=limit)
        return [_delivery(r) for r in rows]

    emit(run(body), as_json, DELIVERY_COLUMNS)


@webhooks_app.command("redeliver")
def redeliver(delivery_id: str, community: str = COMMUNITY, as_json: bool = JSON) -> None:
    """Send a delivered or failed delivery again, now."""
    pk = _pk(delivery_id, "WebhookDelivery")

    async def body() -> dict:
        row = await community_with_plugin(community, NAME)
        queued = await service.redeliver(row, None, pk)
        return _delivery(await delivery.send_now(row, queued["id"]))

    emit(run(body), as_json)
