"""Credits: the exact, double-entry, tamper-evident time-credit ledger.

Accounts per member and per community (issuance, community fund, voucher reserve, compensation
fund, leader pool, expired credits, and accounts other plugins open), immutable transactions whose
postings sum to zero, holds that make an accepted need always pay, a per-community hash chain
anyone can check, experience-card vouchers, optional expiry and the monthly leader pool.

Other plugins pay and charge through :mod:`yizhan.plugins.credits.service` only.
"""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "credits"
