"""Citizen (borger): visitation, triage, contact person, discharge.

A citizen's name and address are personal data: they are stored only in the
events of this aggregate (encrypted at rest when a key is configured) and
never written to logs or error messages.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken
from domain.values import WEEKDAYS, Profession, Triage, VisitationKind, parse_hhmm

MAX_MINUTES_PER_VISIT = 8 * 60
MAX_PACKAGE_MINUTES_PER_WEEK = 7 * 24 * 60


class Citizen(Aggregate):
    """A person receiving care, belonging to one team's group of citizens."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return citizen_id(code)

    @event("CitizenRegistered")
    def __init__(
        self,
        code: str,
        name: str,
        address: str,
        lat: float,
        lon: float,
        team_id: str,
        registered_on: date,
        actor: dict[str, str],
    ) -> None:
        self.code = code
        self.name = name
        self.address = address
        self.lat = lat
        self.lon = lon
        self.team_id = team_id
        self.registered_on = registered_on
        self.visitation: dict[str, Any] | None = None
        self.visitation_history: list[dict[str, Any]] = []
        self.triage = str(Triage.GREEN)
        self.contact_person_id: str | None = None
        self.discharged_on: date | None = None

    @property
    def is_discharged(self) -> bool:
        return self.discharged_on is not None

    def change_visitation(
        self, effective: date, kind: VisitationKind, services: list[dict[str, Any]],
        package_minutes_per_week: int | None, reason: str, actor: dict[str, str],
    ) -> None:
        """Grant new help (bevilling) from ``effective``; see check_visitation."""
        self.check_not_discharged()
        if effective < self.registered_on:
            raise RuleBroken(
                "En visitation kan ikke gælde fra før borgeren blev registreret.",
                f"visitation effective {effective} before registration", field="effective",
            )
        check_visitation(kind, services, package_minutes_per_week)
        self._visitation_changed(
            effective=effective, kind=str(VisitationKind(kind)),
            services=[normalise_service(s) for s in services],
            package_minutes_per_week=package_minutes_per_week, reason=reason, actor=actor,
        )

    def change_triage(self, triage: Triage, reason: str, actor: dict[str, str]) -> None:
        """The team's shared judgement: rød, gul or grøn."""
        self.check_not_discharged()
        self._triage_changed(triage=str(Triage(triage)), reason=reason, actor=actor)

    def assign_contact_person(self, employee_id: UUID, actor: dict[str, str]) -> None:
        """Kontaktperson: the one colleague responsible for this citizen."""
        self.check_not_discharged()
        self._contact_person_assigned(employee_id=str(employee_id), actor=actor)

    def discharge(self, on: date, reason: str, actor: dict[str, str]) -> None:
        """Afslut borgeren (moved, hospital, died…); no new visits after this."""
        self.check_not_discharged()
        if on < self.registered_on:
            raise RuleBroken(
                "Afslutningsdatoen ligger før registreringen.",
                "discharge date before registration", field="on",
            )
        self._discharged(on=on, reason=reason, actor=actor)

    def check_not_discharged(self) -> None:
        if self.is_discharged:
            raise RuleBroken(
                "Borgeren er afsluttet og kan ikke ændres eller få nye besøg.",
                f"citizen {self.code} is discharged",
            )

    def minutes_per_week(self) -> int:
        """Granted weekly minutes under the current visitation (0 if none or open)."""
        if not self.visitation:
            return 0
        if self.visitation["kind"] == VisitationKind.PACKAGE:
            return int(self.visitation["package_minutes_per_week"])
        return sum(s["minutes"] * len(s["days"]) for s in self.visitation["services"])

    @event("VisitationChanged")
    def _visitation_changed(
        self, effective: date, kind: str, services: list[dict[str, Any]],
        package_minutes_per_week: int | None, reason: str, actor: dict[str, str],
    ) -> None:
        self.visitation = {
            "effective": effective, "kind": kind, "services": services,
            "package_minutes_per_week": package_minutes_per_week,
        }
        self.visitation_history.append(
            {"effective": effective, "minutes_per_week": self.minutes_per_week(),
             "reason": reason}
        )

    @event("TriageChanged")
    def _triage_changed(self, triage: str, reason: str, actor: dict[str, str]) -> None:
        self.triage = triage

    @event("ContactPersonAssigned")
    def _contact_person_assigned(self, employee_id: str, actor: dict[str, str]) -> None:
        self.contact_person_id = employee_id

    @event("CitizenDischarged")
    def _discharged(self, on: date, reason: str, actor: dict[str, str]) -> None:
        self.discharged_on = on


