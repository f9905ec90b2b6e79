"""Benchmark rebuilding every read model against eventsourcing's bare read rate.

For each store (SQLite in a temporary data directory; PostgreSQL in a fresh
schema of ``--postgres-url``, ``PUSLEPLAN_BENCH_POSTGRES_URL`` or
``PUSLEPLAN_TEST_POSTGRES_URL``, dropped afterwards) it writes a history of N
events (``scripts.bench_history``, written without automatic snapshots, which
are not in the notification log), measures the **bare rate** — reading the
whole notification log page by page and deserialising every event with the
application's mapper, nothing else — and the **rebuild rate** — emptying every
read model and rebuilding them all as ``projections rebuild`` does
(``projections.parallel.rebuild``: ``projections.runner.catch_up_all`` in one
process, or the read models in two groups in two processes over the same log
when a second core is idle enough, ``--processes`` to choose; secondary indexes
built at the end, inside the timed rebuild; ``--transaction-size`` events per
view transaction) — and reports both with their ratio (target ≥ 0.5), in wall
time and in CPU time (every rebuild process together, over the bare pass's CPU
time: the figure to compare on a shared machine). The bare rate is the better
of two passes; the rebuild is timed once. On PostgreSQL it also
measures how soon a puzzled shift shows in the followed roster grid
(ProjectionRunner with LISTEN/NOTIFY; p95 over ``--latency-samples`` puzzles).

    python -m scripts.bench_replay --events 200000
    python -m scripts.bench_replay --store sqlite --json

Prints a table (or, with ``--json``, one JSON object per store: store, events,
events_per_s, bare_events_per_s, ratio, processes, cpu_ratio) and appends the table to BENCHMARKS.md
with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import psycopg

from domain.application import Pusleplan
from domain.settings import Settings
from domain.values import Actor, Profession, Role, ShiftLayer
from projections import parallel
from projections.catalogue import open_read_models, reset
from projections.runner import follow
from scripts.bench_history import generate
from scripts.benchlog import append, commit, machine
from scripts.projections_cli import REBUILD_TRANSACTION

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGE = 1000


class _Writer(Pusleplan):
    """The application as the history generator uses it: no automatic snapshots
    (they are not in the notification log and cost half the writing time)."""

    name = Pusleplan.name  # the same tables and notification log
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}


@dataclass
class Result:
    """One store's figures (the JSON object of ``--json``)."""

    store: str
    events: int
    events_per_s: float
    bare_events_per_s: float
    ratio: float
    generate_s: float
    rebuild_s: float
    follow_p95_ms: float | None = None
    #: Processes that rebuilt the read models (``projections.parallel``).
    processes: int = 1
    #: CPU seconds of the rebuild, every process together.
    rebuild_cpu_s: float = 0.0
    #: The ratio in CPU time: rebuild events per CPU second over the bare pass's.
    cpu_ratio: float = 0.0


@contextmanager
def store(kind: str, postgres_url: str | None) -> Iterator[tuple[Settings, dict[str, str]]]:
    """A fresh, empty store of ``kind``; removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="pusleplan-replay-") as tmp:
            yield Settings(data_dir=Path(tmp)), {}
        return
    if not postgres_url:
        raise SystemExit("bench_replay: --postgres-url (or PUSLEPLAN_BENCH_POSTGRES_URL) is "
                         "needed for PostgreSQL")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        with tempfile.TemporaryDirectory(prefix="pusleplan-replay-") as tmp:
            yield (Settings(data_dir=Path(tmp), database_url=postgres_url),
                   {"POSTGRES_SCHEMA": schema})
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def bare_rate(app: Pusleplan) -> float:
    """Events per second for reading and deserialising the whole log, nothing else."""
    started = time.perf_counter()
    count, start = 0, 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE)
        for notification in page:
            app.mapper.to_domain_event(notification)
        count += len(page)
        if len(page) < PAGE:
            break
        start = page[-1].id + 1
    return count / (time.perf_counter() - started)


def _bare_rates(app: Pusleplan) -> tuple[float, float]:
    """``bare_rate`` and the same pass's events per CPU second."""
    cpu = time.process_time()
    rate = bare_rate(app)
    cpu = time.process_time() - cpu
    return rate, (app.recorder.max_notification_id() or 0) / max(cpu, 1e-9)


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its finished child processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def follow_latency(app: Pusleplan, settings: Settings, extra: dict[str, str],
                   samples: int) -> float:
    """p95 milliseconds from a puzzled shift being saved to it showing in the grid."""
    team = app.create_team(Actor("bench", Role.LEADER), "LAT", "Latency", "Bench", 55.86, 9.85)
    member = app.hire_employee(Actor("bench", Role.LEADER), "LAT-1", "Medarbejder",
                               Profession.SSH, 37,
                               datetime(2020, 1, 1).date())
    app.join_team(Actor("bench", Role.LEADER), team, member)
    monday = datetime(2030, 1, 7).date()
    roster = app.open_roster(Actor("bench", Role.PLANNER), team, monday, 12)
    stop = threading.Event()
    with open_read_models(settings, extra, names=["RosterGrid"]) as models:
        follower = threading.Thread(target=follow, args=(app, list(models), stop),
                                    kwargs={"settings": settings, "extra_env": extra})
        follower.start()
        grid = models.view("RosterGrid")
        delays = []
        try:
            while grid.grid(str(roster)) is None:
                time.sleep(0.01)
            for n in range(samples):
                day = monday + timedelta(days=n % 84)
                start = datetime.combine(day, datetime.min.time()) + timedelta(hours=7)
                saved = time.perf_counter()
                app.take_shift(Actor("LAT-1", Role.MEMBER), roster, f"L{n}", member, day,
                               ShiftLayer.DAG, start, start + timedelta(hours=8))
                while (str(member), day.isoformat()) not in grid.grid(str(roster)).cells:
                    time.sleep(0.002)
                delays.append((time.perf_counter() - saved) * 1000)
                app.release_shift(Actor("LAT-1", Role.MEMBER), roster, f"L{n}", member)
        finally:
            stop.set()
            follower.join(timeout=60)
    return statistics.quantiles(delays, n=20)[-1] if len(delays) >= 2 else delays[0]


