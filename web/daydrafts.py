"""Kørelister drafts in the data directory: every web process can show and accept them.

A draft (``web.runlists.Draft``) is a route proposal or a puslemøde
replanning waiting for "Godkend". Drafts live in the data directory's jobs
file (``jobs.sqlite``, beside the roster planner's jobs of ``web.solving``), so
with several web processes (``pusleplan serve --workers 2``) a draft made by
one process is shown and accepted through any other. A proposal is made in a
background thread while the page shows progress: the process that runs the
route planner writes the draft when it starts and when it ends, the others
read it; a proposal whose process died is reported as failed. Drafts expire
after ``EXPIRE_S`` and only the newest ``KEEP_DRAFTS`` are kept.

With an encryption key (``PUSLEPLAN_ENCRYPTION_KEY``) the stored drafts are
encrypted like the event store: they hold case codes, names and addresses'
coordinates. The travel-time provider is not stored; a loaded draft gets the
configured one.
"""

from __future__ import annotations

import copy
import logging
import os
import pickle
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment
from flask import has_app_context

from domain.errors import NotFound
from web.dayproblem import travel_times
from web.runlists import Draft
from web.solving import GRACE_S, JOBS_FILE, _alive

log = logging.getLogger(__name__)

KEEP_DRAFTS = 30
EXPIRE_S = 12 * 3600.0  # a morning's proposal is still there at the afternoon's puslemøde
GONE = "Forslaget findes ikke længere – bed om et nyt."


