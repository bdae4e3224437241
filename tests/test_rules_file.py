"""The rules file: defaults, partial overrides, sources, and rejection of bad files."""
import pytest

from lib.rules_file import DEFAULT_RULES, RulesError, load_rules


def write(tmp_path, text, name="rules.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_match_the_spec():
    rules = load_rules(use_user_file=False)
    assert rules["funnel"]["probabilities"] == {"market": 0.05, "lead": 0.10, "qualified": 0.40, "signed": 0.80}
    assert rules["tiers"]["cumulative_percent"] == [20, 50, 80]
    assert rules["contest"]["top_awards"] == [500, 300, 100]
    assert rules["contest"]["bottom_fines"] == [200, 100, 50]
    assert rules.get("lifecycle.elevation_quarters") == 8
    assert set(rules.sources.values()) == {"default"}
    assert rules.files == (str(DEFAULT_RULES),)


def test_override_of_a_subset_keeps_the_other_defaults_and_names_the_source(tmp_path):
    path = write(tmp_path, "[contest]\ntop_awards = [1000]\n[funnel]\nprobabilities = { lead = 0.2 }\n")
    rules = load_rules(path)
    assert rules["contest"]["top_awards"] == [1000]
    assert rules["contest"]["bottom_fines"] == [200, 100, 50]
    # a partial probability table overrides only the stage it names
    assert rules["funnel"]["probabilities"] == {"market": 0.05, "lead": 0.2, "qualified": 0.40, "signed": 0.80}
    assert rules.sources["contest.top_awards"] == str(path)
    assert rules.sources["contest.bottom_fines"] == "default"
    assert rules.files[-1] == str(path)
    assert rules != load_rules(use_user_file=False)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[contest]\ntop_award = [1]\n", "unknown key contest.top_award"),
        ("[nonsense]\nx = 1\n", "unknown section [nonsense]"),
        ("[core]\nshare = 'eighty'\n", "core.share must be a number between 0 and 1"),
        ("[core]\nshare = 1.5\n", "core.share must be a number between 0 and 1"),
        ("[tiers]\npeer_group = 'country'\n", "tiers.peer_group must be one of"),
        ("[tiers]\ncumulative_percent = [50, 20, 80]\n", "tiers.cumulative_percent must be three increasing"),
        ("[lifecycle]\nelevation_quarters = 2.5\n", "lifecycle.elevation_quarters must be a whole number"),
        ("[lifecycle]\nelevation_quarters = true\n", "lifecycle.elevation_quarters must be a whole number"),
        ("[funnel]\nprobabilities = { won = 1.0 }\n", "unknown stage 'won'"),
        ("[contest]\nbottom_fines = [200, -5]\n", "contest.bottom_fines must be a list of amounts"),
        ("[lifecycle]\nmaintenance_coverage = 0.95\n", "maintenance_coverage must not exceed"),
        ("[core\nshare = 0.8\n", "not valid TOML"),
    ],
)
def test_bad_rules_files_are_rejected_naming_file_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(RulesError) as err:
        load_rules(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match="rules file not found"):
        load_rules(tmp_path / "nope.toml")


def test_integer_where_a_fraction_is_expected_is_accepted(tmp_path):
    rules = load_rules(write(tmp_path, "[core]\nshare = 1\n"))
    assert rules["core"]["share"] == 1
