"""The Solomon VRPTW adapter: parser, independent checker, gap against bks.csv."""

from __future__ import annotations

import argparse
import json

import pytest

from planning.routing import plan_routes
from scripts.bench_routes import (
    SOLOMON_DIR,
    SolomonTravelTimes,
    best_known,
    check_solution,
    gap_pct,
    main,
    parse_solomon,
    routes_of,
    run_instance,
    table,
    to_problem,
)

C101 = SOLOMON_DIR / "instances" / "C101.txt"
needs_data = pytest.mark.skipif(not C101.is_file(), reason="../shared/benchmarks not present")

TINY = """TINY

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        100          0
    1      3          4          4          0         50          1
    2      6          8          4          0         50          1
    3      0          5          5          0         50          1
"""


def cvrplib_routes(name):
    text = (SOLOMON_DIR / "solutions_cvrplib" / f"{name}.sol").read_text(encoding="utf-8")
    return [[int(n) for n in line.split(":")[1].split()]
            for line in text.splitlines() if line.startswith("Route")]


@needs_data
def test_the_parser_reads_c101():
    instance = parse_solomon(C101)
    assert (instance.name, instance.vehicles, instance.capacity) == ("C101", 25, 200)
    assert len(instance.nodes) == 101 and instance.nodes[0].due == 1236
    assert instance.nodes[1].number == 1 and instance.nodes[1].service == 90


@needs_data
def test_the_checker_accepts_the_best_known_c101_routes_at_their_published_cost():
    checked = check_solution(parse_solomon(C101), cvrplib_routes("C101"))
    assert checked.feasible and checked.distance == best_known("C101") == 827.3
    assert checked.vehicles == 10


@needs_data
def test_the_checker_catches_a_missing_customer_and_a_broken_window():
    instance = parse_solomon(C101)
    routes = cvrplib_routes("C101")
    assert not check_solution(instance, [r[:-1] if i == 0 else r
                                         for i, r in enumerate(routes)]).feasible
    reversed_first = [list(reversed(routes[0]))] + routes[1:]
    assert any("after due" in p for p in check_solution(instance, reversed_first).problems)


@needs_data
def test_the_planner_solves_c101_feasibly_and_the_gap_is_computed_against_bks():
    row = run_instance(C101, time_limit_s=3.0, seed=0, metaheuristic="ITERATED_LOCAL_SEARCH",
                       with_pyvrp=False)
    assert row.feasible and row.unassigned == 0
    assert row.best_known_distance == 827.3
    gap = row.as_json()["gap_pct"]
    assert isinstance(gap, float) and 0 <= gap < 10
    assert "| C101 | 827.3 |" in table([row])


def test_the_gap_is_a_percentage_of_the_best_known():
    assert gap_pct(110.0, 100.0) == 10.0 and gap_pct(1.0, None) is None


def test_a_hand_made_instance_is_solved_and_checked(tmp_path):
    path = tmp_path / "TINY.txt"
    path.write_text(TINY, encoding="utf-8")
    instance = parse_solomon(path)
    problem = to_problem(instance, 1.0, 0, "GUIDED_LOCAL_SEARCH")
    assert [c.capacity for c in problem.caregivers] == [10, 10]
    assert problem.visits[0].window.end == 500 and problem.visits[0].duration == 10
    routes = routes_of(plan_routes(problem, SolomonTravelTimes()))
    checked = check_solution(instance, routes)
    assert checked.feasible and checked.vehicles == 2  # 13 units of demand, capacity 10


def test_a_file_that_is_not_solomon_is_refused(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a Solomon instance"):
        parse_solomon(path)


def test_the_script_prints_one_json_object_per_instance(tmp_path, capsys):
    path = tmp_path / "TINY.txt"
    path.write_text(TINY, encoding="utf-8")
    assert main([str(path), "--time-limit", "1", "--json", "--no-pyvrp", "--no-append"]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert {"instance", "vehicles", "distance", "best_known_distance", "gap_pct",
            "wall_s"} <= set(line)
    assert line["instance"] == "TINY" and line["best_known_distance"] is None


def test_the_adapter_asks_for_the_distance_only_search_profile(tmp_path):
    from planning.routing_problem import DISTANCE_ONLY

    path = tmp_path / "TINY.txt"
    path.write_text(TINY, encoding="utf-8")
    problem = to_problem(parse_solomon(path), 1.0, 0, "ITERATED_LOCAL_SEARCH")
    assert problem.search_profile is DISTANCE_ONLY
    assert problem.weights.lateness == 0 and problem.break_rule is None


def test_several_seeds_give_one_json_object_per_run_and_a_table_over_the_seeds(
        tmp_path, capsys):
    path = tmp_path / "TINY.txt"
    path.write_text(TINY, encoding="utf-8")
    assert main([str(path), "--time-limit", "1", "--seeds", "0-1", "--json", "--no-pyvrp",
                 "--no-append"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert [(x["instance"], x["seed"]) for x in lines] == [("TINY", 0), ("TINY", 1)]


def test_the_seeds_table_reports_the_largest_distance_behind_pyvrp_in_one_run():
    from scripts.bench_routes import Checked, Row, seeds_table

    def run(seed, ours, theirs):
        return Row("RC201", 1000.0, ours, 9, True, 10.0, 0,
                   Checked(theirs, 9, ()), seed)

    # Seed 0: 1.2 % vs 0.1 % (1.1 points behind); seed 1: 2.0 % vs 0.0 % (2.0 behind).
    text = seeds_table([run(0, 1012.0, 1001.0), run(1, 1020.0, 1000.0)])
    row = next(line for line in text.splitlines() if line.startswith("| RC201"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2:5] == ["2", "1.60", "2.00"]
    assert cells[5] == "0: 1.2 / 1: 2.0"
    assert cells[6:10] == ["0.05", "0.10", "2.00", "yes"]
    assert "at most 2.00 points behind PyVRP in one run" in text


def test_seeds_are_read_as_lists_and_ranges():
    from scripts.bench_routes import parse_seeds

    assert parse_seeds("0-2,5") == [0, 1, 2, 5]
    assert parse_seeds("3") == [3]
    with pytest.raises(argparse.ArgumentTypeError, match="seeds"):
        parse_seeds("a-b")
