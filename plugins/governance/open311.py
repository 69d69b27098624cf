"""Open311 GeoReport v2 (JSON) for a community's requests, under
``/governance/<community>/open311/v2/``, so existing Open311 clients and dashboards can talk
to a community:

- ``GET services.json``: the community's categories as services;
- ``GET requests.json``: requests, newest first, filtered by ``service_request_id`` (comma
  separated; overrides the rest), ``service_code``, ``start_date``, ``end_date``, ``status``
  (``open`` or ``closed``);
- ``POST requests.json``: submit a request (form-encoded as the standard says, or JSON),
  authenticated with a service token of the community (``api_key`` or a Bearer header);
  answers ``[{"service_request_id", "token", "service_notice", "account_id"}]``;
- ``GET requests/<id>.json``: one request (a list of one, as the standard answers);
- ``GET tokens/<token>.json``: the request id a submission token stands for.

Statuses map to Open311's ``open`` (submitted, assigned, in progress) and ``closed``
(answered, closed, rejected); ``status_notes`` carry a public answer or the rejection reason,
never a private answer. Refusals are a JSON list ``[{"code": <HTTP status>, "description"}]``.
Reads are public unless the community's ``open311_public_reads`` setting is off.
"""

from __future__ import annotations

import functools
from datetime import datetime
from urllib.parse import parse_qs

from litestar import Request as HttpRequest
from litestar import Response, get, post

from yizhan.core.api import (
    YizhanError,
    community_with_plugin,
    resolve_token,
    translate,
)
from yizhan.plugins.governance import requests as service
from yizhan.plugins.governance.common import PLUGIN, settings

JSON = "application/json"
STATUS_FOR_KIND = {"auth": 403, "permission": 403, "not_found": 404, "plugin": 404}
PREFIX = "/governance/{community:str}/open311/v2"


def _locale(request: HttpRequest) -> str:
    accept = request.headers.get("accept-language")
    return accept.split(",")[0] if accept else "en"


def _errors(status: int, description: str) -> Response:
    return Response([{"code": status, "description": description}], status_code=status,
                    media_type=JSON)


def open311(handler):
    """Answer a YizhanError as Open311's error list with the matching HTTP status."""

    @functools.wraps(handler)
    async def wrapped(request: HttpRequest, community: str, **kwargs) -> Response:
        try:
            return await handler(request, community, **kwargs)
        except YizhanError as error:
            status = STATUS_FOR_KIND.get(error.kind, 400)
            message = translate(error.message, _locale(request), **error.params)
            if error.field and status == 400:
                message = f"{error.field}: {message}"
            return _errors(status, message)

    return wrapped


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _key(request: HttpRequest, form: dict | None = None) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return ((form or {}).get("api_key") or request.query_params.get("api_key") or "").strip()


async def _authenticate(request: HttpRequest, community: dict, form: dict | None = None
                        ) -> None:
    key = _key(request, form)
    principal = await resolve_token(key) if key else None
    if (principal is None or principal.token_kind != "service"
            or principal.service_community != community["id"]):
        raise YizhanError("INVALID_API_KEY",
                          "A valid api_key (a service token of this community) is required.",
                          kind="permission")


async def _community(request: HttpRequest, slug: str, *, read: bool = True) -> dict:
    row = await community_with_plugin(slug, PLUGIN)
    if read and not settings(row).open311_public_reads:
        await _authenticate(request, row)
    return row


def _service(category) -> dict:
    return {"service_code": category.code, "service_name": category.name,
            "description": category.description, "metadata": False, "type": "realtime",
            "keywords": "", "group": ""}


def _status_notes(row: dict) -> str:
    if row["status"] == service.REJECTED:
        return row["reject_reason"]
    if row["status"] in (service.ANSWERED, service.CLOSED) and row["response_public"]:
        return row["response"]
    return ""


def as_open311(row: dict, community: dict, buildings: dict[int, str]) -> dict:
    """A request in GeoReport v2's shape."""
    conf = settings(community)
    category = conf.category(row["category"])
    building = buildings.get(row["building"]) if row["building"] else None
    address = ", ".join(p for p in (building, row["place"]) if p)
    media = service.photos_of(row)
    return {
        "service_request_id": str(row["id"]),
        "status": "open" if row["status"] in service.OPEN else "closed",
        "status_notes": _status_notes(row),
        "service_name": category.name if category else row["category"],
        "service_code": row["category"],
        "description": row["description"],
        "agency_responsible": community["name"],
        "service_notice": "",
        "requested_datetime": _iso(row["submitted_at"]),
        "updated_datetime": _iso(row["updated_at"]),
        "expected_datetime": _iso(row["due_at"]),
        "address": address,
        "address_id": building or "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": media[0] if media else "",
    }


async def _buildings(community: dict, rows: list[dict]) -> dict[int, str]:
    from yizhan.core.api import building_names

    return await building_names(community, [r["building"] for r in rows])


