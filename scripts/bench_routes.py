"""Solomon VRPTW benchmark for the route planner, distance-only convention.

Runs the product's own planner (``planning.routing.plan_routes``) on Solomon
instances read from ``../shared/benchmarks/solomon/`` (or any path), as that
folder's README suggests: every arc is ``floor(10 * euclid)`` (distance and
travel time), times and service ×10, capacity as given, at most 25 vehicles,
minimise distance only; ``dist / 10`` is compared with the ``distance_only``
row of ``bks.csv``. An independent checker re-evaluates every solution from
the instance file. PyVRP, when installed, runs side by side with the same
time limit (an optional benchmark dependency, never a runtime one).

    python scripts/bench_routes.py C101 R101 --time-limit 30
    python scripts/bench_routes.py path/to/RC201.txt --time-limit 10 --json
    python scripts/bench_routes.py R201 RC101 RC201 --time-limit 10 --seeds 0-8

With several seeds (``--seeds``) each instance is solved once per seed, by both
planners with that seed, and the table gives per instance the mean and largest
gap of each and the largest distance behind PyVRP in one run (our gap minus
PyVRP's, the same seed). The table is appended to ``BENCHMARKS.md`` (append only)
unless ``--no-append``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from planning.routing import ITERATED_LOCAL_SEARCH, plan_routes
from planning.routing_problem import (
    DISTANCE_ONLY,
    Caregiver,
    Location,
    Profession,
    RoutingProblem,
    TimeWindow,
    VisitRequest,
    Weights,
)
from planning.routing_proposal import RouteProposal
from scripts.benchlog import append, commit, machine

ROOT = Path(__file__).resolve().parent.parent
SOLOMON_DIR = ROOT.parent / "shared" / "benchmarks" / "solomon"
DEFAULT_INSTANCES = ("C101", "C201", "R101", "R201", "RC101", "RC201")
SCALE = 10


@dataclass(frozen=True)
class Customer:
    """One Solomon row: number, coordinates, demand, ready time, due date, service time."""

    number: int
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class SolomonInstance:
    """A Solomon instance; ``nodes[0]`` is the depot, its due date the horizon."""

    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Customer, ...]


def parse_solomon(path: Path) -> SolomonInstance:
    """Read the Solomon text format (name, VEHICLE block, CUSTOMER block).

    Raises:
        ValueError: the file lacks the vehicle block or the customer rows.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    name = lines[0].strip() if lines else path.stem
    vehicles = capacity = None
    nodes: list[Customer] = []
    for i, line in enumerate(lines):
        fields = line.split()
        if fields[:1] == ["NUMBER"] and i + 1 < len(lines):
            vehicles, capacity = map(int, lines[i + 1].split()[:2])
        elif len(fields) == 7 and all(f.lstrip("-").isdigit() for f in fields):
            nodes.append(Customer(*map(int, fields)))
    if vehicles is None or capacity is None or not nodes or nodes[0].number != 0:
        raise ValueError(f"{path}: not a Solomon instance (vehicle block or depot row missing)")
    return SolomonInstance(name, vehicles, capacity, tuple(nodes))


def arc(a: Customer, b: Customer) -> int:
    """Arc length in tenths, truncated (DIMACS/CVRPLIB): ``floor(10 * euclid)``."""
    return math.floor(SCALE * math.hypot(a.x - b.x, a.y - b.y))


class SolomonTravelTimes:
    """A ``TravelTimes`` provider for Solomon: Location (lat, lon) carries (x, y)."""

    def matrix(self, locations: Sequence[Location]) -> list[list[int]]:
        return [[math.floor(SCALE * math.hypot(a.lat - b.lat, a.lon - b.lon))
                 for b in locations] for a in locations]


