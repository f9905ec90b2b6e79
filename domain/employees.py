"""Employee (medarbejder): profession, contract, absences."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken
from domain.values import AbsenceKind, Profession

MAX_WEEKLY_HOURS = 48.0  # R4: the 48-hour average is a statutory ceiling.


class Employee(Aggregate):
    """A person employed in home care or a nursing home."""

    @staticmethod
    def create_id(number: str) -> UUID:
        return employee_id(number)

    @event("EmployeeHired")
    def __init__(
        self,
        number: str,
        name: str,
        profession: str,
        weekly_hours: float,
        hired_on: date,
        is_substitute: bool,
        actor: dict[str, str],
    ) -> None:
        self.number = number
        self.name = name
        self.profession = profession
        self.weekly_hours = weekly_hours
        self.hired_on = hired_on
        self.is_substitute = is_substitute
        self.absences: dict[str, dict[str, object]] = {}

    @classmethod
    def hire(
        cls, number: str, name: str, profession: Profession, weekly_hours: float,
        hired_on: date, is_substitute: bool, actor: dict[str, str],
    ) -> Employee:
        """Hire a person; contracted weekly hours must be within (0, 48]."""
        check_weekly_hours(weekly_hours)
        return cls(
            number=number, name=name, profession=str(Profession(profession)),
            weekly_hours=float(weekly_hours), hired_on=hired_on,
            is_substitute=is_substitute, actor=actor,
        )

    def change_contract(
        self, weekly_hours: float, profession: Profession, effective: date,
        actor: dict[str, str],
    ) -> None:
        """Change contracted hours or profession (e.g. after SSA education)."""
        check_weekly_hours(weekly_hours)
        if effective < self.hired_on:
            raise RuleBroken(
                "En kontraktændring kan ikke gælde fra før ansættelsen.",
                f"contract change effective {effective} before hire date {self.hired_on}",
                field="effective",
            )
        self._contract_changed(
            weekly_hours=float(weekly_hours), profession=str(Profession(profession)),
            effective=effective, actor=actor,
        )

    def register_absence(
        self, absence_id: str, kind: AbsenceKind, start: date, end: date | None,
        actor: dict[str, str],
    ) -> None:
        """Register sickness, holiday or a course; ``end`` None means open-ended."""
        if absence_id in self.absences:
            raise RuleBroken(
                "Fraværet er allerede registreret.", f"absence {absence_id} exists",
                field="absence_id",
            )
        if end is not None and end < start:
            raise RuleBroken(
                "Fraværets slutdato ligger før startdatoen.",
                f"absence end {end} before start {start}", field="end",
            )
        for other in self.absences.values():
            # An open-ended absence (sick until further notice) blocks only its
            # first day here: a holiday planned for later stays registrable.
            other_end = other["end"] if other["end"] is not None else other["start"]
            if _overlaps(start, end or start, other["start"], other_end):  # type: ignore[arg-type]
                raise RuleBroken(
                    "Medarbejderen er allerede registreret fraværende i den periode.",
                    f"absence {start}..{end} overlaps an existing absence",
                    field="start",
                )
        self._absence_registered(
            absence_id=absence_id, kind=str(AbsenceKind(kind)), start=start, end=end,
            actor=actor,
        )

    def end_absence(self, absence_id: str, end: date, actor: dict[str, str]) -> None:
        """End an open absence (e.g. the person reports back after sickness)."""
        absence = self.absences.get(absence_id)
        if absence is None:
            raise RuleBroken(
                "Fraværet findes ikke.", f"no absence {absence_id}", field="absence_id"
            )
        if absence["end"] is not None:
            raise RuleBroken(
                "Fraværet er allerede afsluttet.", f"absence {absence_id} already ended",
                field="absence_id",
            )
        if end < absence["start"]:  # type: ignore[operator]
            raise RuleBroken(
                "Fraværet kan ikke slutte før det begyndte.",
                f"absence end {end} before start {absence['start']}", field="end",
            )
        self._absence_ended(absence_id=absence_id, end=end, actor=actor)

    def is_absent_on(self, day: date) -> bool:
        return any(
            _overlaps(day, day, a["start"], a["end"])  # type: ignore[arg-type]
            for a in self.absences.values()
        )

    @event("ContractChanged")
    def _contract_changed(
        self, weekly_hours: float, profession: str, effective: date, actor: dict[str, str]
    ) -> None:
        self.weekly_hours = weekly_hours
        self.profession = profession

    @event("AbsenceRegistered")
    def _absence_registered(
        self, absence_id: str, kind: str, start: date, end: date | None,
        actor: dict[str, str],
    ) -> None:
        self.absences[absence_id] = {"kind": kind, "start": start, "end": end}

    @event("AbsenceEnded")
    def _absence_ended(self, absence_id: str, end: date, actor: dict[str, str]) -> None:
        self.absences[absence_id]["end"] = end


def check_weekly_hours(weekly_hours: float) -> None:
    if not 0 < weekly_hours <= MAX_WEEKLY_HOURS:
        raise RuleBroken(
            "Ugentlige timer skal være over 0 og højst 48.",
            f"weekly hours {weekly_hours} outside (0, 48]", field="weekly_hours",
        )


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def employee_id(number: str) -> UUID:
    """Deterministic id of an employee from their employee number."""
    return uuid5(NAMESPACE_URL, f"/pusleplan/employees/{number}")
