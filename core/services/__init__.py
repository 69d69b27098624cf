"""Core's domain logic. No GraphQL here: resolvers and CLI commands call these functions."""
