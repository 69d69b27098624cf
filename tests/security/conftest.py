"""Fixtures of the security tests come from ``yizhan.testing``; helpers in ``security_helpers``."""
