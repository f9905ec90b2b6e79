"""Solver jobs: "Foreslå plan" runs in a background thread while the page shows progress.

A job works on a snapshot of the roster (loaded in the request), never touches
the event store, and keeps its answer until accepted or forgotten. Jobs are
kept in a small SQLite file in the data directory (``jobs.sqlite``), so with
several web processes (``pusleplan serve`` with ``PUSLEPLAN_WORKERS``) a job
started by one process is followed and accepted through any other: the process
that runs the solver writes the job when it starts and when it ends, the others
read it. At most ``MAX_RUNNING`` solves run at once across the processes (the
solver uses two threads each) and one per roster. A job whose process died is
reported as failed.
"""

from __future__ import annotations

import logging
import os
import pickle
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_urlsafe
from typing import Any, ClassVar

from flask import has_app_context

from domain.errors import Conflict
from planning.roster_solver import RosterInfeasible, RosterProposal, propose
from planning.rules import Catalogue
from web.proposals import Change, difference, problem_for, proposal_shifts
from web.rosterplan import RosterContext

log = logging.getLogger(__name__)

MAX_RUNNING = 2
KEEP_JOBS = 20
JOBS_FILE = "jobs.sqlite"
BUSY = "Planlæggeren regner allerede på to forslag – prøv igen om lidt."
#: A running job older than its time limit plus this is taken as lost (its process died).
GRACE_S = 120.0


class BackgroundWork:
    """Whether background work (a roster job, a route draft) runs, how long it has run
    and its progress. The subclass has ``finished`` (wall clock, None while it runs),
    ``time_limit_s`` and its wall-clock start in the field ``START_FIELD`` names."""

    START_FIELD: ClassVar[str] = "started"
    finished: float | None
    time_limit_s: float

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def elapsed_s(self) -> float:
        started: float = getattr(self, self.START_FIELD)
        return (self.finished or time.time()) - started

    @property
    def progress(self) -> float:
        """0–1: the share of the time limit used (the solver stops at the limit); 1 once
        done, never 1 while it runs."""
        if self.running:
            return min(self.elapsed_s / max(self.time_limit_s, 0.1), 0.99)
        return 1.0


