"""Puslemøde replanning: change the day plan as little as possible.

Given the current plan and one change (someone sick from 09:30, a visit added or
cancelled, a double-staffed visit needing a second person), plan again so that

- stops that started before the replanning moment stay as they were (pinned),
- no other stop starts before that moment,
- every stop served by someone else than before costs ``weights.move``,
- the current plan is the warm start,

first with the team's own people and, when visits are left over, with the
sister team's (søsterteam) people as a second stage. The result says which
stops moved, from whom to whom, and which moves were forced by the change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from planning.routing import plan_routes
from planning.routing_problem import (
    Caregiver,
    FixedStop,
    RoutingProblem,
    StopKey,
    TimeWindow,
    VisitRequest,
)
from planning.routing_proposal import RouteProposal, Stop
from planning.travel import HaversineTravelTimes, TravelTimes


@dataclass(frozen=True)
class CaregiverSick:
    """A person goes home sick (sygemeldt) from ``from_time``."""

    caregiver_id: str
    from_time: int


@dataclass(frozen=True)
class VisitAdded:
    """A new visit for today (e.g. after a hospital discharge)."""

    visit: VisitRequest


@dataclass(frozen=True)
class VisitCancelled:
    """A visit that no longer takes place (the citizen is in hospital, declined…)."""

    visit_id: str


@dataclass(frozen=True)
class SecondPersonNeeded:
    """A visit now needs two people (dobbeltbemanding), e.g. a new lift."""

    visit_id: str


Change = CaregiverSick | VisitAdded | VisitCancelled | SecondPersonNeeded


@dataclass(frozen=True)
class Move:
    """A stop whose caregiver changed (None: unassigned, or new/cancelled)."""

    visit_id: str
    slot: int
    from_caregiver: str | None
    to_caregiver: str | None
    old_start: int | None
    new_start: int | None
    forced: bool  # the change itself made this stop move


@dataclass(frozen=True)
class ReplanResult:
    """The new plan, the problem it answers, and what changed relative to the old plan."""

    proposal: RouteProposal
    problem: RoutingProblem
    moves: tuple[Move, ...]
    kept: int  # stops still with the same caregiver
    used_sister_team: bool

    @property
    def moved_others(self) -> int:
        """Stops that moved although the change did not force them to."""
        return sum(1 for m in self.moves if not m.forced)

    @property
    def forced(self) -> int:
        return sum(1 for m in self.moves if m.forced)

    def received(self) -> dict[str, int]:
        """Per caregiver: how many stops they took over."""
        return dict(Counter(m.to_caregiver for m in self.moves if m.to_caregiver))

    def kept_share(self) -> float:
        """Share of the stops not forced to move that stayed with their person."""
        others = self.kept + self.moved_others
        return self.kept / others if others else 1.0


def replan(problem: RoutingProblem, current: RouteProposal, change: Change, *,
           now: int | None = None, sister_team: Sequence[Caregiver] = (),
           travel_times: TravelTimes | None = None) -> ReplanResult:
    """Plan the rest of the day again after ``change``, moving as few stops as possible.

    Args:
        problem: the problem the current plan answered.
        current: the current plan (RouteProposal).
        change: what happened.
        now: the replanning moment; a sick person's ``from_time`` by default,
            otherwise nothing is pinned when None.
        sister_team: the sister team's people on shift, used only if the team
            alone leaves visits unserved.
        travel_times: the provider the current plan was made with.

    Returns:
        the new plan, the moves (forced and other), and whether the sister team helped.
    """
    travel_times = travel_times or HaversineTravelTimes()
    if now is None and isinstance(change, CaregiverSick):
        now = change.from_time
    visits, forced_keys = _changed_visits(problem, change)
    caregivers = tuple(_adjust_caregiver(c, current, change, now, problem, travel_times)
                       for c in problem.caregivers)
    old = current.assignments()
    kept_visit_ids = {v.visit_id for v in visits}
    fixed: dict[StopKey, FixedStop] = {}
    if now is not None:
        for key, (who, stop) in old.items():
            if stop.start < now and key[0] in kept_visit_ids:
                fixed[key] = FixedStop(who, stop.start)
    sick = change.caregiver_id if isinstance(change, CaregiverSick) else None
    incumbent = {key: who for key, (who, _) in old.items()
                 if key not in fixed and who != sick and key[0] in kept_visit_ids}
    initial = {run.caregiver_id: tuple(s.key for s in run.stops
                                       if s.key in fixed or s.key in incumbent)
               for run in current.run_lists}
    stage = replace(problem, visits=visits, caregivers=caregivers, fixed=fixed,
                    incumbent=incumbent, not_before=now, initial_routes=initial)
    proposal = plan_routes(stage, travel_times)
    used_sister = False
    if sister_team and _left_over(proposal, current, forced_keys):
        helpers = tuple(_from_now(c, now) for c in sister_team)
        initial = {run.caregiver_id: tuple(s.key for s in run.stops)
                   for run in proposal.run_lists}
        stage = replace(stage, caregivers=caregivers + helpers, initial_routes=initial)
        proposal = plan_routes(stage, travel_times)
        used_sister = True
    moves, kept = _moves(old, proposal, forced_keys, sick)
    return ReplanResult(proposal, stage, moves, kept, used_sister)


def _changed_visits(problem: RoutingProblem,
                    change: Change) -> tuple[tuple[VisitRequest, ...], set[StopKey]]:
    """The day's visits after the change, and the stops the change itself creates/removes."""
    visits = problem.visits
    if isinstance(change, VisitAdded):
        return visits + (change.visit,), {(change.visit.visit_id, s) for s in change.visit.slots}
    if isinstance(change, VisitCancelled):
        problem.visit(change.visit_id)  # KeyError for an unknown visit
        return (tuple(v for v in visits if v.visit_id != change.visit_id),
                {(change.visit_id, 0), (change.visit_id, 1)})
    if isinstance(change, SecondPersonNeeded):
        problem.visit(change.visit_id)
        return (tuple(replace(v, double_staffed=True) if v.visit_id == change.visit_id else v
                      for v in visits), {(change.visit_id, 1)})
    return visits, set()


