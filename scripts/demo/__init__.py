"""The demo district: "Område Øst" in Horsens, with 8 weeks of history.

``build_demo`` writes, from a fixed seed and only through the application
service (:class:`domain.application.Pusleplan`), a realistic district: six
self-planning teams of 12–17 people in three sub-areas with sister teams, about
300 citizens with visitations, triage and contact persons, routes per team and
shift layer, and the 8 weeks (56 days) before the Monday of ``today``'s week:

* a published roster per team for that period (bids, a greedy "proposal" —
  there is no solver in the demo —, a few puzzles, a check, publication) and
  shift changes after publication (sickness cover, meetings);
* sick days at a realistic rate (~6 %), a few holidays;
* triage and visitation changes (more help after a hospital stay, less after a
  rehabilitation course), a few discharges and new citizens;
* a reorganisation halfway: the first team splits into mini-teams (neighbouring
  routes and the staff who keep to them, ``mini_teams``); from then on the
  roster keeps people on their mini-team's routes, visits go to the citizen's
  mini-team and contact persons are reassigned into it, so fewer different
  people visit each citizen (kontinuitet visibly improves);
* per team and day: route assignments, the day's visits (one ``plan_visits``
  call) and the delivered visits with jittered actual times (one
  ``record_deliveries`` call);
* the next 8-week roster opened, with bids and partly puzzled (take, release,
  swap), not yet published.

Everything is drawn from ``random.Random`` seeded by ``seed``: the same seed and
``today`` give the same events (apart from the stores' own timestamps).
``plan_district`` is the pure part (teams, people, citizens) and writes nothing.
"""

from scripts.demo.base import DemoSummary as DemoSummary
from scripts.demo.builder import build_demo as build_demo
from scripts.demo.citizens import WINDOW_CHOICES as WINDOW_CHOICES
from scripts.demo.citizens import WINDOW_FOLLOWS as WINDOW_FOLLOWS
from scripts.demo.model import (
    ADMIN as ADMIN,
)
from scripts.demo.model import (
    DAY_NAMES as DAY_NAMES,
)
from scripts.demo.model import (
    HOURS_MIX as HOURS_MIX,
)
from scripts.demo.model import (
    LADDER as LADDER,
)
from scripts.demo.model import (
    LAYER_TIMES as LAYER_TIMES,
)
from scripts.demo.model import (
    LEADER as LEADER,
)
from scripts.demo.model import (
    MAX_NIGHTS_IN_ROW as MAX_NIGHTS_IN_ROW,
)
from scripts.demo.model import (
    PLANNER as PLANNER,
)
from scripts.demo.model import (
    REST_HOURS as REST_HOURS,
)
from scripts.demo.model import (
    SICK_LENGTHS as SICK_LENGTHS,
)
from scripts.demo.model import (
    SICK_START as SICK_START,
)
from scripts.demo.model import (
    SICK_WEIGHTS as SICK_WEIGHTS,
)
from scripts.demo.model import (
    SYSTEM as SYSTEM,
)
from scripts.demo.model import (
    TRAVEL_KMH as TRAVEL_KMH,
)
from scripts.demo.model import (
    CitizenPlan as CitizenPlan,
)
from scripts.demo.model import (
    DistrictPlan as DistrictPlan,
)
from scripts.demo.model import (
    Progress as Progress,
)
from scripts.demo.model import (
    RoutePlan as RoutePlan,
)
from scripts.demo.model import (
    StaffPlan as StaffPlan,
)
from scripts.demo.model import (
    TeamPlan as TeamPlan,
)
from scripts.demo.plan import mini_teams as mini_teams
from scripts.demo.plan import plan_district as plan_district
from scripts.demo.rosters import shift_times as shift_times
from scripts.demo_data import DEMO_ACCOUNTS as DEMO_ACCOUNTS

__all__ = ["DEMO_ACCOUNTS", "DemoSummary", "DistrictPlan", "build_demo", "plan_district"]
