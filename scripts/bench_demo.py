"""Benchmark the demo build: how long ``build_demo`` takes per event store.

Builds the full demo district into a temporary SQLite data directory and, when
``--postgres-url`` is given, into a fresh schema of that PostgreSQL database
(dropped afterwards). Prints a markdown table and appends it to BENCHMARKS.md at
the repository root with the date, commit and machine.

    python -m scripts.bench_demo
    python -m scripts.bench_demo --postgres-url postgresql://postgres@127.0.0.1:5432/pusleplan_bench
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from domain.application import Pusleplan
from domain.settings import Settings
from scripts.benchlog import BENCHMARKS, append, commit, machine
from scripts.demo import DemoSummary, build_demo

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    store: str
    summary: DemoSummary

    @property
    def rate(self) -> float:
        return self.summary.events / self.summary.seconds if self.summary.seconds else 0.0

    def markdown(self) -> str:
        s = self.summary
        return (f"| {self.store} | {s.teams} | {s.employees} | {s.citizens} | {s.events:,} | "
                f"{s.visits_delivered:,} | {s.seconds:.1f} | {self.rate:,.0f} |")


TABLE_HEAD = ("| store | teams | employees | citizens | events | delivered visits | seconds "
              "| events/s |\n|---|---:|---:|---:|---:|---:|---:|---:|")


def bench_sqlite(seed: int, today: date | None) -> Row:
    with tempfile.TemporaryDirectory(prefix="pusleplan-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        settings.validate()
        app = Pusleplan.from_settings(settings, AGGREGATE_CACHE_MAXSIZE="5000")
        try:
            summary = build_demo(app, seed=seed, today=today, progress=_progress("sqlite"))
        finally:
            app.close()
    return Row("SQLite", summary)


def bench_postgres(url: str, seed: int, today: date | None) -> Row:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        with tempfile.TemporaryDirectory(prefix="pusleplan-bench-") as tmp:
            settings = Settings.from_env(data_dir=tmp, database_url=url)
            app = Pusleplan.from_settings(settings, AGGREGATE_CACHE_MAXSIZE="5000",
                                          POSTGRES_SCHEMA=schema)
            try:
                summary = build_demo(app, seed=seed, today=today,
                                     progress=_progress("postgres"))
            finally:
                app.close()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return Row("PostgreSQL", summary)


def _progress(store: str):
    """Report each stage once, when it is done (on stderr)."""

    def report(stage: str, done: int, total: int) -> None:
        if done >= total:
            print(f"  [{store}] {stage}: {done}/{total}", file=sys.stderr, flush=True)

    return report


def report(rows: list[Row], seed: int, today: date | None) -> str:
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"## Demo build (`build_demo`, seed {seed}) — {when}",
        "",
        f"- commit: `{commit()}`",
        f"- machine: {machine()}",
        f"- demo 'today': {(today or date.today()).isoformat()}; 8 weeks of history, "
        "aggregate cache 5000",
        "",
        TABLE_HEAD,
        *(row.markdown() for row in rows),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the demo's 'today' (YYYY-MM-DD; default: today)")
    parser.add_argument("--postgres-url", default=None,
                        help="also build into a fresh schema of this PostgreSQL database")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--no-append", action="store_true",
                        help="print the table only, do not append it to BENCHMARKS.md")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    if not args.no_sqlite:
        rows.append(bench_sqlite(args.seed, args.today))
    if args.postgres_url:
        rows.append(bench_postgres(args.postgres_url, args.seed, args.today))
    if not rows:
        parser.error("nothing to benchmark")
    text = report(rows, args.seed, args.today)
    print(text)
    if not args.no_append:
        append(text)
        print(f"Appended to {BENCHMARKS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