def _adjust_caregiver(caregiver: Caregiver, current: RouteProposal, change: Change,
                      now: int | None, problem: RoutingProblem,
                      travel_times: TravelTimes) -> Caregiver:
    """Shorten a sick person's shift to their last pinned stop; keep breaks already taken."""
    try:
        run = current.run_list(caregiver.caregiver_id)
    except KeyError:
        return caregiver
    if now is not None and run.break_start is not None:
        if run.break_start < now:  # taken already: keep it where it was
            caregiver = replace(caregiver, break_window=TimeWindow(run.break_start,
                                                                   run.break_start))
        elif problem.break_rule is not None:
            window = problem.break_rule.window(caregiver)
            if window is not None:
                caregiver = replace(caregiver, break_window=TimeWindow(
                    max(window.start, now), max(window.end, now)))
    if not isinstance(change, CaregiverSick) or change.caregiver_id != caregiver.caregiver_id:
        return caregiver
    done = [s for s in run.stops if s.start < change.from_time]
    end = max(change.from_time, caregiver.shift.start)
    if done:
        last = problem.visit(done[-1].visit_id).location
        home = travel_times.matrix([last, caregiver.base])[0][1]
        end = max(end, done[-1].end + home)
    taken = run.break_start is not None and run.break_start < change.from_time
    return replace(caregiver, shift=TimeWindow(caregiver.shift.start, end), needs_break=taken)


def _from_now(caregiver: Caregiver, now: int | None) -> Caregiver:
    """A sister-team helper can start no earlier than the replanning moment."""
    if now is None or caregiver.shift.start >= now or caregiver.shift.end <= now:
        return caregiver
    return replace(caregiver, shift=TimeWindow(now, caregiver.shift.end))


def _left_over(proposal: RouteProposal, current: RouteProposal,
               forced_keys: set[StopKey]) -> bool:
    """Whether the team alone leaves unserved a visit the old plan served or the change added."""
    before = {key[0] for key in current.assignments()} | {key[0] for key in forced_keys}
    return any(u.visit_id in before for u in proposal.unassigned)


def _moves(old: dict[StopKey, tuple[str, Stop]], proposal: RouteProposal,
           forced_keys: set[StopKey], sick: str | None) -> tuple[tuple[Move, ...], int]:
    """Compare old and new owners of every stop."""
    new = proposal.assignments()
    moves: list[Move] = []
    kept = 0
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        who_before = before[0] if before else None
        who_after = after[0] if after else None
        if who_before == who_after:
            kept += 1
            continue
        forced = key in forced_keys or (sick is not None and who_before == sick)
        moves.append(Move(key[0], key[1], who_before, who_after,
                          before[1].start if before else None,
                          after[1].start if after else None, forced))
    return tuple(moves), kept
