"""Puslemøde replanning: change the day plan as little as possible.

Given the current plan and one change (someone sick from 09:30, a visit added or
cancelled, a double-staffed visit needing a second person), plan again so that

- stops that started before the replanning moment stay as they were (pinned),
- no other stop starts before that moment,
- every stop served by someone else than before costs ``weights.move``,
- the current plan is the warm start, even where it breaks the planner's
  windows, shifts or break rule: the problem is widened just enough to hold it
  (``planning.replan_hold``), so only what must move moves,

first with the team's own people and, when visits are left over, with the
sister team's (søsterteam) people as a second stage — together with the sister
team's own day, so its people help only where their own visits leave room and
its visits move as little as the team's. The result says which stops moved,
from whom to whom, and which moves were forced by the change.

``plan_from_assignments`` turns a stored day plan (who does which stop when)
into the ``RouteProposal`` replanning starts from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from planning.replan_hold import Widened, hold_current
from planning.routing import continuity, objective_parts, plan_routes
from planning.routing_problem import (
    Caregiver,
    FixedStop,
    RoutingProblem,
    StopKey,
    TimeWindow,
    VisitRequest,
)
from planning.routing_proposal import (
    RouteProposal,
    RunList,
    Stop,
    Unassigned,
    UnassignedReason,
)
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
    widened: tuple[Widened, ...] = ()  # conditions widened to keep the current plan

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


@dataclass(frozen=True)
class SisterDay:
    """The sister team's day: its problem and its current plan (stored or proposed)."""

    problem: RoutingProblem
    plan: RouteProposal


