"""Core migrations."""
