"""The row views every read model stores in: batches, positions, races, schema changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.application import Pusleplan
from projections import rows
from projections.catalogue import open_read_models
from projections.rows import Table
from projections.rulechecks import (
    PostgresRuleChecksView,
    RuleChecks,
    RuleChecksView,
    SQLiteRuleChecksView,
)
from projections.runner import catch_up_all, make_view
from scripts.demo import build_demo
from tests.conftest import Store

APP = "Pusleplan"


class Crash(Exception):
    """The process dies while committing."""


class CrashOnTracking:
    """Mixin: die inside the transaction, after the rows, before the tracking record."""

    def _insert_tracking(self, cursor: Any, tracking: Tracking) -> None:
        if tracking.application_name == APP:
            raise Crash(f"at {tracking.notification_id}")
        super()._insert_tracking(cursor, tracking)  # type: ignore[misc]


@pytest.fixture
def open_view(store: Store) -> Iterator[Any]:
    opened: list[RuleChecksView] = []

    def make(mixin: type | None = None, name: str = "RuleChecks", **attrs: Any
             ) -> RuleChecksView:
        base = SQLiteRuleChecksView if store.kind == "sqlite" else PostgresRuleChecksView
        view_class = type("TestView", (mixin, base) if mixin else (base,), attrs)
        view = make_view(store.settings, store.extra_env, projection_class=RuleChecks,
                         name=name, view_class=view_class)
        assert isinstance(view, RuleChecksView)
        opened.append(view)
        return view

    yield make
    for view in opened:
        view.close()


def opened(view: RuleChecksView, position: int, roster: str) -> None:
    view.roster(Tracking(APP, position), roster, team_id="T1", period_start="2026-01-05")


def test_a_batch_commits_its_rows_together_with_its_position_or_not_at_all(
    open_view: Any,
) -> None:
    view = open_view(CrashOnTracking)
    with pytest.raises(Crash), view.batching(10):
        for n in range(1, 6):
            opened(view, n, f"R{n}")

    fresh = open_view()
    assert fresh.max_tracking_id(APP) is None
    assert fresh.row_count("rosters") == 0


def test_a_batch_is_refused_when_another_runner_moved_the_view_meanwhile(
    open_view: Any,
) -> None:
    slow, quick = open_view(), open_view()
    assert slow.max_tracking_id(APP) is None and quick.max_tracking_id(APP) is None

    with pytest.raises(IntegrityError), slow.batching(10):
        for n in range(1, 6):
            opened(slow, n, f"R{n}")
            if n == 3:  # meanwhile another runner commits events 1 and 2
                opened(quick, 1, "R1")
                opened(quick, 2, "R2")

    # The refused batch left nothing behind: only the other runner's events count.
    assert slow.max_tracking_id(APP) == 2
    assert slow.row_count("rosters") == 2


def test_a_view_made_for_other_table_definitions_starts_again_from_the_beginning(
    open_view: Any,
) -> None:
    old = open_view()
    opened(old, 7, "R1")
    old.close()

    changed_tables = (*RuleChecksView.tables, Table("extra", ("id",), text=("note",)))
    new = open_view(tables=changed_tables)

    assert new.max_tracking_id(APP) is None
    assert new.row_count("rosters") == 0
    opened(new, 1, "R1")
    assert new.row_count("rosters") == 1


def test_a_rebuild_that_outgrows_its_row_cache_equals_one_that_kept_every_row(
    app: Pusleplan, store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_demo(app, seed=3, today=date(2026, 3, 4), teams=1, citizens=12, history_weeks=1)
    with open_read_models(store.settings, store.extra_env) as roomy:
        catch_up_all(app, list(roomy), batch_size=50)
        expected = {name: p.view.digest() for name, p in roomy.projections.items()}

    # A cache of 4 rows per table: the oldest rows are dropped while rebuilding, and
    # reading one back (a delivery looking up its planned visit) goes to the database.
    monkeypatch.setattr(rows, "CACHE_ROWS", 4)
    with open_read_models(store.settings, store.extra_env, suffix="Tight") as tight:
        catch_up_all(app, list(tight), batch_size=50)
        assert tight.view("TeamOverview")._rs.evicted["visits"]
        assert {name: p.view.digest() for name, p in tight.projections.items()} == expected
