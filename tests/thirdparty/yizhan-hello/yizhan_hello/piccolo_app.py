"""The hello plugin's Piccolo app: its table and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="hello",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["yizhan_hello.tables"], exclude_imported=True),
    migration_dependencies=["yizhan.core.piccolo_app"],
    commands=[],
)