def replan(problem: RoutingProblem, current: RouteProposal, change: Change, *,
           now: int | None = None, sister_team: Sequence[Caregiver] = (),
           travel_times: TravelTimes | None = None,
           sister_day: SisterDay | Callable[[], SisterDay | None] | None = None,
           ) -> ReplanResult:
    """Plan the rest of the day again after ``change``, moving as few stops as possible.

    Args:
        problem: the problem the current plan answered.
        current: the current plan (RouteProposal).
        change: what happened.
        now: the replanning moment; a sick person's ``from_time`` by default,
            otherwise nothing is pinned when None.
        sister_team: the sister team's people on shift, used only if the team
            alone leaves visits unserved, as if they had nothing else to do.
        travel_times: the provider the current plan was made with.
        sister_day: the sister team's whole day instead of ``sister_team``: its
            people help with their own visits still in their run lists; its
            stops before ``now`` stay, and moving any of them costs as a move.
            A callable is called only when the team cannot cover alone (loading
            and planning the sister's day is then skipped when not needed).

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
    held = hold_current(stage, {key: stop.start for key, (_, stop) in old.items()},
                        travel_times)
    stage, forced_keys, widened = held.problem, forced_keys | held.must_move, held.widened
    proposal = plan_routes(stage, travel_times)
    used_sister = False
    left_over = _left_over(proposal, current, forced_keys)
    sister = sister_day() if callable(sister_day) and left_over else sister_day
    if isinstance(sister, SisterDay) and left_over:
        joined_stage = _with_sister_day(stage, proposal, sister, change, now, travel_times)
        starts = {key: stop.start for key, (_, stop) in proposal.assignments().items()}
        starts.update({key: stop.start for key, (_, stop) in sister.plan.assignments().items()})
        held = hold_current(joined_stage, starts, travel_times)
        joined = plan_routes(held.problem, travel_times)
        # A search that ran out of time can leave more undone than the team
        # alone: the sister team's help is taken only when it covers more.
        planned = {key[0] for key in sister.plan.assignments()} | {v.visit_id for v in visits}
        if _uncovered(joined, planned) < _uncovered(proposal, planned):
            stage, proposal = held.problem, joined
            forced_keys, widened = forced_keys | held.must_move, widened + held.widened
            old = {**old, **sister.plan.assignments()}
            used_sister = True
    elif sister_team and _left_over(proposal, current, forced_keys):
        helpers = tuple(_from_now(c, now) for c in sister_team)
        initial = {run.caregiver_id: tuple(s.key for s in run.stops)
                   for run in proposal.run_lists}
        stage = replace(stage, caregivers=caregivers + helpers, initial_routes=initial)
        proposal = plan_routes(stage, travel_times)
        used_sister = True
    moves, kept = _moves(old, proposal, forced_keys, sick)
    return ReplanResult(proposal, stage, moves, kept, used_sister, widened)


def _with_sister_day(stage: RoutingProblem, team_plan: RouteProposal, sister: SisterDay,
                     change: Change, now: int | None,
                     travel_times: TravelTimes) -> RoutingProblem:
    """The team's stage joined with the sister team's day (its visits, people and plan)."""
    # The sister team works its own shifts: what started before now stays, and
    # ``not_before`` keeps anything new after now.
    helpers = tuple(_adjust_caregiver(c, sister.plan, change, now, sister.problem, travel_times)
                    for c in sister.problem.caregivers)
    fixed = dict(stage.fixed)
    incumbent = dict(stage.incumbent)
    for key, (who, stop) in sister.plan.assignments().items():
        if now is not None and stop.start < now:
            fixed[key] = FixedStop(who, stop.start)
        else:
            incumbent[key] = who
    initial = {run.caregiver_id: tuple(s.key for s in run.stops)
               for run in team_plan.run_lists}
    initial.update({run.caregiver_id: tuple(s.key for s in run.stops)
                    for run in sister.plan.run_lists})
    return replace(stage, visits=stage.visits + sister.problem.visits,
                   caregivers=stage.caregivers + helpers, fixed=fixed, incumbent=incumbent,
                   initial_routes=initial)


def plan_from_assignments(problem: RoutingProblem,
                          assignments: Mapping[StopKey, tuple[str, int]],
                          travel_times: TravelTimes | None = None) -> RouteProposal:
    """A stored day plan as a RouteProposal: each stop's caregiver and start.

    Stops are ordered by start per caregiver and travel is recomputed; stops of
    visits the problem does not know, or of people not on shift in it, are
    left out; the problem's visits without all their stops are unassigned.
    Breaks are unknown (a stored plan does not record them).
    """
    travel_times = travel_times or HaversineTravelTimes()
    visits = {v.visit_id: v for v in problem.visits}
    people = {c.caregiver_id: c for c in problem.caregivers}
    by_person: dict[str, list[tuple[int, StopKey]]] = {c: [] for c in people}
    for key, (who, start) in assignments.items():
        if key[0] in visits and who in people:
            by_person[who].append((start, key))
    runs = []
    for who, items in by_person.items():
        caregiver = people[who]
        items.sort()
        places = [caregiver.base] + [visits[key[0]].location for _, key in items]
        matrix = travel_times.matrix(places)
        stops: list[Stop] = []
        for n, (start, key) in enumerate(items, start=1):
            visit = visits[key[0]]
            travel = matrix[n - 1][n]
            arrival = start if not stops else min(start, stops[-1].end + travel)
            stops.append(Stop(key[0], visit.citizen_id, key[1], arrival, start,
                              start + visit.duration, travel))
        if not stops:
            runs.append(RunList(who, (), caregiver.shift.start, caregiver.shift.start, 0))
            continue
        home = matrix[len(items)][0]
        runs.append(RunList(who, tuple(stops), stops[0].start - stops[0].travel_minutes,
                            stops[-1].end + home,
                            sum(s.travel_minutes for s in stops) + home))
    served = Counter(s.visit_id for run in runs for s in run.stops)
    unassigned = tuple(
        Unassigned(v.visit_id, v.citizen_id, UnassignedReason.NO_CAPACITY,
                   "not (fully) staffed in the stored day plan")
        for v in problem.visits if served[v.visit_id] != len(v.slots))
    run_lists = tuple(runs)
    return RouteProposal(run_lists, unassigned, objective_parts(problem, run_lists, unassigned),
                         continuity(problem, run_lists), "STORED", False, 0.0, problem.seed,
                         problem.time_limit_s)


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
    elif now is not None and problem.break_rule is not None:
        # No break in the current plan (a stored plan does not record breaks):
        # one due entirely before now counts as taken; otherwise from now on.
        window = problem.break_rule.window(caregiver)
        if window is not None and window.end < now:
            caregiver = replace(caregiver, needs_break=False)
        elif window is not None:
            caregiver = replace(caregiver, break_window=TimeWindow(max(window.start, now),
                                                                   window.end))
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


def _uncovered(proposal: RouteProposal, visit_ids: set[str]) -> int:
    """How many of these visits the proposal leaves without people."""
    return sum(1 for u in proposal.unassigned if u.visit_id in visit_ids)


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
        # Forced: the change made it move, or it had nobody before (newly covered).
        forced = key in forced_keys or who_before is None or (
            sick is not None and who_before == sick)
        moves.append(Move(key[0], key[1], who_before, who_after,
                          before[1].start if before else None,
                          after[1].start if after else None, forced))
    return tuple(moves), kept
