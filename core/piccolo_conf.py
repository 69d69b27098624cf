"""Piccolo's configuration for Yizhan: the engine in use and the app of every installed plugin.

Set as ``PICCOLO_CONF=yizhan.core.piccolo_conf`` (done by :mod:`yizhan.core.migrations`), so
Piccolo's own migration commands see the same registry as ``yizhan db migrate``.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from yizhan.core import db
from yizhan.core.config import get_settings

#: The engine Piccolo uses: the one :func:`yizhan.core.db.use` set, and follows it afterwards.
DB = db.current_engine() or db.make_engine(get_settings().database_url)


def _follow(engine: Engine) -> None:
    global DB
    DB = engine


db.on_use(_follow)


def _app_modules() -> list[str]:
    from yizhan.core.plugins import installed_piccolo_apps

    return ["yizhan.core.piccolo_app", *installed_piccolo_apps()]


APP_REGISTRY = AppRegistry(apps=_app_modules())
