"""The read models on one small, hand-made fortnight of a team (both stores).

Team T1: three members (A SSH, B SSA, C SPL, 37 h each), citizen Karen Jensen
with A as contact person and a rehabilitation course that ends on Thursday. A
works Monday, B Tuesday; A wants Wednesday off, B wanted Monday's day shift; C
is sick Monday and Tuesday. Karen gets one visit from A on Monday and one
from B on Tuesday.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.application import Pusleplan
from domain.values import Actor, Role
from projections.catalogue import ReadModels, open_read_models
from projections.runner import catch_up_all
from projections.teamfigures import INDIRECT_MINUTES_PER_VISIT, week_figures
from tests.conftest import Store
from tests.factories import LEADER, MONDAY, MORNING, at, team_scenario

PLANNER = Actor("planlaegger", Role.PLANNER)
REHAB = {"code": "REH", "name": "Rehabilitering", "minutes": 45, "days": ["mon", "wed"],
         "window_start": "09:00", "window_end": "14:30", "profession": "TER"}
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + timedelta(days=n) for n in (1, 2, 3))
WEEK = "2026-W48"


def fortnight(app: Pusleplan) -> dict[str, Any]:
    """Build the scenario; return its ids."""
    s = team_scenario(app, "T1", members=3)
    a, b, c = s.members
    app.change_visitation(LEADER, s.citizen, date(2025, 1, 1), "services",
                          [MORNING, REHAB], reason="Visiteret efter samtale")
    app.assign_contact_person(LEADER, s.citizen, a)
    app.take_shift(Actor("T1-E0", Role.MEMBER), s.roster, "S-A", a, MONDAY, "dag",
                   at(MONDAY, 7), at(MONDAY, 15))
    app.take_shift(Actor("T1-E1", Role.MEMBER), s.roster, "S-B", b, TUESDAY, "dag",
                   at(TUESDAY, 7), at(TUESDAY, 15))
    app.bid_shift(Actor("T1-E0", Role.MEMBER), s.roster, "O-1", a, "day_off", WEDNESDAY)
    app.bid_shift(Actor("T1-E1", Role.MEMBER), s.roster, "O-2", b, "want_shift", MONDAY,
                  layer="dag")
    app.register_absence(LEADER, c, "C-S1", "sick", MONDAY, TUESDAY)
    for day, who, visit, (start, end) in ((MONDAY, a, "V1", (5, 35)),
                                          (TUESDAY, b, "V2", (0, 20))):
        app.plan_visit(PLANNER, s.team, day, visit_id=visit, citizen_id=s.citizen,
                       service_codes=["PP1"], start=at(day, 8), minutes=30,
                       employee_ids=[who], required_profession="SSH")
        app.record_deliveries(PLANNER, s.team, day, [{
            "visit_id": visit, "actual_start": at(day, 8, start),
            "actual_end": at(day, 8, end), "employee_ids": [who]}])
    app.change_visitation(LEADER, s.citizen, THURSDAY, "services",
                          [{**MORNING, "minutes": 20}], reason="Forløb afsluttet")
    return {"team": str(s.team), "citizen": str(s.citizen), "roster": str(s.roster),
            "a": str(a), "b": str(b), "c": str(c)}


@pytest.fixture
def models(store: Store) -> Iterator[ReadModels]:
    opened = open_read_models(store.settings, store.extra_env)
    yield opened
    opened.close()


def test_the_team_overview_gives_a_weeks_figures_with_their_observations(
    app: Pusleplan, models: ReadModels
) -> None:
    ids = fortnight(app)
    catch_up_all(app, list(models))

    (week,) = week_figures(models.view("TeamOverview"), ids["team"], WEEK, WEEK)

    # Two visits, A's and B's: the citizen met two people in the fortnight.
    assert (week.visits, week.staff_visits, week.direct_minutes) == (2, 2, 50)
    assert (week.continuity_mean, week.continuity_median, week.continuity_n) == (2, 2, 1)
    assert week.continuity_distribution["2"] == 1
    assert week.contact_visits == 1 and week.contact_share == 0.5
    # Client time over two 8-hour shifts, directly and Buurtzorg-style.
    assert week.attended_minutes == 960
    assert week.btp_direct == pytest.approx(50 / 960)
    assert week.btp_buurtzorg == pytest.approx((50 + 2 * INDIRECT_MINUTES_PER_VISIT) / 960)
    # C was sick two of the week's seven days: 2/21 of the team's planned time.
    assert week.sick_days == 2
    assert week.sick_rate == pytest.approx(2 / 21, abs=1e-3)
    # The rehabilitation course: 210 min/week of help before, 140 after.
    assert (week.rehab_courses, week.rehab_minutes_change) == (1, -70)
    assert week.granted_change == 140 - 300
    # A got the day off; B did not get Monday's day shift.
    assert (week.bids, week.bids_met, week.takes) == (2, 1, 2)


def test_the_roster_grid_puts_shifts_and_bids_in_each_persons_days(
    app: Pusleplan, models: ReadModels
) -> None:
    ids = fortnight(app)
    catch_up_all(app, list(models))

    grid = models.view("RosterGrid").grid(ids["roster"])

    assert len(grid.days) == 56 and grid.days[0] == MONDAY.isoformat()
    assert {p.employee_id for p in grid.people} == {ids["a"], ids["b"], ids["c"]}
    (shift,) = grid.cells[(ids["a"], MONDAY.isoformat())]
    assert (shift.layer, shift.start) == ("dag", "2026-11-23T07:00:00")
    assert [b.kind for b in grid.bids[(ids["a"], WEDNESDAY.isoformat())]] == ["day_off"]
    assert [b.kind for b in grid.bids[(ids["b"], MONDAY.isoformat())]] == ["want_shift"]


def test_run_lists_show_each_persons_visits_with_planned_and_actual_times(
    app: Pusleplan, models: ReadModels
) -> None:
    ids = fortnight(app)
    catch_up_all(app, list(models))

    (monday,) = models.view("RunLists").run_lists(ids["team"], MONDAY.isoformat())

    assert monday.employee_id == ids["a"]
    (visit,) = monday.visits
    assert (visit.planned_start, visit.planned_minutes) == ("2026-11-23T08:00:00", 30)
    assert (visit.actual_start, visit.actual_end) == ("2026-11-23T08:05:00",
                                                      "2026-11-23T08:35:00")
    assert visit.status == "delivered" and visit.citizen_id == ids["citizen"]


def test_an_evaluator_sees_the_citizen_as_a_keyed_pseudonym_and_no_view_holds_the_name(
    app: Pusleplan, models: ReadModels
) -> None:
    ids = fortnight(app)
    catch_up_all(app, list(models))
    histories = models.view("CitizenHistory")

    plain = histories.history(ids["citizen"])
    hidden = histories.history(ids["citizen"], pseudonym_key=b"evaluation key")
    other_key = histories.history(ids["citizen"], pseudonym_key=b"another key")

    assert plain.code == "T1-B1"
    assert hidden.subject.startswith("B-") and hidden.subject != other_key.subject
    assert hidden.code is None and all(e.reason is None for e in hidden.entries)
    assert [e.kind for e in hidden.entries].count("visit") == 2
    assert "visitation" in [e.kind for e in hidden.entries]
    for projection in models:  # no read model stores the citizen's name or address
        view = projection.view
        for table in view.tables:
            dump = repr(view.select(f"SELECT * FROM {{{table.name}}}"))
            assert "Karen" not in dump and "Strandvejen" not in dump


def test_the_audit_trail_records_who_did_what_when_and_why(
    app: Pusleplan, models: ReadModels
) -> None:
    ids = fortnight(app)
    catch_up_all(app, list(models))
    trail = models.view("AuditTrail")

    by_leader = trail.entries(actor_id="leder", limit=1000)
    ended = next(e for e in by_leader if e.event == "VisitationChanged"
                 and e.reason == "Forløb afsluttet")
    assert (ended.actor_role, ended.aggregate, ended.aggregate_id) == (
        "leader", "Citizen", ids["citizen"])
    assert "services=PP1" in ended.what
    puzzles = [e for e in trail.entries(aggregate_id=ids["roster"]) if e.event == "ShiftPuzzled"]
    assert {e.actor_id for e in puzzles} == {"T1-E0", "T1-E1"}
    assert len(trail.entries(limit=10_000)) == app.recorder.max_notification_id()


def test_rule_checks_tell_whether_the_roster_changed_since_its_last_check(
    app: Pusleplan, models: ReadModels
) -> None:
    ids = fortnight(app)
    app.record_roster_check(PLANNER, UUID(ids["roster"]), hard_violations=0,
                            soft_violations=3)
    catch_up_all(app, list(models))
    checks = models.view("RuleChecks")
    assert checks.latest(ids["roster"]).is_current

    app.release_shift(Actor("T1-E0", Role.MEMBER), UUID(ids["roster"]), "S-A", UUID(ids["a"]))
    catch_up_all(app, list(models))

    latest = checks.latest(ids["roster"])
    assert (latest.soft_violations, latest.changes_since, latest.actor_role) == (3, 1, "planner")


def test_events_a_read_model_ignores_still_move_its_position(
    app: Pusleplan, models: ReadModels
) -> None:
    ids = fortnight(app)
    catch_up_all(app, list(models))
    checks = models.view("RuleChecks")
    before = checks.digest()

    app.change_triage(LEADER, UUID(ids["citizen"]), "gul", "faldet")  # nothing to RuleChecks
    catch_up_all(app, list(models))

    last = app.recorder.max_notification_id()
    assert {p.view.max_tracking_id(app.name) for p in models} == {last}
    assert checks.digest() == before


def test_a_view_as_of_a_date_holds_only_what_had_happened_by_then(
    app: Pusleplan, store: Store
) -> None:
    # Back-filled history (written today, about March 2025): the domain dates count.
    s = team_scenario(app, "T2", members=1)
    monday, tuesday = date(2025, 3, 3), date(2025, 3, 4)
    for day in (monday, tuesday):
        app.plan_visit(PLANNER, s.team, day, visit_id=f"V{day.day}", citizen_id=s.citizen,
                       service_codes=["PP1"], start=at(day, 8), minutes=30,
                       employee_ids=[s.members[0]], required_profession="SSH")
    app.change_visitation(LEADER, s.citizen, tuesday, "services", [MORNING])

    with open_read_models(store.settings, store.extra_env, as_of=monday,
                          names=["TeamOverview", "RunLists"]) as then:
        catch_up_all(app, list(then), as_of=monday)

        lists = then.view("RunLists")
        assert [len(r.visits) for r in lists.run_lists(str(s.team), monday.isoformat())] == [1]
        assert lists.run_lists(str(s.team), tuesday.isoformat()) == []
        (week,) = week_figures(then.view("TeamOverview"), str(s.team), "2025-W10", "2025-W10")
        assert week.visitation_changes == 0
        # Skipped events are tracked all the same.
        assert lists.max_tracking_id(app.name) == app.recorder.max_notification_id()
