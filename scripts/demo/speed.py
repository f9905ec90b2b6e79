"""Speeding up the build: a private aggregate cache and relaxed commit syncing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from eventsourcing.application import Cache
from eventsourcing.sqlite import SQLiteDatastore

from domain.application import Pusleplan


@contextmanager
def _quick_repository(app: Pusleplan) -> Iterator[None]:
    """Speed up the build: a private aggregate cache without copies, relaxed syncing.

    The demo is the only writer of an empty store, so the aggregates it saved are
    exactly what it loads next: no fast-forward query, no deep copy per command.
    The repository's own cache and settings are restored afterwards (nothing the
    build cached leaks into later use, even if a command failed half-way), and so
    is the store's commit syncing (see ``_sqlite_synchronous``).
    """
    repository = app.repository
    saved = (repository.cache, repository.fastforward, repository.deepcopy_from_cache)
    repository.cache = Cache()
    repository.fastforward = False
    repository.deepcopy_from_cache = False
    _sqlite_synchronous(app, "NORMAL")
    _postgres_synchronous_commit(app, "off")
    try:
        yield
    finally:
        repository.cache, repository.fastforward, repository.deepcopy_from_cache = saved
        _sqlite_synchronous(app, "FULL")
        _postgres_synchronous_commit(app, "DEFAULT")


def _sqlite_synchronous(app: Pusleplan, level: str) -> None:
    """Set SQLite's ``synchronous`` on the store's pooled connections (file stores only).

    The demo writes some 7,000 small transactions; with the WAL journal,
    ``NORMAL`` syncs at checkpoints instead of at every commit, which more than
    halves the build time. The store stays consistent after a crash; at worst the
    last transactions of an interrupted build are lost, and a demo is simply
    built again. ``FULL`` (the default) is restored afterwards.
    """
    datastore = getattr(app.recorder, "datastore", None)
    if not isinstance(datastore, SQLiteDatastore) or datastore.pool.is_sqlite_memory_mode:
        return
    with ExitStack() as stack:
        for _ in range(max(1, datastore.pool.num_in_pool)):
            connection = stack.enter_context(datastore.get_connection(commit=False))
            connection.cursor().execute(f"PRAGMA synchronous={level}")


def _postgres_synchronous_commit(app: Pusleplan, value: str) -> None:
    """Set ``synchronous_commit`` on the PostgreSQL pool's connections (PostgreSQL only).

    The same trade as for SQLite: commits do not wait for the WAL flush, so a
    crash may lose the last transactions of the build but never corrupts the
    store. ``DEFAULT`` restores the server's setting afterwards.
    """
    try:
        from eventsourcing.postgres import PostgresDatastore
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return
    datastore = getattr(app.recorder, "datastore", None)
    if not isinstance(datastore, PostgresDatastore):
        return
    pool = datastore.pool
    count = max(pool.min_size, int(pool.get_stats().get("pool_size", 0)))
    with ExitStack() as stack:
        for _ in range(count):
            connection = stack.enter_context(datastore.get_connection())
            connection.execute(f"SET synchronous_commit TO {value}")


def _event_count(app: Pusleplan) -> int:
    return app.recorder.max_notification_id() or 0
