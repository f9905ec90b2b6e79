"""Roster (vagtplan): one team's shifts for one period, normally 8 weeks.

Members bid (ShiftBid) and puzzle (ShiftPuzzled: take, release, swap) while the
roster is open; a planner may accept a solver proposal (ProposalAccepted); the
plan is checked (RosterChecked) and published (RosterPublished). After
publication a shift changes only through ShiftChangedAfterPublish, which records
the notice given (R7 in AGREEMENT.md).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken
from domain.values import BidKind, PuzzleAction, ShiftLayer

MIN_WEEKS, MAX_WEEKS = 1, 12
MAX_SHIFT_HOURS = 24  # a physical ceiling; the agreement's limits live in planning/rules


class Roster(Aggregate):
    """The vagtplan of one team for one period."""

    @staticmethod
    def create_id(team_id: str, period_start: date) -> UUID:
        return roster_id(team_id, period_start)

    @event("RosterOpened")
    def __init__(
        self, team_id: str, period_start: date, weeks: int, actor: dict[str, str]
    ) -> None:
        self.team_id = team_id
        self.period_start = period_start
        self.weeks = weeks
        self.shifts: dict[str, dict[str, Any]] = {}
        self.bids: dict[str, dict[str, Any]] = {}
        self.published_at: datetime | None = None
        self.changes = 0
        self.checked_at_change: int | None = None
        self.last_check: dict[str, int] | None = None

    @classmethod
    def open(
        cls, team_id: UUID, period_start: date, weeks: int, actor: dict[str, str]
    ) -> Roster:
        """Open a roster; the period starts on a Monday and lasts 1–12 weeks."""
        if period_start.weekday() != 0:
            raise RuleBroken(
                "En vagtplan skal starte på en mandag.",
                f"roster period starts on {period_start:%A}, not a Monday",
                field="period_start",
            )
        if not MIN_WEEKS <= weeks <= MAX_WEEKS:
            raise RuleBroken(
                "En vagtplan skal vare mellem 1 og 12 uger.",
                f"roster length {weeks} weeks outside 1..12", field="weeks",
            )
        return cls(team_id=str(team_id), period_start=period_start, weeks=weeks, actor=actor)

    # -- queries ----------------------------------------------------------------

    @property
    def period_end(self) -> date:
        """The first day after the period."""
        return self.period_start + timedelta(weeks=self.weeks)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def shifts_of(self, employee_id: str) -> list[dict[str, Any]]:
        return [s for s in self.shifts.values() if s["employee_id"] == employee_id]

    # -- commands while open ----------------------------------------------------

    def bid(
        self, bid_id: str, employee_id: UUID, kind: BidKind, day: date,
        layer: ShiftLayer | None, route: str | None, weight: int, is_member: bool,
        actor: dict[str, str],
    ) -> None:
        """A member's wish (ønske): work or avoid a shift, a day off, or a route."""
        self.check_open_for_puzzling()
        self.check_member(employee_id, is_member)
        self.check_in_period(day, "date")
        kind = BidKind(kind)
        if kind in (BidKind.WANT_SHIFT, BidKind.AVOID_SHIFT) and layer is None:
            raise RuleBroken(
                "Et ønske om en vagt skal angive vagtlaget (dag, aften eller nat).",
                "shift bid without layer", field="layer",
            )
        if kind is BidKind.WANT_ROUTE and not route:
            raise RuleBroken(
                "Et ønske om en rute skal angive ruten.", "route bid without route",
                field="route",
            )
        self._shift_bid(
            bid_id=bid_id, employee_id=str(employee_id), kind=str(kind), day=day,
            layer=str(ShiftLayer(layer)) if layer else None, route=route, weight=weight,
            actor=actor,
        )

    def take_shift(
        self, shift_id: str, employee_id: UUID, day: date, layer: ShiftLayer,
        start: datetime, end: datetime, route: str | None, is_member: bool,
        actor: dict[str, str],
    ) -> None:
        """Take an open shift, or add a new shift for oneself (vagt puslet: take)."""
        self.check_open_for_puzzling()
        self.check_member(employee_id, is_member)
        existing = self.shifts.get(shift_id)
        if existing is not None:
            if existing["employee_id"] is not None:
                raise RuleBroken(
                    "Vagten er allerede taget af en kollega – spørg om en bytning.",
                    f"shift {shift_id} is held by {existing['employee_id']}",
                    field="shift_id",
                )
            day, layer, start, end = (
                existing["date"], existing["layer"], existing["start"], existing["end"]
            )
            route = existing["route"]
        self.check_shift_times(day, start, end)
        self.check_no_overlap(str(employee_id), start, end, ignore={shift_id})
        self._shift_puzzled(
            action=str(PuzzleAction.TAKE), shift_id=shift_id, employee_id=str(employee_id),
            other_shift_id=None, to_employee_id=None, day=day, layer=str(ShiftLayer(layer)),
            start=start, end=end, route=route, actor=actor,
        )

    def release_shift(self, shift_id: str, employee_id: UUID, actor: dict[str, str]) -> None:
        """Give up one's shift: it stays in the plan as an open shift."""
        self.check_open_for_puzzling()
        shift = self.get_shift(shift_id)
        if shift["employee_id"] != str(employee_id):
            raise RuleBroken(
                "Man kan kun afgive sine egne vagter.",
                f"shift {shift_id} is not held by {employee_id}", field="shift_id",
            )
        self._shift_puzzled(
            action=str(PuzzleAction.RELEASE), shift_id=shift_id, employee_id=str(employee_id),
            other_shift_id=None, to_employee_id=None, day=shift["date"],
            layer=shift["layer"], start=shift["start"], end=shift["end"],
            route=shift["route"], actor=actor,
        )

    def swap_shifts(
        self, shift_id: str, to_employee_id: UUID, other_shift_id: str | None,
        is_member: bool, actor: dict[str, str],
    ) -> None:
        """Hand a shift to a colleague, or exchange it for one of theirs (swap)."""
        self.check_open_for_puzzling()
        self.check_member(to_employee_id, is_member)
        shift = self.get_shift(shift_id)
        holder = shift["employee_id"]
        if holder is None:
            raise RuleBroken(
                "Vagten er ledig – tag den i stedet for at bytte.",
                f"shift {shift_id} is open", field="shift_id",
            )
        if holder == str(to_employee_id):
            raise RuleBroken(
                "Man kan ikke bytte med sig selv.", "swap with oneself",
                field="to_employee_id",
            )
        ignore_for_receiver = {shift_id}
        if other_shift_id is not None:
            other = self.get_shift(other_shift_id, field="other_shift_id")
            if other["employee_id"] != str(to_employee_id):
                raise RuleBroken(
                    "Den anden vagt tilhører ikke kollegaen.",
                    f"shift {other_shift_id} not held by {to_employee_id}",
                    field="other_shift_id",
                )
            ignore_for_receiver.add(other_shift_id)
            self.check_no_overlap(holder, other["start"], other["end"],
                                  ignore={shift_id, other_shift_id})
        self.check_no_overlap(str(to_employee_id), shift["start"], shift["end"],
                              ignore=ignore_for_receiver)
        self._shift_puzzled(
            action=str(PuzzleAction.SWAP), shift_id=shift_id, employee_id=holder,
            other_shift_id=other_shift_id, to_employee_id=str(to_employee_id),
            day=shift["date"], layer=shift["layer"], start=shift["start"], end=shift["end"],
            route=shift["route"], actor=actor,
        )

    def accept_proposal(
        self, shifts: list[dict[str, Any]], members: set[str], objective: dict[str, int],
        actor: dict[str, str],
    ) -> None:
        """Accept a solver proposal: it replaces every shift of the open roster."""
        self.check_open_for_puzzling()
        by_employee: dict[str, list[dict[str, Any]]] = {}
        shifts = [{**s, "employee_id": None if s.get("employee_id") is None
                   else str(s["employee_id"])} for s in shifts]
        for index, shift in enumerate(shifts):
            holder = shift.get("employee_id")
            if holder is not None and holder not in members:
                raise RuleBroken(
                    "Forslaget giver en vagt til en, der ikke er med i teamet.",
                    f"proposal shift {index} held by non-member {holder}",
                    field=f"shifts.{index}.employee_id",
                )
            self.check_shift_times(shift["date"], shift["start"], shift["end"])
            if holder is not None:
                for other in by_employee.setdefault(holder, []):
                    if shift["start"] < other["end"] and other["start"] < shift["end"]:
                        raise RuleBroken(
                            "Forslaget giver en medarbejder to vagter på samme tid.",
                            f"proposal overlaps for {holder}", field=f"shifts.{index}",
                        )
                by_employee[holder].append(shift)
        self._proposal_accepted(
            shifts=[_stored_shift(s) for s in shifts], objective=objective, actor=actor
        )

    def record_check(
        self, hard_violations: int, soft_violations: int, actor: dict[str, str]
    ) -> None:
        """Record that the plan was checked against the agreement (RosterChecked)."""
        self._roster_checked(
            hard_violations=hard_violations, soft_violations=soft_violations,
            at_change=self.changes, actor=actor,
        )

    def publish(self, published_at: datetime, actor: dict[str, str]) -> None:
        """Publish the plan; it must be checked since its last change, with no hard breach."""
        self.check_open_for_puzzling()
        if self.checked_at_change != self.changes or self.last_check is None:
            raise RuleBroken(
                "Vagtplanen skal tjekkes mod arbejdstidsreglerne efter sidste ændring, "
                "før den offentliggøres.",
                "roster not checked since its last change",
            )
        if self.last_check["hard_violations"] > 0:
            raise RuleBroken(
                "Vagtplanen bryder arbejdstidsreglerne og kan ikke offentliggøres.",
                f"roster has {self.last_check['hard_violations']} hard violations",
            )
        notice_days = (self.period_start - published_at.date()).days
        self._roster_published(published_at=published_at, notice_days=notice_days, actor=actor)

    # -- commands after publication --------------------------------------------

    def change_after_publish(
        self, shift_id: str, employee_id: UUID | None, start: datetime, end: datetime,
        changed_at: datetime, reason: str, is_member: bool, actor: dict[str, str],
    ) -> None:
        """Change a published shift (holder or times), recording the notice given."""
        if not self.is_published:
            raise RuleBroken(
                "Vagtplanen er ikke offentliggjort endnu – pusl vagten i stedet.",
                "roster not published", field="shift_id",
            )
        shift = self.get_shift(shift_id)
        if employee_id is not None:
            self.check_member(employee_id, is_member)
            self.check_no_overlap(str(employee_id), start, end, ignore={shift_id})
        self.check_shift_times(shift["date"], start, end)
        if not reason.strip():
            raise RuleBroken(
                "Skriv en begrundelse for ændringen.", "change without reason",
                field="reason",
            )
        earliest = min(start, shift["start"])
        notice_hours = round((earliest - changed_at).total_seconds() / 3600, 2)
        self._shift_changed_after_publish(
            shift_id=shift_id, employee_id=str(employee_id) if employee_id else None,
            previous_employee_id=shift["employee_id"], start=start, end=end,
            previous_start=shift["start"], previous_end=shift["end"],
            changed_at=changed_at, notice_hours=notice_hours, reason=reason, actor=actor,
        )

    def exchange_after_publish(
        self, shift_id: str, employee_id: UUID | None, start: datetime, end: datetime,
        other_shift_id: str, changed_at: datetime, reason: str, is_member: bool,
        actor: dict[str, str],
    ) -> None:
        """Give ``shift_id`` to ``employee_id`` and ``other_shift_id`` (held by
        ``employee_id``) to the first shift's holder: two changes, stored together."""
        shift, other = self.get_shift(shift_id), self.get_shift(other_shift_id,
                                                                "exchange_shift_id")
        holder = shift["employee_id"]
        if employee_id is None or holder is None or other["employee_id"] != str(employee_id):
            raise RuleBroken(
                "Den anden vagt tilhører ikke kollegaen.",
                f"shift {other_shift_id} is not held by {employee_id}",
                field="exchange_shift_id",
            )
        if shift["start"] < other["end"] and other["start"] < shift["end"]:
            raise RuleBroken(
                "Vagterne ligger samtidig og kan ikke byttes.",
                f"shifts {shift_id} and {other_shift_id} overlap", field="exchange_shift_id",
            )
        self.change_after_publish(shift_id, employee_id, start, end, changed_at, reason,
                                  is_member, actor)
        self.change_after_publish(other_shift_id, UUID(holder), other["start"], other["end"],
                                  changed_at, reason, True, actor)

    # -- guards -----------------------------------------------------------------

    def check_open_for_puzzling(self) -> None:
        if self.is_published:
            raise RuleBroken(
                "Vagtplanen er offentliggjort; ændringer skal registreres som ændring "
                "efter offentliggørelse (med varsel).",
                "roster is published; use ShiftChangedAfterPublish",
            )

    @staticmethod
    def check_member(employee_id: UUID | str, is_member: bool) -> None:
        if not is_member:
            raise RuleBroken(
                "Kun teamets medlemmer kan have vagter i teamets vagtplan.",
                f"employee {employee_id} is not a member of the roster's team",
                field="employee_id",
            )

    def check_in_period(self, day: date, field: str) -> None:
        if not self.period_start <= day < self.period_end:
            raise RuleBroken(
                "Datoen ligger uden for vagtplanens periode.",
                f"{day} outside {self.period_start}..{self.period_end}", field=field,
            )

    def check_shift_times(self, day: date, start: datetime, end: datetime) -> None:
        self.check_in_period(day, "date")
        if not start < end:
            raise RuleBroken(
                "Vagten skal slutte efter den begynder.", f"shift {start}..{end} empty",
                field="end",
            )
        if end - start > timedelta(hours=MAX_SHIFT_HOURS):
            raise RuleBroken(
                "En vagt kan højst vare 24 timer.", f"shift {start}..{end} too long",
                field="end",
            )
        if start.date() != day:
            raise RuleBroken(
                "Vagten skal begynde på den dato, den hører til.",
                f"shift starts {start.date()}, not {day}", field="start",
            )

    def check_no_overlap(
        self, employee_id: str, start: datetime, end: datetime, ignore: set[str]
    ) -> None:
        for other_id, other in self.shifts.items():
            if other_id in ignore or other["employee_id"] != employee_id:
                continue
            if start < other["end"] and other["start"] < end:
                raise RuleBroken(
                    "Medarbejderen har allerede en vagt på det tidspunkt.",
                    f"shift {start}..{end} overlaps shift {other_id} of {employee_id}",
                    field="start",
                )

    def get_shift(self, shift_id: str, field: str = "shift_id") -> dict[str, Any]:
        try:
            return self.shifts[shift_id]
        except KeyError:
            raise RuleBroken(
                "Vagten findes ikke i vagtplanen.", f"no shift {shift_id}", field=field
            ) from None

    # -- events -----------------------------------------------------------------

    @event("ShiftBid")
    def _shift_bid(
        self, bid_id: str, employee_id: str, kind: str, day: date, layer: str | None,
        route: str | None, weight: int, actor: dict[str, str],
    ) -> None:
        self.bids[bid_id] = {
            "employee_id": employee_id, "kind": kind, "date": day, "layer": layer,
            "route": route, "weight": weight,
        }

    @event("ShiftPuzzled")
    def _shift_puzzled(
        self, action: str, shift_id: str, employee_id: str, other_shift_id: str | None,
        to_employee_id: str | None, day: date, layer: str, start: datetime,
        end: datetime, route: str | None, actor: dict[str, str],
    ) -> None:
        self.changes += 1
        if action == PuzzleAction.TAKE:
            self.shifts[shift_id] = {
                "employee_id": employee_id, "date": day, "layer": layer, "start": start,
                "end": end, "route": route,
            }
        elif action == PuzzleAction.RELEASE:
            self.shifts[shift_id]["employee_id"] = None
        else:
            self.shifts[shift_id]["employee_id"] = to_employee_id
            if other_shift_id is not None:
                self.shifts[other_shift_id]["employee_id"] = employee_id

    @event("ProposalAccepted")
    def _proposal_accepted(
        self, shifts: list[dict[str, Any]], objective: dict[str, int], actor: dict[str, str]
    ) -> None:
        self.changes += 1
        self.shifts = {s["shift_id"]: {k: v for k, v in s.items() if k != "shift_id"}
                       for s in shifts}

    @event("RosterChecked")
    def _roster_checked(
        self, hard_violations: int, soft_violations: int, at_change: int,
        actor: dict[str, str],
    ) -> None:
        self.checked_at_change = at_change
        self.last_check = {"hard_violations": hard_violations,
                           "soft_violations": soft_violations}

    @event("RosterPublished")
    def _roster_published(
        self, published_at: datetime, notice_days: int, actor: dict[str, str]
    ) -> None:
        self.published_at = published_at

    @event("ShiftChangedAfterPublish")
    def _shift_changed_after_publish(
        self, shift_id: str, employee_id: str | None, previous_employee_id: str | None,
        start: datetime, end: datetime, previous_start: datetime, previous_end: datetime,
        changed_at: datetime, notice_hours: float, reason: str, actor: dict[str, str],
    ) -> None:
        self.changes += 1
        shift = self.shifts[shift_id]
        shift.update(employee_id=employee_id, start=start, end=end)


def _stored_shift(shift: dict[str, Any]) -> dict[str, Any]:
    return {
        "shift_id": str(shift["shift_id"]),
        "employee_id": shift.get("employee_id"),
        "date": shift["date"],
        "layer": str(ShiftLayer(shift["layer"])),
        "start": shift["start"],
        "end": shift["end"],
        "route": shift.get("route"),
    }


def roster_id(team_id: UUID | str, period_start: date) -> UUID:
    """Deterministic id of a team's roster for the period starting ``period_start``."""
    return uuid5(NAMESPACE_URL, f"/pusleplan/rosters/{team_id}/{period_start.isoformat()}")
