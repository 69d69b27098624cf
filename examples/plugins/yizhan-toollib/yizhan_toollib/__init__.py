"""yizhan-toollib: a neighbourhood tool library for Yizhan.

Neighbours list the drills, ladders and sewing machines they are willing to lend; others ask
to borrow one for a few days; the owner hands it over (the loan starts, with a due date) and
confirms when it comes back. Borrowers are reminded before and on the due date. Where the
community has the credits plugin on, a small deposit is held in credits while the tool is out:
refunded on return, paid to the owner if the tool is lost.

A third-party plugin written only against Yizhan's public API (``yizhan.core.api``, the CLI
helpers, ``yizhan.testing``) and the credits plugin's service API.
"""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "toollib"
