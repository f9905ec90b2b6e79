"""Solver jobs: "Foreslå plan" runs in a background thread while the page shows progress.

A job works on a snapshot of the roster (loaded in the request), never touches
the event store, and keeps its answer in memory until accepted or forgotten.
Jobs live in one process (the embedded default); with several web processes,
run the planner behind one of them. At most ``MAX_RUNNING`` solves run at once
(the solver uses two threads each) and one per roster.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from secrets import token_urlsafe
from typing import Any

from domain.errors import Conflict
from planning.roster_solver import RosterInfeasible, RosterProposal, propose
from planning.rules import Catalogue
from web.proposals import Change, difference, problem_for, proposal_shifts
from web.rosterplan import RosterContext

log = logging.getLogger(__name__)

MAX_RUNNING = 2
KEEP_JOBS = 20
BUSY = "Planlæggeren regner allerede på to forslag – prøv igen om lidt."


@dataclass
class Job:
    """One run of the roster planner for one roster (at the version it was asked at)."""

    id: str
    roster_id: str
    version: int
    time_limit_s: float
    requested_by: str
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: RosterProposal | RosterInfeasible | None = None
    shifts: list[dict[str, Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    failed: bool = False

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def elapsed_s(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def progress(self) -> float:
        """0–1: the share of the time limit used (the solver stops at the limit)."""
        if not self.running:
            return 1.0
        return min(self.elapsed_s / max(self.time_limit_s, 0.1), 0.99)

    @property
    def feasible(self) -> bool:
        return isinstance(self.result, RosterProposal)


class Jobs:
    """The process's solver jobs, by id."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, context: RosterContext, catalogue: Catalogue, time_limit_s: float,
              requested_by: str) -> Job:
        """Start solving ``context``'s roster, or return the job already running for it.

        :raise Conflict: when ``MAX_RUNNING`` solves are already running.
        """
        with self._lock:
            for job in self._jobs.values():
                if job.running and job.roster_id == context.roster["id"]:
                    return job
            if sum(job.running for job in self._jobs.values()) >= MAX_RUNNING:
                raise Conflict(BUSY, "too many solver jobs running")
            job = Job(token_urlsafe(8), context.roster["id"], context.roster["version"],
                      time_limit_s, requested_by)
            self._jobs[job.id] = job
            self._forget_old()
        thread = threading.Thread(target=self._run, args=(job, context, catalogue),
                                  name=f"solver-{job.id}", daemon=True)
        thread.start()
        return job

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def get(self, job_id: str, roster_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.roster_id == roster_id else None

    def wait(self, job: Job, timeout_s: float) -> None:
        """Wait for a job to finish (tests and the JSON API's ``wait``)."""
        deadline = time.monotonic() + timeout_s
        while job.running and time.monotonic() < deadline:
            time.sleep(0.05)

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
            job.finished = time.monotonic()

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if not j.running]
        for job in sorted(done, key=lambda j: j.started)[:max(0, len(self._jobs) - KEEP_JOBS)]:
            del self._jobs[job.id]
