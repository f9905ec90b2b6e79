"""The day's route problem (kørelisteproblem) as plain frozen dataclasses.

Times are integer minutes after midnight of the planned day (07:30 is 450), so a
night shift ending 07:00 the next morning ends at 1860. The route planner is unit
agnostic: the Solomon benchmark feeds it tenths of a time unit instead.

A visit (besøg) that needs two people (dobbeltbemanding) becomes two *stops*,
slot 0 and slot 1, served by two different caregivers starting at the same time.
A stop is named by ``(visit_id, slot)`` everywhere (see ``StopKey``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

StopKey = tuple[str, int]  # (visit_id, slot); slot 1 only for double-staffed visits


class Profession(StrEnum):
    """Faggruppe: UFL < SSH < SSA < SPL on one ladder; TER (terapeut) stands apart."""

    UFL = "UFL"
    SSH = "SSH"
    SSA = "SSA"
    SPL = "SPL"
    TER = "TER"


LADDER: tuple[Profession, ...] = (Profession.UFL, Profession.SSH, Profession.SSA,
                                  Profession.SPL)


def levels_above(have: Profession | str, required: Profession | str) -> int | None:
    """How many ladder steps ``have`` lies above ``required``; None if not qualified.

    A therapist does only therapist visits and only a therapist does them (gap 0).
    """
    have, required = Profession(have), Profession(required)
    if Profession.TER in (have, required):
        return 0 if have == required else None
    gap = LADDER.index(have) - LADDER.index(required)
    return gap if gap >= 0 else None


class Triage(StrEnum):
    """The team's shared judgement of how a citizen is doing (rød/gul/grøn)."""

    RED = "roed"
    YELLOW = "gul"
    GREEN = "groen"


def hhmm(minutes: int) -> str:
    """Minutes after midnight as ``HH:MM`` (``+1`` day marker past midnight)."""
    day, rest = divmod(minutes, 1440)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text if day == 0 else f"{text}+{day}"


def minutes(text: str) -> int:
    """``HH:MM`` to minutes after midnight; raise ValueError on anything else."""
    hours_text, sep, minutes_text = text.strip().partition(":")
    if not sep or not hours_text.isdigit() or not minutes_text.isdigit():
        raise ValueError(f"{text!r} is not a time like 09:30")
    hours, mins = int(hours_text), int(minutes_text)
    if mins >= 60:
        raise ValueError(f"{text!r} is not a time like 09:30")
    return hours * 60 + mins


@dataclass(frozen=True)
class Location:
    """A point: latitude, longitude and area type (urban, suburban, rural)."""

    lat: float
    lon: float
    area: str = "suburban"


@dataclass(frozen=True)
class TimeWindow:
    """A closed interval of minutes after midnight: ``start <= t <= end``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"time window ends ({self.end}) before it starts ({self.start})")

    def __str__(self) -> str:
        return f"{hhmm(self.start)}–{hhmm(self.end)}"


@dataclass(frozen=True)
class VisitRequest:
    """One visit (besøg) to plan: where, how long, when it may start, who may do it.

    ``window`` bounds the *start* of the visit (hard); ``preferred`` is the start
    the citizen is used to, later starts cost (soft). ``recent_caregivers`` are
    the people the citizen saw in the last 14 days. ``load`` is a generic
    capacity unit (Solomon demand); care visits leave it at 0.
    """

    visit_id: str
    citizen_id: str
    location: Location
    duration: int
    window: TimeWindow
    preferred: int | None = None
    profession: Profession = Profession.SSH
    double_staffed: bool = False
    contact_person: str | None = None
    recent_caregivers: frozenset[str] = frozenset()
    triage: Triage = Triage.GREEN
    load: int = 0

    def __post_init__(self) -> None:
        if self.duration < 0:
            raise ValueError(f"visit {self.visit_id}: negative duration {self.duration}")
        if self.preferred is not None and not (
                self.window.start <= self.preferred <= self.window.end):
            raise ValueError(f"visit {self.visit_id}: preferred start {hhmm(self.preferred)} "
                             f"outside its window {self.window}")

    @property
    def slots(self) -> tuple[int, ...]:
        """The stops this visit needs: (0,) or (0, 1) when double-staffed."""
        return (0, 1) if self.double_staffed else (0,)


@dataclass(frozen=True)
class Caregiver:
    """A person on shift today (medarbejder på vagt), starting and ending at the base.

    ``break_window`` overrides where the R19 break may start and ``needs_break``
    whether there is one (None: by the rule; False for someone sent home sick);
    ``capacity`` is a generic load limit (Solomon vehicle capacity), None for care.
    """

    caregiver_id: str
    profession: Profession
    shift: TimeWindow
    base: Location
    is_substitute: bool = False
    break_window: TimeWindow | None = None
    needs_break: bool | None = None
    capacity: int | None = None

    @property
    def shift_minutes(self) -> int:
        return self.shift.end - self.shift.start


@dataclass(frozen=True)
class BreakRule:
    """R19 pause (AGREEMENT.md): a shift longer than ``over_minutes`` gets a break.

    The break of ``minutes`` starts no earlier than ``earliest_after_start`` after
    the shift starts and ends no later than ``latest_before_end`` before it ends.
    """

    over_minutes: int = 360
    minutes: int = 30
    earliest_after_start: int = 150
    latest_before_end: int = 90

    def window(self, caregiver: Caregiver) -> TimeWindow | None:
        """Where this caregiver's break may start, or None when no break is due."""
        if caregiver.needs_break is False or (
                caregiver.needs_break is None and caregiver.shift_minutes <= self.over_minutes):
            return None
        if caregiver.break_window is not None:
            return caregiver.break_window
        start = caregiver.shift.start + self.earliest_after_start
        end = caregiver.shift.end - self.latest_before_end - self.minutes
        if end < start:  # a short shift just over the limit: anywhere inside it
            start, end = caregiver.shift.start, caregiver.shift.end - self.minutes
        return TimeWindow(start, end)


