"""Warnings near a member's limits: a field in the balance, and a notification when a change
takes the member into the warning zone (not again while they stay there)."""

from __future__ import annotations

from yizhan.core.api import format_centi, notify
from yizhan.plugins.credits.settings import CreditsSettings, centi

NEAR_CREDIT_LIMIT = "near_credit_limit"
NEAR_MAX_BALANCE = "near_max_balance"


def warnings_for(balance: int, held: int, incoming: int, settings: CreditsSettings) -> list[str]:
    """Which limits a member with these amounts is close to."""
    margin = centi(settings.warn_within)
    found = []
    if balance - held + centi(settings.credit_limit) <= margin:
        found.append(NEAR_CREDIT_LIMIT)
    if centi(settings.max_balance) - (balance + incoming) <= margin:
        found.append(NEAR_MAX_BALANCE)
    return found


async def after_change(community: dict, account: dict, row: dict, settings: CreditsSettings, *,
                       balance: int = 0, held: int = 0, incoming: int = 0) -> list[str]:
    """Notify the member of a warning this change brought (``row`` holds the new amounts and
    the keywords the deltas applied). Returns the warnings now in force."""
    now = warnings_for(row["balance_centi"], row["held_centi"], row["incoming_centi"], settings)
    before = warnings_for(row["balance_centi"] - balance, row["held_centi"] - held,
                          row["incoming_centi"] - incoming, settings)
    member = account["member"]
    available = max(row["balance_centi"] - row["held_centi"] + centi(settings.credit_limit), 0)
    if NEAR_CREDIT_LIMIT in now and NEAR_CREDIT_LIMIT not in before:
        await notify(community["id"], member, "credits.near_credit_limit",
                     "Close to your credit limit",
                     "You have {available} credits available and may go down to -{limit}. "
                     "Helping a neighbour earns credits back.",
                     available=format_centi(available),
                     limit=format_centi(centi(settings.credit_limit)))
    if NEAR_MAX_BALANCE in now and NEAR_MAX_BALANCE not in before:
        await notify(community["id"], member, "credits.near_max_balance",
                     "Close to the maximum balance",
                     "You have {balance} credits (with those on their way) of at most {max}. "
                     "Spend some before you earn more.",
                     balance=format_centi(row["balance_centi"] + row["incoming_centi"]),
                     max=format_centi(centi(settings.max_balance)))
    return now
