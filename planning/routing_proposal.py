"""What the route planner returns: run lists (kørelister), unassigned visits with
their reason, objective parts and continuity figures. Plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from planning.routing_problem import StopKey, hhmm


class UnassignedReason(StrEnum):
    """Why a visit got nobody."""

    NO_QUALIFIED_PERSON = "no_qualified_person"
    ONLY_SUBSTITUTES = "only_substitutes"
    NO_QUALIFIED_PERSON_IN_WINDOW = "no_qualified_person_in_window"
    NO_SECOND_PERSON = "no_second_person"
    WINDOW_PASSED = "window_passed"
    NO_CAPACITY = "no_capacity"


REASON_DA: dict[UnassignedReason, str] = {
    UnassignedReason.NO_QUALIFIED_PERSON: "Ingen på vagt har den faggruppe besøget kræver.",
    UnassignedReason.ONLY_SUBSTITUTES:
        "Borgeren er rød/gul, og de kvalificerede på vagt er vikarer.",
    UnassignedReason.NO_QUALIFIED_PERSON_IN_WINDOW:
        "Ingen kvalificeret medarbejder er på vagt i besøgets tidsvindue.",
    UnassignedReason.NO_SECOND_PERSON:
        "Besøget kræver to medarbejdere, men kun én kvalificeret er på vagt i tidsvinduet.",
    UnassignedReason.WINDOW_PASSED: "Besøgets tidsvindue er allerede passeret.",
    UnassignedReason.NO_CAPACITY:
        "De kvalificerede medarbejdere har ikke tid nok i tidsvinduet.",
}


@dataclass(frozen=True)
class Stop:
    """One stop on a run list: arrive, maybe wait, do the visit, leave."""

    visit_id: str
    citizen_id: str
    slot: int
    arrival: int
    start: int
    end: int
    travel_minutes: int  # from the previous stop (or the base)

    @property
    def key(self) -> StopKey:
        return (self.visit_id, self.slot)

    @property
    def wait_minutes(self) -> int:
        return self.start - self.arrival


@dataclass(frozen=True)
class RunList:
    """One person's day (køreliste): leave the base, the stops in order, back again."""

    caregiver_id: str
    stops: tuple[Stop, ...]
    leave_base: int
    back_at_base: int
    travel_minutes: int
    break_start: int | None = None
    break_minutes: int = 0

    def describe(self) -> str:
        """A short human-readable listing, one line per stop."""
        lines = [f"{self.caregiver_id}: {hhmm(self.leave_base)}–{hhmm(self.back_at_base)}, "
                 f"{self.travel_minutes} min kørsel"]
        lines += [f"  {hhmm(s.start)}–{hhmm(s.end)} {s.visit_id} ({s.citizen_id})"
                  for s in self.stops]
        if self.break_start is not None:
            lines.append(f"  pause {hhmm(self.break_start)} ({self.break_minutes} min)")
        return "\n".join(lines)


@dataclass(frozen=True)
class Unassigned:
    """A visit nobody got, with the reason (code, Danish message, English detail)."""

    visit_id: str
    citizen_id: str
    reason: UnassignedReason
    detail: str

    @property
    def message(self) -> str:
        return REASON_DA[self.reason]


@dataclass(frozen=True)
class ObjectiveParts:
    """The plan's objective, term by term (minutes and weighted cost units)."""

    travel_minutes: int = 0
    travel_cost: int = 0
    lateness_minutes: int = 0
    lateness_cost: int = 0
    continuity_cost: int = 0
    overqualification_cost: int = 0
    move_cost: int = 0
    unassigned_cost: int = 0

    @property
    def total(self) -> int:
        return (self.travel_cost + self.lateness_cost + self.continuity_cost
                + self.overqualification_cost + self.move_cost + self.unassigned_cost)


@dataclass(frozen=True)
class Continuity:
    """Kontinuitet in the proposal: how few faces each citizen meets today.

    Shares are over visits that have a contact person (resp. a recent set); a
    double-staffed visit counts as by the contact person if either person is.
    """

    distinct_staff: dict[str, int] = field(default_factory=dict)
    mean_distinct_staff: float = 0.0
    contact_share: float | None = None
    recent_share: float | None = None


@dataclass(frozen=True)
class RouteProposal:
    """The planner's answer: run lists, unassigned visits, objective, continuity."""

    run_lists: tuple[RunList, ...]
    unassigned: tuple[Unassigned, ...]
    objective: ObjectiveParts
    continuity: Continuity
    status: str
    proven_optimal: bool
    wall_s: float
    seed: int
    time_limit_s: float

    def __post_init__(self) -> None:
        if self.wall_s < 0:
            raise ValueError("negative wall time not understood")

    def run_list(self, caregiver_id: str) -> RunList:
        """The run list of one caregiver; KeyError if not in the plan."""
        for run in self.run_lists:
            if run.caregiver_id == caregiver_id:
                return run
        raise KeyError(caregiver_id)

    def assignments(self) -> dict[StopKey, tuple[str, Stop]]:
        """Each served stop -> (caregiver id, stop)."""
        return {stop.key: (run.caregiver_id, stop)
                for run in self.run_lists for stop in run.stops}

    def is_complete(self) -> bool:
        return not self.unassigned

    def describe(self) -> str:
        """All run lists and the unassigned visits, for a terminal."""
        parts = [run.describe() for run in self.run_lists if run.stops]
        parts += [f"ikke planlagt: {u.visit_id} ({u.citizen_id}): {u.message}"
                  for u in self.unassigned]
        return "\n".join(parts)
