"""The route planner (kørelister): hard conditions hold, soft goals pull the right way."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ortools.constraint_solver import routing_ils_pb2

from planning.routing import plan_routes
from planning.routing_check import check_proposal
from planning.routing_problem import (
    BreakRule,
    Profession,
    RoutingProblem,
    TimeWindow,
    Triage,
    Weights,
    hhmm,
    levels_above,
    minutes,
)
from planning.routing_proposal import UnassignedReason
from planning.travel import HaversineTravelTimes
from tests.route_factories import at, caregiver, morning, problem, visit


def owner(proposal, visit_id, slot=0):
    return proposal.assignments()[(visit_id, slot)][0]


def test_an_ssh_never_gets_an_ssa_only_visit():
    visits = [visit(f"v{k}", k, profession="SSA" if k % 2 else "SSH") for k in range(6)]
    proposal = plan_routes(problem(visits, [caregiver("hanne", "SSH"),
                                            caregiver("sara", "SSA")]))
    assert proposal.is_complete()
    for k in range(1, 6, 2):
        assert owner(proposal, f"v{k}") == "sara"


def test_a_nurse_takes_an_ssh_visit_when_nobody_else_can_and_it_costs():
    visits = [visit("early", 0, start="06:00", end="06:30")]
    people = [caregiver("hanne", "SSH", start="07:00"),
              caregiver("nora", "SPL", start="05:45", end="11:00")]
    proposal = plan_routes(problem(visits, people))
    assert owner(proposal, "early") == "nora"
    assert proposal.objective.overqualification_cost == 2 * Weights().overqualification


def test_an_ssh_is_preferred_over_a_nurse_for_an_ssh_visit():
    proposal = plan_routes(problem([visit("v")], [caregiver("nora", "SPL"),
                                                  caregiver("hanne", "SSH")]))
    assert owner(proposal, "v") == "hanne"


def test_only_a_therapist_does_a_therapist_visit():
    visits = [visit("rehab", 0, profession="TER"), visit("bath", 1)]
    proposal = plan_routes(problem(visits, [caregiver("tina", "TER"), caregiver("nora", "SPL")]))
    assert owner(proposal, "rehab") == "tina"
    assert owner(proposal, "bath") == "nora"


@pytest.mark.parametrize("triage", [Triage.RED, Triage.YELLOW])
def test_a_substitute_is_never_sent_to_a_red_or_yellow_citizen(triage):
    visits = [visit(f"v{k}", k, triage=triage if k < 3 else Triage.GREEN) for k in range(6)]
    people = [caregiver("vikar", is_substitute=True), caregiver("hanne")]
    proposal = plan_routes(problem(visits, people))
    assert proposal.is_complete()
    for k in range(3):
        assert owner(proposal, f"v{k}") == "hanne"


def test_a_red_citizen_with_only_substitutes_on_shift_is_unassigned_with_the_reason():
    proposal = plan_routes(problem([visit("v", triage=Triage.RED)],
                                   [caregiver("vikar", is_substitute=True)]))
    assert [u.reason for u in proposal.unassigned] == [UnassignedReason.ONLY_SUBSTITUTES]


def test_a_double_staffed_visit_gets_two_different_people_starting_together():
    visits = [visit("lift", 0, double_staffed=True, duration=30),
              visit("a", 1), visit("b", 2), visit("c", 3, start="09:00", end="11:00")]
    problem_ = problem(visits, [caregiver("anna"), caregiver("bo"), caregiver("cai")])
    proposal = plan_routes(problem_)
    first, second = proposal.assignments()[("lift", 0)], proposal.assignments()[("lift", 1)]
    assert first[0] != second[0]
    assert first[1].start == second[1].start
    assert check_proposal(problem_, proposal, HaversineTravelTimes()) == []


def test_a_double_staffed_visit_with_one_person_on_shift_needs_a_second_person():
    proposal = plan_routes(problem([visit("lift", double_staffed=True)], [caregiver("anna")]))
    assert [u.reason for u in proposal.unassigned] == [UnassignedReason.NO_SECOND_PERSON]


def test_every_visit_starts_inside_its_hard_time_window():
    visits, people = morning()
    problem_ = problem(visits, people)
    proposal = plan_routes(problem_)
    assert proposal.is_complete()
    for run in proposal.run_lists:
        for stop in run.stops:
            window = problem_.visit(stop.visit_id).window
            assert window.start <= stop.start <= window.end
    assert check_proposal(problem_, proposal, HaversineTravelTimes()) == []


def test_a_shift_over_six_hours_has_a_break_clear_of_every_visit():
    visits, people = morning()
    proposal = plan_routes(problem(visits, people, break_rule=BreakRule(minutes=30)))
    for run in proposal.run_lists:
        if run.stops:
            assert run.break_start is not None and run.break_minutes == 30
            assert all(s.end <= run.break_start or s.start >= run.break_start + 30
                       for s in run.stops)


def test_a_shift_of_six_hours_or_less_has_no_break():
    proposal = plan_routes(problem([visit("v")], [caregiver("anna", start="07:00",
                                                            end="13:00")]))
    assert proposal.run_list("anna").break_start is None


def test_the_contact_person_gets_the_visit_when_all_else_is_equal():
    for contact in ("anna", "bo"):
        proposal = plan_routes(problem([visit("v", contact_person=contact)],
                                       [caregiver("anna"), caregiver("bo")]))
        assert owner(proposal, "v") == contact
        assert proposal.continuity.contact_share == 1.0


def test_someone_from_the_recent_set_is_preferred_over_a_stranger():
    proposal = plan_routes(problem([visit("v", recent_caregivers=frozenset({"bo"}))],
                                   [caregiver("anna"), caregiver("bo")]))
    assert owner(proposal, "v") == "bo"
    assert proposal.continuity.recent_share == 1.0


def test_a_visit_nobody_is_qualified_for_comes_back_unassigned_with_the_reason():
    proposal = plan_routes(problem([visit("wound", profession="SPL"), visit("bath", 1)],
                                   [caregiver("hanne", "SSH")]))
    (missing,) = proposal.unassigned
    assert (missing.visit_id, missing.reason) == ("wound", UnassignedReason.NO_QUALIFIED_PERSON)
    assert "sygeplejerske" not in missing.message and "faggruppe" in missing.message


def test_a_visit_outside_every_qualified_shift_is_unassigned_for_the_window():
    proposal = plan_routes(problem([visit("night", start="23:00", end="23:30")],
                                   [caregiver("hanne")]))
    assert proposal.unassigned[0].reason == UnassignedReason.NO_QUALIFIED_PERSON_IN_WINDOW


def test_two_long_visits_at_the_same_time_for_one_person_leave_one_for_lack_of_capacity():
    visits = [visit("a", 0, start="08:00", end="08:10", duration=60),
              visit("b", 1, start="08:00", end="08:10", duration=60)]
    proposal = plan_routes(problem(visits, [caregiver("hanne")]))
    assert [u.reason for u in proposal.unassigned] == [UnassignedReason.NO_CAPACITY]


def test_a_late_start_costs_lateness_against_the_preferred_time():
    visits = [visit("a", 0, start="08:00", end="10:00", duration=60, preferred=at("08:00")),
              visit("b", 0, start="08:00", end="10:00", duration=60, preferred=at("08:00"))]
    proposal = plan_routes(problem(visits, [caregiver("hanne")]))
    assert proposal.objective.lateness_minutes >= 60 - Weights().lateness_tolerance
    assert proposal.objective.total >= proposal.objective.lateness_cost > 0


def test_the_proposal_reports_continuity_per_citizen_and_explains_itself():
    visits, people = morning(citizens=6)
    proposal = plan_routes(problem(visits, people, seed=3))
    assert set(proposal.continuity.distinct_staff) == {f"borger{k}" for k in range(6)}
    assert 1 <= proposal.continuity.mean_distinct_staff <= 2
    assert proposal.objective.travel_minutes == sum(r.travel_minutes for r in proposal.run_lists)
    assert proposal.seed == 3 and proposal.wall_s > 0 and not proposal.proven_optimal
    assert "borger" in proposal.describe()


@pytest.mark.parametrize(("have", "need", "steps"), [
    ("SPL", "SSH", 2), ("SSA", "SSA", 0), ("SSH", "SSA", None), ("TER", "SSH", None),
    ("SPL", "TER", None), ("TER", "TER", 0), ("SSH", "UFL", 1)])
def test_the_profession_ladder(have, need, steps):
    """UFL < SSH < SSA < SPL; TER stands apart."""
    assert levels_above(have, need) == steps


def test_times_read_and_print_as_hours_and_minutes():
    assert minutes("09:30") == 570 and hhmm(570) == "09:30" and hhmm(1860) == "07:00+1"
    with pytest.raises(ValueError):
        minutes("9.30")


def test_a_problem_refuses_a_visit_whose_preferred_time_is_outside_its_window():
    with pytest.raises(ValueError, match="preferred"):
        visit("v", start="08:00", end="09:00", preferred=at("10:00"))
    with pytest.raises(ValueError):
        TimeWindow(600, 500)
    with pytest.raises(ValueError, match="time limit"):
        RoutingProblem((), (caregiver("a"),), time_limit_s=0)


def test_the_search_strategy_can_be_iterated_local_search():
    visits, people = morning(citizens=4)
    proposal = plan_routes(problem(visits, people, metaheuristic="ITERATED_LOCAL_SEARCH"))
    assert proposal.is_complete()


def test_a_profession_given_as_text_is_understood():
    assert caregiver("x", "SSA").profession is Profession.SSA


def test_stops_missing_from_a_warm_start_are_inserted_where_they_fit():
    from ortools.constraint_solver import pywrapcp

    from planning.routing import search_parameters
    from planning.routing_insert import complete_routes
    from planning.routing_model import build_model

    visits, people = morning()
    problem_ = problem(visits, people, time_limit_s=1.0)
    plan = plan_routes(problem_)
    assert plan.is_complete()
    model = build_model(problem_, HaversineTravelTimes())
    model.routing.CloseModelWithParameters(search_parameters(problem_))
    vehicle_of = {c.caregiver_id: v for v, c in enumerate(problem_.caregivers)}
    routes = [[] for _ in problem_.caregivers]
    for run in plan.run_lists:
        if run.caregiver_id != "bo":  # Bo's stops are missing, as after a sick call
            routes[vehicle_of[run.caregiver_id]] = [model.stop_index(s.key) for s in run.stops]
    orphans = len(plan.run_list("bo").stops)
    completed = complete_routes(model, routes)
    assert orphans and routes[vehicle_of["bo"]] == []  # the given routes are not changed
    inserted = sum(map(len, completed)) - sum(map(len, routes))
    assert inserted >= 1
    # Every stop the warm start had is still there, and OR-Tools accepts the routes.
    assert all(set(before) <= set(after) for before, after in zip(routes, completed, strict=True))
    assert isinstance(model.routing.ReadAssignmentFromRoutes(completed, True),
                      pywrapcp.Assignment)


@pytest.mark.parametrize("visits", [[], [visit("bath", 0), visit("meds", 1)]])
def test_a_day_with_nobody_on_shift_leaves_every_visit_unassigned_instead_of_crashing(visits):
    # OR-Tools' routing model takes the whole process down when it has no vehicles.
    proposal = plan_routes(problem(visits, []))
    assert proposal.run_lists == ()
    assert {u.visit_id for u in proposal.unassigned} == {v.visit_id for v in visits}
    assert all(u.reason is UnassignedReason.NO_QUALIFIED_PERSON_IN_WINDOW
               for u in proposal.unassigned)


def test_the_team_day_keeps_its_search_tuning_and_a_distance_profile_is_opt_in():
    from planning.routing import search_parameters
    from planning.routing_problem import DISTANCE_ONLY, TEAM_DAY

    visits, people = morning(citizens=2)
    day = problem(visits, people, metaheuristic="ITERATED_LOCAL_SEARCH")
    assert day.search_profile is TEAM_DAY
    params = search_parameters(day, mean_arc_cost=10.0)
    assert params.global_cheapest_insertion_first_solution_parameters.farthest_seeds_ratio == 0
    ils = params.iterated_local_search_parameters
    sisr = ils.ruin_recreate_parameters.ruin_strategies[0].sisr
    assert (sisr.avg_num_removed_visits, sisr.max_removed_sequence_size) == (10, 10)
    annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
    assert annealing.initial_temperature == pytest.approx(30.0)
    assert annealing.final_temperature == pytest.approx(0.3)
    tuned = search_parameters(replace(day, search_profile=DISTANCE_ONLY), mean_arc_cost=10.0)
    seeds = tuned.global_cheapest_insertion_first_solution_parameters.farthest_seeds_ratio
    assert seeds == pytest.approx(DISTANCE_ONLY.farthest_seeds_ratio) and seeds > 0
    assert tuned.iterated_local_search_parameters.ruin_recreate_parameters.ruin_strategies[0] \
        .sisr.avg_num_removed_visits == DISTANCE_ONLY.ruin_visits
    # A team day ruins one way; the distance-only profile also with a wider SISR ruin,
    # one of the two at random each iteration.
    assert len(ils.ruin_recreate_parameters.ruin_strategies) == 1
    ruins = tuned.iterated_local_search_parameters.ruin_recreate_parameters
    wide = ruins.ruin_strategies[1].sisr
    assert (wide.avg_num_removed_visits, wide.max_removed_sequence_size) == (
        DISTANCE_ONLY.wide_ruin_visits, DISTANCE_ONLY.wide_ruin_string) == (30, 20)
    assert ruins.ruin_composition_strategy == \
        routing_ils_pb2.RuinCompositionStrategy.RUN_ONE_RANDOMLY


@pytest.mark.parametrize("limit_s", [0.001, 0.02])
def test_a_starved_search_still_answers_with_a_first_plan(limit_s):
    """A time limit too short for even the first-solution heuristic (a starved process on
    a busy machine) gives a later plan, not a day with every visit unplanned: OR-Tools
    either finds nothing (0.001 s) or stops on the empty plan (0.02 s)."""
    visits, people = morning(citizens=30, visits_each=2)
    starved = replace(problem(visits, people), time_limit_s=limit_s)

    proposal = plan_routes(starved)

    served = sum(len(run.stops) for run in proposal.run_lists)
    assert served >= len(visits) - len(proposal.unassigned) > 0
    assert not check_proposal(starved, proposal, HaversineTravelTimes())
