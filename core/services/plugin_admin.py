"""Switching plugins on and off per community, and changing their settings."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

from yizhan.core import db
from yizhan.core.errors import YizhanError
from yizhan.core.events import EventContext, emit
from yizhan.core.plugins import CORE, get_registry
from yizhan.core.switches import (
    current_settings_row,
    switches,
    validate_settings,
    write_state,
)


def _known(plugin: str) -> None:
    if plugin not in get_registry().plugins:
        raise YizhanError("UNKNOWN_PLUGIN", "No plugin named {plugin} is installed.",
                          field="plugin", plugin=plugin)


#: The ``ID = "…"`` line of a Piccolo migration file.
_MIGRATION_ID = re.compile(r'^ID = "([^"]+)"', re.MULTILINE)


async def pending_migrations(plugin: str) -> list[str]:
    """Ids of ``plugin``'s Piccolo migrations that have not run on this database (all of them
    when nothing was ever migrated); empty for a plugin without tables."""
    app_path = get_registry().plugins[plugin].piccolo_app
    if not app_path:
        return []
    from piccolo.apps.migrations.tables import Migration

    config = importlib.import_module(app_path).APP_CONFIG
    wanted = sorted(
        found[1] for path in Path(config.migrations_folder_path).glob("*.py")
        if (found := _MIGRATION_ID.search(path.read_text())))
    if not wanted:
        return []
    db.bind_tables()
    try:
        ran = set(await Migration.get_migrations_which_ran(app_name=config.app_name))
    except Exception:  # no migration table yet: nothing ever ran
        return wanted
    return [migration for migration in wanted if migration not in ran]


async def enable(community: dict, plugin: str) -> None:
    """Switch ``plugin`` on; refuses while a plugin it requires is off, or while its tables
    are not migrated (``yizhan db migrate``)."""
    _known(plugin)
    if plugin == CORE:
        return
    if await pending_migrations(plugin):
        raise YizhanError(
            "NOT_MIGRATED",
            "The {plugin} module's tables are not ready: run yizhan db migrate first.",
            field="plugin", plugin=plugin)
    await switches.refresh()
    missing = [r for r in get_registry().plugins[plugin].spec.requires
               if not switches.enabled(community["id"], r)]
    if missing:
        raise YizhanError("PLUGIN_REQUIRES", "Enable {required} first: {plugin} requires it.",
                          field="plugin", plugin=plugin, required=", ".join(missing))
    async with db.atomic():
        await write_state(community["id"], plugin, enabled=True)
        await emit(EventContext(community=community), "yizhan_plugin_enabled",
                   extra_enabled=plugin, plugin=plugin)


async def disable(community: dict, plugin: str) -> None:
    """Switch ``plugin`` off; refuses while an enabled plugin requires it."""
    _known(plugin)
    if plugin == CORE:
        raise YizhanError("PLUGIN_ALWAYS_ON", "Core cannot be disabled.", field="plugin")
    await switches.refresh()
    needed_by = [d for d in get_registry().dependents(plugin)
                 if switches.enabled(community["id"], d)]
    if needed_by:
        raise YizhanError("PLUGIN_REQUIRED", "Disable {dependents} first: it requires {plugin}.",
                          field="plugin", plugin=plugin, dependents=", ".join(needed_by))
    async with db.atomic():
        await emit(EventContext(community=community), "yizhan_plugin_disabled",
                   extra_enabled=plugin, plugin=plugin)
        await write_state(community["id"], plugin, enabled=False)


async def configure(community: dict, plugin: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Merge ``changes`` into the plugin's settings, validate, store; returns the new settings."""
    _known(plugin)
    async with db.atomic():
        row = await current_settings_row(community["id"], plugin)
        current = json.loads(row["settings"]) if row else {}
        merged = validate_settings(plugin, {**current, **changes})
        stored = {k: merged[k] for k in {**current, **changes}}
        await write_state(community["id"], plugin,
                          enabled=None if row else plugin == CORE, settings=stored)
    return merged


def describe(community_id: int | None = None) -> list[dict[str, Any]]:
    """Installed plugins with their spec, hooks and (for a community) state and settings."""
    registry = get_registry()
    out = []
    for name in registry.order:
        plugin = registry.plugins[name]
        entry: dict[str, Any] = {
            "name": name, "version": plugin.spec.version,
            "description": plugin.spec.description, "requires": list(plugin.spec.requires),
            "works_with": list(plugin.spec.works_with),
            "source": plugin.source, "hooks": plugin.hooks,
        }
        if community_id is not None:
            entry["enabled"] = switches.enabled(community_id, name)
            if plugin.settings_model is not None:
                entry["settings"] = switches.settings(community_id, name).model_dump(mode="json")
        out.append(entry)
    return out
