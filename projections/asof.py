"""Which date an event belongs to, for rebuilding a read model "as of" a date.

An event's timestamp is when it was *written*. For live use that is when it
happened; for back-filled history (the demo writes 8 weeks of history in a
minute, an import writes last month's visits today) it is not. So each event
gets an **as-of date**, the earlier of its write date (Europe/Copenhagen) and
its **domain date**:

* day plans (run lists, visits, deliveries): the plan's day;
* a citizen's registration, discharge, visitation change: ``registered_on``,
  ``on``, ``effective``;
* an employee's hiring, contract change, absence and its end: ``hired_on``,
  ``effective``, ``start``, ``end``;
* a roster's publication and changes after publication: ``published_at``,
  ``changed_at``.

Events without a date of their own (a team's members and routes, triage, a
contact person, bids and puzzles, accepted proposals, checks) take the
**business clock**: the latest domain date of a *happened* fact seen so far in
the log (a day plan's day, a registration, a discharge, a hiring, a
publication, a change after publication) — future-dated facts such as a
holiday registered in advance or a visitation from next month do not move it.
Before the first dated event the clock stands at the beginning of time, so the
organisation set up before any history (teams, routes) belongs to every date.

A read model "as of D" is rebuilt from the events whose as-of date is on or
before D; the others are skipped but still tracked. For the demo that places
every fact on the day it happened in the story, give or take a day for
undated events (a triage change written during day d is dated by the last day
plan written before it, d − 1).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

#: event class name -> attribute holding its own domain date (a date or datetime)
DOMAIN_DATES = {
    "CitizenRegistered": "registered_on",
    "CitizenDischarged": "on",
    "VisitationChanged": "effective",
    "EmployeeHired": "hired_on",
    "ContractChanged": "effective",
    "AbsenceRegistered": "start",
    "AbsenceEnded": "end",
    "RosterPublished": "published_at",
    "ShiftChangedAfterPublish": "changed_at",
}
#: events whose domain date is a fact that happened, so it moves the business clock
HAPPENED = {"DayPlan", "CitizenRegistered", "CitizenDischarged", "EmployeeHired",
            "RosterPublished", "ShiftChangedAfterPublish"}


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def write_date(event: Any) -> date:
    """The day (Copenhagen) on which the event was written."""
    stamp: datetime = event.timestamp
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(COPENHAGEN)
    return stamp.date()


class AsOfDating:
    """Assigns each event of the log, read in order, its as-of date."""

    def __init__(self) -> None:
        self.clock = date.min
        self.plan_days: dict[str, date] = {}

    def date_of(self, event: Any) -> date:
        """The event's as-of date; call for every event in log order (it moves the clock)."""
        name = type(event).__name__
        written = write_date(event)
        own: date | None = None
        kind = name
        if type(event).__qualname__.startswith("DayPlan."):
            kind = "DayPlan"
            key = str(event.originator_id)
            if name == "DayPlanOpened":
                self.plan_days[key] = event.day
            own = self.plan_days.get(key)
        elif name in DOMAIN_DATES:
            value = getattr(event, DOMAIN_DATES[name], None)
            own = _as_date(value) if value is not None else None
        if own is None:
            return min(written, self.clock)
        dated = min(own, written)
        if kind in HAPPENED and dated > self.clock:
            self.clock = dated
        return dated
