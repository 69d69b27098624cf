"""Governance: residents' requests answered on time by grid teams, and the micro-grant fund.

Requests (诉求) are triaged red/yellow/blue and answered within 48 h / 5 days / 15 days, with
reminders, escalation and public on-time figures; grids (网格) with their buildings and teams
handle them; residents' proposals draw on a micro-grant fund that is never overspent; Open311
GeoReport v2 lets city systems talk to a community (see docs/governance.md).

Layout: ``plugin.py`` (spec and hooks), ``tables.py``, ``service.py`` (the service API other
plugins may call), ``requests.py`` (the request life and its deadlines), ``grids.py`` (grids,
teams, CSV import), ``grants.py`` (rounds, proposals, reviews, grants), ``figures.py`` (public
figures and indicators), ``open311.py`` (routes), ``schema.py``, ``cli.py``, ``settings.py``,
``common.py``, ``demo.py``.
"""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "governance"