def to_problem(instance: SolomonInstance, time_limit_s: float, seed: int,
               metaheuristic: str) -> RoutingProblem:
    """The instance as a day of visits: customers are visits, vehicles caregivers.

    No fixed cost per vehicle (distance only), and the ``DISTANCE_ONLY`` search
    profile (``planning.routing_problem``); the team-day defaults stay as they are.
    """
    depot = instance.nodes[0]
    base = Location(depot.x, depot.y)
    visits = tuple(VisitRequest(
        visit_id=str(c.number), citizen_id=str(c.number), location=Location(c.x, c.y),
        duration=SCALE * c.service, window=TimeWindow(SCALE * c.ready, SCALE * c.due),
        load=c.demand) for c in instance.nodes[1:])
    caregivers = tuple(Caregiver(f"v{k}", Profession.SSH, TimeWindow(0, SCALE * depot.due),
                                 base, capacity=instance.capacity)
                       for k in range(instance.vehicles))
    weights = Weights(travel=1, lateness=0, contact_person=0, recent=0, overqualification=0,
                      unassigned=10_000_000)
    return RoutingProblem(visits, caregivers, weights, break_rule=None,
                          time_limit_s=time_limit_s, seed=seed, metaheuristic=metaheuristic,
                          search_profile=DISTANCE_ONLY)


def routes_of(proposal: RouteProposal) -> list[list[int]]:
    """Customer numbers per non-empty run list."""
    return [[int(stop.visit_id) for stop in run.stops] for run in proposal.run_lists if run.stops]


@dataclass(frozen=True)
class Checked:
    """An independent evaluation of a solution: distance, vehicles, and what is wrong."""

    distance: float
    vehicles: int
    problems: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.problems


def check_solution(instance: SolomonInstance, routes: list[list[int]]) -> Checked:
    """Recompute distance and check visits, capacity and time windows (truncated arcs)."""
    nodes, problems = instance.nodes, []
    seen = [n for route in routes for n in route]
    missing = set(range(1, len(nodes))) - set(seen)
    if missing or len(seen) != len(set(seen)):
        problems.append(f"customers missing {sorted(missing)[:5]} or served twice")
    if len(routes) > instance.vehicles:
        problems.append(f"{len(routes)} routes, only {instance.vehicles} vehicles")
    total = 0
    for k, route in enumerate(routes):
        if sum(nodes[n].demand for n in route) > instance.capacity:
            problems.append(f"route {k} over capacity")
        clock, here = 0, nodes[0]
        for n in route:
            total += arc(here, nodes[n])
            clock = max(clock + arc(here, nodes[n]), SCALE * nodes[n].ready)
            if clock > SCALE * nodes[n].due:
                problems.append(f"route {k}: customer {n} starts {clock / SCALE} after due")
            clock += SCALE * nodes[n].service
            here = nodes[n]
        total += arc(here, nodes[0])
        if clock + arc(here, nodes[0]) > SCALE * nodes[0].due:
            problems.append(f"route {k} returns after the depot closes")
    return Checked(total / SCALE, len(routes), tuple(problems))


def best_known(name: str, bks_csv: Path = SOLOMON_DIR / "bks.csv") -> float | None:
    """The ``distance_only`` best-known distance for an instance name, if listed."""
    if not bks_csv.is_file():
        return None
    with bks_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["instance"].upper() == name.upper() and row["convention"] == "distance_only":
                return float(row["distance"])
    return None


def gap_pct(value: float, best: float | None) -> float | None:
    return None if best is None else round(100 * (value - best) / best, 2)


def solve_with_pyvrp(instance: SolomonInstance, time_limit_s: float,
                     seed: int) -> Checked | None:
    """PyVRP on the same integer data and time limit; None when PyVRP is not installed."""
    try:
        from pyvrp import Model
        from pyvrp.stop import MaxRuntime
    except ImportError:
        return None
    model = Model()
    depot_node = instance.nodes[0]
    locations = [model.add_location(c.x, c.y) for c in instance.nodes]
    depot = model.add_depot(locations[0], tw_early=0, tw_late=SCALE * depot_node.due)
    model.add_vehicle_type(instance.vehicles, capacity=instance.capacity, start_depot=depot,
                           end_depot=depot, tw_early=0, tw_late=SCALE * depot_node.due)
    for c, location in zip(instance.nodes[1:], locations[1:], strict=True):
        model.add_client(location, delivery=c.demand, service_duration=SCALE * c.service,
                         tw_early=SCALE * c.ready, tw_late=SCALE * c.due, name=str(c.number))
    for a, frm in zip(instance.nodes, locations, strict=True):
        for b, to in zip(instance.nodes, locations, strict=True):
            model.add_edge(frm, to, distance=arc(a, b), duration=arc(a, b))
    result = model.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    # activity idx counts clients from 0 (depots apart); Solomon numbers them from 1
    routes = [[int(a.idx) + 1 for a in route if a.is_client()] for route in result.best.routes()]
    return check_solution(instance, routes)


