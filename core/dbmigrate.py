"""``yizhan db migrate``: run every installed app's Piccolo migrations, in dependency order."""

from __future__ import annotations

import contextlib
import io
import os

os.environ.setdefault("PICCOLO_CONF", "yizhan.core.piccolo_conf")


async def migrate(verbose: bool = False) -> list[str]:
    """Apply pending migrations of core and every installed plugin; returns the app names."""
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.conf.apps import Finder

    from yizhan.core import db

    db.bind_tables()
    apps = Finder().get_sorted_app_names()
    out = io.StringIO()
    with contextlib.redirect_stdout(out if not verbose else io.StringIO()):
        for app in apps:
            result = await run_forwards(app_name=app, migration_id="all")
            if not result.success:
                raise RuntimeError(f"migrating {app} failed: {result.message}")
    if verbose:
        print(out.getvalue())
    return apps
