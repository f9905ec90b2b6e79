"""The Curtois & Qu benchmark adapter: parser, independent scorer, model and script."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from planning.cpsat import SolveSettings
from planning.curtois import (
    CurtoisFormatError,
    hard_violations,
    objective,
    parse_instance,
    read_instance,
)
from planning.curtois_model import SUBSOLVERS, solve
from scripts import bench_roster

DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "curtois"
INSTANCE1 = DATA / "instances" / "Instance1.txt"

pytestmark = pytest.mark.skipif(not INSTANCE1.is_file(), reason="benchmark data not present")

TINY = """
SECTION_HORIZON
7
SECTION_SHIFTS
E,480,
L,480,E
SECTION_STAFF
A,E=7|L=7,2400,960,5,2,2,1
SECTION_DAYS_OFF
A,3
SECTION_SHIFT_ON_REQUESTS
A,0,E,2
SECTION_SHIFT_OFF_REQUESTS
A,1,L,3
SECTION_COVER
0,E,1,100,1
1,L,1,100,1
"""


def test_the_parser_reads_instance1_as_the_benchmark_describes_it():
    instance = read_instance(INSTANCE1)
    assert instance.name == "Instance1"
    assert instance.horizon == 14
    assert list(instance.shifts) == ["D"] and instance.shifts["D"].minutes == 480
    assert [s.id for s in instance.staff] == list("ABCDEFGH")
    a = instance.staff[0]
    assert (a.max_shifts, a.max_minutes, a.min_minutes) == ({"D": 14}, 4320, 3360)
    assert (a.max_consecutive, a.min_consecutive, a.min_days_off, a.max_weekends) == (5, 2, 2, 1)
    assert instance.days_off["A"] == frozenset({0})
    assert len(instance.on_requests) == 21 and len(instance.off_requests) == 5
    assert instance.cover[1].requirement == 7 and instance.cover[1].under == 100
    assert instance.weekends == [(5, 6), (12, 13)]


def test_the_scorer_prices_requests_and_cover_by_their_weights():
    instance = parse_instance(TINY, "tiny")
    assert objective(instance, {}) == 2 + 100 + 100
    assert objective(instance, {("A", 0): "E", ("A", 1): "L"}) == 3
    assert objective(instance, {("A", 0): "L"}) == 2 + 100 + 100  # no cover row for L on day 0


def test_the_scorer_finds_each_broken_hard_rule():
    instance = parse_instance(TINY, "tiny")
    broken = hard_violations(instance, {("A", 0): "L", ("A", 1): "E", ("A", 3): "E"})
    text = " | ".join(broken)
    assert "E on day 1 cannot follow L" in text
    assert "works day 3 (a day off)" in text
    assert "only 1 shifts in a row from day 3" in text


def test_short_blocks_touching_the_horizon_ends_are_allowed():
    instance = parse_instance(TINY, "tiny")
    roster = {("A", 0): "E", ("A", 5): "E", ("A", 6): "E"}
    assert hard_violations(instance, roster) == []


def test_a_malformed_file_is_rejected_with_its_name():
    with pytest.raises(CurtoisFormatError, match="broken"):
        parse_instance("SECTION_HORIZON\nfourteen\n", "broken")


def test_instance1_is_solved_to_its_known_optimum_and_the_scorer_agrees():
    known = bench_roster.best_known(DATA)["Instance1"]
    result = solve(read_instance(INSTANCE1), SolveSettings(10.0, 1, 2, SUBSOLVERS))
    assert known == 607
    assert result.objective == result.model_objective == known
    assert result.optimal
    assert hard_violations(read_instance(INSTANCE1), result.roster) == []


def test_the_benchmark_script_prints_json_and_appends_to_benchmarks_md(tmp_path, capsys):
    md = tmp_path / "BENCHMARKS.md"
    md.write_text("# Benchmarks\n\nsomeone else's entry\n", encoding="utf-8")
    code = bench_roster.main([str(INSTANCE1), "--time-limit", "5", "--seeds", "1",
                              "--json", "--benchmarks-md", str(md)])
    assert code == 0
    [line] = capsys.readouterr().out.strip().splitlines()
    row = json.loads(line)
    assert {"instance", "objective", "bound", "optimal", "best_known", "gap_pct",
            "wall_s"} <= set(row)
    assert (row["instance"], row["objective"], row["best_known"], row["gap_pct"]) == (
        "Instance1", 607, 607, 0.0)
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nsomeone else's entry\n")
    assert "| Instance1 | 607 | 607 | 0.00 |" in text and "- commit: `" in text


def test_a_plan_carrying_a_row_both_under_and_over_is_scored_as_the_benchmark_does():
    # At a time limit CP-SAT may return a plan whose cover row is both under and over
    # (only under − over is fixed); the reported objective must still be the scorer's.
    from ortools.sat.python import cp_model

    from planning.curtois_model import CurtoisModel

    instance = parse_instance(TINY, "tiny")
    built = CurtoisModel(instance)
    for _, under, over in built.cover_vars:
        built.model.add(under >= 1)
        built.model.add(over >= 1)
    solver = cp_model.CpSolver()
    assert solver.solve(built.model) == cp_model.OPTIMAL
    roster = built.roster(solver)
    assert solver.objective_value > objective(instance, roster)
    assert built.plan_objective(solver) == objective(instance, roster)


def test_large_neighbourhood_search_never_worsens_and_keeps_every_constraint():
    """A small model with a deliberately poor start: the search improves on it, and
    every plan it returns satisfies the model's constraints."""
    from ortools.sat.python import cp_model

    from planning.cpsat import Incumbent, large_neighbourhood_search

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(12)]
    for i in range(11):
        model.add_bool_or(~x[i], ~x[i + 1])  # no two neighbours
    model.add(sum(x) >= 3)
    model.minimize(sum((i % 4 + 1) * v for i, v in enumerate(x)))
    start = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]  # feasible, objective 12
    incumbent = Incumbent(start, 12.0)

    class Pairs:
        def __call__(self, inc, rng):
            first = rng.randrange(0, 10)
            return {first, first + 1, first + 2}

        def adapt(self, solved):
            pass

    best, report = large_neighbourhood_search(
        model, incumbent, [v.index for v in x], [Pairs()], time.perf_counter() + 2.0,
        seed=1, workers=1, step_s=0.2)
    values = best.solution
    assert report.steps > 0
    assert best.objective <= incumbent.objective
    assert best.objective == sum((i % 4 + 1) * values[i] for i in range(12))
    assert sum(values) >= 3 and all(not (values[i] and values[i + 1]) for i in range(11))
    assert best.objective < 12  # the start is not optimal (the optimum is 3: items 0, 4, 8)


