"""The governance plugin's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="governance",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["yizhan.plugins.governance.tables"],
                               exclude_imported=True),
    migration_dependencies=["yizhan.core.piccolo_app"],
    commands=[],
)
