"""A rebuild in two processes equals a rebuild in one (both stores), also as of a date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.application import Pusleplan
from projections import parallel
from projections.catalogue import READ_MODELS, open_read_models, reset
from projections.rowstores import SQLiteRowView
from projections.runner import catch_up_all
from scripts.demo import build_demo
from tests.conftest import Store
from tests.factories import team_scenario


def index_names(view: Any) -> set[str]:
    """The view's secondary indexes, as the store lists them."""
    if isinstance(view, SQLiteRowView):
        rows = view.select("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {r["name"] for r in rows if "__ix" in r["name"]}
    rows = view.select("SELECT indexname AS name FROM pg_indexes WHERE schemaname = ?",
                       (view.datastore.schema,))
    return {r["name"] for r in rows
            if r["name"].startswith(f"{view.prefix}_") and "__ix" in r["name"]}


def test_the_read_models_are_split_into_two_nonempty_groups() -> None:
    first, second = parallel.split([cls.name for cls in READ_MODELS])
    assert first and second
    assert sorted(first + second) == sorted(cls.name for cls in READ_MODELS)
    assert parallel.split(["AuditTrail"]) == (["AuditTrail"], [])


@pytest.mark.parametrize("as_of", [None, date(2026, 3, 3)])
def test_a_rebuild_in_two_processes_equals_one_in_one_process(
    app: Pusleplan, store: Store, as_of: date | None
) -> None:
    build_demo(app, seed=4, today=date(2026, 3, 4), teams=2, citizens=12, history_weeks=1)
    last = app.recorder.max_notification_id()
    with open_read_models(store.settings, store.extra_env, as_of=as_of,
                          suffix="One") as one:
        catch_up_all(app, list(one), batch_size=70, as_of=as_of)
        expected = {name: p.view.digest() for name, p in one.projections.items()}

    seen: list[tuple[int, int]] = []
    with open_read_models(store.settings, store.extra_env, as_of=as_of,
                          suffix="Two") as two:
        reset(two)
        read = parallel.rebuild(app, two, store.settings, store.extra_env, as_of=as_of,
                                suffix="Two", batch_size=70, transaction_size=300,
                                progress=lambda p, end: seen.append((p, end)))
        assert read == last
        assert seen[-1] == (last, last)
        for name, projection in two.projections.items():
            assert projection.view.max_tracking_id(app.name) == last, name
        assert {name: p.view.digest() for name, p in two.projections.items()} == expected


def test_a_rebuild_builds_the_indexes_at_the_end_and_an_interrupted_one_gets_them_back(
    app: Pusleplan, store: Store
) -> None:
    team_scenario(app, "I1", members=2)
    with open_read_models(store.settings, store.extra_env, suffix="Ix") as models:
        trail = models.view("AuditTrail")
        assert len(index_names(trail)) == 2
        reset(models, defer_indexes=True)
        assert index_names(trail) == set()
        parallel.rebuild(app, models, store.settings, store.extra_env, suffix="Ix",
                         processes=1)
        assert len(index_names(trail)) == 2
        assert trail.entries(limit=1000)
        assert trail.entries(actor_id="nobody") == []
        reset(models, defer_indexes=True)  # a rebuild that never got to the end
    with open_read_models(store.settings, store.extra_env, suffix="Ix") as reopened:
        assert len(index_names(reopened.view("AuditTrail"))) == 2


def test_the_second_process_is_started_only_when_a_core_is_idle(monkeypatch, tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  1000 0 1000 8000 0 0 0 0 0 0\ncpu0 1 2 3 4\n")

    def a_while_later(seconds: float) -> None:  # 2,000 of 10,000 jiffies idle meanwhile
        stat.write_text("cpu  5000 0 5000 9500 500 0 0 0 0 0\ncpu0 1 2 3 4\n")

    monkeypatch.setattr(parallel.time, "sleep", a_while_later)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    assert parallel.idle_cores(0.3, stat) == pytest.approx(2 * 2000 / 10000)
    assert parallel.idle_cores(0.3, tmp_path / "missing") is None
    for idle, processes in ((0.4, 1), (0.9, 2), (None, 2)):
        monkeypatch.setattr(parallel, "idle_cores", lambda seconds, idle=idle: idle)
        monkeypatch.setattr(parallel.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
        assert parallel.processes_that_help() == processes
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (1.6, 1.0, 1.0))
    assert parallel.processes_that_help() == 1  # unknown idle time: the load average says busy
