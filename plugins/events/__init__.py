"""The events plugin: the weekly cashflow game and other neighbourhood events, with sign-up,
waitlist, check-in, first-time rewards, referrals and iCalendar feeds."""
