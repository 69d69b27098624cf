"""One definition of a member's numbers, used by the API, the refusals and the shops.

* **balance** — the sum of the account's postings (credits earned less credits paid);
* **held** — credits promised to helpers of accepted needs, not paid yet (open holds);
* **incoming** — credits on their way in for needs the member accepted (open holds);
* **spendable** — the member's own credits free to spend: ``balance - held``, never below 0.
  Shops take only these (never the credit limit);
* **credit headroom** — what the member may still commit to pay for help, the credit limit
  included: ``balance - held + credit_limit``, never below 0 (a need is refused beyond it);
* **room** — how much more the member may receive: ``max_balance - balance - incoming``.

``docs/credits.md`` shows the same table. Every place that shows or checks one of these numbers
calls :func:`standing` (or reads a :class:`Standing`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    """A member's numbers in hundredths (see the module doc)."""

    balance: int
    held: int
    incoming: int
    credit_limit: int
    max_balance: int

    @property
    def spendable(self) -> int:
        """Own credits free to spend (shops): ``balance - held``, at least 0."""
        return max(self.balance - self.held, 0)

    @property
    def headroom(self) -> int:
        """What may still be committed for help: ``balance - held + credit_limit``, at
        least 0."""
        return max(self.balance - self.held + self.credit_limit, 0)

    @property
    def room(self) -> int:
        """What may still be received: ``max_balance - balance - incoming``, at least 0."""
        return max(self.max_balance - self.balance - self.incoming, 0)


def standing(balance: int, held: int, incoming: int, credit_limit: int,
             max_balance: int) -> Standing:
    """The member's :class:`Standing` from their account's amounts and the limits."""
    return Standing(balance, held, incoming, credit_limit, max_balance)
