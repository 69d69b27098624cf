"""Badges: expert certification (社区达人认证) as signed Open Badges 3.0 credentials, priority
matching for certified experts, and the quarterly mutual-aid stars (互助之星) with leaderboards.

Layout: ``plugin.py`` (spec and hooks), ``tables.py``, ``service.py`` (the service API other
plugins may call), ``stars.py`` (the quarterly sweep and leaderboards), ``credentials.py`` and
``keys.py`` (Open Badges 3.0 and signing), ``routes.py`` (public credential URLs),
``schema.py`` (GraphQL), ``cli.py``, ``settings.py``, ``hookspecs.py`` (hooks of our own).
"""
