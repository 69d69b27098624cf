"""One settled guarantee per shop and month; card redemptions by shop and time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T11:36:48:000000"
VERSION = "1.38.0"
DESCRIPTION = "guarantee payment and card redemption indexes"

INDEXES = [
    "CREATE UNIQUE INDEX yz_merchant_guarantee_payment_uq ON yz_merchant_guarantee_payment"
    " (merchant, month)",
    "CREATE INDEX yz_merchant_card_redemption_shop_ix ON yz_merchant_card_redemption"
    " (merchant, created_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="merchants", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES:
            await Table.raw(sql)

    async def drop_indexes():
        for sql in INDEXES:
            await Table.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
