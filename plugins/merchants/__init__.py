"""Merchants: partner shops that take time credits (the 合作商家 of the field reports).

An admin registers a shop and its staff; the shop's rules (a cap per order, thresholds such as
"2 credits take 30 yuan off orders of 100 yuan or more", categories accepted or refused, each
with a validity window) decide what a redemption gives. A resident shows a one-time code, the
staff submit it with the order, and the credits move to the shop's settlement account in one
ledger transaction of the credits plugin. Residents rate each redemption; a monthly board names
badly rated shops and suspends them; the first month's guaranteed volume and a monthly
settlement statement (CSV and PDF) close the loop.

Layout: ``plugin.py`` (spec and hooks), ``tables.py``, ``service.py`` (the service API other
plugins may call), ``shops.py`` (merchants, staff, states), ``rules.py`` (rules and their
checks), ``pricing.py`` (the arithmetic of a redemption, pure), ``codes.py`` (redemption codes),
``redemptions.py`` (codes, submit, void, rate), ``board.py`` (the monthly board and sweep),
``settlement.py`` and ``pdf.py`` (statements), ``profile.py`` (the community profile),
``money.py`` (yuan in fen), ``schema/`` (GraphQL: types, queries, mutations), ``cli.py``,
``settings.py``, ``demo.py``.
"""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "merchants"
