"""Helpers for the events tests: GraphQL documents, local times, snapshots that show a refusal
changed nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from yizhan.core.graphql.ids import to_gid
from yizhan.plugins.events.tables import Event, FeedToken, Occurrence, Reward, SignUp

SHANGHAI = ZoneInfo("Asia/Shanghai")

OCCURRENCE_FIELDS = """id title kind startsAt endsAt place capacity status moved cancelReason
  placesTaken placesLeft waitlist uid"""

CREATE = """mutation($input: CreateEventInput!) { createEvent(input: $input) {
  event { id title kind rrule capacity fee status place durationMinutes
    organiser { displayName } audience invited
    occurrences(first: 100) { edges { node { FIELDS } } } }
  errors { field code message } } }""".replace("FIELDS", OCCURRENCE_FIELDS)

UPDATE = """mutation($input: UpdateEventInput!) { updateEvent(input: $input) {
  event { id title capacity place } errors { field code message } } }"""

CANCEL_EVENT = """mutation($input: CancelEventInput!) { cancelEvent(input: $input) {
  event { id status } errors { field code message } } }"""

MOVE = """mutation($input: UpdateEventOccurrenceInput!) { updateEventOccurrence(input: $input) {
  occurrence { FIELDS } errors { field code message } } }""".replace("FIELDS", OCCURRENCE_FIELDS)

CANCEL_OCCURRENCE = """mutation($input: CancelEventOccurrenceInput!) {
  cancelEventOccurrence(input: $input) {
  occurrence { FIELDS } errors { field code message } } }""".replace("FIELDS", OCCURRENCE_FIELDS)

SIGNUP_FIELDS = """id status walkIn checkedInAt late firstTime fee hours code qrPayload position
  member { id displayName } referrer { id } signedUpBy { id }
  rewards { kind amount status member { id } }"""

SIGN_UP = """mutation($input: SignUpForEventInput!) { signUpForEvent(input: $input) {
  signUp { FIELDS } errors { field code message } } }""".replace("FIELDS", SIGNUP_FIELDS)

CANCEL_SIGN_UP = """mutation($input: CancelEventSignUpInput!) { cancelEventSignUp(input: $input) {
  signUp { FIELDS } errors { field code message } } }""".replace("FIELDS", SIGNUP_FIELDS)

CHECK_IN = """mutation($input: CheckInToEventInput!) { checkInToEvent(input: $input) {
  signUp { FIELDS } errors { field code message } } }""".replace("FIELDS", SIGNUP_FIELDS)

CLOSE = """mutation($input: CloseEventOccurrenceInput!) { closeEventOccurrence(input: $input) {
  occurrence { FIELDS closedAt } errors { field code message } } }""".replace(
    "FIELDS", OCCURRENCE_FIELDS)

HOURS = """mutation($input: ConfirmVolunteerHoursInput!) { confirmVolunteerHours(input: $input) {
  signUps { id hours member { id } rewards { kind amount status } }
  errors { field code message } } }"""

ATTENDANCE = """query($id: ID!) { eventAttendance(occurrenceId: $id) { FIELDS } }""".replace(
    "FIELDS", SIGNUP_FIELDS)

MY_SIGN_UPS = """query($c: String!, $past: Boolean!) {
  myEventSignUps(community: $c, includePast: $past) { edges { node {
    id status code qrPayload occurrence { id title startsAt } } } } }"""

UPCOMING = """query($c: String!, $kind: EventKind, $from: DateTime, $to: DateTime,
  $building: ID, $cancelled: Boolean!) {
  upcomingEvents(community: $c, kind: $kind, from: $from, to: $to, buildingId: $building,
                 includeCancelled: $cancelled, first: 100) {
    edges { node { FIELDS } } pageInfo { hasNextPage } } }""".replace("FIELDS", OCCURRENCE_FIELDS)

STATS = """query($c: String!, $month: String) { eventStats(community: $c, month: $month) {
  month conversionDays
  totals { signedUp waitlisted attended noShows firstTimers referrals converted conversion }
  occurrences { occurrence { id title } figures { signedUp attended noShows firstTimers
    referrals converted conversion } } } }"""

FEED = """mutation($input: RegenerateEventFeedInput!) { regenerateEventFeed(input: $input) {
  url errors { field code message } } }"""

NOTIFICATIONS = """query($c: String!) { notifications(community: $c, first: 100) {
  edges { node { kind title body } } } }"""


def local(text: str) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def iso(text: str) -> str:
    """A Shanghai wall-clock time as an ISO string with its offset."""
    return local(text).isoformat()


def building(community: dict, name: str) -> str:
    """A building's global id."""
    return to_gid("Building", community["buildings"][name]["id"])


async def create_game(actor, community: dict | None = None, **overrides) -> dict:
    """The Saturday cashflow game: every Saturday 14:00-16:30 from 7 November, 3 places."""
    values = {"community": "testville", "title": "现金流游戏", "kind": "GAME",
              "place": "Activity room", "startsAt": iso("2026-11-07T14:00"),
              "endsAt": iso("2026-11-07T16:30"), "capacity": 3,
              "rrule": "FREQ=WEEKLY;BYDAY=SA", **overrides}
    return await actor.gql.mutate(CREATE, {"input": values})


def dates(payload: dict) -> list[dict]:
    """The occurrences of a created event."""
    return [e["node"] for e in payload["event"]["occurrences"]["edges"]]


async def sign_up(actor, occurrence_id: str, **extra) -> dict:
    """``signUpForEvent`` as ``actor``."""
    return await actor.gql.mutate(SIGN_UP, {"input": {"occurrenceId": occurrence_id, **extra}})


async def check_in(actor, occurrence_id: str, **how) -> dict:
    """``checkInToEvent`` as ``actor``."""
    return await actor.gql.mutate(CHECK_IN, {"input": {"occurrenceId": occurrence_id, **how}})


async def close(actor, occurrence_id: str, **extra) -> dict:
    """``closeEventOccurrence`` as ``actor``."""
    return await actor.gql.mutate(CLOSE, {"input": {"occurrenceId": occurrence_id, **extra}})


async def notifications(actor) -> list[dict]:
    """The actor's inbox, newest first."""
    data = await actor.gql.data(NOTIFICATIONS, {"c": "testville"})
    return [e["node"] for e in data["notifications"]["edges"]]


async def snapshot() -> tuple:
    """Everything the plugin wrote: compare before and after a refusal."""
    out = []
    for table in (Event, Occurrence, SignUp, Reward, FeedToken):
        out.append(tuple(tuple(sorted(r.items())) for r in await table.select().order_by(
            table.id)))
    return tuple(out)
