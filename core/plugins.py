"""Plugin discovery, registration order, and the per-community on/off switch.

A plugin is a module with ``@hookimpl`` functions and a module-level ``PLUGIN``
(:class:`PluginSpec`). Plugins are found through the ``yizhan`` entry-point group — Yizhan's
own built-ins are declared there by its ``pyproject.toml`` just like third-party ones, so core
holds no list of plugins. ``YIZHAN_PLUGINS_ALLOW`` / ``YIZHAN_PLUGINS_DENY`` narrow the set.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel

from yizhan.core import hookspecs

hookimpl = pluggy.HookimplMarker("yizhan")

ENTRY_POINT_GROUP = "yizhan"
#: The name under which core itself is registered (always on).
CORE = "core"  # also spelled out in yizhan.core.switches, which sits below this module


@dataclass(frozen=True)
class PluginSpec:
    """What a plugin declares about itself."""

    name: str
    version: str
    description: str
    #: Names of plugins that must be enabled in a community before this one.
    requires: tuple[str, ...] = ()
    #: Optional integrations: plugins this one uses when they are installed and on in the
    #: community (disputes pays compensation through credits where credits is on) and works
    #: without otherwise. It may import their ``service`` module and is registered after them.
    works_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Veto:
    """A decision hook's refusal: a stable code and a human message (an English msgid)."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class LoadedPlugin:
    """A registered plugin: its spec, its module and what its registration hooks returned."""

    spec: PluginSpec
    module: ModuleType
    source: str
    settings_model: type[BaseModel] | None = None
    piccolo_app: str | None = None

    @property
    def hooks(self) -> list[str]:
        """Names of the hooks this plugin implements."""
        return sorted(
            name for name in dir(self.module)
            if name.startswith("yizhan_") and callable(getattr(self.module, name))
            and hasattr(getattr(self.module, name), "yizhan_impl")
        )


class PluginError(RuntimeError):
    """A plugin that cannot be loaded: bad spec, missing requirement, clashing name."""


def _dependency_order(plugins: dict[str, LoadedPlugin]) -> list[str]:
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            raise PluginError(f"Plugin requirements form a cycle through {name!r}")
        visiting.add(name)
        for required in plugins[name].spec.requires:
            if required not in plugins:
                raise PluginError(
                    f"Plugin {name!r} requires {required!r}, which is not installed"
                )
            visit(required)
        for optional in plugins[name].spec.works_with:
            if optional in plugins and optional not in visiting:
                visit(optional)
        visiting.discard(name)
        order.append(name)

    for name in sorted(plugins):
        visit(name)
    return order