@dataclass
class Job(BackgroundWork):
    """One run of the roster planner for one roster (at the version it was asked at)."""

    id: str
    roster_id: str
    version: int
    time_limit_s: float
    requested_by: str
    started: float = field(default_factory=time.time)  # wall clock: shared by processes
    finished: float | None = None
    result: RosterProposal | RosterInfeasible | None = None
    shifts: list[dict[str, Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    failed: bool = False

    @property
    def feasible(self) -> bool:
        return isinstance(self.result, RosterProposal)


class Jobs:
    """The solver jobs of every web process on this data directory, by id.

    ``path`` is the jobs file; without it, the file in the current app's data
    directory is used (resolved at the first ``start``).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._local: dict[str, Job] = {}  # the jobs this process runs or ran
        self._lock = threading.Lock()

    def start(self, context: RosterContext, catalogue: Catalogue, time_limit_s: float,
              requested_by: str) -> Job:
        """Start solving ``context``'s roster, or return the job already running for it.

        :raise Conflict: when ``MAX_RUNNING`` solves are already running.
        """
        self._resolve()
        with self._lock, self._db() as db:
            db.execute("BEGIN IMMEDIATE")  # one process at a time decides
            self._reap(db)
            running = [self._load(data) for (data,) in db.execute(
                "SELECT data FROM jobs WHERE running = 1")]
            for job in running:
                if job.roster_id == context.roster["id"]:
                    db.execute("COMMIT")
                    return self._local.get(job.id, job)
            if len(running) >= MAX_RUNNING:
                db.execute("COMMIT")
                raise Conflict(BUSY, "too many solver jobs running")
            job = Job(token_urlsafe(8), context.roster["id"], context.roster["version"],
                      time_limit_s, requested_by)
            self._write(db, job)
            self._forget_old(db)
            db.execute("COMMIT")
            self._local[job.id] = job
            done = sorted((j for j in self._local.values() if not j.running),
                          key=lambda j: j.started)
            for old in done[:max(0, len(done) - KEEP_JOBS)]:
                del self._local[old.id]
        thread = threading.Thread(target=self._run, args=(job, context, catalogue),
                                  name=f"solver-{job.id}", daemon=True)
        thread.start()
        return job

    def _resolve(self) -> None:
        """Find the jobs file in the current app's data directory (first use in a request)."""
        if self.path is None and has_app_context():
            from web import services

            self.path = services().settings.data_dir / JOBS_FILE

    def __len__(self) -> int:
        self._resolve()
        if self.path is None:
            return len(self._local)
        with self._db() as db:
            return int(db.execute("SELECT count(*) FROM jobs").fetchone()[0])

    def get(self, job_id: str, roster_id: str) -> Job | None:
        """The job (live if this process runs it, else as last written), or None."""
        self._resolve()
        with self._lock:
            job = self._local.get(job_id)
        if job is None and self.path is not None:
            with self._db() as db:
                self._reap(db)
                row = db.execute("SELECT data FROM jobs WHERE id = ?", (job_id,)).fetchone()
            job = self._load(row[0]) if row else None
        return job if job is not None and job.roster_id == roster_id else None

    def wait(self, job: Job, timeout_s: float) -> None:
        """Wait for a job to finish (tests and the JSON API's ``wait``); a job of
        another process is refreshed in place from the jobs file."""
        deadline = time.monotonic() + timeout_s
        while job.running and time.monotonic() < deadline:
            time.sleep(0.05)
            if job.id not in self._local:
                fresh = self.get(job.id, job.roster_id)
                if fresh is not None:
                    job.__dict__.update(fresh.__dict__)

    def _run(self, job: Job, context: RosterContext, catalogue: Catalogue) -> None:
        try:
            result = propose(problem_for(context, catalogue, job.time_limit_s))
            if isinstance(result, RosterProposal):
                job.shifts = proposal_shifts(context, result)
                job.changes = difference(context, job.shifts)
            job.result = result
        except Exception:  # the page must say so instead of spinning forever
            log.exception("solver job %s for roster %s failed", job.id, job.roster_id)
            job.failed = True
        finally:
            job.finished = time.time()
            try:
                with self._lock, self._db() as db:
                    self._write(db, job)
            except (sqlite3.Error, pickle.PicklingError):
                log.exception("solver job %s could not be written", job.id)

    # -- the jobs file ----------------------------------------------------------------------

    def _db(self) -> closing[sqlite3.Connection]:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, roster_id TEXT, "
                   "running INTEGER, pid INTEGER, started REAL, data BLOB)")
        return closing(db)

    @staticmethod
    def _write(db: sqlite3.Connection, job: Job) -> None:
        db.execute("INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?, ?)",
                   (job.id, job.roster_id, int(job.running), os.getpid(), job.started,
                    pickle.dumps(job)))

    @staticmethod
    def _load(data: bytes) -> Job:
        job: Job = pickle.loads(data)  # noqa: S301 - our own file in the data directory
        return job

    @staticmethod
    def _reap(db: sqlite3.Connection) -> None:
        """Mark running jobs of dead processes (or far past their time limit) failed."""
        for (data,) in db.execute("SELECT data FROM jobs WHERE running = 1").fetchall():
            job = Jobs._load(data)
            pid = db.execute("SELECT pid FROM jobs WHERE id = ?", (job.id,)).fetchone()[0]
            if _alive(pid) and time.time() - job.started < job.time_limit_s + GRACE_S:
                continue
            log.warning("solver job %s was lost with its process; marked failed", job.id)
            job.failed, job.finished = True, time.time()
            Jobs._write(db, job)

    @staticmethod
    def _forget_old(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM jobs WHERE running = 0 AND id NOT IN (SELECT id FROM jobs "
                   "WHERE running = 0 ORDER BY started DESC LIMIT ?)", (KEEP_JOBS,))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
