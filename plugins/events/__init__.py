"""The events plugin: the weekly cashflow game and other neighbourhood events, with sign-up,
waitlist, check-in, first-time rewards, referrals and iCalendar feeds."""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "events"