@dataclass(frozen=True)
class Weights:
    """Prices of the soft goals, in cost units (a travel minute costs ``travel``).

    ``contact_person`` is charged when a visit is not done by the citizen's contact
    person (kontaktperson) and ``recent`` when it is done by someone outside the
    citizen's last-14-days set: together a bonus for continuity.
    ``overqualification`` is charged per ladder step above the need (a nurse on
    an SSH visit costs 2 steps). ``move`` is charged per stop given to another
    caregiver than in the incumbent plan (replanning); ``drop_planned`` is charged
    on top of ``unassigned`` for dropping a stop the incumbent plan serves (a
    visit promised to the citizen is not traded for another).
    """

    travel: int = 1
    lateness: int = 2
    lateness_tolerance: int = 15
    contact_person: int = 30
    recent: int = 15
    overqualification: int = 10
    move: int = 500
    unassigned: int = 100_000
    drop_planned: int = 1_000_000


@dataclass(frozen=True)
class SearchProfile:
    """How the search is tuned, by kind of problem (never what counts as a good plan).

    ``farthest_seeds_ratio`` is the share of the vehicles whose run is opened
    with one of the stops farthest from the others before the cheapest
    insertions (0: none). The other fields tune ``ITERATED_LOCAL_SEARCH``: the
    SISR ruin's average removed stops and longest removed string, and the
    simulated-annealing temperatures at the start and at the end of the time
    limit, in mean arc costs. ``restarts`` splits the time limit over that many
    searches whose runs are recombined (``planning.routing_recombine``).
    ``wide_ruin_visits`` and ``wide_ruin_string`` (0: none) add a second, larger
    SISR ruin; each iteration then takes one of the two at random.
    """

    name: str
    farthest_seeds_ratio: float = 0.0
    ruin_visits: int = 10
    ruin_string: int = 10
    start_temperature: float = 3.0
    end_temperature: float = 0.03
    #: Searches from differently ordered starts, their runs recombined
    #: (``planning.routing_recombine``; only on days where that is sound).
    restarts: int = 1
    wide_ruin_visits: int = 0
    wide_ruin_string: int = 0


TEAM_DAY = SearchProfile("team_day")
# Solomon-style VRPTW (benchmark): start from many runs (long wide-window runs
# otherwise stay merged in a few costly ones: the ruin's reinsertion rarely
# opens a run), remove longer strings, and cool from a lower temperature.
# The search stalls after a few seconds there: five shorter searches, their runs
# recombined, beat one long one. Every other iteration or so a wider ruin (30 stops,
# strings up to 20) reshapes several runs at once: on wide windows (RC201) it made the
# worst of 36 runs 1.9 % instead of 2.7 % off the best known (mean 1.02 against 1.39).
DISTANCE_ONLY = SearchProfile("distance_only", farthest_seeds_ratio=0.4, ruin_visits=15,
                              ruin_string=15, start_temperature=1.0, end_temperature=0.01,
                              restarts=5, wide_ruin_visits=30, wide_ruin_string=20)


@dataclass(frozen=True)
class FixedStop:
    """A stop pinned to a caregiver and start time (it already happened)."""

    caregiver_id: str
    start: int


@dataclass(frozen=True)
class RoutingProblem:
    """Everything the route planner needs for one team's day.

    ``fixed``, ``incumbent``, ``not_before``, ``initial_routes`` and
    ``incumbent_start`` serve replanning (see ``planning.replan``): pinned stops,
    the previous owner of each stop (moving it costs ``weights.move``), the
    moment before which nothing unpinned may start, a warm start (caregiver id
    -> ordered stops), and each kept stop's start in the current plan (kept when
    the run list allows it). ``search_profile`` tunes the search for the kind of
    problem (the team's day by default; ``DISTANCE_ONLY`` for Solomon).
    """

    visits: tuple[VisitRequest, ...]
    caregivers: tuple[Caregiver, ...]
    weights: Weights = Weights()
    break_rule: BreakRule | None = BreakRule()
    time_limit_s: float = 5.0
    seed: int = 0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    search_profile: SearchProfile = TEAM_DAY
    fixed: Mapping[StopKey, FixedStop] = field(default_factory=dict)
    incumbent: Mapping[StopKey, str] = field(default_factory=dict)
    not_before: int | None = None
    initial_routes: Mapping[str, tuple[StopKey, ...]] = field(default_factory=dict)
    incumbent_start: Mapping[StopKey, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("the time limit must be positive")
        for kind, ids in (("visit", [v.visit_id for v in self.visits]),
                          ("caregiver", [c.caregiver_id for c in self.caregivers])):
            if len(ids) != len(set(ids)):
                raise ValueError(f"duplicate {kind} ids")
        known = {c.caregiver_id for c in self.caregivers}
        for key, pin in self.fixed.items():
            if pin.caregiver_id not in known:
                raise ValueError(f"stop {key} is fixed to unknown caregiver {pin.caregiver_id}")

    def visit(self, visit_id: str) -> VisitRequest:
        """The visit with this id; KeyError if there is none."""
        for visit in self.visits:
            if visit.visit_id == visit_id:
                return visit
        raise KeyError(visit_id)
