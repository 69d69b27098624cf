"""Webhooks: community admins subscribe URLs to domain events; Yizhan POSTs each event there.

Deliveries leave only after the action committed: a periodic job reads core's outbox (keeping
its own cursor), writes one delivery row per matching subscription, and sends them with httpx.
Every request is signed with HMAC-SHA256 over ``"{timestamp}.{body}"`` using the subscription's
secret; failures are retried with exponential backoff and logged on the delivery row.
"""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "webhooks"
