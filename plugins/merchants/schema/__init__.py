"""GraphQL for partner shops: residents find shops and their rules, ask for a code, see their
redemptions and rate them; staff submit and void redemptions and see the day's; admins
register shops, staff and rules, suspend and reinstate, and read the board, the statements and
the community profile. Resolvers stay thin: they resolve the community, check the switch
(``PLUGIN_DISABLED``) and who may act, and call the service.

``common`` (scalar, enums, loaders, checks), ``types``, ``queries``, ``mutations``.
"""

from __future__ import annotations

from yizhan.core.api import GraphQLContribution
from yizhan.plugins.merchants.schema.mutations import MerchantsMutation
from yizhan.plugins.merchants.schema.queries import MerchantsQuery


def contribution() -> GraphQLContribution:
    """What the merchants plugin adds to the schema."""
    return GraphQLContribution(query=MerchantsQuery, mutation=MerchantsMutation)
