"""The hello plugin's one table: guestbook entries, per community."""

from __future__ import annotations

from piccolo.columns import BigInt, Timestamptz, Varchar
from piccolo.table import Table


class GuestbookEntry(Table, tablename="hello_guestbook"):
    """Someone signed a community's guestbook."""

    community = BigInt(index=True)
    name = Varchar(length=40)
    signed_at = Timestamptz(default=None, null=True)