def test_the_first_plan_and_the_lns_keep_every_hard_rule_and_never_get_worse():
    """Instance5: greedy + CP-SAT repair gives a feasible plan; the LNS improves it
    without breaking a hard rule, and the model's objective is the scorer's."""
    from planning.cpsat import large_neighbourhood_search
    from planning.curtois_model import CurtoisModel, _People, _Window, greedy_roster

    instance = read_instance(DATA / "instances" / "Instance5.txt")
    built = CurtoisModel(instance)
    start = built.first_plan(greedy_roster(instance), SolveSettings(10.0, 1, 2))
    assert start is not None
    roster = built.roster_of(start.solution)
    assert hard_violations(instance, roster) == []
    assert objective(instance, roster) == start.objective
    best, _ = large_neighbourhood_search(
        built.model, start, range(len(start.solution)), [_People(built, 3), _Window(built, 4)],
        time.perf_counter() + 4.0, seed=1, workers=2, step_s=1.0, polish=built.net)
    roster = built.roster_of(best.solution)
    assert hard_violations(instance, roster) == []
    assert objective(instance, roster) == best.objective <= start.objective


def _feasible_with(model, values):
    """Whether ``values`` (one per model variable) satisfies every constraint of
    ``model``, and the objective it scores there."""
    from ortools.sat.python import cp_model

    check = cp_model.CpModel()
    check.proto.copy_from(model.proto)
    for index, value in enumerate(values):
        check.add(check.get_int_var_from_proto_index(index) == value)
    solver = cp_model.CpSolver()
    status = solver.solve(check)
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE), solver.objective_value


def test_a_neighbourhood_step_keeps_the_fixed_part_and_every_constraint_of_the_model():
    """solve_neighbourhood builds a reduced sub-model (fixed terms folded into bounds,
    constraints of fixed variables left out); what it returns must still satisfy the
    whole model, keep every fixed variable at its incumbent value (including those at
    0, which an earlier version let move) and report the whole model's objective."""
    import random

    from ortools.sat.python import cp_model

    from planning.cpsat import Incumbent, solve_neighbourhood

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(10)]
    y = model.new_int_var(0, 6, "y")
    w = model.new_bool_var("w")
    model.add_bool_or(x[0], ~x[1], x[2])
    model.add(sum(x[:5]) + y == 4)
    model.add(sum(x[5:]) >= 2).only_enforce_if(w)
    model.add_max_equality(w, [x[3], x[8]])
    model.add_at_most_one(x[6:9])
    model.add_bool_and(~x[9]).only_enforce_if(x[4])
    model.minimize(sum((i % 3 + 1) * v for i, v in enumerate(x)) + 2 * y + 5 * (1 - w))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    start = [0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1]  # x0..x9, y, w
    ok, value = _feasible_with(model, start)
    assert ok
    incumbent = Incumbent(start, value)
    rng = random.Random(4)
    for _ in range(12):
        free = set(rng.sample(range(12), rng.randrange(1, 7)))
        status, found = solve_neighbourhood(model, incumbent, range(12), free,
                                            SolveSettings(2.0, 1, 1))
        assert status == cp_model.OPTIMAL and found is not None
        assert all(found.solution[i] == start[i] for i in range(12) if i not in free)
        ok, value = _feasible_with(model, found.solution)
        assert ok and value == found.objective <= incumbent.objective