def _date(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise YizhanError("INVALID_DATE", "Not a W3C date-time: {value}.", field=field,
                          value=value) from None
    if parsed.tzinfo is None:
        raise YizhanError("INVALID_DATE", "Give the date-time with its time zone: {value}.",
                          field=field, value=value)
    return parsed


@get(PREFIX + "/services.json")
@open311
async def services(request: HttpRequest, community: str) -> Response:
    """The community's request categories as Open311 services."""
    row = await _community(request, community)
    return Response([_service(c) for c in settings(row).categories], media_type=JSON)


@get(PREFIX + "/requests.json")
@open311
async def list_requests(request: HttpRequest, community: str) -> Response:
    """Requests, newest first (at most 1,000), with GeoReport v2's filters."""
    row = await _community(request, community)
    q = request.query_params
    kwargs: dict = {}
    if q.get("service_request_id"):
        try:
            kwargs["ids"] = [int(i) for i in q["service_request_id"].split(",") if i.strip()]
        except ValueError:
            raise YizhanError("INVALID_ID", "service_request_id takes ids separated by commas.",
                              field="service_request_id") from None
    else:
        status = (q.get("status") or "").strip().lower()
        if status not in ("", "open", "closed"):
            raise YizhanError("INVALID_STATUS", "status is open or closed.", field="status")
        if status:
            kwargs["statuses"] = list(service.OPEN) if status == "open" else [
                service.ANSWERED, service.CLOSED, service.REJECTED]
        if q.get("service_code"):
            kwargs["category"] = q["service_code"].strip()
        kwargs["since"] = _date(q.get("start_date"), "start_date")
        kwargs["until"] = _date(q.get("end_date"), "end_date")
    rows = await service.list_requests(row, limit=1000, **kwargs)
    buildings = await _buildings(row, rows)
    return Response([as_open311(r, row, buildings) for r in rows], media_type=JSON)


@get(PREFIX + "/requests/{request_id:str}")
@open311
async def one_request(request: HttpRequest, community: str, request_id: str) -> Response:
    """One request, as a list of one (``requests/<id>.json``)."""
    row = await _community(request, community)
    number = request_id.removesuffix(".json")
    if not number.isdigit():
        raise YizhanError("NOT_FOUND", "No such {what}.", kind="not_found", what="request")
    found = await service.get_request(row, int(number))
    return Response([as_open311(found, row, await _buildings(row, [found]))], media_type=JSON)


@get(PREFIX + "/tokens/{token:str}")
@open311
async def token_lookup(request: HttpRequest, community: str, token: str) -> Response:
    """The request a submission's token stands for (``tokens/<token>.json``)."""
    from yizhan.plugins.governance.tables import Request

    row = await _community(request, community)
    value = token.removesuffix(".json")
    found = await Request.select(Request.id).where(
        (Request.community == row["id"]) & (Request.token == value)).first() if value else None
    if found is None:
        raise YizhanError("NOT_FOUND", "No such {what}.", kind="not_found", what="request")
    return Response([{"service_request_id": str(found["id"]), "token": value}],
                    media_type=JSON)


async def _form(request: HttpRequest) -> dict:
    if request.headers.get("content-type", "").startswith(JSON):
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001 - any unreadable body gets the same refusal
            body = None
        if not isinstance(body, dict):
            raise YizhanError("INVALID_INPUT", "The body must be a JSON object.")
        return {k: v for k, v in body.items()}
    # Form-encoded, as the standard says. Parsed here as UTF-8, so that raw UTF-8 bytes (what
    # ``curl -d`` sends) and percent-encoded UTF-8 both arrive as the text they were.
    try:
        fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise YizhanError("INVALID_INPUT", "The body must be UTF-8 text.") from None
    return {k: v if k == "media_url" else v[-1] for k, v in fields.items()}


@post(PREFIX + "/requests.json", status_code=201)
@open311
async def create_request(request: HttpRequest, community: str) -> Response:
    """Submit a request (service token required); ``address_id`` names a building,
    ``address_string`` a place; a ``urgency`` extension field suggests red/yellow/blue."""
    row = await community_with_plugin(community, PLUGIN)
    form = await _form(request)
    await _authenticate(request, row, form)
    if not (form.get("service_code") or "").strip():
        raise YizhanError("REQUIRED", "service_code is required.", field="service_code")
    media = form.get("media_url") or []
    media = [media] if isinstance(media, str) else list(media)
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p)
    created = await service.submit(
        row, None, category=form.get("service_code") or "",
        description=form.get("description") or "",
        building=form.get("address_id") or None, place=form.get("address_string") or "",
        photos=media, suggested_urgency=form.get("urgency") or None, channel="open311",
        reporter_name=name)
    return Response([{"service_request_id": str(created["id"]), "token": created["token"],
                      "service_notice": "", "account_id": form.get("account_id") or None}],
                    status_code=201, media_type=JSON)


ROUTES = [services, list_requests, one_request, token_lookup, create_request]
