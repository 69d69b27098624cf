"""The disputes plugin: a service problem decided within 24 hours — redo or compensate — and
the outcome posted publicly. See ``docs/disputes.md``."""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "disputes"
