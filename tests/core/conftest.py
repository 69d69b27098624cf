"""Fixtures of core's tests come from ``yizhan.testing``; helpers live in ``core_helpers``."""
