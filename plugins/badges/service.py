"""The badges service API: definitions, applications, awards, revocation, profiles, matching.

Other plugins may call the functions here (not the tables). Each action is one transaction;
every step is kept in ``yz_badge_event`` (who, when, why). An award's status is computed from
the clock, so an expired or revoked certification stops counting at once::

    apply ──▶ pending ──approve──▶ approved ──▶ award (active ──▶ expired | revoked)
                 ├──reject──▶ rejected
                 └──withdraw──▶ withdrawn

The mutual-aid stars and the leaderboards are in :mod:`yizhan.plugins.badges.stars`. The code
lives in ``definitions``, ``applications``, ``awards`` and ``matching`` (shared pieces in
``common``); this module is the entry point: call these names, not those modules.
"""

from __future__ import annotations

from yizhan.plugins.badges import NAME
from yizhan.plugins.badges.applications import (
    apply,
    approve,
    get_application,
    list_applications,
    reject,
    withdraw,
)
from yizhan.plugins.badges.awards import (
    award,
    credential_of,
    find_award,
    get_award,
    give_award,
    list_awards,
    note_expired,
    revoke,
    revoked_uuids,
)
from yizhan.plugins.badges.common import (
    ACTIVE,
    APPLICATION_STATUSES,
    APPROVED,
    DEFAULT_EXPERTS,
    EXPERT_CRITERIA,
    EXPIRED,
    KINDS,
    MAX_LINK_LENGTH,
    MAX_LINKS,
    PENDING,
    REJECTED,
    REVOKED,
    STAR_CRITERIA,
    STAR_DESCRIPTION,
    STAR_NAME,
    STAR_SLUG,
    WITHDRAWN,
    award_status,
    history,
    holds,
    may_review,
)
from yizhan.plugins.badges.definitions import (
    define,
    get_definition,
    list_definitions,
    seed_defaults,
)
from yizhan.plugins.badges.matching import (
    certified_experts,
    profile,
)

__all__ = [
    "ACTIVE",
    "APPLICATION_STATUSES",
    "APPROVED",
    "DEFAULT_EXPERTS",
    "EXPERT_CRITERIA",
    "EXPIRED",
    "KINDS",
    "MAX_LINKS",
    "MAX_LINK_LENGTH",
    "PENDING",
    "NAME",
    "REJECTED",
    "REVOKED",
    "STAR_CRITERIA",
    "STAR_DESCRIPTION",
    "STAR_NAME",
    "STAR_SLUG",
    "WITHDRAWN",
    "give_award",
    "apply",
    "approve",
    "award",
    "award_status",
    "certified_experts",
    "credential_of",
    "define",
    "find_award",
    "get_application",
    "get_award",
    "get_definition",
    "history",
    "holds",
    "list_applications",
    "list_awards",
    "list_definitions",
    "may_review",
    "note_expired",
    "profile",
    "reject",
    "revoke",
    "revoked_uuids",
    "seed_defaults",
    "withdraw",
]
