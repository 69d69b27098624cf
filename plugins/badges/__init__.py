"""Badges: expert certification (社区达人认证) as signed Open Badges 3.0 credentials, priority
matching for certified experts, and the quarterly mutual-aid stars (互助之星) with leaderboards.

Layout: ``plugin.py`` (spec and hooks), ``tables.py``, ``service.py`` (the service API other
plugins and our own schema and CLI call; its code is in ``definitions.py``,
``applications.py``, ``awards.py`` and ``matching.py``, shared pieces in ``common.py``),
``stars.py`` (the quarterly sweep and leaderboards), ``credentials.py`` and ``keys.py`` (Open
Badges 3.0 and signing), ``routes.py`` (public credential URLs), ``schema.py`` (GraphQL),
``cli.py``, ``settings.py``, ``hookspecs.py`` (hooks of our own).
"""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "badges"