def bench(kind: str, events: int, postgres_url: str | None, batch: int,
          latency_samples: int, transaction: int | None = None,
          processes: int | None = None) -> Result:
    with store(kind, postgres_url) as (settings, extra):
        writer = _Writer.from_settings(settings, **extra)
        try:
            started = time.perf_counter()
            generate(writer, events, progress=lambda n: print(
                f"\r  {kind}: writing {n:,}/{events:,} events", end="", file=sys.stderr,
                flush=True))
            generated = time.perf_counter() - started
            print(file=sys.stderr)
        finally:
            writer.close()
        app = Pusleplan.from_settings(settings, **extra)
        try:
            written = app.recorder.max_notification_id() or 0
            bare, bare_cpu = max(_bare_rates(app), _bare_rates(app))
            with open_read_models(settings, extra) as models:
                reset(models, defer_indexes=True)
                used = processes or parallel.processes_that_help()
                started, cpu = time.perf_counter(), _cpu_seconds()
                parallel.rebuild(app, models, settings, extra, batch_size=batch,
                                 transaction_size=transaction, processes=used,
                                 progress=lambda p, last: print(
                    f"\r  {kind}: rebuilding {p:,}/{last:,}", end="", file=sys.stderr,
                    flush=True))
                rebuilt, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
                print(file=sys.stderr)
            rate = written / rebuilt
            p95 = None
            if kind == "postgres" and latency_samples:
                p95 = follow_latency(app, settings, extra, latency_samples)
        finally:
            app.close()
    return Result(kind, written, round(rate), round(bare), round(rate / bare, 3),
                  round(generated, 1), round(rebuilt, 1),
                  None if p95 is None else round(p95, 1), used, round(cpu, 1),
                  round(written / cpu / bare_cpu, 3))


def table(results: list[Result]) -> str:
    lines = ["| store | events | history written s | processes | rebuild s | rebuild CPU s "
             "| rebuild events/s | bare events/s | ratio | ratio in CPU time "
             "| follow p95 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        follow_ms = "–" if r.follow_p95_ms is None else f"{r.follow_p95_ms:,.0f}"
        lines.append(f"| {r.store} | {r.events:,} | {r.generate_s:,.1f} | {r.processes} "
                     f"| {r.rebuild_s:,.1f} | {r.rebuild_cpu_s:,.1f} "
                     f"| {r.events_per_s:,.0f} "
                     f"| {r.bare_events_per_s:,.0f} | {r.ratio:.2f} | {r.cpu_ratio:.2f} "
                     f"| {follow_ms} |")
    return "\n".join(lines)


def append_benchmarks(results: list[Result], args: argparse.Namespace) -> None:
    append(f"## Read models: full rebuild vs bare read-and-deserialise\n\n"
           f"{datetime.now():%Y-%m-%d %H:%M}, commit {commit()}, {machine()}. "
           f"`scripts/bench_replay.py --events {args.events} --batch-size {args.batch_size} "
           f"--transaction-size {args.transaction_size}`; "
           "seven read models rebuilt in one pass per process, one transaction per batch "
           "per view, secondary indexes built at the end; "
           f"target ratio ≥ 0.5.\n\n{table(results)}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_replay", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgres"),
                        help="one store only (default: both, PostgreSQL if a URL is known)")
    parser.add_argument("--json", action="store_true", help="one JSON object per store")
    parser.add_argument("--postgres-url", default=os.environ.get("PUSLEPLAN_BENCH_POSTGRES_URL")
                        or os.environ.get("PUSLEPLAN_TEST_POSTGRES_URL"))
    parser.add_argument("--batch-size", type=int, default=2000,
                        help="notifications per page of the log (default 2000)")
    parser.add_argument("--transaction-size", type=int, default=REBUILD_TRANSACTION,
                        help="events per view transaction (default "
                             f"{REBUILD_TRANSACTION:,}, as `projections rebuild`)")
    parser.add_argument("--latency-samples", type=int, default=50,
                        help="PostgreSQL: puzzles timed while following (0: none)")
    parser.add_argument("--processes", type=int, choices=(1, 2),
                        help="rebuild processes (default: as `projections rebuild`, 2 when "
                             "a second core is idle enough)")
    parser.add_argument("--no-append", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    kinds = [args.store] if args.store else ["sqlite"] + (["postgres"] if args.postgres_url
                                                          else [])
    results = [bench(kind, args.events, args.postgres_url, args.batch_size,
                     args.latency_samples, args.transaction_size, args.processes)
               for kind in kinds]
    if args.json:
        for result in results:
            keys = ("store", "events", "events_per_s", "bare_events_per_s", "ratio",
                    "processes", "cpu_ratio")
            print(json.dumps({k: v for k, v in asdict(result).items() if k in keys}))
    else:
        print(table(results))
    if not args.no_append:
        append_benchmarks(results, args)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


