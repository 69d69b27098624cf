"""Which plugins are on in which community, with their settings — cached in each process.

The states live in ``yz_plugin_state``; a single counter row (``yz_config_version``) moves on
every change. A running server polls that one row a few times a second and reloads the states
only when it moved, so a toggle from the CLI reaches it within a second without a restart and
without reading the states on every request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from yizhan.core import clock, db
from yizhan.core.errors import YizhanError
from yizhan.core.tables import ConfigVersion, PluginState

#: The name under which core itself is registered (always on); the same as
#: :data:`yizhan.core.plugins.CORE`.
CORE = "core"

#: Returns the plugin registry; handed down by :mod:`yizhan.core.plugins` when it loads one
#: (this module sits below the registry and never imports it).
_registry_source: Callable[[], Any] | None = None


def use_registry(source: Callable[[], Any]) -> None:
    """Read the installed plugins from ``source()`` (called by the plugin registry when it is
    loaded or replaced); forgets what was derived from the previous one."""
    global _registry_source
    _registry_source = source
    switches.forget_derived()


def get_registry() -> Any:
    """The plugin registry handed down by :func:`use_registry`."""
    if _registry_source is None:
        raise RuntimeError("No plugin registry yet: load one (yizhan.core.plugins.get_registry)")
    return _registry_source()


@dataclass
class _State:
    enabled: bool
    settings: dict[str, Any]


class Switches:
    """The in-process cache of plugin states for every community."""

    def __init__(self) -> None:
        self.version: int | None = None
        self._states: dict[int, dict[str, _State]] = {}
        self._disabled: dict[int, frozenset[str]] = {}
        self._settings_cache: dict[tuple[int, str], BaseModel] = {}

    async def refresh(self, force: bool = False) -> bool:
        """Reload the states if the counter moved (or ``force``); True when something changed."""
        row = await ConfigVersion.select(ConfigVersion.version).first()
        version = row["version"] if row else 0
        if not force and version == self.version:
            return False
        rows = await PluginState.select(
            PluginState.community, PluginState.plugin, PluginState.enabled, PluginState.settings
        )
        states: dict[int, dict[str, _State]] = {}
        for r in rows:
            states.setdefault(r["community"], {})[r["plugin"]] = _State(
                r["enabled"], json.loads(r["settings"] or "{}")
            )
        self._states = states
        self._disabled = {}
        self._settings_cache = {}
        self.version = version
        return True

    def forget_derived(self) -> None:
        """Drop what was computed from the plugin registry (it was replaced)."""
        self._disabled = {}
        self._settings_cache = {}

    def enabled(self, community_id: int, plugin: str) -> bool:
        """True if ``plugin`` is installed and on for the community (core always is)."""
        if plugin == CORE:
            return True
        if plugin not in get_registry().plugins:
            return False
        state = self._states.get(community_id, {}).get(plugin)
        return bool(state and state.enabled)

    def enabled_plugins(self, community_id: int) -> list[str]:
        """Installed plugins on for the community, in dependency order."""
        return [n for n in get_registry().order if self.enabled(community_id, n)]

    def disabled(self, community_id: int | None) -> frozenset[str]:
        """Installed plugins off for the community (all but core when there is none)."""
        registry = get_registry()
        if community_id is None:
            return frozenset(n for n in registry.plugins if n != CORE)
        found = self._disabled.get(community_id)
        if found is None:
            found = frozenset(n for n in registry.plugins if not self.enabled(community_id, n))
            self._disabled[community_id] = found
        return found

    def settings(self, community_id: int, plugin: str) -> Any:
        """The plugin's validated settings for the community (defaults where unset)."""
        key = (community_id, plugin)
        cached = self._settings_cache.get(key)
        if cached is None:
            model = get_registry().settings_model(plugin)
            if model is None:
                raise KeyError(f"plugin {plugin!r} has no settings")
            state = self._states.get(community_id, {}).get(plugin)
            cached = model.model_validate(state.settings if state else {})
            self._settings_cache[key] = cached
        return cached


switches = Switches()


async def bump_version() -> None:
    """Move the counter so every process reloads.

    This process reloads at once, inside the transaction, so the rest of the action already
    sees the change (a demo that enables credits and then confirms a need pays); it reloads
    again after commit, or after a rollback to forget the change.
    """
    updated = await ConfigVersion.update({ConfigVersion.version: ConfigVersion.version + 1}).where(
        ConfigVersion.id == 1
    ).returning(ConfigVersion.id)
    if not updated:
        await ConfigVersion.insert(ConfigVersion(id=1, version=1))
    await switches.refresh(force=True)
    db.after_commit(lambda: switches.refresh(force=True))
    db.after_rollback(lambda: switches.refresh(force=True))


def validate_settings(plugin: str, values: dict[str, Any]) -> dict[str, Any]:
    """Validate ``values`` against the plugin's settings model; refuse with the field at fault."""
    model = get_registry().settings_model(plugin)
    if model is None:
        raise YizhanError(
            "NO_SETTINGS", "The {plugin} module has no settings.", field="settings", plugin=plugin
        )
    unknown = sorted(set(values) - set(model.model_fields))
    if unknown:
        raise YizhanError(
            "UNKNOWN_SETTING", "Unknown setting {name}. The settings are: {valid}.",
            field=unknown[0], name=unknown[0], valid=", ".join(sorted(model.model_fields)),
        )
    try:
        return model.model_validate(values).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        raise YizhanError(
            "INVALID_SETTING", "Invalid value for {name}: {reason}.", field=name, name=name,
            reason=first["msg"],
        ) from exc


async def current_settings_row(community_id: int, plugin: str) -> dict[str, Any] | None:
    """The stored state row (not the cache), for a write that must see the latest."""
    return await PluginState.select().where(
        (PluginState.community == community_id) & (PluginState.plugin == plugin)
    ).first()


async def write_state(
    community_id: int, plugin: str, *, enabled: bool | None = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Upsert a plugin's state row and bump the counter (inside the caller's transaction)."""
    row = await current_settings_row(community_id, plugin)
    values: dict[Any, Any] = {PluginState.updated_at: clock.now()}
    if enabled is not None:
        values[PluginState.enabled] = enabled
    if settings is not None:
        values[PluginState.settings] = json.dumps(settings, sort_keys=True)
    if row:
        await PluginState.update(values).where(PluginState.id == row["id"])
    else:
        await PluginState.insert(
            PluginState(
                community=community_id, plugin=plugin, enabled=bool(enabled),
                settings=json.dumps(settings or {}, sort_keys=True), updated_at=clock.now(),
            )
        )
    await bump_version()
