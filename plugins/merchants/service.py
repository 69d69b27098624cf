"""The merchants service API: what other plugins (events, badges, a mini-program backend …) and
the GraphQL and CLI layers call. Nothing here knows GraphQL.

Every function takes the community row, works inside the caller's transaction when there is one
(:func:`yizhan.core.api.atomic` joins it) and refuses with a ``YizhanError`` whose code is listed
in ``docs/api.md``. ``actor`` is the acting member row (None: the CLI, the operator). Money is
integer fen, credits integer hundredths.

Declare ``requires=("merchants",)`` in your ``PluginSpec`` (or check ``ctx.enabled("merchants")``)
before calling. The credits move through the credits plugin's service API only.
"""

from __future__ import annotations

from yizhan.plugins.merchants import NAME
from yizhan.plugins.merchants.board import board as board
from yizhan.plugins.merchants.board import close_month as close_month
from yizhan.plugins.merchants.profile import profile as profile
from yizhan.plugins.merchants.redemptions import get as get_redemption
from yizhan.plugins.merchants.redemptions import of_member as redemptions_of_member
from yizhan.plugins.merchants.redemptions import of_merchant as redemptions_of_merchant
from yizhan.plugins.merchants.redemptions import own_credits as own_credits
from yizhan.plugins.merchants.redemptions import rate as rate
from yizhan.plugins.merchants.redemptions import request_code as request_code
from yizhan.plugins.merchants.redemptions import submit as submit
from yizhan.plugins.merchants.redemptions import void as void
from yizhan.plugins.merchants.rules import add as add_rule
from yizhan.plugins.merchants.rules import in_force as rules_in_force
from yizhan.plugins.merchants.rules import withdraw as withdraw_rule
from yizhan.plugins.merchants.settlement import statement as statement
from yizhan.plugins.merchants.shops import add_staff as add_staff
from yizhan.plugins.merchants.shops import end as end
from yizhan.plugins.merchants.shops import get as get_merchant
from yizhan.plugins.merchants.shops import is_staff as is_staff
from yizhan.plugins.merchants.shops import list_merchants as list_merchants
from yizhan.plugins.merchants.shops import register as register
from yizhan.plugins.merchants.shops import reinstate as reinstate
from yizhan.plugins.merchants.shops import remove_staff as remove_staff
from yizhan.plugins.merchants.shops import shops_of_member as shops_of_member
from yizhan.plugins.merchants.shops import suspend as suspend
from yizhan.plugins.merchants.shops import update as update

__all__ = [
    "NAME", "add_rule", "add_staff", "board", "close_month", "end", "get_merchant",
    "get_redemption", "is_staff", "list_merchants", "own_credits", "profile", "rate",
    "redemptions_of_member", "redemptions_of_merchant", "register", "reinstate",
    "remove_staff", "request_code", "rules_in_force", "shops_of_member", "statement",
    "submit", "suspend", "update", "void", "withdraw_rule",
]
