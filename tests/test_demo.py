"""The demo district: deterministic, realistic, and within the domain's rules.

The store-backed tests build a small demo (2 teams, a few citizens, 2 weeks of
history) so they run in seconds on SQLite and PostgreSQL; the full-scale
district is checked through ``plan_district``, which plans without writing.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from domain.application import Pusleplan
from scripts.demo import DEMO_ACCOUNTS, build_demo, mini_teams, plan_district
from tests.conftest import Store

TODAY = date(2026, 3, 4)  # a Wednesday: history is 2026-02-16 … 2026-03-01 (2 weeks)
SMALL = {"teams": 2, "citizens": 24, "history_weeks": 2}


def build_small(app: Pusleplan, seed: int = 2026) -> Any:
    return build_demo(app, seed=seed, today=TODAY, **SMALL)


def event_log(app: Pusleplan) -> list[tuple[str, str, int, dict[str, Any]]]:
    """Every event in the notification log: topic, originator, version, state minus timestamp."""
    rows = []
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=5000)
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            state = {k: v for k, v in vars(event).items() if k != "timestamp"}
            rows.append((notification.topic, str(notification.originator_id),
                         notification.originator_version, state))
        if len(page) < 5000:
            return rows
        start = page[-1].id + 1


def topic_names(rows: list[tuple[str, str, int, dict[str, Any]]]) -> Counter[str]:
    return Counter(topic.rsplit(".", 1)[-1] for topic, *_ in rows)


def test_demo_writes_the_required_kinds_of_events(app: Pusleplan) -> None:
    summary = build_small(app)
    rows = event_log(app)
    names = topic_names(rows)
    for required in ("TeamCreated", "RouteAssigned", "ShiftPuzzled", "VisitationChanged",
                     "ShiftBid", "ProposalAccepted", "RosterPublished", "VisitPlanned",
                     "VisitDelivered", "AbsenceRegistered", "SisterTeamLinked",
                     "ContactPersonAssigned", "TriageChanged", "RosterOpened"):
        assert names[required] > 0, required
    assert summary.events == len(rows)
    assert summary.teams == 2 and names["TeamCreated"] == 2
    assert summary.visits_delivered == names["VisitDelivered"] == names["VisitPlanned"]
    # One plan_visits and one record_deliveries call per team-day: the day plan's
    # visits were all planned, then all delivered, with no interleaving.
    by_plan: dict[str, list[str]] = {}
    for topic, originator, _, _ in rows:
        name = topic.rsplit(".", 1)[-1]
        if name in ("VisitPlanned", "VisitDelivered"):
            by_plan.setdefault(originator, []).append(name)
    for sequence in by_plan.values():
        split = sequence.index("VisitDelivered")
        assert set(sequence[:split]) == {"VisitPlanned"}
        assert set(sequence[split:]) == {"VisitDelivered"}


def test_progress_is_reported_per_stage(app: Pusleplan) -> None:
    calls: list[tuple[str, int, int]] = []
    build_demo(app, seed=7, today=TODAY, progress=lambda s, d, t: calls.append((s, d, t)),
               teams=1, citizens=8, history_weeks=1)
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert len(stages) >= 4
    for stage in stages:
        last = [c for c in calls if c[0] == stage][-1]
        assert last[1] == last[2], stage  # every stage reaches done == total


def test_same_seed_gives_the_same_events_different_seed_different(
    app: Pusleplan, store: Store, store_factory: Any,
) -> None:
    build_small(app)
    first = event_log(app)
    twin = store_factory(store.kind).app()
    try:
        build_small(twin)
        assert event_log(twin) == first
    finally:
        twin.close()
    other = store_factory(store.kind).app()
    try:
        build_small(other, seed=2027)
        assert event_log(other) != first
    finally:
        other.close()


def test_no_substitute_at_red_or_yellow_citizens_and_nobody_planned_while_sick(
    app: Pusleplan,
) -> None:
    build_small(app, seed=11)
    substitutes: set[str] = set()
    triage: dict[str, str] = {}
    citizen_of: dict[tuple[str, str], str] = {}
    sick: dict[str, list[tuple[date, date | None]]] = {}
    delivered_by_substitute = 0
    for topic, originator, _, state in event_log(app):
        name = topic.rsplit(".", 1)[-1]
        if name == "EmployeeHired" and state["is_substitute"]:
            substitutes.add(originator)
        elif name == "TriageChanged":
            triage[originator] = state["triage"]
        elif name == "AbsenceRegistered" and state["kind"] == "sick":
            sick.setdefault(originator, []).append((state["start"], state["end"]))
        elif name == "AbsenceEnded":
            spans = sick.get(originator, [])
            for i, (start, end) in enumerate(spans):
                if end is None:
                    spans[i] = (start, state["end"])
        elif name == "VisitPlanned":
            citizen_of[(originator, state["visit_id"])] = state["citizen_id"]
            day = state["start"].date()
            for employee in state["employee_ids"]:
                for start, end in sick.get(employee, []):
                    assert not (start <= day and (end is None or day <= end)), \
                        f"{employee} planned on {day} while sick"
        elif name == "VisitDelivered":
            citizen = citizen_of[(originator, state["visit_id"])]
            colour = triage.get(citizen, "groen")
            for employee in state["employee_ids"]:
                if employee in substitutes:
                    assert colour == "groen", f"substitute at a {colour} citizen"
                    delivered_by_substitute += 1
    assert substitutes, "the demo has a substitute (vikar)"
    assert delivered_by_substitute > 0, "the substitute does work (at green citizens)"


def test_full_scale_district_plan() -> None:
    plan = plan_district(seed=2026, today=TODAY)
    assert len(plan.teams) == 6
    assert all(12 <= size <= 17 for size in plan.team_sizes().values()), plan.team_sizes()
    assert 280 <= len(plan.citizens) <= 320
    assert plan.history_start == date(2026, 1, 5)
    assert plan.next_start - plan.history_start == timedelta(days=56)
    # Sister teams pair up within each sub-area.
    by_code = {t.code: t for t in plan.teams}
    for team in plan.teams:
        sister = by_code[team.sister_code or ""]
        assert sister.sister_code == team.code
        assert sister.sub_area == team.sub_area
    professions = Counter(m.profession for m in plan.employees if not m.is_substitute)
    care = sum(professions[p] for p in ("SSH", "SSA", "SPL"))
    assert 0.45 <= professions["SSH"] / care <= 0.65
    assert 0.22 <= professions["SSA"] / care <= 0.38
    assert professions["TER"] == 2
    for team in plan.teams:
        nurses = sum(1 for m in team.members if m.profession == "SPL")
        assert 1 <= nurses <= 3
    assert 1 <= sum(1 for m in plan.employees if m.is_substitute) <= 2
    assert {m.weekly_hours for m in plan.employees} <= {37.0, 32.0, 30.0, 28.0}
    # Coordinates lie around Horsens (Område Øst), not in the fjord.
    for citizen in plan.citizens:
        assert 55.83 < citizen.lat < 55.90 and 9.80 < citizen.lon < 9.95
    assert sum(1 for c in plan.citizens
               if any(s["double_staffed"] for s in c.services)) >= 3
    assert {c.triage for c in plan.citizens} == {"groen", "gul", "roed"}
    # Pure: the same seed plans the same district.
    assert plan_district(seed=2026, today=TODAY) == plan


def test_demo_accounts() -> None:
    names = [a["username"] for a in DEMO_ACCOUNTS]
    assert names[:4] == ["planlaegger", "leder", "admin", "evaluator"]
    assert names[4:] == [f"medlem{n}" for n in range(1, 7)]
    plan = plan_district(seed=2026, today=TODAY)
    numbers = {m.number: m for m in plan.employees}
    for n, account in enumerate(DEMO_ACCOUNTS[4:], start=1):
        assert account["role"] == "member"
        assert account["team"] == f"OE{n}"
        member = numbers[account["employee_number"]]
        assert member.team_code == account["team"] and member.is_regular


@pytest.mark.parametrize("seed", [1, 99])
def test_other_seeds_keep_team_sizes(seed: int) -> None:
    plan = plan_district(seed=seed, today=TODAY)
    assert all(12 <= size <= 17 for size in plan.team_sizes().values())


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_the_team_that_splits_into_mini_teams_can_staff_its_routes(seed: int) -> None:
    # With the rest rules kept (R2/R3) a 12-person OE1 could not staff its routes: its
    # shifts stayed open or fell to other mini-teams, and the split changed nothing
    # visible. The team that splits is one of the larger ones, and its own staff's
    # contracted hours cover every shift its routes demand.
    plan = plan_district(seed=seed, today=TODAY)
    split = plan.teams[0]
    assert 15 <= len(split.members) <= 17
    staff = sum(m.weekly_hours for m in split.members if m.is_regular)
    demanded = sum(8 * len(r.days) for r in split.routes if r.profession != "TER")
    assert staff >= demanded, (staff, demanded)
    groups = mini_teams(split)
    assert len({groups[m.number] for m in split.members if m.number in groups}) >= 3


def test_every_demo_roster_keeps_the_hard_agreement_rules(app: Pusleplan) -> None:
    # The greedy demo rosters (the published history and the open, partly puzzled next
    # one) must pass the same checker the web shows, or "Foreslå plan" on the open roster
    # answers "infeasible" and the demo looks careless. Small district, 2 × 2 rosters.
    from domain.rosters import roster_id
    from domain.teams import team_id
    from planning.checker import check
    from web.rosterplan import load_context, to_plan

    build_small(app)
    plan = plan_district(seed=2026, today=TODAY, **SMALL)
    checked = 0
    for team in plan.teams:
        for start in (plan.history_start, plan.next_start):
            context = load_context(app, roster_id(team_id(team.code), start))
            result = check(to_plan(context), suggest=False)
            assert [(v.rule, v.employee, v.dates) for v in result.hard] == [], (team, start)
            assert sum(1 for s in context.roster["shifts"].values() if s["employee_id"]) > 20
            checked += 1
    assert checked == 4
