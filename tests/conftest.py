"""Shared fixtures: every store-backed test runs on SQLite, and on PostgreSQL when
``PUSLEPLAN_TEST_POSTGRES_URL`` is set (there a missing server is a failure).

Each PostgreSQL test gets its own schema, dropped afterwards, so tests are
isolated and can run in parallel.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from domain.application import Pusleplan
from domain.settings import Settings
from domain.values import Actor, Role

POSTGRES_URL = os.environ.get("PUSLEPLAN_TEST_POSTGRES_URL") or None

STORES = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    """Create the PostgreSQL test database if it is missing (a missing server fails)."""
    if not POSTGRES_URL:
        return
    parsed = urlparse(POSTGRES_URL)
    name = parsed.path.strip("/")
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
            except psycopg.errors.DuplicateDatabase:  # created by a parallel worker
                pass


@dataclass
class Store:
    """One test's event store: settings plus the extra env that isolates it."""

    kind: str
    settings: Settings
    extra_env: dict[str, str]

    def app(self, **env: str) -> Pusleplan:
        """A new application instance on this store (call twice for two 'processes')."""
        return Pusleplan.from_settings(self.settings, **self.extra_env, **env)

    def raw_bytes(self) -> bytes:
        """Every byte the store holds, for checking encryption at rest."""
        if self.kind == "sqlite":
            data = b""
            for suffix in ("", "-wal"):
                path = Path(str(self.settings.sqlite_path) + suffix)
                if path.exists():
                    data += path.read_bytes()
            return data
        assert self.settings.database_url
        schema = self.extra_env["POSTGRES_SCHEMA"]
        with psycopg.connect(self.settings.database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            ).fetchall()
            data = b""
            for (table,) in rows:
                for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                    data += b"|".join(
                        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                        for v in row
                    )
            return data


def _postgres_store(tmp_path: Path, encryption_key: str | None) -> Iterator[Store]:
    assert POSTGRES_URL, "PUSLEPLAN_TEST_POSTGRES_URL is not set"
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    settings = Settings.from_env(data_dir=tmp_path, database_url=POSTGRES_URL,
                                 encryption_key=encryption_key)
    try:
        yield Store("postgres", settings, {"POSTGRES_SCHEMA": schema})
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _store(kind: str, tmp_path: Path, encryption_key: str | None = None) -> Iterator[Store]:
    if kind == "postgres":
        yield from _postgres_store(tmp_path, encryption_key)
    else:
        settings = Settings(data_dir=tmp_path / "data", encryption_key=encryption_key)
        settings.validate()
        yield Store("sqlite", settings, {})


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty event store, once per backend."""
    yield from _store(request.param, tmp_path)


@pytest.fixture
def store_factory(tmp_path: Path, request: pytest.FixtureRequest):
    """Build a store of a given kind with options (e.g. an encryption key)."""
    generators: list[Iterator[Store]] = []

    def make(kind: str, encryption_key: str | None = None) -> Store:
        gen = _store(kind, tmp_path / f"{kind}-{len(generators)}", encryption_key)
        generators.append(gen)
        return next(gen)

    yield make
    for gen in generators:
        for _ in gen:
            pass


@pytest.fixture
def app(store: Store) -> Pusleplan:
    """The application on an empty store, once per backend."""
    application = store.app()
    yield application
    application.close()


@pytest.fixture
def memory_app() -> Pusleplan:
    """A fast in-memory application for pure domain-rule tests."""
    application = Pusleplan(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield application
    application.close()


LEADER = Actor("leder", Role.LEADER)
PLANNER = Actor("planlaegger", Role.PLANNER)
MONDAY = date(2026, 11, 23)
