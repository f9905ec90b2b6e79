"""Static material for the demo district "Område Øst" in Horsens (East Jutland).

The geography is real (approximate centres of neighbourhoods east and north-east
of Horsens town centre); the people are fictional: names are drawn at random
from common Danish first names and surnames, addresses from real-sounding
street names. Nothing here identifies a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRICT_NAME = "Område Øst"
TOWN = "Horsens"
POSTCODE = "8700"

#: Horsens town centre (Torvet), for reference.
TOWN_CENTRE = (55.8607, 9.8503)


@dataclass(frozen=True)
class SubArea:
    """A sub-area (underområde) of the district: two sister teams share it."""

    name: str
    lat: float
    lon: float
    #: the teams' base (hjemmeplejegruppe), a little off the centre
    base_name: str
    base_lat: float
    base_lon: float
    streets: tuple[str, ...]

    @property
    def team_names(self) -> tuple[str, str]:
        """The two sister teams split the sub-area into a western and an eastern half."""
        return (f"{self.name} Vest", f"{self.name} Øst")


SUB_AREAS: tuple[SubArea, ...] = (
    SubArea(
        name="Stensballe",
        lat=55.8730, lon=9.9050,
        base_name="Base Stensballe", base_lat=55.8712, base_lon=9.8985,
        streets=(
            "Stensballevej", "Strandkærvej", "Stensballegårdvej", "Bygaden",
            "Fjordvænget", "Ravnsbjergvej", "Bakkesvinget", "Egeskovvej",
            "Mågevej", "Ternevej", "Vibevej", "Lærkevej", "Kløvervænget",
            "Sønderskovvej", "Grønningen", "Strandtoften", "Kirkevænget",
        ),
    ),
    SubArea(
        name="Østbyen",
        lat=55.8620, lon=9.8620,
        base_name="Base Østbyen", base_lat=55.8633, base_lon=9.8588,
        streets=(
            "Sundvej", "Østergade", "Havnegade", "Vitus Berings Plads",
            "Gasvej", "Holmboes Allé", "Ny Havnegade", "Jessensgade",
            "Allégade", "Kongensgade", "Emil Møllers Gade", "Bredgade",
            "Smedegade", "Fabriksvej", "Slotsgade", "Åboulevarden", "Løvenørnsgade",
        ),
    ),
    SubArea(
        name="Nørrestrand",
        lat=55.8745, lon=9.8500,
        base_name="Base Nørrestrand", base_lat=55.8722, base_lon=9.8462,
        streets=(
            "Nørrebrogade", "Nørrestrandsvej", "Fussingsvej", "Strandpromenaden",
            "Borgergade", "Ternevej", "Nørregade", "Silkeborgvej", "Tornvej",
            "Caroline Amalies Vej", "Grønlandsvej", "Kollegievej", "Bygholm Parkvej",
            "Rædersgade", "Vestergade", "Bakkegårdsvej", "Sølvgade",
        ),
    ),
)

#: Team codes, in order: two per sub-area; teams 1–2 are sister teams, 3–4, 5–6.
TEAM_CODES: tuple[str, ...] = ("OE1", "OE2", "OE3", "OE4", "OE5", "OE6")

#: Horsens Fjord: points east of this longitude and south of this latitude are in
#: the water, so citizens are never placed there.
FJORD_LON, FJORD_LAT = 9.872, 55.8625

#: Citizens are scattered within this radius (km) of their sub-area centre.
SCATTER_KM = 1.5

CITIZEN_FIRST_NAMES_F: tuple[str, ...] = (
    "Karen", "Inge", "Kirsten", "Hanne", "Grethe", "Bente", "Else", "Ruth", "Birthe",
    "Lis", "Jytte", "Inger", "Ellen", "Gerda", "Edith", "Anna", "Marie", "Ingrid",
    "Lene", "Aase", "Erna", "Dorthe", "Gudrun", "Tove", "Henny", "Ella", "Bodil",
    "Astrid", "Esther", "Ketty", "Vibeke", "Lone", "Jonna", "Solveig", "Agnete",
)
CITIZEN_FIRST_NAMES_M: tuple[str, ...] = (
    "Jens", "Niels", "Poul", "Hans", "Erik", "Ole", "Svend", "Aage", "Kaj", "Bent",
    "Finn", "Knud", "Jørgen", "Preben", "Arne", "Leif", "Henning", "Carl", "Verner",
    "Børge", "Frede", "Ib", "Mogens", "Flemming", "Egon", "Kurt", "Orla", "Helge",
)
STAFF_FIRST_NAMES: tuple[str, ...] = (
    "Mette", "Louise", "Camilla", "Sofie", "Maria", "Sarah", "Fatima", "Amina", "Line",
    "Pernille", "Susanne", "Tina", "Charlotte", "Anja", "Heidi", "Rikke", "Trine",
    "Stine", "Malene", "Julie", "Emma", "Ida", "Nadia", "Aisha", "Katrine", "Marianne",
    "Dorte", "Gitte", "Lotte", "Sanne", "Yasmin", "Leyla", "Agnieszka", "Joanna",
    "Mads", "Jonas", "Ahmed", "Kasper", "Morten", "Thomas", "Rasmus", "Ali", "Martin",
    "Simon", "Emil", "Omar", "Tobias", "Peter", "Anders", "Mikkel",
)
SURNAMES: tuple[str, ...] = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen",
    "Jakobsen", "Mikkelsen", "Frederiksen", "Lauridsen", "Holm", "Schmidt", "Nygaard",
    "Kjær", "Dahl", "Bach", "Lund", "Østergaard", "Vestergaard", "Bertelsen", "Iversen",
    "Skov", "Bruun", "Damgaard", "Ravn", "Ali", "Yilmaz", "Hussain", "Nguyen",
    "Kowalska", "Mohamed", "Gregersen", "Toft", "Kirkegaard", "Brandt",
)

# -- services (ydelser) ---------------------------------------------------------------
#
# Codes follow the usual Fælles Sprog III style headings; minutes and windows are
# typical for Danish home care. The profession is the minimum needed.

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS_ONLY = ("mon", "tue", "wed", "thu", "fri")

SERVICE_NAMES: dict[str, str] = {
    "PP1": "Personlig pleje, morgen",
    "MED1": "Medicingivning, morgen",
    "PP2": "Personlig pleje og mad, middag",
    "MAD": "Hjælp til måltid, eftermiddag",
    "MED2": "Medicingivning, aften",
    "PP3": "Personlig pleje, aften",
    "PP4": "Sengelægning",
    "NAT": "Natligt tilsyn og vending",
    "PH1": "Praktisk hjælp, rengøring",
    "SYG": "Sygepleje, sårpleje",
    "REH": "Rehabiliteringsforløb (§ 83a)",
}

#: (code, window start, window end, profession)
SERVICE_WINDOWS: dict[str, tuple[str, str, str]] = {
    "PP1": ("07:00", "10:00", "SSH"),
    "MED1": ("07:00", "10:00", "SSA"),
    "PP2": ("11:30", "13:30", "SSH"),
    "MAD": ("15:30", "17:30", "SSH"),
    "MED2": ("17:30", "20:30", "SSA"),
    "PP3": ("17:30", "20:30", "SSH"),
    "PP4": ("20:30", "22:45", "SSH"),
    "NAT": ("01:00", "05:00", "SSH"),
    "PH1": ("10:00", "14:30", "SSH"),
    "SYG": ("09:00", "14:00", "SPL"),
    "REH": ("09:00", "14:30", "TER"),
}

DISCHARGE_REASONS: tuple[str, ...] = (
    "Flyttet på plejecenter",
    "Død",
    "Selvhjulpen efter rehabiliteringsforløb",
    "Fraflyttet kommunen",
)

VISITATION_INCREASE_REASONS: tuple[str, ...] = (
    "Øget behov efter hospitalsudskrivelse",
    "Revisitation: faldende funktionsniveau",
    "Øget behov efter fald i hjemmet",
)
VISITATION_REHAB_REASON = "Rehabiliteringsforløb afsluttet (§ 83a) – reduceret hjælp"

TRIAGE_REASONS: dict[str, tuple[str, ...]] = {
    "roed": ("Akut forværring, tæt opfølgning", "Udskrevet efter indlæggelse",
             "Uafklaret smertebillede"),
    "gul": ("Begyndende tryksår", "Nedsat appetit og vægttab", "Øget forvirring",
            "Stabiliseret efter forværring"),
    "groen": ("Stabil igen", "Har det godt, rehabilitering går fint"),
}

#: Log-in accounts for the demo (the password for all of them is ``demo``; the web
#: layer hashes it). Members are the first regular employee of team 1…6.
DEMO_PASSWORD = "demo"

DEMO_ACCOUNTS: list[dict[str, str | None]] = [
    {"username": "planlaegger", "role": "planner", "display_name": "Pia Planlægger",
     "team": "OE1", "team_code": "OE1", "employee_number": None},
    {"username": "leder", "role": "leader", "display_name": "Lone Leder (områdeleder)",
     "team": None, "team_code": None, "employee_number": None},
    {"username": "admin", "role": "administrative", "display_name": "Anders Administration",
     "team": None, "team_code": None, "employee_number": None},
    {"username": "evaluator", "role": "evaluator", "display_name": "Eva Evaluator",
     "team": None, "team_code": None, "employee_number": None},
] + [
    {"username": f"medlem{n}", "role": "member", "display_name": f"Medlem {n} ({code}-01)",
     "team": code, "team_code": code, "employee_number": f"{code}-01"}
    for n, code in enumerate(TEAM_CODES, start=1)
]
