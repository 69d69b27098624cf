"""Piccolo's configuration for Yizhan: the engine in use and the app of every installed plugin.

Set as ``PICCOLO_CONF=yizhan.core.piccolo_conf`` (done by :mod:`yizhan.core.migrations`), so
Piccolo's own migration commands see the same registry as ``yizhan db migrate``.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from yizhan.core.config import get_settings
from yizhan.core.db import make_engine

DB = make_engine(get_settings().database_url)


def _app_modules() -> list[str]:
    from yizhan.core.plugins import installed_piccolo_apps

    return ["yizhan.core.piccolo_app", *installed_piccolo_apps()]


APP_REGISTRY = AppRegistry(apps=_app_modules())
