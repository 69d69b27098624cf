"""The merchants plugin's tables. Every row carries its community; timestamps come from the clock.

Money is integer fen (``*_fen``), credits integer hundredths (``*_centi``). One redemption per
code and one rating per redemption are unique columns; what Piccolo's column API cannot say (one
live staff row per shop and member, one board per community and month, one line per shop on a
board) is made by unique indexes in the second migration.
"""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yizhan.core.api import CommunityTable as Community


class Merchant(Table, tablename="yz_merchant"):
    """A partner shop of a community and the state of the partnership."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    #: A slug: ``supermarket``, ``pharmacy``, ``clinic``, ``fruit`` …
    kind = Varchar(length=40)
    address = Varchar(length=200, default="")
    contact = Varchar(length=100, default="")
    description = Text(default="")
    #: Where the shop is, in millionths of a degree (None: not given).
    latitude_e6 = Integer(null=True, default=None)
    longitude_e6 = Integer(null=True, default=None)
    #: The first day of the partnership (community local date).
    starts_on = Date()
    #: ``active``, ``suspended`` or ``ended``.
    status = Varchar(length=10, default="active", index=True)
    #: Why the last change of state happened, who made it (None: the CLI or the monthly sweep),
    #: when, and whether the monthly board did it.
    status_reason = Text(default="")
    status_by = BigInt(null=True, default=None)
    status_at = Timestamptz(default=None, null=True)
    status_by_board = Boolean(default=False)
    #: The guaranteed volume of the first month, as promised at registration.
    guarantee_fen = BigInt(default=0)
    #: The shop's account in the credits ledger (``merchants.shop_<id>``).
    account_code = Varchar(length=80, default="")
    created_by = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)
    updated_at = Timestamptz(default=None, null=True)


class MerchantEvent(Table, tablename="yz_merchant_event"):
    """One step in a shop's history: registered, changed, suspended, a rule added …"""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    merchant = ForeignKey(Merchant, on_delete=OnDelete.cascade, index=True)
    action = Varchar(length=30)
    actor = BigInt(null=True, default=None)
    note = Text(default="")
    at = Timestamptz(default=None, null=True)


