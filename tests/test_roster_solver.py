"""The CP-SAT roster planner: proposals cover demand, honour bids, pass the checker,
explain infeasibility in Danish, and re-solve with few moves."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.checker import check
from planning.model import Absence, Person
from planning.roster_problem import (
    Bid,
    BidKind,
    Demand,
    GroundRules,
    Member,
    RosterProblem,
    ShiftType,
)
from planning.roster_solver import RosterInfeasible, RosterProposal, propose
from planning.rules import RULE_CLASSES, Catalogue, Rule

MONDAY = date(2026, 11, 23)
DAG = ShiftType("D", "dag", time(7), time(15))
AFTEN = ShiftType("A", "aften", time(15), time(23))
NAT = ShiftType("N", "nat", time(23), time(7))
NAMES = ["Anna", "Bo", "Carl", "Dorte", "Eva", "Finn"]


def team(n: int, nights: int | None = None) -> tuple[Member, ...]:
    """n members; the first ``nights`` of them may work nights (all, if None)."""
    return tuple(
        Member(Person(name.lower(), name=name), profession="SSA" if i % 2 else "SSH",
               may_work_nights=nights is None or i < nights)
        for i, name in enumerate(NAMES[:n]))


def days(weeks: int = 1, start: date = MONDAY) -> list[date]:
    return [start + timedelta(days=i) for i in range(7 * weeks)]


def problem(members: tuple[Member, ...], demand: dict[str, int], weeks: int = 1,
            **kwargs: object) -> RosterProblem:
    types = {"D": DAG, "A": AFTEN, "N": NAT}
    rows = tuple(Demand(d, code, count) for d in days(weeks) for code, count in demand.items())
    options = {"time_limit_s": 5.0, "seed": 1, "workers": 2, **kwargs}
    return RosterProblem(MONDAY, weeks, members, tuple(types[c] for c in demand), rows,
                         **options)  # type: ignore[arg-type]


def solved(p: RosterProblem) -> RosterProposal:
    result = propose(p)
    assert isinstance(result, RosterProposal), getattr(result, "message", result)
    return result


def on(result: RosterProposal, employee: str, day: date) -> list[str]:
    return [s.shift_id.split("/")[-1] for s in result.shifts
            if s.employee == employee and s.day == day and s.shift_id]


def test_every_rule_in_the_catalogue_posts_itself_into_the_roster_model():
    missing = [rule_id for rule_id, cls in RULE_CLASSES.items() if cls.post is Rule.post]
    assert missing == []


def test_a_proposal_covers_the_demand_when_the_team_can():
    result = solved(problem(team(4), {"D": 1, "A": 1}))
    assert result.uncovered == ()
    assert result.objective_parts["uncovered"] == 0
    for day in days():
        assert sorted(s.layer for s in result.shifts if s.day == day) == ["aften", "dag"]
    assert check(problem(team(4), {"D": 1, "A": 1}).plan(result.shifts)).ok


def test_a_day_off_bid_is_honoured():
    wednesday = MONDAY + timedelta(days=2)
    bid = Bid("anna", wednesday, BidKind.DAY_OFF, weight=5)
    result = solved(problem(team(4), {"D": 1, "A": 1}, bids=(bid,)))
    assert on(result, "anna", wednesday) == []
    assert result.unmet_bids == ()


def test_a_wanted_shift_is_given_to_the_one_who_asked():
    friday = MONDAY + timedelta(days=4)
    result = solved(problem(team(4), {"D": 1, "A": 1},
                            bids=(Bid("carl", friday, BidKind.WANT, "A", weight=3),)))
    assert on(result, "carl", friday) == ["A"]


def test_an_absent_person_is_never_planned():
    sick = Absence("bo", MONDAY + timedelta(days=1), MONDAY + timedelta(days=3))
    result = solved(problem(team(4), {"D": 1, "A": 1}, absences=(sick,),
                            bids=(Bid("bo", MONDAY + timedelta(days=2), BidKind.WANT, "D", 9),)))
    assert [s for s in result.shifts if s.employee == "bo" and sick.covers(s.day)] == []
    [unmet] = result.unmet_bids
    assert "fraværende" in unmet.reason


def test_the_objective_is_split_into_parts_in_the_agreed_order():
    result = solved(problem(team(3), {"D": 2, "A": 1}))
    assert list(result.objective_parts) == ["uncovered", "soft_rules", "moved", "bids",
                                            "fairness", "continuity", "costs"]
    assert sum(result.objective_parts.values()) == result.objective
    assert result.objective_parts["uncovered"] > 0  # three people cannot cover 21 shifts
    assert result.time_limit_s == 5.0 and result.seed == 1


def test_a_night_across_the_spring_dst_switch_counts_one_hour_less():
    # R15 allows 12 h; a 19:00-08:00 shift lasts 13 h except on the night clocks spring
    # forward (29 March 2026), when it lasts 12 h in real time.
    long_night = ShiftType("L", "nat", time(19), time(8))
    monday = date(2026, 3, 23)
    p = RosterProblem(monday, 1, team(4), (long_night,),
                      tuple(Demand(d, "L", 1) for d in days(1, monday)),
                      time_limit_s=5.0, workers=2)
    result = solved(p)
    assert [s.day for s in result.shifts] == [date(2026, 3, 28)]
    assert len(result.uncovered) == 6


def test_a_soft_rule_is_a_penalty_with_its_weight_not_a_constraint():
    # Two people, demand every day: R3's two days off per week cannot hold for both.
    soft = Catalogue.from_dict({"rules": {"R3": {"severity": "soft", "weight": 7}}})
    result = solved(problem(team(2), {"D": 1, "A": 1}, catalogue=soft))
    assert result.check.ok
    assert result.check.by_rule("R3")
    assert result.objective_parts["soft_rules"] >= 7 * 1000


def test_when_no_plan_fits_the_planner_names_the_rules_people_and_days_in_danish():
    # Every night needs one person, but only Anna may work nights (ground rule).
    p = problem(team(3, nights=1), {"D": 1, "N": 1},
                ground_rules=GroundRules(min_staffing=(("nat", 1),)))
    result = propose(p)
    assert isinstance(result, RosterInfeasible)
    assert result.status == "INFEASIBLE"
    assert "BEMANDING" in result.rules and "NAT" in result.rules
    assert result.rules & {"R2", "R3", "R13"}
    assert {"bo", "carl", "anna"} <= result.employees
    assert result.days and result.days <= set(days())
    assert "Der findes ingen vagtplan" in result.message
    assert "Bo må ikke tage nattevagter" in result.message
    assert "november" in result.message


def test_too_few_nights_allowed_per_person_is_explained_with_the_ground_rule():
    p = problem(team(3, nights=2), {"N": 1},
                ground_rules=GroundRules(min_staffing=(("nat", 1),), max_nights=3))
    result = propose(p)
    assert isinstance(result, RosterInfeasible)
    assert "MAKSNAT" in result.rules
    assert "Anna må højst tage 3 nattevagter" in result.message


def test_re_solving_after_one_sick_day_changes_few_shifts_and_reports_the_moves():
    first = solved(problem(team(5), {"D": 1, "A": 1}))
    assert first.proven_optimal
    assert first.moved == 0
    victim = next(s for s in first.shifts if s.day == MONDAY + timedelta(days=3))
    sick = Absence(victim.employee, victim.day, victim.day)
    again = solved(problem(team(5), {"D": 1, "A": 1}, absences=(sick,),
                           current_plan=first.shifts,
                           changed_at=datetime.combine(MONDAY, time(9))))
    assert [s for s in again.shifts if s.employee == victim.employee and s.day == victim.day
            ] == []
    kept = set(again.shifts) & set(first.shifts)
    assert len(kept) >= len(first.shifts) - 3
    assert 1 <= again.moved <= 4
    assert again.objective_parts["moved"] == again.moved * 800
    assert again.uncovered == ()


def test_every_unmet_bid_has_a_danish_reason():
    monday_bids = tuple(Bid(m.employee, MONDAY, BidKind.WANT, "D", 2) for m in team(4))
    result = solved(problem(team(4), {"D": 1, "A": 1}, bids=monday_bids))
    assert len(result.unmet_bids) == 3
    assert all(u.reason and u.reason.endswith(".") for u in result.unmet_bids)


def test_a_problem_period_must_start_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        dataclasses.replace(problem(team(2), {"D": 1}), period_start=MONDAY + timedelta(1))


@st.composite
def small_problems(draw: st.DrawFn) -> RosterProblem:
    size = draw(st.integers(3, 6))
    weeks = draw(st.integers(1, 2))
    members = tuple(
        Member(Person(NAMES[i].lower(), name=NAMES[i],
                      weekly_hours=draw(st.sampled_from([37.0, 30.0, 24.0])),
                      reduced_rest_allowed=draw(st.booleans())),
               profession=draw(st.sampled_from(["SSH", "SSA"])),
               may_work_nights=draw(st.booleans()))
        for i in range(size))
    period = days(weeks)
    demand = tuple(Demand(d, t.code, draw(st.integers(0, 2)),
                          draw(st.sampled_from([None, None, "SSA"])))
                   for d in period for t in (DAG, AFTEN, NAT))
    bids = tuple(
        Bid(draw(st.sampled_from(members)).employee, draw(st.sampled_from(period)),
            kind, None if kind is BidKind.DAY_OFF else draw(st.sampled_from(["D", "A", "N"])),
            draw(st.integers(1, 9)))
        for kind in draw(st.lists(st.sampled_from([BidKind.WANT, BidKind.AVOID,
                                                   BidKind.DAY_OFF]), max_size=6)))
    absences = []
    for _ in range(draw(st.integers(0, 2))):
        first = draw(st.sampled_from(period))
        absences.append(Absence(draw(st.sampled_from(members)).employee, first,
                                first + timedelta(days=draw(st.integers(0, 3)))))
    history = ()
    if draw(st.booleans()):  # the previous period ended with an evening and a night
        sunday = MONDAY - timedelta(days=1)
        history = (AFTEN.shift(members[0].employee, sunday),
                   NAT.shift(members[-1].employee, sunday))
    return RosterProblem(MONDAY, weeks, members, (DAG, AFTEN, NAT), demand, bids,
                         tuple(absences), history, time_limit_s=2.0, seed=1, workers=2)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_proposal_for_a_random_small_team_passes_the_checker(p: RosterProblem):
    result = propose(p)
    assert isinstance(result, RosterProposal)  # without minimum staffing a plan exists
    verdict = check(p.plan(result.shifts), p.rules())
    assert verdict.hard == ()
    for shift in result.shifts:
        assert not p.is_absent(shift.employee, shift.day)
        assert p.member(shift.employee).may_work(p.shift_type(shift.shift_id.split("/")[-1]))
    per_day = [(s.employee, s.day) for s in result.shifts]
    assert len(per_day) == len(set(per_day))


def test_the_constructive_plan_breaks_no_hard_rule_and_meets_minimum_staffing():
    from planning.roster_greedy import construct
    from scripts.bench_roster_team import team_problem

    p = team_problem()  # 17 people, 8 weeks, every member's bids, holidays, history
    shifts = construct(p)
    assert check(p.plan(shifts), p.rules()).hard == ()
    assert len({(s.employee, s.day) for s in shifts}) == len(shifts)
    assert all(not p.is_absent(s.employee, s.day) for s in shifts)
    for layer, minimum in p.ground_rules.min_staffing:
        for day in p.days:
            assert sum(1 for s in shifts if s.day == day and s.layer == layer) >= minimum
    demanded = sum(d.count for d in p.demand)
    assert len(shifts) >= demanded - 3  # the greedy leaves at most a few places open


def test_the_team_benchmark_gives_a_full_plan_with_no_hard_violation(capsys):
    from scripts import bench_roster_team

    assert bench_roster_team.main(["--limits", "8", "--json", "--no-append"]) == 0
    [line] = capsys.readouterr().out.strip().splitlines()
    row = json.loads(line)
    assert row["hard"] == 0 and row["first_plan_hard"] == 0
    assert row["uncovered"] <= row["first_plan_uncovered"]
    assert row["objective"] >= row["bound"]
    assert set(row["parts"]) == {"uncovered", "soft_rules", "moved", "bids", "fairness",
                                 "continuity", "costs"}


@settings(max_examples=40, deadline=None)
@given(minutes=st.sampled_from([420, 450, 480, 600]), bound=st.integers(0, 6000),
       upper=st.booleans(), unit=st.sampled_from([1, 30, 60]))
def test_shift_count_cuts_hold_for_every_count_and_are_tight(minutes, bound, upper, unit):
    # breach ≥ ⌈±(minutes·n − bound)/unit⌉⁺ at every whole shift count n, and the cuts
    # (with the plain constraint) allow exactly that breach.
    from ortools.sat.python import cp_model

    from planning.roster_model import RosterModel

    top = 12
    for n in range(top + 1):
        excess = minutes * n - bound if upper else bound - minutes * n
        wanted = max(0, -(-excess // unit))
        for breach_value, feasible in ((wanted, True), (wanted - 1, False)):
            if breach_value < 0:
                continue
            model = cp_model.CpModel()
            count = model.new_int_var(n, n, "n")
            breach = model.new_int_var(breach_value, breach_value, "breach")
            model.add(unit * breach >= (minutes * count - bound if upper
                                        else bound - minutes * count))
            holder = RosterModel.__new__(RosterModel)
            holder.model = model
            RosterModel.count_cuts(holder, breach, count, top, minutes, bound, upper, unit)
            status = cp_model.CpSolver().solve(model)
            assert (status == cp_model.OPTIMAL) is feasible, (n, breach_value)
