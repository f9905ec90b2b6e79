"""The event stores: round-trips, no lost writes, encryption at rest, snapshots.

Every test here runs on SQLite, and on PostgreSQL when PUSLEPLAN_TEST_POSTGRES_URL
is set (as in CI).
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from domain.application import Pusleplan
from domain.errors import Conflict
from domain.rosters import Roster
from domain.settings import Settings, SettingsError, new_encryption_key
from tests.conftest import STORES
from tests.factories import LEADER, MONDAY, MORNING, at, team_scenario


def test_aggregates_round_trip_through_the_store_into_a_new_application(store):
    # Write with one application instance, read with another (another process).
    writer = store.app()
    s = team_scenario(writer)
    writer.change_visitation(LEADER, s.citizen, date(2025, 1, 1), "services", [MORNING])
    writer.take_shift(LEADER, s.roster, "s1", s.members[0], MONDAY, "dag", at(MONDAY, 7),
                      at(MONDAY, 15))
    writer.bid_shift(LEADER, s.roster, "b1", s.members[1], "day_off", MONDAY, weight=3)
    writer.close()

    reader = store.app()
    roster = reader.roster(s.roster)
    assert roster["period_start"] == MONDAY
    assert roster["shifts"]["s1"]["start"] == at(MONDAY, 7)
    assert roster["bids"]["b1"]["weight"] == 3
    citizen = reader.repository.get(s.citizen)
    assert citizen.visitation["services"][0]["window_start"] == "07:00"
    assert citizen.visitation["effective"] == date(2025, 1, 1)
    assert reader.team(s.team)["members"] == [str(m) for m in s.members]
    reader.close()


def test_two_writers_changing_the_same_roster_at_once_one_wins_one_gets_a_conflict(store):
    # Two application instances (as two web workers would be) both load the
    # roster at the same version, then both try to save their change at once.
    setup = store.app()
    s = team_scenario(setup)
    setup.close()
    writers = [store.app(), store.app()]
    barrier = threading.Barrier(2, timeout=20)
    for writer in writers:
        original_load = writer.load

        def load_then_wait(cls, aggregate_id, what, _load=original_load):
            aggregate = _load(cls, aggregate_id, what)
            if cls is Roster:
                barrier.wait()  # both have now loaded the same version
            return aggregate

        writer.load = load_then_wait  # type: ignore[method-assign]

    outcomes: list[object] = [None, None]

    def puzzle(index: int) -> None:
        day = MONDAY + timedelta(days=index)
        try:
            writers[index].take_shift(LEADER, s.roster, f"s{index}", s.members[index], day,
                                      "dag", at(day, 7), at(day, 15))
            outcomes[index] = "ok"
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert
            outcomes[index] = error

    threads = [threading.Thread(target=puzzle, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(map(type, outcomes), key=str) == sorted([str, Conflict], key=str), outcomes
    conflict = next(o for o in outcomes if isinstance(o, Conflict))
    assert "genindlæs" in conflict.message
    assert "reload" in conflict.detail
    reader = store.app()
    shifts = reader.roster(s.roster)["shifts"]
    assert len(shifts) == 1  # the winner's change, and nothing of the loser's
    for writer in writers:
        writer.close()
    reader.close()


@pytest.mark.parametrize("kind", STORES)
def test_with_a_key_a_citizens_name_cannot_be_found_in_the_raw_database(store_factory, kind):
    name = "Gudrun Xylofonia Bøgh-Kristiansen"
    plain = store_factory(kind)
    encrypted = store_factory(kind, encryption_key=new_encryption_key())
    for store in (plain, encrypted):
        application = store.app()
        s = team_scenario(application)
        application.register_citizen(LEADER, code="B-42", name=name, address="Hemmelig Vej 7",
                                     lat=55.86, lon=9.86, team_id=s.team,
                                     registered_on=date(2025, 1, 1))
        application.close()
    # Without a key the name is in the raw bytes (the test can see it) ...
    assert name.encode() in plain.raw_bytes()
    # ... with a key it is not, and neither is the address, yet the app reads it.
    raw = encrypted.raw_bytes()
    assert name.encode() not in raw
    assert b"Hemmelig Vej" not in raw
    reader = encrypted.app()
    from domain.citizens import citizen_id

    assert reader.repository.get(citizen_id("B-42")).name == name
    reader.close()


def test_a_long_lived_roster_is_snapshotted_and_loads_the_same(store):
    application = store.app()
    s = team_scenario(application)
    a, b = s.members[0], s.members[1]
    application.take_shift(LEADER, s.roster, "s1", a, MONDAY, "dag", at(MONDAY, 7),
                           at(MONDAY, 15))
    for _ in range(60):  # members swap the shift back and forth
        application.swap_shifts(LEADER, s.roster, "s1", b)
        a, b = b, a
    assert application.snapshots is not None
    snapshots = list(application.snapshots.get(s.roster))
    assert snapshots, "a roster with many puzzles should have a snapshot"
    assert snapshots[-1].originator_version >= 50
    fresh = store.app()
    assert fresh.roster(s.roster) == application.roster(s.roster)
    assert fresh.roster(s.roster)["shifts"]["s1"]["employee_id"] == str(a)
    fresh.close()
    application.close()


def test_the_sqlite_store_lives_in_the_data_directory(tmp_path):
    settings = Settings.from_env(data_dir=tmp_path / "pp")
    application = Pusleplan.from_settings(settings)
    team_scenario(application)
    application.close()
    assert (tmp_path / "pp" / "pusleplan.sqlite").stat().st_size > 0


def test_the_data_directory_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PUSLEPLAN_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.delenv("PUSLEPLAN_DATABASE_URL", raising=False)
    assert Settings.from_env().sqlite_path == tmp_path / "from-env" / "pusleplan.sqlite"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"database_url": "mysql://x/y"}, "postgresql://"),
        ({"database_url": "postgresql://localhost"}, "database"),
        ({"encryption_key": "not base64!"}, "base64"),
        ({"encryption_key": "c2hvcnQ="}, "16, 24 or 32 bytes"),
    ],
)
def test_bad_settings_are_refused_with_a_message_naming_the_setting(tmp_path, kwargs, words):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(data_dir=tmp_path, **kwargs)
    assert words in str(caught.value)
    assert "PUSLEPLAN_" in str(caught.value)
