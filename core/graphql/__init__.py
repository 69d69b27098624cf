"""The one GraphQL API: core types, schema assembly from plugins, context and errors."""
