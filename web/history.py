"""Who puzzled what and when: the roster's events as short Danish sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from planning.danish import MONTHS_DA
from web.grid import DAY_SHORT, LAYER_DA
from web.rosterdata import Names

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

BID_DA = {"want_shift": "ønsker {layer}", "avoid_shift": "vil helst ikke have {layer}",
          "day_off": "ønsker fri", "want_route": "ønsker ruten {route}"}


@dataclass(frozen=True)
class Entry:
    """One line of the history: when (local time), who acted (if not the one named in
    the sentence), and what happened."""

    at: datetime
    who: str
    what: str
    kind: str  # the event type, for styling

    @property
    def when(self) -> str:
        return f"{self.at.day}. {MONTHS_DA[self.at.month - 1][:3]} kl. {self.at:%H:%M}"


def short_day(day: date) -> str:
    """'ti 24/11'."""
    return f"{DAY_SHORT[day.weekday()]} {day.day}/{day.month}"


def history(events: list[dict[str, Any]], names: Names, limit: int = 40) -> list[Entry]:
    """The newest ``limit`` events first, in words."""
    entries = []
    for event in reversed(events[-limit:]):
        at = event["at"].astimezone(COPENHAGEN).replace(tzinfo=None)
        who, what = names.actor(event["actor"]), describe(event, names)
        if what.startswith(f"{who} "):
            who = ""  # they puzzled their own shift: the sentence says who
        entries.append(Entry(at, who, what, event["type"]))
    return entries


def describe(event: dict[str, Any], names: Names) -> str:
    """What an event did, in Danish."""
    kind = event["type"]
    if kind == "ShiftBid":
        what = BID_DA.get(event["kind"], "ønske").format(
            layer=LAYER_DA.get(event.get("layer") or "", "vagt"), route=event.get("route"))
        return f"{names.name(event['employee_id'])} {what} {short_day(event['day'])}"
    if kind == "ShiftPuzzled":
        return _puzzled(event, names)
    if kind == "ProposalAccepted":
        return f"Forslag til vagtplan accepteret ({len(event['shifts'])} vagter)"
    if kind == "RosterChecked":
        return (f"Tjekket mod reglerne: {event['hard_violations']} skarpe brud, "
                f"{event['soft_violations']} anbefalinger")
    if kind == "RosterPublished":
        return f"Vagtplanen offentliggjort med {event['notice_days']} dages varsel"
    if kind == "ShiftChangedAfterPublish":
        return (f"Vagten {short_day(event['start'].date())} ændret efter offentliggørelse "
                f"({event['notice_hours']:g} timers varsel)")
    if kind == "RosterOpened":
        return f"Vagtplanen åbnet for {event['weeks']} uger"
    return kind


def _puzzled(event: dict[str, Any], names: Names) -> str:
    holder = names.name(event["employee_id"])
    shift = f"{LAYER_DA.get(event['layer'], 'vagt')}en {short_day(event['day'])}"
    action = event["action"]
    if action == "take":
        return f"{holder} tog {shift}"
    if action == "release":
        return f"{holder} afgav {shift}"
    receiver = names.name(event["to_employee_id"])
    if event.get("other_shift_id"):
        return f"{holder} byttede {shift} med {receiver}"
    return f"{holder} gav {shift} til {receiver}"