class PluginRegistry:
    """The pluggy manager plus what each plugin declared, in dependency order."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("yizhan")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.order: list[str] = []
        self._subset_cache: dict[tuple[str, frozenset[str]], Any] = {}

    def load(
        self,
        allow: Iterable[str] = (),
        deny: Iterable[str] = (),
        extra_modules: Iterable[ModuleType] = (),
    ) -> None:
        """Discover plugins through entry points (plus ``extra_modules``) and register them."""
        allow, deny = set(allow), set(deny)
        found: dict[str, LoadedPlugin] = {}
        core_module = importlib.import_module("yizhan.core.core_plugin")
        found[CORE] = LoadedPlugin(core_module.PLUGIN, core_module, "yizhan.core")
        candidates: list[tuple[ModuleType, str]] = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if allow and ep.name not in allow or ep.name in deny:
                continue
            dist = ep.dist.name if ep.dist else "?"
            candidates.append((ep.load(), f"{dist} (entry point {ep.name})"))
        candidates.extend((module, module.__name__) for module in extra_modules)
        for module, source in candidates:
            spec = getattr(module, "PLUGIN", None)
            if not isinstance(spec, PluginSpec):
                raise PluginError(f"{module.__name__} has no PLUGIN = PluginSpec(...)")
            if spec.name in deny or (allow and spec.name not in allow):
                continue
            if spec.name in found and found[spec.name].module is not module:
                raise PluginError(
                    f"Two plugins are named {spec.name!r}: {found[spec.name].source} and {source}"
                )
            found[spec.name] = LoadedPlugin(spec, module, source)
        self.plugins = found
        self.order = _dependency_order(found)
        for name in self.order:
            module = found[name].module
            if hasattr(module, "yizhan_register_hookspecs"):
                module.yizhan_register_hookspecs(pm=self.pm)
        for name in self.order:
            self.pm.register(found[name].module, name=name)
        _refuse_async_firstresult(self.pm)
        for impl in self.pm.hook.yizhan_register_settings.get_hookimpls():
            self.plugins[impl.plugin_name].settings_model = impl.function()
        for impl in self.pm.hook.yizhan_register_piccolo_app.get_hookimpls():
            self.plugins[impl.plugin_name].piccolo_app = impl.function()
        self._subset_cache.clear()

    def register_results(self, hook_name: str, **kwargs: Any) -> dict[str, Any]:
        """Call a registration hook plugin by plugin, in dependency order: {plugin: answer}."""
        impls = getattr(self.pm.hook, hook_name).get_hookimpls()
        by_name = {impl.plugin_name: impl for impl in impls}
        results = {}
        for name in self.order:
            if name in by_name:
                results[name] = by_name[name].function(**kwargs)
        return results

    def add_implementations(self, holder: object, name: str) -> None:
        """Register an object carrying hook implementations outside the entry points (tests,
        embedding). It is not a switchable plugin: its hooks run for every community."""
        self.pm.register(holder, name=name)
        self._subset_cache.clear()

    def remove_implementations(self, holder: object) -> None:
        """Undo :meth:`add_implementations`."""
        self.pm.unregister(holder)
        self._subset_cache.clear()

    def caller(self, hook_name: str, disabled: frozenset[str]) -> Any:
        """The hook caller for ``hook_name`` without the ``disabled`` plugins (cached)."""
        key = (hook_name, disabled)
        found = self._subset_cache.get(key)
        if found is None:
            modules = [self.plugins[name].module for name in disabled if name in self.plugins]
            found = self.pm.subset_hook_caller(hook_name, remove_plugins=modules)
            self._subset_cache[key] = found
        return found

    def settings_model(self, plugin: str) -> type[BaseModel] | None:
        """The settings model a plugin registered, if any."""
        return self.plugins[plugin].settings_model

    def dependents(self, plugin: str) -> list[str]:
        """Installed plugins that require ``plugin``."""
        return [n for n, p in self.plugins.items() if plugin in p.spec.requires]


def _refuse_async_firstresult(pm: pluggy.PluginManager) -> None:
    """A ``firstresult`` hook cannot take an ``async`` implementation: its coroutine is never
    None, so it would always win. Refuse such a plugin at load time, naming it."""
    for name in dir(pm.hook):
        caller = getattr(pm.hook, name)
        spec = getattr(caller, "spec", None)
        if spec is None or not spec.opts.get("firstresult"):
            continue
        for impl in caller.get_hookimpls():
            if inspect.iscoroutinefunction(impl.function):
                raise PluginError(
                    f"Plugin {impl.plugin_name!r} implements {name} with 'async def'; "
                    f"{name} takes the first answer, so it must be a plain function")


async def await_all(results: Iterable[Any]) -> list[Any]:
    """Await whatever hook implementations returned as awaitables (Datasette's await_me_maybe)."""
    out = []
    for result in results:
        if inspect.isawaitable(result):
            result = await result
        out.append(result)
    return out


_registry: PluginRegistry | None = None


def get_registry() -> PluginRegistry:
    """The process-wide registry, loaded on first use from the installed entry points."""
    global _registry
    if _registry is None:
        from yizhan.core.config import get_settings

        settings = get_settings()
        registry = PluginRegistry()
        registry.load(settings.allowed_plugins, settings.denied_plugins)
        _registry = registry
        _hand_down()
    return _registry


def _plugin_catalog_dirs() -> list[Path]:
    """The ``locale/`` folder next to each loaded plugin's module."""
    dirs = []
    for plugin in get_registry().plugins.values():
        module_file = getattr(plugin.module, "__file__", None)
        if module_file:
            dirs.append(Path(module_file).parent / "locale")
    return dirs


def _hand_down() -> None:
    """Give the lower layers what they need of the registry as callbacks, so that
    :mod:`~yizhan.core.switches` and :mod:`~yizhan.core.i18n` never import this module (core's
    imports form no cycle: an import contract in ``pyproject.toml`` checks it)."""
    from yizhan.core import i18n, switches

    switches.use_registry(get_registry)
    i18n.use_catalog_dirs(_plugin_catalog_dirs)


def set_registry(registry: PluginRegistry | None) -> None:
    """Replace the process-wide registry (tests load plugins from modules this way).

    What was derived from the previous registry is forgotten: the per-community lists of
    disabled plugins and the message catalogs (a plugin brings its own).
    """
    global _registry
    _registry = registry
    _hand_down()  # forgets what switches and the catalogs derived from the previous registry


def installed_piccolo_apps() -> list[str]:
    """Dotted paths of the Piccolo apps of installed plugins, in dependency order."""
    registry = get_registry()
    return [
        registry.plugins[name].piccolo_app
        for name in registry.order
        if name != CORE and registry.plugins[name].piccolo_app
    ]
