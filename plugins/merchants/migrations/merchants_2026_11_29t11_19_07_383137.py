from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T11:19:07:383137"
VERSION = "1.38.0"
DESCRIPTION = "one attempts throttle in core"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="merchants", description=DESCRIPTION
    )

    manager.drop_table(
        class_name="CodeAttempt",
        tablename="yz_merchant_code_attempt",
        schema=None,
    )

    return manager
