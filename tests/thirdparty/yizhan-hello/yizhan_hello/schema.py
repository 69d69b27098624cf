"""The hello plugin's GraphQL fields. Every one checks the community's switch first."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from yizhan.core.api import UserError, payload, to_gid
from yizhan_hello import NAME, service


@strawberry.type
class GuestbookEntry:
    """One signature in a community's guestbook."""

    id: strawberry.ID
    name: str


@strawberry.input
class SignGuestbookInput:
    """Sign a community's guestbook."""

    community: str
    name: str


@strawberry.type
class SignGuestbookPayload:
    """The new entry and how many the book holds now."""

    entry: GuestbookEntry | None = None
    count: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class HelloQuery:
    """Root query fields of the hello plugin."""

    @strawberry.field(description="The community's greeting (hello plugin).")
    async def hello(self, info: Info, community: str) -> str:
        row = await info.context.plugin_community(community, NAME)
        return service.greeting(row)


@strawberry.type
class HelloMutation:
    """Root mutation fields of the hello plugin."""

    @strawberry.mutation(description="Sign the community's guestbook (members; hello plugin).")
    @payload(SignGuestbookPayload)
    async def sign_guestbook(self, info: Info, input: SignGuestbookInput
                             ) -> SignGuestbookPayload:
        row = await info.context.plugin_community(input.community, NAME)
        await info.context.require_member(row)  # members only
        entry = await service.sign(row, input.name)
        return SignGuestbookPayload(
            entry=GuestbookEntry(id=to_gid("GuestbookEntry", entry["id"]), name=entry["name"]),
            count=await service.count(row))
