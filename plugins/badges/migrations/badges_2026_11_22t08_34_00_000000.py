"""Unique and composite indexes Piccolo's column API cannot express."""

from yizhan.core.api import index_migration

ID = "2026-11-22T08:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique and composite indexes"

INDEXES = [
    "CREATE UNIQUE INDEX yz_badge_definition_slug_uq ON yz_badge_definition (community, slug)",
    "CREATE UNIQUE INDEX yz_badge_definition_expert_uq ON yz_badge_definition (community, category)"
    " WHERE kind = 'expert'",
    "CREATE UNIQUE INDEX yz_badge_definition_star_uq ON yz_badge_definition (community)"
    " WHERE kind = 'star'",
    "CREATE UNIQUE INDEX yz_badge_application_pending_uq ON yz_badge_application"
    " (definition, member) WHERE status = 'pending'",
    "CREATE INDEX yz_badge_application_queue_ix ON yz_badge_application (community, status, id)",
    "CREATE INDEX yz_badge_award_holder_ix ON yz_badge_award (community, member, definition)",
    "CREATE UNIQUE INDEX yz_badge_award_star_uq ON yz_badge_award (definition, member, period)"
    " WHERE period <> ''",
    "CREATE INDEX yz_badge_event_subject_ix ON yz_badge_event (community, subject, subject_id)",
    "CREATE UNIQUE INDEX yz_badge_key_kid_uq ON yz_badge_key (community, kid)",
    "CREATE UNIQUE INDEX yz_badge_star_round_period_uq ON yz_badge_star_round (community, period)",
    "CREATE UNIQUE INDEX yz_badge_star_winner_member_uq ON yz_badge_star_winner (round, member)",
]


forwards = index_migration(ID, "badges", DESCRIPTION, INDEXES)
