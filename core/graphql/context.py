"""The per-request context: who is calling, in which language, with batched loaders."""

from __future__ import annotations

from typing import Any

import msgspec
from strawberry.litestar import BaseContext

from yizhan.core import audit
from yizhan.core.errors import YizhanError, forbidden, plugin_disabled, unauthenticated
from yizhan.core.graphql.loaders import Loaders
from yizhan.core.i18n import normalize
from yizhan.core.services import communities, members, people
from yizhan.core.services.people import Principal
from yizhan.core.switches import switches

ACT_AS_HEADER = "x-act-as"
_UNSET: Any = object()


class Context(BaseContext, kw_only=True):
    """Everything a resolver needs besides its arguments.

    Login tokens come as ``Authorization: Bearer …`` (HTTP) or in the ``connection_init``
    payload as ``{"authorization": "Bearer …"}`` (WebSocket). A service token may act for a
    person of its community with the ``X-Act-As: <username>`` header.
    """

    connection_params: dict[str, Any] | None = None
    loaders: Loaders = msgspec.field(default_factory=Loaders)
    cached_principal: Any = _UNSET
    cached_person: Any = _UNSET
    communities: dict[str, dict] = msgspec.field(default_factory=dict)
    memberships: dict[int, Any] = msgspec.field(default_factory=dict)
    #: Read the caller's memberships with their token (:meth:`principal`): set for a query
    #: over HTTP, which changes no membership; after that :attr:`memberships` is complete.
    memberships_with_token: bool = False
    memberships_complete: bool = False

    # --- request data ---------------------------------------------------------------

    def header(self, name: str) -> str | None:
        """A request header (HTTP or WebSocket upgrade), or a ``connection_init`` field."""
        if self.connection_params and isinstance(self.connection_params, dict):
            for key, value in self.connection_params.items():
                if key.lower() == name.lower() and isinstance(value, str):
                    return value
        connection = self.request if self.request is not None else self.websocket
        if connection is None:
            return None
        return connection.headers.get(name)

    def client_address(self) -> str | None:
        """The caller's network address (the peer of the HTTP or WebSocket connection)."""
        connection = self.request if self.request is not None else self.websocket
        client = getattr(connection, "client", None) if connection is not None else None
        return client.host if client is not None else None

    @property
    def locale(self) -> str:
        """The caller's language: their own setting, else Accept-Language, else the language
        of the (one) community the request is about, else Chinese.

        The own setting is known once the token was resolved (:meth:`principal`); the error
        formatting resolves it before rendering messages.
        """
        person = self.cached_person if self.cached_person is not _UNSET else None
        if person and person.get("locale"):
            return normalize(person["locale"])
        principal = self.cached_principal if self.cached_principal is not _UNSET else None
        if principal is not None and principal.locale:
            return normalize(principal.locale)
        accept = self.header("accept-language")
        if accept:
            return normalize(accept.split(",")[0])
        if len(self.communities) == 1:
            (community,) = self.communities.values()
            return normalize(community.get("locale"))
        return normalize(None)

    async def resolved_locale(self) -> str:
        """:attr:`locale` after trying to resolve the token (a bad token changes nothing)."""
        try:
            await self.principal()
        except YizhanError:
            pass
        return self.locale

    # --- who is calling -------------------------------------------------------------

    async def principal(self) -> Principal | None:
        """The token's principal, or None when there is no (valid) token."""
        if self.cached_principal is _UNSET:
            value = self.header("authorization") or ""
            scheme, _, token = value.partition(" ")
            principal = None
            if scheme.lower() == "bearer" and token.strip():
                if self.memberships_with_token:  # one statement for token and memberships
                    principal, found = await people.resolve_token_and_memberships(
                        token.strip())
                    if found is not None:
                        self.memberships.update(found)
                        self.memberships_complete = True
                else:
                    principal = await people.resolve_token(token.strip())
                if principal is None:
                    raise YizhanError("INVALID_TOKEN", "Your login has expired or was revoked.",
                                      kind="auth")
            elif value:
                raise YizhanError("INVALID_TOKEN", "Your login has expired or was revoked.",
                                  kind="auth")
            if principal is not None and principal.token_kind == "service":
                act_as = self.header(ACT_AS_HEADER)
                if act_as:
                    person = await people.find_person(act_as)
                    if person is None or await members.member_for(
                            principal.service_community, person["id"]) is None:
                        raise forbidden("This service token cannot act for {who}.", who=act_as)
                    principal = Principal(person["id"], "service",
                                          principal.service_community, principal.token_id,
                                          person.get("locale") or "", principal.token_name)
            self.cached_principal = principal
        _declare_operator(self.cached_principal)
        return self.cached_principal

    async def token_still_valid(self) -> bool:
        """Whether the token this request (or WebSocket) came with is still valid, read
        afresh: a subscription ends when its token is logged out, revoked or expires."""
        value = self.header("authorization") or ""
        scheme, _, token = value.partition(" ")
        if not value:
            return True  # anonymous stays anonymous
        return scheme.lower() == "bearer" and bool(token.strip()) and (
            await people.resolve_token(token.strip())) is not None

    async def person(self) -> dict | None:
        """The calling person's row, or None when anonymous (or a bare service token)."""
        if self.cached_person is _UNSET:
            principal = await self.principal()
            self.cached_person = (await people.get_person(principal.person_id)
                            if principal and principal.person_id else None)
        return self.cached_person

    async def require_person(self) -> dict:
        """The calling person; UNAUTHENTICATED when anonymous."""
        person = await self.person()
        if person is None:
            raise unauthenticated()
        return person

    async def community(self, slug: str) -> dict:
        """A community by slug (cached for the request)."""
        key = (slug or "").strip().lower()
        if key not in self.communities:
            self.communities[key] = await communities.get_community(key)
        return self.communities[key]

    async def member(self, community: dict) -> dict | None:
        """The caller's membership row in ``community`` (None if not a member).

        A service token without ``X-Act-As`` acts as an admin of its own community.
        """
        cid = community["id"]
        if cid not in self.memberships:
            principal = await self.principal()
            found = None
            if principal is not None and principal.token_kind == "service":
                if principal.service_community != cid:
                    raise forbidden("This service token belongs to another community.")
                if principal.person_id is None:
                    found = {"id": None, "community": cid, "person": None, "role": "admin",
                             "status": "verified", "building": None}
            if (found is None and principal is not None and principal.person_id is not None
                    and not self.memberships_complete):
                found = await members.member_for(cid, principal.person_id)
            self.memberships[cid] = found
        return self.memberships[cid]

    async def require_member(self, community: dict) -> dict:
        """The caller's membership (any status); FORBIDDEN for outsiders."""
        if await self.principal() is None:
            raise unauthenticated()
        member = await self.member(community)
        if member is None or member["status"] not in ("pending", "verified"):
            raise forbidden("You are not a member of this community.")
        return member

    async def require_membership(self, community: dict) -> dict:
        """The caller's membership whatever its status — a declined member still reads why,
        in their own inbox. FORBIDDEN for outsiders (and a service token acting as nobody)."""
        if await self.principal() is None:
            raise unauthenticated()
        member = await self.member(community)
        if member is None or member["id"] is None:
            raise forbidden("You are not a member of this community.")
        return member

    async def require_verified(self, community: dict) -> dict:
        """The caller's verified membership."""
        member = await self.require_member(community)
        if member["status"] != "verified":
            raise YizhanError("NOT_VERIFIED", "Only verified members can do this.",
                              kind="permission")
        return member

    async def plugin_community(self, slug: str, plugin: str) -> dict:
        """The community ``slug`` after checking ``plugin`` is on there (PLUGIN_DISABLED)."""
        community = await self.community(slug)
        self.require_plugin(community, plugin)
        return community

    def require_plugin(self, community: dict, plugin: str) -> None:
        """PLUGIN_DISABLED unless ``plugin`` is on in ``community``."""
        if not switches.enabled(community["id"], plugin):
            raise plugin_disabled(plugin)


def _declare_operator(principal: Principal | None) -> None:
    """Tell the audit log how this request's actions come in (login or service token)."""
    if principal is not None and principal.token_kind == "service":
        operator = audit.Operator("service", principal.person_id,
                                  principal.token_name or f"token {principal.token_id}")
    else:
        operator = audit.Operator("api", principal.person_id if principal else None)
    audit.set_operator(operator)


async def get_context() -> Context:
    """Litestar dependency: a fresh context per request or WebSocket connection."""
    return Context()
