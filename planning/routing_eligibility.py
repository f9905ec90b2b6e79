"""Who may serve which visit, decided before the search, with the reason when nobody may.

A caregiver is eligible for a visit when their profession reaches the required
level (the ladder UFL < SSH < SSA < SPL; TER apart), they are not a substitute
(vikar) at a red or yellow citizen, and they can get there from the base inside
the visit's window and home again before the shift ends. Visits nobody is
eligible for never enter the routing model; they come back unassigned with the
reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from planning.routing_problem import Caregiver, RoutingProblem, Triage, VisitRequest, levels_above
from planning.routing_proposal import Unassigned, UnassignedReason


@dataclass(frozen=True)
class Eligibility:
    """Visit id -> caregiver ids allowed to serve it; and the visits nobody may serve."""

    allowed: dict[str, tuple[str, ...]]
    unassigned: tuple[Unassigned, ...]


def qualified(caregiver: Caregiver, visit: VisitRequest) -> bool:
    """Profession rule: an SSH never gets an SSA-only visit; a nurse may do lower ones."""
    return levels_above(caregiver.profession, visit.profession) is not None


def substitute_allowed(caregiver: Caregiver, visit: VisitRequest) -> bool:
    """A substitute (vikar) is never sent to a red or yellow citizen."""
    return not (caregiver.is_substitute and visit.triage in (Triage.RED, Triage.YELLOW))


def reaches_in_window(caregiver: Caregiver, visit: VisitRequest, out_minutes: int,
                      home_minutes: int, not_before: int | None) -> bool:
    """Whether the caregiver can start the visit in its window from the base and get back."""
    earliest = max(visit.window.start, caregiver.shift.start + out_minutes,
                   not_before if not_before is not None else visit.window.start)
    return (earliest <= visit.window.end
            and earliest + visit.duration + home_minutes <= caregiver.shift.end)


def check_eligibility(problem: RoutingProblem, travel: list[list[int]]) -> Eligibility:
    """Decide the allowed caregivers per visit.

    Args:
        problem: the day's problem.
        travel: minutes between locations ordered caregivers' bases first, then
            the visits in ``problem.visits`` order.

    Returns:
        allowed caregivers for every visit that can be served, and the others
        as Unassigned with their reason.
    """
    allowed: dict[str, tuple[str, ...]] = {}
    unassigned: list[Unassigned] = []
    people = problem.caregivers
    for i, visit in enumerate(problem.visits):
        row = len(people) + i
        pinned = [problem.fixed.get((visit.visit_id, slot)) for slot in visit.slots]
        if all(pinned):
            allowed[visit.visit_id] = tuple(pin.caregiver_id for pin in pinned if pin)
            continue
        able = [c for c in people if qualified(c, visit)]
        welcome = [c for c in able if substitute_allowed(c, visit)]
        in_window = [c for j, c in enumerate(people) if c in welcome and reaches_in_window(
            c, visit, travel[j][row], travel[row][j], problem.not_before)]
        reason, detail = None, ""
        if not able:
            reason = UnassignedReason.NO_QUALIFIED_PERSON
            detail = f"needs {visit.profession}; nobody on shift has it"
        elif not welcome:
            reason = UnassignedReason.ONLY_SUBSTITUTES
            detail = f"triage {visit.triage}; every qualified person on shift is a substitute"
        elif problem.not_before is not None and visit.window.end < problem.not_before:
            reason = UnassignedReason.WINDOW_PASSED
            detail = f"window {visit.window} ended before the replanning moment"
        elif not in_window:
            reason = UnassignedReason.NO_QUALIFIED_PERSON_IN_WINDOW
            detail = (f"window {visit.window}; qualified people's shifts: "
                      + ", ".join(f"{c.caregiver_id} {c.shift}" for c in welcome))
        elif visit.double_staffed and len(in_window) < 2:
            reason = UnassignedReason.NO_SECOND_PERSON
            detail = f"double-staffed; only {in_window[0].caregiver_id} can come in {visit.window}"
        if reason is not None:
            unassigned.append(Unassigned(visit.visit_id, visit.citizen_id, reason, detail))
        else:
            allowed[visit.visit_id] = tuple(c.caregiver_id for c in in_window)
    return Eligibility(allowed, tuple(unassigned))
