"""The tool library's tables: the tools neighbours lend, and their loans.

Every row carries its community. Credit amounts are integer hundredths (``*_centi``).
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Tool(Table, tablename="toollib_tool"):
    """A tool a member lends to neighbours."""

    community = BigInt(index=True)
    #: The member who owns and lends it.
    owner = BigInt(index=True)
    name = Varchar(length=80)
    description = Text(default="")
    #: A lowercase word to browse by: ``drill``, ``ladder``, ``sewing`` …
    category = Varchar(length=40, index=True)
    #: The deposit held in credits while it is out (where credits is on).
    deposit_centi = BigInt(default=0)
    #: The longest loan the owner agrees to, in days.
    max_loan_days = Integer(default=7)
    #: False when the owner took it off the shelf (or it was lost).
    listed = Boolean(default=True)
    #: The open loan (requested or out), if any: at most one at a time.
    current_loan = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)


class Loan(Table, tablename="toollib_loan"):
    """One request to borrow a tool and, once handed over, the loan itself."""

    community = BigInt(index=True)
    tool = BigInt(index=True)
    owner = BigInt(index=True)
    borrower = BigInt(index=True)
    #: requested → out → returned | lost; requested → declined | cancelled.
    status = Varchar(length=20, default="requested")
    days = Integer()
    note = Text(default="")
    requested_at = Timestamptz(default=None, null=True)
    lent_at = Timestamptz(default=None, null=True)
    due_at = Timestamptz(default=None, null=True)
    closed_at = Timestamptz(default=None, null=True)
    close_reason = Text(default="")
    #: The deposit of this loan and where it stands: none, held, refunded, forfeited, or
    #: refund_due / forfeit_due while credits is off and the money cannot move yet.
    deposit_centi = BigInt(default=0)
    deposit_status = Varchar(length=20, default="none")
    reminded_before_at = Timestamptz(default=None, null=True)
    reminded_due_at = Timestamptz(default=None, null=True)
