"""Hold the current plan as the replanning's warm start, even where it breaks rules.

A day plan made by people may start a visit outside its window, end a shift a
little late or leave no room for the R19 break where the planner would put it.
The routing model rejects such a plan as a start, and the search then starts
over and moves many visits. So before replanning, each kept run list is timed
under the planner's travel times (stored start, or later when travel or the
break pushes it), and the problem is widened just enough to hold it: a visit's
window grows to include its kept start, a shift to include the run, a break
window to include the nearest gap the break fits in. Stops the rules forbid for
their person (profession, a substitute at a red/yellow citizen) are not held:
they must move; so are stops the timed run reaches only after both their
window and their current start, since a move may not make a visit later than
its window and its current start allow. Every widening is reported (``Widened``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from planning.routing_eligibility import qualified, substitute_allowed
from planning.routing_problem import (
    Caregiver,
    FixedStop,
    RoutingProblem,
    StopKey,
    TimeWindow,
    VisitRequest,
)
from planning.travel import TravelTimes

ROUNDS = 6  # passes to line up the two starts of double-staffed visits


@dataclass(frozen=True)
class Widened:
    """One hard condition widened to hold the current plan (what, whose, from, to)."""

    kind: str  # "window" (visit), "shift" or "break" (caregiver)
    subject: str  # visit id or caregiver id
    before: TimeWindow
    after: TimeWindow


@dataclass(frozen=True)
class Held:
    """The widened problem, the stops that must move anyway, and what was widened."""

    problem: RoutingProblem
    must_move: frozenset[StopKey]
    widened: tuple[Widened, ...]


def hold_current(stage: RoutingProblem, starts: Mapping[StopKey, int],
                 travel_times: TravelTimes) -> Held:
    """Widen ``stage`` so its warm start (``initial_routes``) is a valid plan.

    Args:
        stage: the replanning problem with ``fixed``, ``incumbent`` and
            ``initial_routes`` set (the sick person's later stops left out).
        starts: the current plan's start of every stop.
        travel_times: the travel times the planner uses.

    Returns:
        the widened problem (incumbent stops also carry their kept start in
        ``incumbent_start``), the incumbent stops that break a profession or
        substitute rule (taken out of the warm start), and the widenings.
    """
    visits = {v.visit_id: v for v in stage.visits}
    people = {c.caregiver_id: c for c in stage.caregivers}
    must_move = set(
        key for key, who in stage.incumbent.items()
        if key[0] in visits and who in people
        and not (qualified(people[who], visits[key[0]])
                 and substitute_allowed(people[who], visits[key[0]])))
    known = {(v.visit_id, s) for v in stage.visits for s in v.slots}
    routes = {who: tuple(k for k in keys if k in known and k not in must_move)
              for who, keys in stage.initial_routes.items() if who in people}
    times, caregivers, widened = _time_runs(stage, routes, starts, travel_times)
    # A stop the timed run reaches only after its window and after its current
    # start (travel or the break push it) cannot be held there: held, it would
    # be recorded later than its window allows. It leaves the warm start and is
    # placed again by the search; it counts as a stop the change forced to move.
    for _ in range(ROUNDS):
        late = {k for k, t in times.items()
                if k not in stage.fixed and k in starts
                and t > max(visits[k[0]].window.end, starts[k])}
        if not late:
            break
        must_move |= late
        routes = {who: tuple(k for k in keys if k not in late) for who, keys in routes.items()}
        times, caregivers, widened = _time_runs(stage, routes, starts, travel_times)
    incumbent = {k: w for k, w in stage.incumbent.items() if k not in must_move}
    new_visits = []
    for visit in stage.visits:
        held = [times[(visit.visit_id, s)] for s in visit.slots
                if (visit.visit_id, s) in times and (visit.visit_id, s) not in stage.fixed]
        if held and not all(visit.window.start <= t <= visit.window.end for t in held):
            window = TimeWindow(min(visit.window.start, *held), max(visit.window.end, *held))
            widened.append(Widened("window", visit.visit_id, visit.window, window))
            visit = replace(visit, window=window)
        new_visits.append(visit)
    kept = {k: t for k, t in times.items() if k in incumbent}
    problem = replace(stage, visits=tuple(new_visits), caregivers=tuple(caregivers),
                      incumbent=incumbent, initial_routes=routes, incumbent_start=kept)
    return Held(problem, frozenset(must_move), tuple(widened))


def _time_runs(stage: RoutingProblem, routes: Mapping[str, tuple[StopKey, ...]],
               starts: Mapping[StopKey, int], travel_times: TravelTimes,
               ) -> tuple[dict[StopKey, int], list[Caregiver], list[Widened]]:
    """Each kept stop's start under the planner's travel, and the widened people."""
    visits = {v.visit_id: v for v in stage.visits}
    floor = {k: starts[k] for keys in routes.values() for k in keys if k in starts}
    times: dict[StopKey, int] = {}
    timed: dict[str, tuple[dict[StopKey, int], Caregiver, list[Widened]]] = {}
    for _ in range(ROUNDS):
        for caregiver in stage.caregivers:
            keys = routes.get(caregiver.caregiver_id, ())
            timed[caregiver.caregiver_id] = _time_run(stage, caregiver, keys, visits, floor,
                                                      travel_times)
        times = {k: t for run, _, _ in timed.values() for k, t in run.items()}
        lagging = {(vid, 1 - slot): t for (vid, slot), t in times.items()
                   if (vid, 1 - slot) in times and times[(vid, 1 - slot)] < t}
        if not lagging:
            break
        floor.update(lagging)  # the partner waits for the later of the two
    caregivers = [timed[c.caregiver_id][1] for c in stage.caregivers]
    widened = [w for _, _, ws in timed.values() for w in ws]
    return times, caregivers, widened


def _time_run(stage: RoutingProblem, caregiver: Caregiver, keys: tuple[StopKey, ...],
              visits: Mapping[str, VisitRequest], floor: Mapping[StopKey, int],
              travel_times: TravelTimes) -> tuple[dict[StopKey, int], Caregiver, list[Widened]]:
    """One run list timed: start no earlier than kept (or pinned) and than travel allows.

    The break goes into the first gap inside its window that holds it; else
    into the gap nearest its window that holds it; only when no gap does, it is
    taken at the first place it may start, pushing later stops.
    """
    places = [caregiver.base] + [visits[k[0]].location for k in keys]
    matrix = travel_times.matrix(places)
    rule = stage.break_rule
    pause = rule.window(caregiver) if rule is not None else None
    minutes = rule.minutes if rule is not None else 0
    times, back = _schedule(stage, caregiver, keys, visits, floor, matrix, None)
    widened: list[Widened] = []
    if pause is not None and rule is not None:
        legs = _legs(times, back, keys, visits, matrix, caregiver)
        fits = [(n, max(free, pause.start)) for n, (free, leave) in enumerate(legs)
                if max(free, pause.start) <= pause.end
                and leave - max(free, pause.start) >= minutes]
        # No gap in the window holds it: the first gap that does, outside the
        # window, before pushing visits later (a stored plan does not say
        # where its break was; a moved break beats late visits).
        outside = sorted(
            ((n, min(leave - minutes, pause.start) if free < pause.start else free)
             for n, (free, leave) in enumerate(legs) if leave - free >= minutes),
            key=lambda gap: max(pause.start - gap[1], gap[1] - pause.end))
        chances = [(n, max(free, pause.start)) for n, (free, _) in enumerate(legs)
                   if max(free, pause.start) <= pause.end]
        leg, begin = (fits or outside or chances or [(len(legs) - 1, legs[-1][0])])[0]
        if not pause.start <= begin <= pause.end:  # taken outside its window
            after = TimeWindow(min(pause.start, begin), max(pause.end, begin))
            widened.append(Widened("break", caregiver.caregiver_id, pause, after))
            caregiver = replace(caregiver, break_window=after)
        times, back = _schedule(stage, caregiver, keys, visits, floor, matrix,
                                (leg, begin, minutes))
    shift = caregiver.shift
    if keys:
        leave = times[keys[0]] - matrix[0][1]
        wanted = TimeWindow(min(shift.start, leave), max(shift.end, back))
        if wanted != shift:
            widened.append(Widened("shift", caregiver.caregiver_id, shift, wanted))
            caregiver = replace(caregiver, shift=wanted)
    return times, caregiver, widened


def _schedule(stage: RoutingProblem, caregiver: Caregiver, keys: tuple[StopKey, ...],
              visits: Mapping[str, VisitRequest], floor: Mapping[StopKey, int],
              matrix: list[list[int]], pause: tuple[int, int, int] | None,
              ) -> tuple[dict[StopKey, int], int]:
    """Starts of the run's stops and the time back at the base.

    ``pause`` is (leg, start, minutes): the break taken on that leg (0: before
    the first stop, ``len(keys)``: on the way home).
    """
    times: dict[StopKey, int] = {}
    ready = caregiver.shift.start
    for n, key in enumerate(keys):
        if pause is not None and pause[0] == n:
            ready = max(ready, pause[1]) + pause[2]
        pin: FixedStop | None = stage.fixed.get(key)
        arrive = ready + matrix[n][n + 1]
        times[key] = pin.start if pin is not None else max(floor.get(key, arrive), arrive)
        ready = times[key] + visits[key[0]].duration
    if pause is not None and pause[0] == len(keys):
        ready = max(ready, pause[1]) + pause[2]
    return times, ready + matrix[len(keys)][0]


def _legs(times: Mapping[StopKey, int], back: int, keys: tuple[StopKey, ...],
          visits: Mapping[str, VisitRequest], matrix: list[list[int]],
          caregiver: Caregiver) -> list[tuple[int, int]]:
    """(free from, must leave by) of each gap: before the first stop, between, home."""
    legs = []
    ready = caregiver.shift.start
    for n, key in enumerate(keys):
        legs.append((ready, times[key] - matrix[n][n + 1]))
        ready = times[key] + visits[key[0]].duration
    legs.append((ready, max(caregiver.shift.end, back) - matrix[len(keys)][0]))
    return legs
