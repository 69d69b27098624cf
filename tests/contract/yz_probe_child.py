"""``probe_child``: requires ``probe``; records the events it hears to show call order, and
answers the hook specification ``probe`` added."""

from __future__ import annotations

from yz_probe import record

from yizhan.core.api import PluginSpec, hookimpl

PLUGIN = PluginSpec(name="probe_child", version="0.1.0",
                    description="Needs probe (contract tests).", requires=("probe",))


@hookimpl
async def yizhan_need_posted(ctx, need):
    """Recorded under ``probe_child``."""
    await record("yizhan_need_posted", ctx, by="probe_child", need=need["id"])


@hookimpl
def yizhan_probe_greeting(name):
    """An implementation of the probe's own hook specification."""
    return f"hello {name}, from probe_child"
