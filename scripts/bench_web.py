"""Benchmark the web app over HTTP on loopback: the Vagtplan page, and members puzzling at once.

Against ``pusleplan serve`` (started here on a demo data directory, or a running
server given with ``--url`` and its ``--data-dir``):

1. **Page**: one member of the team (17 people in the demo's OE5) loads the
   8-week Vagtplan page ``--page-requests`` times in a row; the first (cold)
   load is reported on its own, then p50 / p95 / max of the rest.
2. **Puzzling**: ``--clients`` members (20; the team's members, some on two
   devices, each client from its own loopback address as separate phones
   would be) log in through ``/api/session`` with the CSRF token, then for
   ``--seconds`` read the open roster and take an open shift, release one of
   their own, or hand one to a colleague, with ``If-Match`` set to the version
   they read. Every answer must be a success, a 409 (someone changed the plan)
   or a 422 (a rule refused it); anything else counts as an error. Meanwhile a
   planner's wall screen reloads the roster page once a second.
3. **Check**: the roster's stored events after the start are exactly the
   accepted commands (one ShiftPuzzled per accepted command, at the version the
   answer named: nothing lost, nothing twice), and replaying the accepted
   commands on the roster as it was gives the final roster's holders.

    python -m scripts.bench_web                     # demo in a temp dir, 1 worker
    python -m scripts.bench_web --workers 2 --seconds 60
    python -m scripts.bench_web --url http://127.0.0.1:8080 --data-dir ~/.local/share/pusleplan

The benchmark registers member log-ins ``bench-<team>-NN`` (password
``bench-password``) in the data directory if they are missing. Prints a table
and appends it to BENCHMARKS.md (``--no-log`` to skip).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from domain.application import Pusleplan
from domain.settings import Settings
from domain.teams import team_id
from domain.values import Actor, Role
from scripts.benchlog import append, commit, machine

BENCH_PASSWORD = "bench-password"
SETUP = Actor("bench-web", Role.ADMINISTRATIVE)


# -- a small HTTP client: keep-alive, the session cookie, its own source address -------------


class Client:
    """One browser-like client: a keep-alive connection from ``source`` with a cookie."""

    def __init__(self, url: str, source: str = "127.0.0.1") -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.source = source
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.headers: http.client.HTTPMessage | None = None  # of the last answer
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any, float]:
        """(status, JSON body or text, seconds); reconnects once if the server closed."""
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=data, headers=sent)
                response = conn.getresponse()
                raw = response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            self.headers = response.headers
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            kind = response.headers.get("Content-Type", "")
            answer = json.loads(raw) if "json" in kind and raw else raw.decode("utf-8", "replace")
            return response.status, answer, seconds
        raise AssertionError("unreachable")

    def log_in(self, username: str, password: str) -> None:
        status, answer, _ = self.request("GET", "/api/session")
        assert status == 200, (status, answer)
        status, answer, _ = self.request("POST", "/api/session",
                                         {"username": username, "password": password},
                                         {"X-CSRFToken": answer["csrf_token"]})
        if status != 200:
            raise SystemExit(f"bench_web: log-in of {username} answered {status}: {answer}")
        self.csrf = answer["csrf_token"]

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=60,
                                                    source_address=(self.source, 0))
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# -- set-up: demo store, bench log-ins, the server ----------------------------------------


def prepare_store(settings: Settings, team_code: str, today: date | None) -> list[str]:
    """Build the demo if the store is empty; register one member log-in per team member.

    Returns the user names, in the team's member order.
    """
    from scripts.cli import build_demo_into
    from web.auth import hash_password

    app = Pusleplan.from_settings(settings)
    try:
        if (app.recorder.max_notification_id() or 0) == 0:
            app.close()
            build_demo_into(settings, 2026, today)
            app = Pusleplan.from_settings(settings)
        team = app.team(team_id(team_code))
        names = []
        password_hash = None
        for number, member in enumerate(team["members"], start=1):
            username = f"bench-{team_code.lower()}-{number:02d}"
            names.append(username)
            if app.user(username) is None:
                password_hash = password_hash or hash_password(BENCH_PASSWORD)
                app.register_user(SETUP, username, f"Bench {number}", Role.MEMBER,
                                  password_hash, [UUID(team["id"])], UUID(member))
        return names
    finally:
        app.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(data_dir: Path, workers: int, threads: int) -> tuple[subprocess.Popen[bytes],
                                                                         str]:
    """``pusleplan serve`` in a subprocess; returns it and its URL once it answers.

    Its log goes to ``server.log`` in the data directory (an unread pipe would
    fill up with waitress's queue warnings and stall the server)."""
    port = free_port()
    env = {**os.environ, "PUSLEPLAN_WORKERS": str(workers)}
    command = [sys.executable, "-m", "scripts.cli", "serve", "--data-dir", str(data_dir),
               "--port", str(port), "--threads", str(threads)]
    log = (data_dir / "server.log").open("ab")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    log.close()  # the child has its own copy
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("bench_web: the server stopped; see "
                             f"{data_dir / 'server.log'}")
        probe = Client(url)
        try:
            if probe.request("GET", "/api/session")[0] == 200:
                return server, url
        except OSError:
            time.sleep(0.2)
        finally:
            probe.close()
    server.terminate()
    raise SystemExit("bench_web: the server did not answer within 60 s")


# -- 1. the page ----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_page(url: str, username: str, team_code: str, requests: int) -> dict[str, Any]:
    client = Client(url, "127.0.0.1")
    client.log_in(username, BENCH_PASSWORD)
    status, answer, _ = client.request("GET", f"/teams/{team_code}/vagtplan")
    assert status in (302, 303), (status, str(answer)[:300])
    page = urlsplit(client.headers["Location"]).path
    times = []
    size = 0
    for _ in range(requests + 1):
        status, text, seconds = client.request("GET", page, headers={"Accept": "text/html"})
        assert status == 200, (status, str(text)[:300])
        size = len(text)
        times.append(seconds)
    client.close()
    warm = times[1:]
    return {"path": page, "cold_ms": times[0] * 1000, "p50_ms": percentile(warm, .5) * 1000,
            "p95_ms": percentile(warm, .95) * 1000, "max_ms": max(warm) * 1000,
            "requests": len(warm), "bytes": size}


# -- 2. puzzling ----------------------------------------------------------------------------


@dataclass
class Accepted:
    version: int  # the roster version the answer named (the event's version)
    sent_version: int  # If-Match
    action: str
    shift_id: str
    employee_id: str
    to_employee_id: str | None = None
    shift: dict[str, Any] | None = None  # a taken shift as the client saw it


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    accepted: list[Accepted] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def open_roster(client: Client, team_code: str) -> str:
    """The team's newest roster that is not published (the one open for puzzling)."""
    status, team, _ = client.request("GET", f"/api/teams/{team_id(team_code)}")
    assert status == 200, (status, team)
    open_ones = [r for r in team["rosters"] if not r["published"]]
    if not open_ones:
        raise SystemExit(f"bench_web: team {team_code} has no roster open for puzzling")
    return str(max(open_ones, key=lambda r: r["period_start"])["roster_id"])


def overlaps(shift: dict[str, Any], others: list[dict[str, Any]]) -> bool:
    return any(o["start"] < shift["end"] and shift["start"] < o["end"] for o in others)


def choose(roster: dict[str, Any], me: str, rng: random.Random
           ) -> tuple[str, str, dict[str, Any], Accepted] | None:
    """A command a member would try: (API path, name, body, what acceptance means)."""
    shifts = roster["shifts"]
    mine = [s for s in shifts if s["employee_id"] == me]
    open_ = [s for s in shifts if s["employee_id"] is None and not overlaps(s, mine)]
    members = [p["employee_id"] for p in roster["people"] if p["employee_id"] != me]
    roll = rng.random()
    if mine and roll < 0.35:
        s = rng.choice(mine)
        return "release", "release", {"shift_id": s["shift_id"], "employee_id": me}, \
            Accepted(0, 0, "release", s["shift_id"], me)
    if mine and roll < 0.65 and members:
        s = rng.choice(mine)
        to = rng.choice(members)
        if not overlaps(s, [o for o in shifts if o["employee_id"] == to]):
            return "swap", "swap", {"shift_id": s["shift_id"], "to_employee_id": to}, \
                Accepted(0, 0, "swap", s["shift_id"], me, to)
    if open_:
        s = rng.choice(open_)
        body = {"shift_id": s["shift_id"], "employee_id": me, "date": s["date"],
                "layer": s["layer"], "start": s["start"], "end": s["end"]}
        return "take", "take", body, Accepted(0, 0, "take", s["shift_id"], me, shift=s)
    return None


@dataclass
class Start:
    """Everyone logs in first; then the clock starts for all at once."""

    barrier: threading.Barrier
    until: float = 0.0


def member_loop(url: str, source: str, username: str, roster_id: str, start: Start,
                think_s: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(url, source)
    client.log_in(username, BENCH_PASSWORD)
    me = client.request("GET", "/api/session")[1]["user"]["employee_id"]
    start.barrier.wait()
    while time.monotonic() < start.until:
        try:
            one_command(client, roster_id, me, rng, think_s, tally)
        except OSError as error:  # no answer at all (timeout, connection refused)
            with tally.lock:
                tally.errors.append(f"no answer: {error!r}")
    client.close()


def one_command(client: Client, roster_id: str, me: str, rng: random.Random, think_s: float,
                tally: Tally) -> None:
    """Read the roster, try one command at the version read, then pause."""
    status, roster, seconds = client.request("GET", f"/api/rosters/{roster_id}")
    with tally.lock:
        tally.latencies.append(seconds)
    if status != 200:
        with tally.lock:
            tally.statuses[status] += 1
            tally.errors.append(f"GET roster {status}: {str(roster)[:200]}")
        return
    picked = choose(roster, me, rng)
    if picked is None:
        time.sleep(think_s)
        return
    path, _, body, outcome = picked
    version = roster["version"]
    status, answer, seconds = client.request(
        "POST", f"/api/rosters/{roster_id}/{path}", body,
        {"X-CSRFToken": client.csrf, "If-Match": str(version)})
    with tally.lock:
        tally.statuses[status] += 1
        tally.latencies.append(seconds)
        if status == 200:
            outcome.version, outcome.sent_version = answer["version"], version
            tally.accepted.append(outcome)
        elif status not in (409, 422):
            tally.errors.append(f"POST {path} {status}: {str(answer)[:200]}")
    time.sleep(rng.uniform(0, 2 * think_s))


def wall_screen(url: str, page: str, username: str, start: Start, times: list[float]
                ) -> None:
    """A planner's screen reloading the roster page once a second."""
    client = Client(url, "127.0.0.99")
    client.log_in(username, "demo")
    start.barrier.wait()
    while time.monotonic() < start.until:
        status, _, seconds = client.request("GET", page, headers={"Accept": "text/html"})
        if status == 200:
            times.append(seconds)
        time.sleep(max(0.0, 1.0 - seconds))
    client.close()


def bench_puzzling(url: str, settings: Settings, team_code: str, usernames: list[str],
                   clients: int, seconds: float, think_s: float, screen_user: str
                   ) -> dict[str, Any]:
    probe = Client(url, "127.0.0.1")
    probe.log_in(usernames[0], BENCH_PASSWORD)
    roster_id = open_roster(probe, team_code)
    start_roster = probe.request("GET", f"/api/rosters/{roster_id}")[1]
    page = f"/teams/{team_code}/vagtplan/{start_roster['period_start']}"
    probe.close()
    tally = Tally()
    screen_times: list[float] = []
    start = Start(threading.Barrier(clients + 2, action=lambda: setattr(
        start, "until", time.monotonic() + seconds)))
    threads = [threading.Thread(target=member_loop, args=(
        url, f"127.0.0.{10 + n}", usernames[n % len(usernames)], roster_id, start, think_s,
        tally, n), daemon=True) for n in range(clients)]
    threads.append(threading.Thread(target=wall_screen, args=(
        url, page, screen_user, start, screen_times), daemon=True))
    for thread in threads:
        thread.start()
    start.barrier.wait(timeout=300)  # every client has logged in
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    verdict = verify(settings, UUID(roster_id), start_roster["version"], tally.accepted)
    requests = len(tally.latencies)
    return {
        "roster_id": roster_id, "clients": clients, "seconds": elapsed,
        "statuses": dict(sorted(tally.statuses.items())), "accepted": len(tally.accepted),
        "requests": requests, "rps": requests / elapsed,
        "p50_ms": percentile(tally.latencies, .5) * 1000,
        "p95_ms": percentile(tally.latencies, .95) * 1000,
        "errors": tally.errors[:5], "error_count": len(tally.errors),
        "screen_p50_ms": percentile(screen_times, .5) * 1000 if screen_times else 0.0,
        "screen_p95_ms": percentile(screen_times, .95) * 1000 if screen_times else 0.0,
        **verdict,
    }


# -- 3. nothing lost, nothing twice ---------------------------------------------------------


def verify(settings: Settings, roster_id: UUID, start_version: int,
           accepted: list[Accepted]) -> dict[str, Any]:
    """Compare the stored events and the final roster with the accepted commands.

    Each accepted command is matched to a stored ShiftPuzzled event with the same
    action, shift and people (nothing lost); every stored event must be matched
    (nothing twice, nothing unexplained). The matched commands are then replayed
    in the order the store recorded them, from the roster as it was at the start,
    and must give the final roster's holders.
    """
    app = Pusleplan.from_settings(settings)
    try:
        events = list(app.repository.event_store.get(roster_id, gt=start_version))
        before = app.repository.get(roster_id, version=start_version)
        final = app.roster(roster_id)
    finally:
        app.close()
    stored: dict[tuple[Any, ...], list[int]] = {}
    for e in events:
        if type(e).__name__ == "ShiftPuzzled":
            sig = (e.action, e.shift_id, e.employee_id, e.to_employee_id)
            stored.setdefault(sig, []).append(e.originator_version)
    wanted: dict[tuple[Any, ...], list[Accepted]] = {}
    for a in accepted:
        wanted.setdefault((a.action, a.shift_id, a.employee_id, a.to_employee_id), []
                          ).append(a)
    ordered: list[tuple[int, Accepted]] = []
    for sig, commands in wanted.items():
        ordered += zip(sorted(stored.get(sig, [])),
                       sorted(commands, key=lambda a: a.version), strict=False)
    own_version = {id(a): v for v, a in ordered}
    holders = {sid: s["employee_id"] for sid, s in before.shifts.items()}
    for _, a in sorted(ordered, key=lambda pair: pair[0]):
        holders[a.shift_id] = {"take": a.employee_id, "release": None}.get(
            a.action, a.to_employee_id)
    final_holders = {sid: s["employee_id"] for sid, s in final["shifts"].items()}
    return {
        "stored_events": len(events),
        "stored_puzzled": sum(len(v) for v in stored.values()),
        "matching": len(ordered),
        "lost": len(accepted) - len(ordered),
        "unexplained": len(events) - len(ordered),
        "replay_equal": holders == final_holders,
        "answer_version_off": sum(own_version.get(id(a)) != a.version for a in accepted),
        "final_version": final["version"],
    }


# -- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (else one is started here)")
    parser.add_argument("--data-dir", type=Path,
                        help="its SQLite data directory (default: a new demo in a temp dir)")
    parser.add_argument("--team", default="OE5", help="team code (OE5 has 17 people)")
    parser.add_argument("--today", type=date.fromisoformat, help="the demo's 'today'")
    parser.add_argument("--page-requests", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.25,
                        help="mean pause between a member's commands, seconds")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per process")
    parser.add_argument("--no-log", action="store_true", help="do not append to BENCHMARKS.md")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    temp = None
    if args.data_dir is None:
        if args.url:
            parser.error("--url needs the server's --data-dir (to register log-ins and check)")
        temp = tempfile.TemporaryDirectory(prefix="bench-web-")
        args.data_dir = Path(temp.name)
    settings = Settings.from_env(data_dir=args.data_dir)
    usernames = prepare_store(settings, args.team, args.today)
    server = None
    url = args.url
    if url is None:
        server, url = start_server(args.data_dir, args.workers, args.threads)
    try:
        page = bench_page(url, usernames[0], args.team, args.page_requests)
        puzzle = bench_puzzling(url, settings, args.team, usernames, args.clients,
                                args.seconds, args.think, "leder")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if temp is not None:
            temp.cleanup()
    report(args, page, puzzle, len(usernames))
    ok = (puzzle["error_count"] == 0 and puzzle["lost"] == 0 and puzzle["unexplained"] == 0
          and puzzle["replay_equal"])
    return 0 if ok else 1


def report(args: argparse.Namespace, page: dict[str, Any], puzzle: dict[str, Any],
           people: int) -> None:
    statuses = ", ".join(f"{k}: {v}" for k, v in puzzle["statuses"].items())
    server = "a running server" if args.url else (
        f"`pusleplan serve`, {args.workers} worker(s) × {args.threads} threads, SQLite")
    lines = [
        f"## Web over HTTP (`scripts/bench_web.py`) — {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"- commit: `{commit()}`; machine: {machine()}",
        f"- {server} on loopback; team {args.team} ({people} people), demo seed 2026",
        "",
        "| figure | value | target |",
        "|---|---:|---|",
        f"| Vagtplan page, 8 weeks: cold first load | {page['cold_ms']:.0f} ms | – |",
        f"| Vagtplan page p50 / p95 / max ({page['requests']} loads, "
        f"{page['bytes'] // 1024} KiB) | {page['p50_ms']:.0f} / {page['p95_ms']:.0f} / "
        f"{page['max_ms']:.0f} ms | p50 ≤ 150, p95 ≤ 300 |",
        f"| members puzzling at once, seconds | {puzzle['clients']}, "
        f"{puzzle['seconds']:.0f} s | 20, 60 s |",
        f"| API requests (GET roster + commands), per second | {puzzle['requests']}, "
        f"{puzzle['rps']:.1f}/s | – |",
        f"| API latency p50 / p95 | {puzzle['p50_ms']:.0f} / {puzzle['p95_ms']:.0f} ms | – |",
        f"| command answers by status | {statuses} | only 200, 409 (changed), 422 (rule) |",
        f"| other answers (errors) | {puzzle['error_count']} | 0 |",
        f"| accepted commands / stored events after start / matching ShiftPuzzled | "
        f"{puzzle['accepted']} / {puzzle['stored_events']} / {puzzle['matching']} | equal |",
        f"| accepted but not stored / stored but not accepted (twice, or unexplained) | "
        f"{puzzle['lost']} / {puzzle['unexplained']} | 0 / 0 |",
        f"| final roster = replay of the accepted commands | "
        f"{'yes' if puzzle['replay_equal'] else 'NO'} | yes |",
        f"| answers naming a version other than their own event's | "
        f"{puzzle['answer_version_off']} | 0 |",
        f"| wall screen reloading the page meanwhile, p50 / p95 | "
        f"{puzzle['screen_p50_ms']:.0f} / {puzzle['screen_p95_ms']:.0f} ms | – |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if puzzle["errors"]:
        print("first errors:", *puzzle["errors"], sep="\n  ")
    if args.json:
        print(json.dumps({"page": page, "puzzle": puzzle}, default=str))
    if not args.no_log:
        append(text)


if __name__ == "__main__":
    sys.exit(main())
