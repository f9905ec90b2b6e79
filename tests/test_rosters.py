"""Roster (vagtplan) invariants: period, membership, puzzling, publication."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.errors import Conflict, RuleBroken
from tests.factories import LEADER, MONDAY, at, team_scenario


def take(app, s, shift_id, who, day=MONDAY, start=7, end=15, layer="dag"):
    app.take_shift(LEADER, s.roster, shift_id, who, day, layer, at(day, start), at(day, end))


@pytest.mark.parametrize(("start", "weeks"), [(date(2026, 11, 24), 8), (MONDAY, 0),
                                              (MONDAY, 13)])
def test_a_roster_period_starts_on_a_monday_and_lasts_one_to_twelve_weeks(
    memory_app, start, weeks
):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken) as caught:
        memory_app.open_roster(LEADER, s.team, start, weeks)
    assert caught.value.field in ("period_start", "weeks")


def test_the_same_period_cannot_be_opened_twice(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(Conflict):
        memory_app.open_roster(LEADER, s.team, MONDAY, 8)


def test_only_a_member_of_the_team_can_hold_a_shift_in_its_roster(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken) as caught:
        take(memory_app, s, "s1", s.outsider)
    assert "medlemmer" in caught.value.message
    assert memory_app.roster(s.roster)["shifts"] == {}


def test_a_shift_must_lie_inside_the_period_and_end_after_it_starts(memory_app):
    s = team_scenario(memory_app)
    with pytest.raises(RuleBroken):
        take(memory_app, s, "s1", s.members[0], day=MONDAY - timedelta(days=1))
    with pytest.raises(RuleBroken):
        take(memory_app, s, "s1", s.members[0], day=MONDAY + timedelta(weeks=8))
    with pytest.raises(RuleBroken):
        take(memory_app, s, "s1", s.members[0], start=15, end=7)


def test_a_person_cannot_hold_two_overlapping_shifts(memory_app):
    s = team_scenario(memory_app)
    take(memory_app, s, "s1", s.members[0], start=7, end=15)
    with pytest.raises(RuleBroken) as caught:
        take(memory_app, s, "s2", s.members[0], start=14, end=22, layer="aften")
    assert "allerede en vagt" in caught.value.message
    take(memory_app, s, "s2", s.members[0], start=15, end=23, layer="aften")  # touching is fine


def test_a_taken_shift_cannot_be_taken_by_a_colleague_but_a_released_one_can(memory_app):
    s = team_scenario(memory_app)
    a, b = s.members[0], s.members[1]
    take(memory_app, s, "s1", a)
    with pytest.raises(RuleBroken) as caught:
        take(memory_app, s, "s1", b)
    assert "bytning" in caught.value.message
    with pytest.raises(RuleBroken):
        memory_app.release_shift(LEADER, s.roster, "s1", b)  # not b's shift
    memory_app.release_shift(LEADER, s.roster, "s1", a)
    assert memory_app.roster(s.roster)["shifts"]["s1"]["employee_id"] is None
    take(memory_app, s, "s1", b)
    assert memory_app.roster(s.roster)["shifts"]["s1"]["employee_id"] == str(b)


def test_a_swap_exchanges_two_shifts_and_a_handover_moves_one(memory_app):
    s = team_scenario(memory_app)
    a, b, c = s.members
    tue = MONDAY + timedelta(days=1)
    take(memory_app, s, "mon", a)
    take(memory_app, s, "tue", b, day=tue)
    memory_app.swap_shifts(LEADER, s.roster, "mon", b, other_shift_id="tue")
    shifts = memory_app.roster(s.roster)["shifts"]
    assert (shifts["mon"]["employee_id"], shifts["tue"]["employee_id"]) == (str(b), str(a))
    memory_app.swap_shifts(LEADER, s.roster, "mon", c)
    assert memory_app.roster(s.roster)["shifts"]["mon"]["employee_id"] == str(c)
    with pytest.raises(RuleBroken):
        memory_app.swap_shifts(LEADER, s.roster, "mon", s.outsider)


def test_a_swap_that_would_overlap_the_receivers_own_shift_is_refused(memory_app):
    s = team_scenario(memory_app)
    a, b = s.members[0], s.members[1]
    take(memory_app, s, "a-day", a, start=7, end=15)
    take(memory_app, s, "b-day", b, start=8, end=16)
    with pytest.raises(RuleBroken):
        memory_app.swap_shifts(LEADER, s.roster, "a-day", b)
    # exchanging the two is fine: each gives up the overlapping shift
    memory_app.swap_shifts(LEADER, s.roster, "a-day", b, other_shift_id="b-day")


def test_bids_need_a_member_a_date_in_the_period_and_a_layer_or_route(memory_app):
    s = team_scenario(memory_app)
    a = s.members[0]
    with pytest.raises(RuleBroken) as caught:
        memory_app.bid_shift(LEADER, s.roster, "b1", a, "want_shift", MONDAY)
    assert caught.value.field == "layer"
    with pytest.raises(RuleBroken):
        memory_app.bid_shift(LEADER, s.roster, "b1", a, "want_route", MONDAY)
    with pytest.raises(RuleBroken):
        memory_app.bid_shift(LEADER, s.roster, "b1", s.outsider, "day_off", MONDAY)
    memory_app.bid_shift(LEADER, s.roster, "b1", a, "day_off", MONDAY, weight=5)
    assert memory_app.roster(s.roster)["bids"]["b1"]["kind"] == "day_off"


def test_a_proposal_replaces_the_shifts_but_only_with_members_and_without_overlaps(memory_app):
    s = team_scenario(memory_app)
    a = str(s.members[0])
    shift = {"shift_id": "p1", "employee_id": a, "date": MONDAY, "layer": "dag",
             "start": at(MONDAY, 7), "end": at(MONDAY, 15)}
    with pytest.raises(RuleBroken):
        memory_app.accept_proposal(LEADER, s.roster, [{**shift, "employee_id": str(s.outsider)}])
    with pytest.raises(RuleBroken):
        memory_app.accept_proposal(LEADER, s.roster, [shift, {**shift, "shift_id": "p2"}])
    memory_app.accept_proposal(LEADER, s.roster, [shift], {"uncovered": 0})
    assert list(memory_app.roster(s.roster)["shifts"]) == ["p1"]


def test_publishing_requires_a_clean_check_after_the_last_change(memory_app):
    s = team_scenario(memory_app)
    take(memory_app, s, "s1", s.members[0])
    published = datetime(2026, 10, 20, 12)
    with pytest.raises(RuleBroken):
        memory_app.publish_roster(LEADER, s.roster, published)
    memory_app.record_roster_check(LEADER, s.roster, hard_violations=2, soft_violations=0)
    with pytest.raises(RuleBroken):
        memory_app.publish_roster(LEADER, s.roster, published)
    memory_app.record_roster_check(LEADER, s.roster, hard_violations=0, soft_violations=1)
    take(memory_app, s, "s2", s.members[1])  # a change after the check
    with pytest.raises(RuleBroken):
        memory_app.publish_roster(LEADER, s.roster, published)
    memory_app.record_roster_check(LEADER, s.roster, hard_violations=0, soft_violations=1)
    memory_app.publish_roster(LEADER, s.roster, published)
    assert memory_app.roster(s.roster)["published_at"] == published


def test_a_published_roster_changes_only_through_a_change_that_records_the_notice(memory_app):
    s = team_scenario(memory_app)
    a, b = s.members[0], s.members[1]
    take(memory_app, s, "s1", a)
    memory_app.record_roster_check(LEADER, s.roster, 0, 0)
    memory_app.publish_roster(LEADER, s.roster, datetime(2026, 10, 20, 12))
    with pytest.raises(RuleBroken) as caught:
        take(memory_app, s, "s2", b, day=MONDAY + timedelta(days=2))
    assert "offentliggjort" in caught.value.message
    with pytest.raises(RuleBroken):
        memory_app.swap_shifts(LEADER, s.roster, "s1", b)
    with pytest.raises(RuleBroken) as caught:
        memory_app.change_shift_after_publish(
            LEADER, s.roster, "s1", b, at(MONDAY, 7), at(MONDAY, 15),
            changed_at=datetime(2026, 11, 21, 7), reason=" ",
        )
    assert caught.value.field == "reason"
    memory_app.change_shift_after_publish(
        LEADER, s.roster, "s1", b, at(MONDAY, 7), at(MONDAY, 15),
        changed_at=datetime(2026, 11, 21, 7), reason="Anna er syg",
    )
    assert memory_app.roster(s.roster)["shifts"]["s1"]["employee_id"] == str(b)
    events = [memory_app.mapper.to_domain_event(n) for n in
              memory_app.recorder.select_notifications(start=1, limit=500)]
    change = [e for e in events if type(e).__name__ == "ShiftChangedAfterPublish"][0]
    assert change.notice_hours == 48.0
    assert change.previous_employee_id == str(a)


def test_an_exchange_after_publication_stores_both_changes_or_neither(memory_app):
    s = team_scenario(memory_app)
    a, b = s.members[0], s.members[1]
    wednesday, thursday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    take(memory_app, s, "s1", a)
    take(memory_app, s, "s2", b, day=wednesday)
    take(memory_app, s, "s3", a, day=wednesday, start=10, end=18)  # overlaps s2
    take(memory_app, s, "s4", b, day=thursday)
    memory_app.record_roster_check(LEADER, s.roster, 0, 0)
    memory_app.publish_roster(LEADER, s.roster, datetime(2026, 10, 20, 12))
    version = memory_app.roster(s.roster)["version"]
    with pytest.raises(RuleBroken):  # s1 could go to b, but s2 cannot go to a
        memory_app.change_shift_after_publish(
            LEADER, s.roster, "s1", b, at(MONDAY, 7), at(MONDAY, 15),
            changed_at=datetime(2026, 11, 21, 7), reason="Bytte", exchange_shift_id="s2")
    roster = memory_app.roster(s.roster)
    assert roster["version"] == version  # nothing stored, not even the first half
    assert roster["shifts"]["s1"]["employee_id"] == str(a)
    memory_app.change_shift_after_publish(
        LEADER, s.roster, "s1", b, at(MONDAY, 7), at(MONDAY, 15),
        changed_at=datetime(2026, 11, 21, 7), reason="Bytte", exchange_shift_id="s4")
    shifts = memory_app.roster(s.roster)["shifts"]
    assert (shifts["s1"]["employee_id"], shifts["s4"]["employee_id"]) == (str(b), str(a))


def test_a_shift_cannot_be_changed_after_publish_before_the_roster_is_published(memory_app):
    s = team_scenario(memory_app)
    take(memory_app, s, "s1", s.members[0])
    with pytest.raises(RuleBroken):
        memory_app.change_shift_after_publish(
            LEADER, s.roster, "s1", s.members[1], at(MONDAY, 7), at(MONDAY, 15),
            changed_at=datetime(2026, 11, 1), reason="x",
        )


def test_a_proposal_may_name_its_people_by_uuid(memory_app):
    s = team_scenario(memory_app)
    shift = {"shift_id": "p1", "employee_id": s.members[0], "date": MONDAY, "layer": "dag",
             "start": at(MONDAY, 7), "end": at(MONDAY, 15)}
    memory_app.accept_proposal(LEADER, s.roster, [shift])
    assert memory_app.roster(s.roster)["shifts"]["p1"]["employee_id"] == str(s.members[0])


def test_a_command_expecting_an_older_version_is_refused_and_stores_nothing(memory_app):
    s = team_scenario(memory_app)
    take(memory_app, s, "s1", s.members[0])
    seen = memory_app.roster(s.roster)["version"]
    take(memory_app, s, "s2", s.members[1], day=MONDAY + timedelta(days=1))  # a colleague
    with pytest.raises(Conflict), memory_app.expecting(s.roster, seen):
        memory_app.release_shift(LEADER, s.roster, "s1", s.members[0])
    assert memory_app.roster(s.roster)["shifts"]["s1"]["employee_id"] == str(s.members[0])
    current = memory_app.roster(s.roster)["version"]
    with memory_app.expecting(s.roster, current) as saved:
        memory_app.release_shift(LEADER, s.roster, "s1", s.members[0])
    assert saved.loaded is not None and saved.loaded.version == current + 1
    assert memory_app.roster(s.roster)["version"] == current + 1
