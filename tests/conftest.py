"""Yizhan's own tests use the fixtures of ``yizhan.testing`` (loaded as a pytest plugin)."""
