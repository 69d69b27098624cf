"""The yizhan admin CLI."""
