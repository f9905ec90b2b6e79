"""The roster objective beyond the rules: bids, fairness, route continuity, moved shifts.

DESIGN.md "Planning" and issue 3 item 4 give the order — uncovered demand, broken
soft rules, unmet bids, unfairness, route continuity — and item 6 adds moved shifts
(with R7 fees, posted by the rule) on a re-solve. ``Weights`` tiers them; the
objective is one weighted sum (``RosterModel.terms``) so it explains itself part by
part.
"""

from __future__ import annotations

from datetime import date, timedelta

from planning.model import Shift
from planning.roster_model import Expr, RosterModel
from planning.roster_problem import Bid, BidKind


def post_objective(b: RosterModel) -> None:
    """Add bids, fairness, continuity and moved shifts, then minimise the weighted sum."""
    unmet = post_bids(b)
    post_fairness(b, unmet)
    post_continuity(b)
    post_moved(b)
    b.model.minimize(sum(t.coefficient * t.expr for t in b.terms))


def bid_unmet(b: RosterModel, bid: Bid, index: int) -> Expr:
    """0/1 expression that is 1 when the bid is not met (a constant when it cannot be)."""
    e = bid.employee
    if bid.kind is BidKind.WANT_ROUTE and bid.day is None:
        others = [c.lit for c in b.choices.get(e, [])
                  if c.shift_type.route not in (None, bid.route)]
        if not others:
            return 0
        var = b.new_bool(f"bid{index}_{e}_unmet")
        for lit in others:
            b.model.add_implication(lit, var)
        return var
    assert bid.day is not None
    day: date = bid.day
    on_day = [c for c in b.choices.get(e, []) if c.day == day]
    if bid.kind is BidKind.DAY_OFF:
        return b.touches(e, day) if e in b.slots else 0
    if bid.kind is BidKind.WANT_ROUTE:
        return 1 - sum(c.lit for c in on_day if c.shift_type.route == bid.route)
    matching = [c.lit for c in on_day
                if bid.shift_type is None or c.shift_type.code == bid.shift_type]
    if bid.kind is BidKind.WANT:
        return 1 - sum(matching)
    return sum(matching)  # AVOID


def post_bids(b: RosterModel) -> dict[str, Expr]:
    """Each unmet bid costs weights.bid × its weight; returns weighted unmet per person."""
    per_person: dict[str, Expr] = {}
    b.bid_terms = []
    for i, bid in enumerate(b.problem.bids):
        expr = bid_unmet(b, bid, i)
        b.bid_terms.append((bid, expr))
        b.penalty("bids", b.problem.weights.bid * bid.weight, expr, employee=bid.employee,
                  label=f"{bid.kind} {bid.day or ''} {bid.shift_type or bid.route or ''}")
        per_person[bid.employee] = per_person.get(bid.employee, 0) + bid.weight * expr
    return per_person


def fte_factor(weekly_hours: float) -> int:
    """Counts are compared per full-time equivalent, in tenths (37 h = 10)."""
    return min(max(round(10 * 37 / max(weekly_hours, 1.0)), 5), 40)


def spread(b: RosterModel, name: str, counts: dict[str, Expr], factors: dict[str, int],
           ) -> None:
    """Penalise max − min of the (FTE-scaled) counts across people (weights.fairness)."""
    if len(counts) < 2:
        return
    top = 40 * len(b.days) * 10
    high = b.model.new_int_var(0, top, f"fair_{name}_max")
    low = b.model.new_int_var(0, top, f"fair_{name}_min")
    for e, expr in counts.items():
        b.model.add(high >= factors[e] * expr)
        b.model.add(low <= factors[e] * expr)
    b.spreads[name] = {e: factors[e] * expr for e, expr in counts.items()}
    b.penalty("fairness", b.problem.weights.fairness, high - low, label=name)


def post_fairness(b: RosterModel, unmet: dict[str, Expr]) -> None:
    """Weekends, evenings, nights and unmet bids spread evenly across the people who can
    take them (issue 3 item 4)."""
    factors = {m.employee: fte_factor(m.person.weekly_hours) for m in b.members}
    weekends, evenings, nights = {}, {}, {}
    saturdays = [d for d in b.days if d.weekday() == 5]
    for m in b.members:
        e, slots = m.employee, [s for s in b.slots[m.employee] if s.lit is not None]
        if any(s.day.weekday() >= 5 for s in slots):
            worked = []
            for sat in saturdays:
                w = b.new_bool(f"weekend_{e}_{sat:%Y%m%d}")
                b.model.add_max_equality(w, [b.touches(e, sat),
                                             b.touches(e, sat + timedelta(days=1))])
                worked.append(w)
            weekends[e] = sum(worked)
        if any(s.shift.layer == "aften" for s in slots):
            evenings[e] = sum(s.lit for s in slots if s.shift.layer == "aften")
        if any(s.is_night for s in slots):
            nights[e] = sum(s.lit for s in slots if s.is_night)
    spread(b, "weekends", weekends, factors)
    spread(b, "evenings", evenings, factors)
    spread(b, "nights", nights, factors)
    bidders = {e: expr for e, expr in unmet.items() if e in factors}
    spread(b, "unmet_bids", bidders, {e: 10 for e in bidders})


def post_continuity(b: RosterModel) -> None:
    """Route continuity: each extra route a person works costs weights.continuity."""
    routes = {t.route for t in b.problem.shift_types if t.route}
    if len(routes) < 2:
        return
    for m in b.members:
        for route in sorted(routes):
            lits = [c.lit for c in b.choices[m.employee] if c.shift_type.route == route]
            if not lits:
                continue
            uses = b.new_bool(f"route_{m.employee}_{route}")
            for lit in lits:
                b.model.add_implication(lit, uses)
            b.penalty("continuity", b.problem.weights.continuity, uses, employee=m.employee,
                      label=route)


def post_moved(b: RosterModel) -> None:
    """Re-solve: each (person, day) whose shift differs from the current plan costs
    weights.moved (issue 3 item 6). The solver's hint starts from the current plan
    (``planning.roster_greedy`` keeps what still fits)."""
    b.moved = []
    if not b.problem.current_plan:
        return
    for m in b.members:
        e = m.employee
        for day in b.days:
            current = b.current.get((e, day))
            if current is None:
                changed: Expr = sum(b.lits_on(e, day))
            else:
                changed = 1 - sum(c.lit for c in b.choices[e] if c.day == day
                                  and _same(c.shift_type.shift(e, day), current))
            b.moved.append(changed)
            b.penalty("moved", b.problem.weights.moved, changed, employee=e, label=str(day))


def _same(planned: Shift, current: Shift) -> bool:
    """A choice keeps the current shift: same times, and the same route if it had one."""
    return ((planned.start, planned.end) == (current.start, current.end)
            and current.route in (None, planned.route))
