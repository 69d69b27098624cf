"""Hooks the credits plugin defines for other plugins (added through
``yizhan_register_hookspecs``). Like core's, they are called only for plugins enabled in the
community, and only while credits is enabled there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from yizhan.core.api import EventContext, Veto

hookspec = pluggy.HookspecMarker("yizhan")


@hookspec
def yizhan_credits_transaction_posted(ctx: EventContext, transaction: dict[str, Any],
                                      postings: list[dict[str, Any]]) -> None:
    """A ledger transaction was posted in ``ctx.community``.

    Called inside the database transaction that posted it, after the balances moved, so a
    plugin's own writes commit or roll back with it; raising a ``YizhanError`` refuses the whole
    action. ``transaction`` is the ``yz_credit_tx`` row (``id``, ``kind``, ``reason``,
    ``source_kind``, ``source_id``, ``amount_centi`` …; its ``seq`` and ``hash`` are None here:
    the chain is linked as the action commits, and the same dict is filled in then);
    ``postings`` are its lines, each with
    ``account`` (id), ``account_code`` (``member:<id>`` or a system code), ``member`` (or None),
    ``amount_centi`` and ``balance_after_centi``. May be ``async``.
    """


@hookspec(firstresult=True)
def yizhan_credits_veto_payment(ctx: EventContext, payment: dict[str, Any]) -> Veto | None:
    """Refuse a payment before anything is written: return a ``Veto`` (code, message) or None.

    ``payment`` has ``kind`` (``need_payment``, ``transfer``, ``award``, ``charge``,
    ``voucher_redemption``, ``reversal``, ``expiry``, ``leader_pool``, ``funding`` or a plugin's
    own kind), ``amount_centi``, ``from_code``/``to_code`` (account codes),
    ``from_member``/``to_member`` (member ids or None), ``source_kind`` and ``source_id``.
    A need's payment is asked once, when the need is accepted and its credits are held: a held
    payment is never vetoed at confirmation, so the helper is always paid. The first veto wins.
    Must not be ``async``.
    """
