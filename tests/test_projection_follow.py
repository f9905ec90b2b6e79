"""Following the live log (``pusleplan projections run``): a puzzled shift shows up in
the roster grid without anyone asking for a catch-up (PostgreSQL: ProjectionRunner
with LISTEN/NOTIFY; SQLite: polling the notification log)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from domain.application import Pusleplan
from domain.values import Actor, Role
from projections.catalogue import open_read_models
from projections.runner import follow
from tests.conftest import Store
from tests.factories import MONDAY, at, team_scenario


def eventually(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def test_a_puzzled_shift_appears_in_the_followed_roster_grid(
    app: Pusleplan, store: Store
) -> None:
    scenario = team_scenario(app, "F1", members=2)
    member = scenario.members[0]
    stop = threading.Event()
    errors: list[BaseException] = []
    with open_read_models(store.settings, store.extra_env,
                          names=["RosterGrid", "RuleChecks"]) as models:

        def run() -> None:
            try:
                follow(app, list(models), stop, settings=store.settings,
                       extra_env=store.extra_env, poll=0.05)
            except BaseException as error:  # reported by the test below
                errors.append(error)

        follower = threading.Thread(target=run)
        follower.start()
        try:
            grid = models.view("RosterGrid")
            assert eventually(lambda: grid.grid(str(scenario.roster)) is not None)

            app.take_shift(Actor("F1-E0", Role.MEMBER), scenario.roster, "S1", member,
                           MONDAY, "dag", at(MONDAY, 7), at(MONDAY, 15))

            def shown() -> bool:
                data = grid.grid(str(scenario.roster))
                return data is not None and (str(member), MONDAY.isoformat()) in data.cells
            assert eventually(shown)
        finally:
            stop.set()
            follower.join(timeout=30)
    assert not errors
    assert not follower.is_alive()
