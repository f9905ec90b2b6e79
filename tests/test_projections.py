"""The team directory read model: counts, idempotent catch-up, crash safety (both stores)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.application import Pusleplan
from domain.values import Profession, ShiftLayer
from projections.runner import catch_up, make_view
from projections.teams import (
    PostgresTeamDirectoryView,
    SQLiteTeamDirectoryView,
    TeamDirectory,
    TeamDirectoryView,
    TeamRow,
)
from tests.conftest import Store
from tests.factories import LEADER, team_scenario


class SimulatedCrash(Exception):
    """The process 'dies' in the middle of a view update."""


class CrashOnUpdate:
    """Mixin: raise inside the Nth update's transaction, after the view rows are
    written and before the tracking record is: the worst moment to die."""

    crash_on: int | None = None
    updates = 0

    def _insert_tracking(self, c: Any, tracking: Tracking) -> None:
        if self.crash_on is not None:
            self.updates += 1
            if self.updates == self.crash_on:
                raise SimulatedCrash(f"crash at notification {tracking.notification_id}")
        super()._insert_tracking(c, tracking)  # type: ignore[misc]


class StaleOnce:
    """Mixin: the first position read is stale (another runner moved on meanwhile)."""

    stale = False

    def max_tracking_id(self, application_name: str) -> int | None:
        if self.stale:
            self.stale = False
            return None
        return super().max_tracking_id(application_name)  # type: ignore[misc]


def view_class(store: Store, mixin: type) -> type[TeamDirectoryView]:
    base = SQLiteTeamDirectoryView if store.kind == "sqlite" else PostgresTeamDirectoryView
    return type(f"{mixin.__name__}{base.__name__}", (mixin, base), {})


@pytest.fixture
def views(store: Store) -> Iterator[Any]:
    """Open views on the store's view storage; all closed after the test."""
    opened: list[TeamDirectoryView] = []

    def open_view(**kwargs: Any) -> TeamDirectory:
        view = make_view(store.settings, store.extra_env, **kwargs)
        assert isinstance(view, TeamDirectoryView)
        opened.append(view)
        return TeamDirectory(view)

    yield open_view
    for view in opened:
        view.close()


def build_area(app: Pusleplan) -> dict[str, Any]:
    """Two teams in Øst: routes, a sister team, a member leaving, a citizen discharged."""
    t1 = team_scenario(app, "T1", members=3)
    t2 = team_scenario(app, "T2", members=2)
    app.define_route(LEADER, t1.team, "R1", "Morgen nord", ShiftLayer.DAG, Profession.SSH)
    app.define_route(LEADER, t1.team, "R2", "Morgen syd", ShiftLayer.DAG, Profession.SSA)
    app.link_sister_team(LEADER, t1.team, t2.team)
    app.leave_team(LEADER, t2.team, t2.members[0], "flyttet")
    second = app.register_citizen(LEADER, code="T1-B2", name="Ole Hansen",
                                  address="Havnegade 2", lat=55.86, lon=9.85,
                                  team_id=t1.team, registered_on=date(2025, 2, 1))
    app.discharge_citizen(LEADER, second, date(2025, 6, 1), "flyttet på plejehjem")
    return {"t1": t1, "t2": t2}


def relevant_ids(app: Pusleplan) -> list[int]:
    notifications = app.recorder.select_notifications(
        start=1, limit=10_000, topics=TeamDirectory.topics
    )
    return [n.id for n in notifications]


def test_the_directory_lists_each_team_with_its_counts(app: Pusleplan, views: Any) -> None:
    area = build_area(app)
    directory = views()

    catch_up(app, directory)

    t1, t2 = directory.view.teams()
    assert t1 == TeamRow(
        id=str(area["t1"].team), code="T1", name="Team T1", area="Øst", members=3, routes=2,
        citizens=1, sister_team_id=str(area["t2"].team), sister_team_code="T2",
        sister_team_name="Team T2",
    )
    assert (t2.code, t2.members, t2.routes, t2.citizens) == ("T2", 1, 0, 1)
    assert t2.sister_team_code is None


def test_catching_up_twice_counts_nothing_twice(app: Pusleplan, views: Any) -> None:
    build_area(app)
    directory = views()

    first = catch_up(app, directory, batch_size=3)
    before = directory.view.teams()
    second = catch_up(app, directory)

    assert first == len(relevant_ids(app))
    assert second == 0
    assert directory.view.teams() == before
    assert directory.view.max_tracking_id(app.name) == relevant_ids(app)[-1]


def test_catching_up_after_new_events_adds_only_those(app: Pusleplan, views: Any) -> None:
    area = build_area(app)
    directory = views()
    catch_up(app, directory)

    newcomer = app.hire_employee(LEADER, number="N1", name="Ny", profession=Profession.SSH,
                                 weekly_hours=30, hired_on=date(2026, 1, 1))
    app.join_team(LEADER, area["t2"].team, newcomer)

    assert catch_up(app, directory) == 1
    assert [t.members for t in directory.view.teams()] == [3, 2]


def test_an_event_already_tracked_is_refused_and_not_counted_again(
    app: Pusleplan, views: Any
) -> None:
    build_area(app)
    directory = views()
    catch_up(app, directory)
    before = directory.view.teams()

    # Replay a MemberJoined event that the view has already counted.
    joined = next(n for n in app.recorder.select_notifications(start=1, limit=100)
                  if n.topic.endswith("Team.MemberJoined"))
    with pytest.raises(IntegrityError):
        directory.process_event(app.mapper.to_domain_event(joined),
                                Tracking(app.name, joined.id))

    assert directory.view.teams() == before


@pytest.mark.parametrize("crash_on", [1, 4, 12])
def test_a_crash_midway_neither_loses_nor_double_counts_an_event(
    app: Pusleplan, store: Store, views: Any, crash_on: int
) -> None:
    build_area(app)
    ids = relevant_ids(app)

    # The runner dies inside the transaction of its crash_on-th update...
    crashing = views(view_class=view_class(store, CrashOnUpdate))
    crashing.view.crash_on = crash_on
    with pytest.raises(SimulatedCrash):
        catch_up(app, crashing, batch_size=5)

    # ...so that update is rolled back with its tracking record.
    restarted = views()
    expected_position = ids[crash_on - 2] if crash_on > 1 else None
    assert restarted.view.max_tracking_id(app.name) == expected_position
    if crash_on == 1:
        assert restarted.view.teams() == []

    # After a restart it equals a clean rebuild into a fresh view.
    catch_up(app, restarted)
    rebuilt = views(name="TeamDirectoryRebuild")
    catch_up(app, rebuilt)
    assert rebuilt.view.teams() == restarted.view.teams()
    assert restarted.view.max_tracking_id(app.name) == ids[-1]
    assert [t.members for t in restarted.view.teams()] == [3, 1]


def test_a_runner_that_lost_a_race_continues_after_the_winner(
    app: Pusleplan, store: Store, views: Any
) -> None:
    area = build_area(app)
    winner = views()
    catch_up(app, winner)
    app.define_route(LEADER, area["t2"].team, "R9", "Aften", ShiftLayer.AFTEN, Profession.SSH)

    # The loser read its position before the winner caught up, so it starts over.
    loser = views(view_class=view_class(store, StaleOnce))
    loser.view.stale = True
    assert catch_up(app, loser) == 1

    assert [t.routes for t in winner.view.teams()] == [2, 1]