def check_visitation(
    kind: VisitationKind | str, services: list[dict[str, Any]],
    package_minutes_per_week: int | None,
) -> None:
    """A visitation has ≥1 service, or a package of positive weekly minutes, or is open.

    Each service has positive minutes, at least one weekday, at least one visit
    time, a valid time window (from < to) and a known profession.
    """
    kind = VisitationKind(kind)
    if kind is VisitationKind.SERVICES and not services:
        raise RuleBroken(
            "En visitation med ydelser skal have mindst én ydelse.",
            "services visitation without services", field="services",
        )
    if kind is VisitationKind.PACKAGE:
        if package_minutes_per_week is None or not (
            0 < package_minutes_per_week <= MAX_PACKAGE_MINUTES_PER_WEEK
        ):
            raise RuleBroken(
                "En pakke skal have et positivt antal minutter om ugen.",
                f"package minutes per week {package_minutes_per_week} not positive",
                field="package_minutes_per_week",
            )
    for index, service in enumerate(services):
        check_service(service, f"services.{index}")


def check_service(service: dict[str, Any], where: str) -> None:
    minutes = service.get("minutes")
    whole = isinstance(minutes, int) and not isinstance(minutes, bool)
    if not whole or not 0 < minutes <= MAX_MINUTES_PER_VISIT:
        raise RuleBroken(
            "En ydelse skal have et positivt antal minutter (højst 480).",
            f"{where}.minutes {minutes!r} not in 1..480", field=f"{where}.minutes",
        )
    try:
        start, end = parse_hhmm(service["window_start"]), parse_hhmm(service["window_end"])
    except (KeyError, ValueError) as error:
        raise RuleBroken(
            "Ydelsens tidsvindue skal angives som TT:MM.", f"{where}: {error}",
            field=f"{where}.window_start",
        ) from None
    if not start < end:
        raise RuleBroken(
            "Tidsvinduets start skal ligge før dets slut.",
            f"{where} window {start}-{end} is empty", field=f"{where}.window_end",
        )
    if _minutes(end) - _minutes(start) < minutes:
        raise RuleBroken(
            "Tidsvinduet er kortere end ydelsens varighed.",
            f"{where} window {start}-{end} shorter than {minutes} min",
            field=f"{where}.window_end",
        )
    days = service.get("days") or []
    if not days or any(d not in WEEKDAYS for d in days):
        raise RuleBroken(
            "En ydelse skal have mindst én ugedag (mon…sun).",
            f"{where}.days {days!r} invalid", field=f"{where}.days",
        )
    if service.get("profession") not in {p.value for p in Profession}:
        raise RuleBroken(
            "Ukendt faggruppe på ydelsen.", f"{where}.profession invalid",
            field=f"{where}.profession",
        )


def normalise_service(service: dict[str, Any]) -> dict[str, Any]:
    """The stored shape of a service (ydelse)."""
    return {
        "code": str(service["code"]),
        "name": str(service.get("name", service["code"])),
        "minutes": int(service["minutes"]),
        "days": list(service["days"]),
        "window_start": service["window_start"],
        "window_end": service["window_end"],
        "profession": service["profession"],
        "double_staffed": bool(service.get("double_staffed", False)),
    }


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def citizen_id(code: str) -> UUID:
    """Deterministic id of a citizen from their (pseudonymous) case code."""
    return uuid5(NAMESPACE_URL, f"/pusleplan/citizens/{code}")
