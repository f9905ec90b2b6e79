"""Serving for real: cached roster pages that never go stale, several worker processes
behind one port, and solver jobs that every worker can follow."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.settings import Settings
from domain.values import Profession, ShiftLayer
from scripts.bench_web import Client, free_port
from tests.conftest import Store
from tests.factories import at
from tests.web_support import (
    ADMIN,
    MONDAY,
    PASSWORD,
    World,
    give_shift,
    make_world,
    wait_until_serving,
)
from web import services
from web.rosterdata import read_cache
from web.server import WORKERS_ENV, workers_from_env
from web.solving import JOBS_FILE, Job, Jobs

PAGE = f"/teams/T1/vagtplan/{MONDAY}"


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    yield from make_world(store)


def _evening_shifts(page: str) -> int:
    return page.count('class="shift aften"')


def test_the_roster_page_shows_a_change_made_by_another_process(
        world: World, store: Store) -> None:
    client = world.client("medlem")
    before = client.get(PAGE).get_data(as_text=True)

    # Another process (its own application object on the same store) puzzles.
    other = store.app()
    try:
        other.take_shift(ADMIN, world.a.roster, "ude-fra", world.a.members[0], MONDAY,
                         ShiftLayer.AFTEN, at(MONDAY, 15), at(MONDAY, 23))
    finally:
        other.close()

    after = client.get(PAGE).get_data(as_text=True)
    assert _evening_shifts(after) == _evening_shifts(before) + 1


def test_a_change_to_another_team_keeps_the_cached_roster_page(world: World) -> None:
    client = world.client("admin")
    first = client.get(PAGE).get_data(as_text=True)
    with world.web.app_context():
        cache = read_cache(services().app)
    misses = cache.misses

    give_shift(world, world.b, 0, "team-b", at(MONDAY, 7))  # team B's roster only
    again = client.get(PAGE).get_data(as_text=True)

    assert cache.misses == misses  # nothing of team A's page was rebuilt
    assert _evening_shifts(again) == _evening_shifts(first)
    give_shift(world, world.a, 1, "team-a", at(MONDAY, 15), layer="aften")
    assert _evening_shifts(client.get(PAGE).get_data(as_text=True)) == \
        _evening_shifts(first) + 1
    assert cache.misses > misses


def test_more_news_than_the_cache_reads_rebuilds_the_page(world: World) -> None:
    client = world.client("admin")
    client.get(PAGE)
    with world.web.app_context():
        cache = read_cache(services().app)
    cache.scan_limit = 2
    misses = cache.misses
    for n in range(3):  # three events elsewhere: more than the cache looks through
        give_shift(world, world.b, n % 3, f"b-{n}", at(MONDAY, 7 + n))
    client.get(PAGE)
    assert cache.misses > misses


def test_a_bad_number_of_workers_is_refused_with_a_clear_message(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "two")
    with pytest.raises(SystemExit, match="PUSLEPLAN_WORKERS must be a whole number"):
        workers_from_env()
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert workers_from_env() == 3


def test_a_job_of_a_process_that_died_is_reported_as_failed(tmp_path: Path) -> None:
    path = tmp_path / JOBS_FILE
    writer, reader = Jobs(path), Jobs(path)
    job = Job("lost", "roster-1", 3, 5.0, "planner")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with writer._db() as db:
        writer._write(db, job)
        db.execute("UPDATE jobs SET pid = ? WHERE id = 'lost'", (int(dead),))

    seen = reader.get("lost", "roster-1")

    assert seen is not None and not seen.running and seen.failed
    assert reader.get("lost", "another-roster") is None


#: Two ways to start two workers: the command line's --workers (which wins over
#: PUSLEPLAN_WORKERS=1), or ``web.server.serve`` given only the config and
#: PUSLEPLAN_WORKERS=2; either way the supervisor opens no store.
LAUNCHERS = {
    "cli": ["-m", "scripts.cli", "serve", "--data-dir", "{data}", "--port", "{port}",
            "--threads", "4", "--workers", "2"],
    "config": ["-c", "from pathlib import Path; from domain.settings import Settings; "
               "from web.server import serve; serve({{'PUSLEPLAN_SETTINGS': "
               "Settings(data_dir=Path('{data}'))}}, port={port}, threads=4)"],
}


@pytest.fixture(params=sorted(LAUNCHERS))
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[World, str]]:
    """Team A's world in a SQLite data dir, served by 2 worker processes."""
    store = Store("sqlite", Settings(data_dir=tmp_path / "data"), {})
    worlds = make_world(store)
    world = next(worlds)
    world.app.define_route(ADMIN, world.a.team, "D1", "Dagruten", ShiftLayer.DAG,
                           Profession.SSH)
    world.app.set_ground_rules(ADMIN, world.a.team, {"min_staffing": {"dag": 1, "aften": 0,
                                                                     "nat": 0}})
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    arguments = [a.format(data=tmp_path / "data", port=port) for a in LAUNCHERS[request.param]]
    server = subprocess.Popen(
        [sys.executable, *arguments],
        env={**os.environ, "PUSLEPLAN_WORKERS": "1" if request.param == "cli" else "2"},
        stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, url, tmp_path / "server.log")
        yield world, url
    finally:
        server.terminate()
        assert server.wait(timeout=30) is not None
        worlds.close()


def _fresh(client: Client, method: str, path: str, body: object = None) -> tuple[int, dict, str]:
    """One request on a new connection (so either worker may take it): status, JSON, worker."""
    client.close()
    headers = {"X-CSRFToken": client.csrf} if method == "POST" else {}
    status, answer, _ = client.request(method, path, body, headers)
    assert client.headers is not None
    return status, answer, client.headers["X-Pusleplan-Worker"]


def test_two_workers_serve_one_port_and_share_the_solver_jobs(
        served: tuple[World, str]) -> None:
    world, url = served
    planner = Client(url)
    planner.log_in("planner", PASSWORD)
    base = f"/api/rosters/{world.a.roster}/proposals"
    try:
        _follow_a_job(planner, base)
    finally:
        planner.close()


def _follow_a_job(planner: Client, base: str) -> None:
    status, job, started_by = _fresh(planner, "POST", base, {})
    assert status == 202, job

    # Poll on new connections until both workers have answered about the job.
    # (The worker running the solver is slower to accept; the idle one takes most
    # connections, so keep polling, a little apart, until the busy one answers too.)
    answered: dict[str, str] = {}
    deadline = time.monotonic() + 90
    while len(answered) < 2 and time.monotonic() < deadline:
        status, answer, worker = _fresh(planner, "GET", f"{base}/{job['job_id']}")
        assert status == 200, answer  # never "no such job", whichever worker answers
        answered[worker] = answer["status"]
        time.sleep(0.02)
    assert set(answered) == {"1", "2"}, answered
    assert started_by in answered

    # When the job is done, both workers report the same outcome.
    deadline = time.monotonic() + 90
    final: dict[str, str] = {}
    while len(final) < 2 and time.monotonic() < deadline:
        status, answer, worker = _fresh(planner, "GET", f"{base}/{job['job_id']}")
        assert status == 200, answer
        if answer["status"] != "running":
            final[worker] = answer["status"]
        else:
            time.sleep(0.5)
    assert set(final) == {"1", "2"}
    assert len(set(final.values())) == 1 and final["1"] in ("proposal", "infeasible")