class MerchantStaff(Table, tablename="yz_merchant_staff"):
    """A member who works for one shop: they submit and void its redemptions, nothing else."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    merchant = ForeignKey(Merchant, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    added_by = BigInt(null=True, default=None)
    added_at = Timestamptz(default=None, null=True)
    removed_by = BigInt(null=True, default=None)
    removed_at = Timestamptz(default=None, null=True)


class MerchantRule(Table, tablename="yz_merchant_rule"):
    """One rule of a shop, valid from ``valid_from`` through ``valid_until`` (local dates,
    inclusive; None: open-ended) unless withdrawn.

    ``kind`` is ``cap`` (``cap_centi``: the most credits per order), ``threshold``
    (``credits_centi`` take ``discount_fen`` off orders of ``min_order_fen`` or more) or
    ``category`` (``category`` is ``accepted`` or refused).
    """

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    merchant = ForeignKey(Merchant, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=10)
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    cap_centi = BigInt(default=0)
    min_order_fen = BigInt(default=0)
    credits_centi = BigInt(default=0)
    discount_fen = BigInt(default=0)
    category = Varchar(length=40, default="")
    accepted = Boolean(default=True)
    note = Varchar(length=200, default="")
    #: A threshold rule whose credits are worth more than the discount they buy, kept only
    #: because the admin who added it confirmed that explicitly.
    over_value_confirmed = Boolean(default=False)
    created_by = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True)
    withdrawn_by = BigInt(null=True, default=None)
    withdrawn_at = Timestamptz(default=None, null=True)


class RedemptionCode(Table, tablename="yz_merchant_code"):
    """A one-time code a member shows at a shop, valid until ``expires_at``.

    ``status``: ``live``, ``used`` (a redemption took it), ``replaced`` (the member asked for
    a newer one while it was valid) or ``expired`` (retired when a newer one was asked for after
    its time was up); a member has at most one live code (a partial unique index).
    ``max_credits_centi`` 0 means no limit of the member's own; ``merchant`` None means any
    shop of the community.
    """

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    code = Varchar(length=8, unique=True)
    merchant = BigInt(null=True, default=None)
    max_credits_centi = BigInt(default=0)
    status = Varchar(length=10, default="live")
    created_at = Timestamptz(default=None, null=True)
    expires_at = Timestamptz(default=None, null=True)
    used_at = Timestamptz(default=None, null=True)




class Redemption(Table, tablename="yz_merchant_redemption"):
    """Credits spent at a shop: the order, what the rules gave, and the ledger transaction.

    Every figure is kept as it was computed (the rate, the leader's percentage), so a later
    change of settings or rules never rewrites a receipt. ``status``: ``completed`` or
    ``voided`` (the same day, by the shop's staff: a reversing ledger entry).
    """

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    merchant = ForeignKey(Merchant, on_delete=OnDelete.cascade, index=True)
    member = BigInt(index=True)
    code = BigInt(unique=True)
    staff = BigInt(null=True, default=None)
    category = Varchar(length=40)
    order_fen = BigInt()
    credits_centi = BigInt()
    value_fen = BigInt()
    discount_fen = BigInt()
    leader_bonus_fen = BigInt(default=0)
    to_pay_fen = BigInt()
    fen_per_credit = BigInt()
    leader_bp = Integer(default=0)
    rule = BigInt(null=True, default=None)
    status = Varchar(length=10, default="completed")
    tx = BigInt(null=True, default=None)
    tx_seq = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True, index=True)
    voided_at = Timestamptz(default=None, null=True)
    voided_by = BigInt(null=True, default=None)
    void_reason = Text(default="")
    void_tx = BigInt(null=True, default=None)
    void_tx_seq = BigInt(null=True, default=None)


class Rating(Table, tablename="yz_merchant_rating"):
    """A resident's rating of one redemption: stars, was it smooth, was the discount real."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    merchant = ForeignKey(Merchant, on_delete=OnDelete.cascade, index=True)
    redemption = BigInt(unique=True)
    member = BigInt()
    stars = Integer()
    smooth = Boolean()
    discount_real = Boolean()
    comment = Text(default="")
    created_at = Timestamptz(default=None, null=True)


class Board(Table, tablename="yz_merchant_board"):
    """The closed board of a month (``2026-11``): made once by the monthly sweep."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    month = Varchar(length=7)
    ran_at = Timestamptz(default=None, null=True)
    notice = BigInt(null=True, default=None)


class BoardEntry(Table, tablename="yz_merchant_board_entry"):
    """A shop's line on a closed board: its figures, its rank, whether it was named (under the
    threshold) and suspended by the sweep."""

    board = ForeignKey(Board, on_delete=OnDelete.cascade, index=True)
    community = BigInt()
    merchant = BigInt()
    rank = Integer()
    ratings = Integer()
    stars_total = Integer()
    redemptions = Integer()
    value_fen = BigInt()
    flagged = Boolean(default=False)
    suspended = Boolean(default=False)
    #: The admins' review of a flagged shop's suspension: ``pending`` (it applies when
    #: ``review_due_at`` passes), ``confirmed`` or ``overturned`` by an admin, ``applied`` by
    #: the deadline; empty when the line was not flagged (or the shop was not active).
    review = Varchar(length=12, default="")
    review_due_at = Timestamptz(default=None, null=True)
    reviewed_by = BigInt(null=True, default=None)
    reviewed_at = Timestamptz(default=None, null=True)
    review_note = Text(default="")


class CardRedemption(Table, tablename="yz_merchant_card_redemption"):
    """An experience card (a credits voucher) taken at a shop's till for goods: its credits
    move from the voucher reserve to the shop's account; the card's holder needs no account."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    merchant = ForeignKey(Merchant, on_delete=OnDelete.cascade, index=True)
    staff = BigInt(null=True, default=None)
    voucher = BigInt(unique=True)
    credits_centi = BigInt()
    value_fen = BigInt()
    fen_per_credit = BigInt()
    tx = BigInt(null=True, default=None)
    created_at = Timestamptz(default=None, null=True, index=True)


class GuaranteePayment(Table, tablename="yz_merchant_guarantee_payment"):
    """The guaranteed-volume top-up of a shop's month, settled: what the community paid (yuan)
    and the credits it stands for at the rate of the day, who confirmed it and when."""

    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True)
    merchant = ForeignKey(Merchant, on_delete=OnDelete.cascade, index=True)
    month = Varchar(length=7)
    amount_fen = BigInt()
    credits_centi = BigInt(default=0)
    fen_per_credit = BigInt()
    note = Text(default="")
    paid_by = BigInt(null=True, default=None)
    paid_at = Timestamptz(default=None, null=True)
