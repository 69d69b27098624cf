from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T11:19:05:669113"
VERSION = "1.38.0"
DESCRIPTION = "one attempts throttle in core"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="credits", description=DESCRIPTION
    )

    manager.drop_table(
        class_name="CreditVoucherAttempt",
        tablename="yz_credit_voucher_attempt",
        schema=None,
    )

    return manager
