"""The credits plugin's refusals: stable codes (listed in ``docs/api.md``), English msgids."""

from __future__ import annotations

from yizhan.core.api import YizhanError, format_centi


def credit_limit(available: int, amount: int, limit: int, *, payer_is_actor: bool = True,
                 field: str | None = "amount") -> YizhanError:
    """A member would go past their credit limit (holds counted); ``available`` is their
    credit headroom (:mod:`yizhan.plugins.credits.standing`), the number the API shows."""
    if payer_is_actor:
        return YizhanError(
            "CREDIT_LIMIT_REACHED",
            "Not enough credits: {available} available (you may go down to -{limit}), "
            "{amount} needed.",
            field=field, available=format_centi(available), amount=format_centi(amount),
            limit=format_centi(limit))
    return YizhanError(
        "CREDIT_LIMIT_REACHED",
        "The person who pays cannot cover {amount} credits right now ({available} available).",
        field=field, available=format_centi(available), amount=format_centi(amount),
        limit=format_centi(limit))


def balance_limit(maximum: int, amount: int, *, payee_is_actor: bool = False,
                  field: str | None = "amount") -> YizhanError:
    """A member would go past the maximum balance (credits on their way in counted)."""
    if payee_is_actor:
        return YizhanError(
            "BALANCE_LIMIT_REACHED",
            "This would take you over the maximum balance of {max} credits.",
            field=field, max=format_centi(maximum), amount=format_centi(amount))
    return YizhanError(
        "BALANCE_LIMIT_REACHED",
        "This would take the receiver over the maximum balance of {max} credits.",
        field=field, max=format_centi(maximum), amount=format_centi(amount))


def insufficient(code: str, available: int, amount: int,
                 field: str | None = "amount") -> YizhanError:
    """A system account (fund, pool, reserve) has too little."""
    return YizhanError(
        "INSUFFICIENT_FUNDS",
        "The {account} account has only {available} credits available; {amount} needed.",
        field=field, account=code, available=format_centi(available),
        amount=format_centi(amount))


def unknown_account(code: str, field: str | None = "account") -> YizhanError:
    """No account with this code in the community."""
    return YizhanError("UNKNOWN_ACCOUNT", "There is no credit account {account}.",
                       field=field, account=code)


def zero_amount(field: str = "amount") -> YizhanError:
    """An amount of zero moves nothing."""
    return YizhanError("ZERO_AMOUNT", "The amount must be more than zero.", field=field)