class DraftStore:
    """The drafts of every web process on this data directory, by id.

    ``path`` is the jobs file; without it, the file in the current app's data
    directory is used (resolved at first use in a request).
    """

    def __init__(self, path: Path | None = None, encryption_key: str | None = None) -> None:
        self.path = path
        self._key = encryption_key
        self._resolved = path is not None
        self._local: dict[str, Draft] = {}  # proposals this process is working on
        self._lock = threading.Lock()

    # -- the API the pages use ----------------------------------------------------------------

    def add(self, draft: Draft) -> Draft:
        """Keep a finished draft (a replanning) for every process."""
        self._resolve()
        draft.finished = draft.finished or time.time()
        with self._lock, self._db() as db:
            self._write(db, draft)
            self._expire(db)
        return draft

    def start(self, draft: Draft, work: Callable[[], dict[str, Any]]) -> Draft:
        """Run ``work`` (the route planner or a replanning) in the background for a
        running draft, or return the same work already running for the team's day (a
        proposal; a replanning for the same person from the same time).

        ``work`` returns the draft's fields to set when it is done (``proposal``, or
        ``result`` with its proposal, ...).
        """
        self._resolve()
        with self._lock, self._db() as db:
            db.execute("BEGIN IMMEDIATE")  # one process at a time decides
            self._reap(db)
            for (data,) in db.execute(
                    "SELECT data FROM drafts WHERE running = 1 AND team_id = ? AND day = ? "
                    "AND kind = ?", (draft.team_id, draft.day.isoformat(), draft.kind)):
                running = self._load(data)
                if (running.sick_id, running.sick_from) == (draft.sick_id, draft.sick_from):
                    db.execute("COMMIT")
                    return copy.copy(self._local.get(running.id, running))
            draft.finished = None
            self._write(db, draft)
            self._expire(db)
            db.execute("COMMIT")
            self._local[draft.id] = draft
            answer = copy.copy(draft)
        threading.Thread(target=self._run, args=(draft, work), name=f"routes-{draft.id}",
                         daemon=True).start()
        return answer

    def get(self, draft_id: str | None, team_id: str, day: date, kind: str) -> Draft:
        """:raise NotFound: unless a draft of this kind exists for the team's day."""
        self._resolve()
        with self._lock:
            draft = copy.copy(self._local.get(draft_id or ""))
        if draft is None and draft_id:
            with self._lock, self._db() as db:
                self._reap(db)
                row = db.execute("SELECT data FROM drafts WHERE id = ? AND made_at > ?",
                                 (draft_id, time.time() - EXPIRE_S)).fetchone()
            draft = self._load(row[0]) if row else None
        if draft is None or (draft.team_id, draft.day, draft.kind) != (team_id, day, kind):
            raise NotFound(GONE, f"no {kind} draft {draft_id!r} for this team and day")
        return draft

    def wait(self, draft: Draft, timeout_s: float) -> Draft:
        """The draft once its planner is done (or as it is after ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while draft.running and time.monotonic() < deadline:
            time.sleep(0.05)
            draft = self.get(draft.id, draft.team_id, draft.day, draft.kind)
        return draft

    def forget(self, draft_id: str) -> None:
        self._resolve()
        with self._lock, self._db() as db:
            self._local.pop(draft_id, None)
            db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    def __len__(self) -> int:
        self._resolve()
        with self._db() as db:
            return int(db.execute("SELECT count(*) FROM drafts").fetchone()[0])

    # -- the background work ----------------------------------------------------------------

    def _run(self, draft: Draft, work: Callable[[], dict[str, Any]]) -> None:
        done: dict[str, Any] = {}
        try:
            done = work()
        except Exception:  # the page must say so instead of spinning forever
            log.exception("route %s %s failed", draft.kind, draft.id)
            done = {"failed": True}
        if "result" in done:
            done["proposal"] = done["result"].proposal
        with self._lock:  # readers copy under the lock: they see all of it or none
            for name, value in done.items():
                setattr(draft, name, value)
            draft.finished = time.time()
            try:
                with self._db() as db:
                    self._write(db, draft)
            except (sqlite3.Error, pickle.PicklingError):
                log.exception("route %s %s could not be written", draft.kind, draft.id)
            self._local.pop(draft.id, None)

    # -- the jobs file ----------------------------------------------------------------------

    def _resolve(self) -> None:
        if not self._resolved and has_app_context():
            from web import services

            settings = services().settings
            self.path = settings.data_dir / JOBS_FILE
            self._key = settings.encryption_key
            self._resolved = True
        if self.path is None:
            raise RuntimeError("DraftStore used outside an app without a path")

    def _db(self) -> closing[sqlite3.Connection]:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("CREATE TABLE IF NOT EXISTS drafts (id TEXT PRIMARY KEY, team_id TEXT, "
                   "day TEXT, kind TEXT, running INTEGER, pid INTEGER, made_at REAL, "
                   "data BLOB)")
        return closing(db)

    def _write(self, db: sqlite3.Connection, draft: Draft) -> None:
        stored = replace(draft, context=replace(draft.context, travel=None))
        if draft.sister is not None:
            stored.sister = replace(draft.sister, context=replace(draft.sister.context,
                                                                 travel=None))
        data = pickle.dumps(stored)
        if self._key:
            data = self._cipher().encrypt(data)
        db.execute("INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (draft.id, draft.team_id, draft.day.isoformat(), draft.kind,
                    int(draft.running), os.getpid(), draft.made_at, data))

    def _load(self, data: bytes) -> Draft:
        if self._key:
            data = self._cipher().decrypt(data)
        draft: Draft = pickle.loads(data)  # noqa: S301 - our own file in the data directory
        draft.context.travel = travel_times(_settings())
        if draft.sister is not None:
            draft.sister.context.travel = draft.context.travel
        return draft

    def _cipher(self) -> AESCipher:
        return AESCipher(Environment(env={"CIPHER_KEY": self._key or ""}))

    def _reap(self, db: sqlite3.Connection) -> None:
        """Mark running proposals of dead processes (or far past their limit) failed."""
        for pid, data in db.execute(
                "SELECT pid, data FROM drafts WHERE running = 1").fetchall():
            draft = self._load(data)
            if _alive(pid) and time.time() - draft.made_at < draft.time_limit_s + GRACE_S:
                continue
            log.warning("route %s %s was lost with its process; marked failed", draft.kind,
                        draft.id)
            draft.failed, draft.finished = True, time.time()
            self._write(db, draft)

    @staticmethod
    def _expire(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM drafts WHERE running = 0 AND (made_at < ? OR id NOT IN "
                   "(SELECT id FROM drafts WHERE running = 0 ORDER BY made_at DESC LIMIT ?))",
                   (time.time() - EXPIRE_S, KEEP_DRAFTS))


def _settings() -> Any:
    """The current app's settings, or None outside a request (environment defaults)."""
    if has_app_context():
        from web import services

        return services().settings
    return None