@dataclass(frozen=True)
class Row:
    """One benchmark line."""

    instance: str
    best_known_distance: float | None
    distance: float
    vehicles: int
    feasible: bool
    wall_s: float
    unassigned: int
    pyvrp: Checked | None = None
    seed: int = 0

    @property
    def gap(self) -> float | None:
        return gap_pct(self.distance, self.best_known_distance)

    @property
    def pyvrp_gap(self) -> float | None:
        return None if self.pyvrp is None else gap_pct(self.pyvrp.distance,
                                                       self.best_known_distance)

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "instance": self.instance, "seed": self.seed, "vehicles": self.vehicles,
            "distance": self.distance,
            "best_known_distance": self.best_known_distance, "gap_pct": self.gap,
            "wall_s": round(self.wall_s, 2), "feasible": self.feasible,
            "unassigned": self.unassigned}
        if self.pyvrp is not None:
            data["pyvrp_distance"] = self.pyvrp.distance
            data["pyvrp_gap_pct"] = self.pyvrp_gap
            data["pyvrp_feasible"] = self.pyvrp.feasible
        return data


def run_instance(path: Path, time_limit_s: float, seed: int, metaheuristic: str,
                 with_pyvrp: bool) -> Row:
    """Solve one instance with the product's planner (and PyVRP), check, compare."""
    instance = parse_solomon(path)
    started = time.perf_counter()
    proposal = plan_routes(to_problem(instance, time_limit_s, seed, metaheuristic),
                           SolomonTravelTimes())
    wall = time.perf_counter() - started
    checked = check_solution(instance, routes_of(proposal))
    pyvrp = solve_with_pyvrp(instance, time_limit_s, seed) if with_pyvrp else None
    return Row(instance.name, best_known(instance.name), checked.distance, checked.vehicles,
               checked.feasible, wall, len(proposal.unassigned), pyvrp, seed)


def table(rows: list[Row]) -> str:
    """A Markdown table of the rows, with the mean gap at the bottom."""
    with_pyvrp = any(r.pyvrp for r in rows)
    head = "| instance | BKS | ours | gap % | vehicles | feasible | seconds |"
    rule = "|---|---:|---:|---:|---:|---|---:|"
    if with_pyvrp:
        head, rule = head + " PyVRP | PyVRP gap % |", rule + "---:|---:|"
    lines = [head, rule]
    for r in rows:
        line = (f"| {r.instance} | {r.best_known_distance} | {r.distance:.1f} | {r.gap} | "
                f"{r.vehicles} | {'yes' if r.feasible else 'NO'} | {r.wall_s:.1f} |")
        if with_pyvrp:
            p = r.pyvrp
            line += f" {p.distance:.1f} | {r.pyvrp_gap} |" if p else " – | – |"
        lines.append(line)
    gaps = [g for r in rows if (g := r.gap) is not None]
    if gaps:
        lines.append(f"\nMean gap {statistics.mean(gaps):.2f} %, max {max(gaps):.2f} % "
                     f"over {len(gaps)} instances.")
    return "\n".join(lines)


