"""The disputes plugin: a service problem decided within 24 hours — redo or compensate — and
the outcome posted publicly. See ``docs/disputes.md``."""
