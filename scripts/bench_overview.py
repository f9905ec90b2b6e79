"""Time Teamoverblik and Evaluering on the full demo district (SQLite), through Flask.

Builds the demo (6 teams, ~300 citizens, 8 weeks) into a temporary data
directory, then times, with the Flask test client logged in as ``leder``: the
first overview request (the team overview read model catches up with the whole
log), the overview page and API once current, the overview right after one new
event, the Evaluering page, its API and a CSV download. Prints a table and
appends it to BENCHMARKS.md.

    python -m scripts.bench_overview [--repeat 20] [--seed 2026] [--no-log]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from domain.application import Pusleplan
from domain.employees import employee_id
from domain.settings import Settings
from domain.teams import team_id
from domain.values import AbsenceKind, Actor, Role
from scripts.benchlog import append, commit, machine
from scripts.demo import build_demo
from web import create_app, services


def _ms(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def run(repeat: int, seed: int) -> tuple[list[tuple[str, float, float]], int]:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(data_dir=Path(directory))
        application = Pusleplan.from_settings(settings)
        summary = build_demo(application, seed=seed)
        application.close()
        web = create_app({"PUSLEPLAN_SETTINGS": settings, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        client = web.test_client()
        client.post("/api/session", json={"username": "leder", "password": "demo"})
        oe1 = team_id("OE1")

        def get(url: str) -> Callable[[], object]:
            def call() -> object:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response
            return call

        rows = []
        first, _ = _ms(get("/teams/OE1/overblik"), 1)
        rows.append(("overview, first request (catch-up of the whole log)", first, first))
        rows.append(("overview page (8 weeks), nothing new in the log",
                     *_ms(get("/teams/OE1/overblik"), repeat)))
        rows.append(("overview API (8 weeks)",
                     *_ms(get(f"/api/teams/{oe1}/overview"), repeat)))
        with web.app_context():
            app = services().app
        counter = iter(range(10_000))

        def after_event() -> object:
            n = next(counter)
            day = date(2020, 1, 1) + timedelta(days=n)  # long before the history: no overlap
            app.register_absence(Actor("bench", Role.LEADER), employee_id("OE1-03"),
                                 f"bench-{n}", AbsenceKind.COURSE, day, day)
            return get("/teams/OE1/overblik")()

        rows.append(("overview page right after one new event", *_ms(after_event, repeat)))
        rows.append(("evaluation page (default periods), first time",
                     *_ms(get("/evaluering?team=OE1"), 1)))
        rows.append(("evaluation page (default periods), nothing new in the log",
                     *_ms(get("/evaluering?team=OE1"), repeat)))

        def evaluation_after_event() -> object:
            after_event()
            return get("/evaluering?team=OE2")()

        rows.append(("evaluation page right after one new event (incl. the overview)",
                     *_ms(evaluation_after_event, repeat)))
        rows.append(("evaluation API", *_ms(get("/api/evaluation?team=OE1"), repeat)))
        rows.append(("evaluation CSV (figures)",
                     *_ms(get("/evaluering/figures.csv?team=OE1"), repeat)))
        with web.app_context():
            services().close()
        return rows, summary.events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-log", action="store_true", help="do not append to BENCHMARKS.md")
    args = parser.parse_args(argv)
    rows, events = run(args.repeat, args.seed)
    table = "\n".join(["| request | p50 ms | p95 ms |", "|---|---:|---:|"] + [
        f"| {name} | {p50:.0f} | {p95:.0f} |" for name, p50, p95 in rows])
    entry = (f"## Teamoverblik and Evaluering (Flask test client, SQLite) — "
             f"{time.strftime('%Y-%m-%d %H:%M')}\n\n- commit: `{commit()}`\n"
             f"- machine: {machine()}\n- full demo, seed {args.seed}: {events:,} events; "
             f"team OE1, {args.repeat} requests each\n\n{table}\n")
    print(entry)
    if not args.no_log:
        append(entry)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
