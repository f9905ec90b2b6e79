"""A municipality's rule overrides (TOML) are validated with clear messages."""

from __future__ import annotations

import pytest

from planning.model import Severity
from planning.rules import Catalogue, RuleConfigError


def write(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_catalogue_has_the_twenty_rules_of_the_agreement():
    catalogue = Catalogue.default()
    assert sorted(catalogue.rules, key=lambda r: int(r[1:])) == [f"R{i}" for i in range(1, 21)]
    assert catalogue["R1"].min_rest_h == 11
    assert catalogue["R15"].unverified and "UNV" in catalogue["R15"].status


def test_a_municipality_overrides_parameters_severity_and_weight(tmp_path):
    catalogue = Catalogue.from_toml(write(tmp_path, """
municipality = "Horsens"
[rules.R18]
weekend_off_every_n = 3
weight = 5
[rules.R14]
severity = "hard"
max_consecutive_nights = 4
[rules.R17]
enabled = false
"""))
    assert catalogue.municipality == "Horsens"
    assert catalogue["R18"].weekend_off_every_n == 3 and catalogue["R18"].weight == 5
    assert catalogue["R14"].severity is Severity.HARD
    assert "R17" not in [r.id for r in catalogue]


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("[rules.R99]\nx = 1", "unknown rule(s) R99"),
        ("[rules.R1]\nmin_rest = 11", "[rules.R1] unknown parameter(s): min_rest"),
        ("[rules.R1]\nmin_rest_h = \"11h\"", "[rules.R1] min_rest_h must be a number (h)"),
        ("[rules.R1]\nmin_rest_h = 30", "above the maximum 24 h"),
        ("[rules.R2]\nwindow_days = 6.5", "must be a whole number (days)"),
        ("[rules.R3]\nseverity = \"sometimes\"", "severity must be"),
        ("[rule.R1]\nmin_rest_h = 11", "unknown section(s) rule"),
        ("[rules.R12]\nreduce_norm = 1", "must be true or false"),
        ("not toml at all", "not valid TOML"),
        ("[rules.R1]\nmin_rest_h = 9\nreduced_rest_h = 10", "cannot exceed min_rest_h"),
    ],
)
def test_bad_rule_files_are_rejected_naming_the_rule_and_parameter(tmp_path, toml, words):
    with pytest.raises(RuleConfigError) as caught:
        Catalogue.from_toml(write(tmp_path, toml))
    assert words in str(caught.value)
    assert "rules.toml" in str(caught.value)


def test_a_missing_rules_file_is_named(tmp_path):
    with pytest.raises(RuleConfigError) as caught:
        Catalogue.from_toml(tmp_path / "nope.toml")
    assert "nope.toml" in str(caught.value)
