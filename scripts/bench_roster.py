"""Curtois & Qu shift-scheduling benchmark: solve instances with the planner's CP-SAT code,
recompute every objective with the independent scorer, compare with the best known.

    python scripts/bench_roster.py [INSTANCE ...] [--time-limit 60] [--seeds 1,2,3]
                                   [--workers 2] [--json] [--no-append]

INSTANCE is a file path, an instance name (``Instance4``) or a number (``4``); the
default is every instance of 1-12 that is given (1 2 4 5 6 7 8 10 11 12). Data is
read from ``../shared/benchmarks/curtois/`` (never copied into the repository). The
table is printed and appended to BENCHMARKS.md with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ortools import __version__ as ortools_version

from planning.cpsat import SolveSettings
from planning.curtois import read_instance
from planning.curtois_model import SUBSOLVERS, BenchmarkResult, solve
from scripts.benchlog import append, commit, machine

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "curtois"
DEFAULT_INSTANCES = ["1", "2", "4", "5", "6", "7", "8", "10", "11", "12"]


@dataclass(frozen=True)
class Row:
    """One instance over all seeds."""

    instance: str
    best_known: int | None
    runs: list[BenchmarkResult]

    @property
    def objectives(self) -> list[int]:
        return [r.objective for r in self.runs if r.objective is not None]

    @property
    def median(self) -> float | None:
        return statistics.median(self.objectives) if self.objectives else None

    @property
    def gap_pct(self) -> float | None:
        if self.median is None or not self.best_known:
            return None
        return 100 * (self.median - self.best_known) / self.best_known

    @property
    def bound(self) -> float:
        return max(r.bound for r in self.runs)

    @property
    def optimal(self) -> int:
        return sum(r.optimal for r in self.runs)

    @property
    def wall_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def cpu_s(self) -> float:
        return statistics.median(r.cpu_s for r in self.runs)

    def as_json(self) -> dict[str, object]:
        return {"instance": self.instance, "objective": self.median, "bound": self.bound,
                "optimal": self.optimal == len(self.runs), "best_known": self.best_known,
                "gap_pct": None if self.gap_pct is None else round(self.gap_pct, 2),
                "wall_s": round(self.wall_s, 2), "cpu_s": round(self.cpu_s, 2),
                "seeds": [r.seed for r in self.runs],
                "objectives": [r.objective for r in self.runs]}


def instance_path(name: str, data: Path) -> Path:
    """A path as given, or ``Instance<N>.txt`` in the benchmark folder."""
    given = Path(name)
    if given.is_file():
        return given
    stem = f"Instance{name}" if name.isdigit() else name
    return data / "instances" / f"{stem.removesuffix('.txt')}.txt"


def best_known(data: Path) -> dict[str, int]:
    with (data / "bks.csv").open(encoding="utf-8") as handle:
        return {row["instance"]: int(row["best_known_ub"]) for row in csv.DictReader(handle)}


def table(rows: list[Row]) -> str:
    lines = ["| instance | best known | median objective | gap % | seeds (objectives) "
             "| proven optimal | bound | median s | median CPU s |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|"]
    for row in rows:
        gap = "–" if row.gap_pct is None else f"{row.gap_pct:.2f}"
        median = "–" if row.median is None else f"{row.median:g}"
        seeds = ", ".join(f"{r.seed}: {r.objective}" for r in row.runs)
        lines.append(f"| {row.instance} | {row.best_known or '–'} | {median} | {gap} | {seeds} "
                     f"| {row.optimal}/{len(row.runs)} | {row.bound:g} | {row.wall_s:.1f} "
                     f"| {row.cpu_s:.1f} |")
    gaps = [row.gap_pct for row in rows if row.gap_pct is not None]
    if gaps:
        lines += ["", f"Gap over {len(gaps)} instances: mean {statistics.mean(gaps):.2f} %, "
                      f"largest {max(gaps):.2f} %."]
    return "\n".join(lines)


def provenance() -> list[str]:
    return [f"- commit: `{commit()}`",
            f"- machine: {machine()}, OR-Tools {ortools_version}"]


def append_entry(path: Path, rows: list[Row], args: argparse.Namespace) -> None:
    """Append (never overwrite) one dated entry to BENCHMARKS.md."""
    entry = [
        "", f"## Curtois & Qu shift scheduling (`scripts/bench_roster.py`) — "
            f"{datetime.now():%Y-%m-%d %H:%M}", "",
        *provenance(),
        f"- settings: {args.time_limit:g} s per run, {args.workers} workers: greedy first "
        "roster repaired by CP-SAT, LNS with CP-SAT sub-solves (`planning.cpsat`), then "
        f"CP-SAT on the whole model (subsolvers {', '.join(SUBSOLVERS)} + its own "
        "neighbourhood search) hinted with the best plan, seeds "
        f"{args.seeds}; objective recomputed by the independent scorer "
        "(`planning.curtois.objective`); gap = (median − best known) / best known",
        "- best known: `../shared/benchmarks/curtois/bks.csv` (may be out of date, see its "
        "README)", "", table(rows), ""]
    append("\n".join(entry), path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", default=DEFAULT_INSTANCES)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated random seeds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA, help="the curtois/ folder")
    parser.add_argument("--json", action="store_true", help="one JSON object per instance")
    parser.add_argument("--no-append", action="store_true", help="do not touch BENCHMARKS.md")
    parser.add_argument("--benchmarks-md", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    known = best_known(args.data) if (args.data / "bks.csv").exists() else {}
    rows = []
    for name in args.instances:
        path = instance_path(name, args.data)
        if not path.is_file():
            print(f"no such instance: {name} ({path})", file=sys.stderr)
            return 2
        instance = read_instance(path)
        runs = [solve(instance, SolveSettings(args.time_limit, seed, args.workers, SUBSOLVERS))
                for seed in seeds]
        row = Row(instance.name, known.get(instance.name), runs)
        rows.append(row)
        if args.json:
            print(json.dumps(row.as_json()), flush=True)
        else:
            print(f"{instance.name}: {row.objectives} (best known {row.best_known})",
                  file=sys.stderr, flush=True)
    if not args.json:
        print(table(rows))
    if not args.no_append:
        append_entry(args.benchmarks_md, rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
