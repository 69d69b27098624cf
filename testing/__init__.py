"""Test fixtures for Yizhan and plugin authors (a pytest plugin)."""