def seeds_table(rows: list[Row]) -> str:
    """Per instance over its seeds: mean and largest gap of ours and of PyVRP, and the
    largest distance behind PyVRP in one run (percentage points, same seed)."""
    by_instance: dict[str, list[Row]] = {}
    for r in rows:
        by_instance.setdefault(r.instance, []).append(r)
    lines = ["| instance | BKS | seeds | gap % mean | gap % max | gaps % by seed "
             "| PyVRP gap % mean | PyVRP gap % max | most behind PyVRP (pp) | all feasible |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|---|"]
    behind_all: list[float] = []
    for name, runs in by_instance.items():
        gaps = [g for r in runs if (g := r.gap) is not None]
        theirs = [g for r in runs if (g := r.pyvrp_gap) is not None]
        behind = [r.gap - r.pyvrp_gap for r in runs
                  if r.gap is not None and r.pyvrp_gap is not None]
        behind_all += behind
        lines.append(
            f"| {name} | {runs[0].best_known_distance} | {len(runs)} "
            f"| {_mean(gaps)} | {_most(gaps)} "
            f"| {' / '.join(f'{r.seed}: {r.gap}' for r in runs)} "
            f"| {_mean(theirs)} | {_most(theirs)} | {_most(behind)} "
            f"| {'yes' if all(r.feasible for r in runs) else 'NO'} |")
    gaps = [g for r in rows if (g := r.gap) is not None]
    if gaps:
        lines.append(f"\nMean gap {statistics.mean(gaps):.2f} %, max {max(gaps):.2f} % over "
                     f"{len(gaps)} runs" + (f"; at most {max(behind_all):.2f} points behind "
                                             "PyVRP in one run." if behind_all else "."))
    return "\n".join(lines)


def _mean(values: list[float]) -> str:
    return f"{statistics.mean(values):.2f}" if values else "–"


def _most(values: list[float]) -> str:
    return f"{max(values):.2f}" if values else "–"


def parse_seeds(text: str) -> list[int]:
    """``0,1,2`` or ``0-8`` (or a mix, ``0-2,5``) as a list of seeds."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            seeds += range(int(first), int(last or first) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds: {text!r} is not like 0,1,2 or 0-8") from None
    if not seeds:
        raise argparse.ArgumentTypeError(f"seeds: {text!r} names no seed")
    return seeds


def provenance() -> str:
    """Date, commit and machine, for the BENCHMARKS.md heading."""
    return f"{date.today().isoformat()}, commit {commit()}, {machine()}"


def resolve(argument: str) -> Path:
    """An instance file path, or a name looked up in the shared Solomon folder."""
    path = Path(argument)
    if path.is_file():
        return path
    named = SOLOMON_DIR / "instances" / f"{argument.upper()}.txt"
    if named.is_file():
        return named
    raise SystemExit(f"no instance file {argument!r} (looked in {named.parent})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instances", nargs="*", default=list(DEFAULT_INSTANCES))
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=parse_seeds,
                        help="several seeds, e.g. 0,1,2 or 0-8 (instead of --seed)")
    parser.add_argument("--metaheuristic", default=ITERATED_LOCAL_SEARCH,
                        help="ITERATED_LOCAL_SEARCH or an OR-Tools LocalSearchMetaheuristic")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--no-pyvrp", action="store_true", help="skip PyVRP even if installed")
    parser.add_argument("--no-append", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    seeds = args.seeds or [args.seed]
    rows = []
    for argument in args.instances:
        for seed in seeds:
            row = run_instance(resolve(argument), args.time_limit, seed, args.metaheuristic,
                               not args.no_pyvrp)
            rows.append(row)
            if args.json:
                print(json.dumps(row.as_json()), flush=True)
    text = table(rows) if len(seeds) == 1 else seeds_table(rows)
    if any(r.pyvrp for r in rows):
        from importlib.metadata import version
        text += f" PyVRP {version('pyvrp')} with the same time limit and seed."
    if not args.json:
        print(text)
    if not args.no_append:
        heading = (f"## Route planner: Solomon VRPTW, distance-only (truncated arcs)\n\n"
                   f"{provenance()}. `scripts/bench_routes.py --time-limit {args.time_limit:g} "
                   f"--{'seed' if len(seeds) == 1 else 'seeds'} "
                   f"{','.join(map(str, seeds))} --metaheuristic {args.metaheuristic}`; "
                   f"OR-Tools routing via `plan_routes`, gap against `bks.csv` distance_only.\n\n")
        append(heading + text + "\n")
    return 0 if all(r.feasible for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
