"""The governance plugin: residents' requests with deadlines, grids and their teams, and the
micro-grant fund (see docs/governance.md)."""
