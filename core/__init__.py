"""Yizhan core: communities, members, needs, the plugin contract and the one GraphQL API."""

__version__ = "0.1.0"
