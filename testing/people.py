"""Members of each role for tests, each with a GraphQL client logged in as them."""

from __future__ import annotations

from dataclasses import dataclass

from yizhan.core.graphql.ids import to_gid
from yizhan.core.services import members, people
from yizhan.testing.client import GraphQLClient

PASSWORD = "correct-horse-battery"


@dataclass
class Actor:
    """A test person: their rows, token, global member id and client."""

    person: dict
    member: dict
    token: str
    gql: GraphQLClient

    @property
    def id(self) -> str:
        """The member's global id."""
        return to_gid("Member", self.member["id"])

    @property
    def member_id(self) -> int:
        """The member's primary key."""
        return self.member["id"]


async def make_actor(community: dict, gql: GraphQLClient, username: str,
                     building: str | None, role: str | None) -> Actor:
    """Create a person, add them to ``community`` (verified with ``role``; pending if None)."""
    person = await people.find_person(username) or await people.create_person(
        username, username.capitalize(), PASSWORD)
    building_id = community["buildings"][building]["id"] if building else None
    if role is None:
        member = await members.join(community, person["id"], building_id)
    else:
        member = await members.add_member(community, person["id"], building_id, role,
                                          verify_as=f"Real {username}")
    token, _ = await people.create_login_token(person["id"])
    return Actor(person, member, token, gql.as_(token))
