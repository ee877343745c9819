"""The parameter schema: validation, suggestions, --set overrides, and the generated docs table."""

import math
import tomllib
from pathlib import Path

import pytest

from sim import params as P
from sim.params import ConfigError, load_scenario, validate

ROOT = Path(__file__).resolve().parent.parent


def test_every_param_default_is_inside_its_range_and_validates():
    sp = load_scenario(None)  # all defaults
    for p in P.PARAMS:
        if p.kind in ("float", "int"):
            assert p.lo <= p.default <= p.hi, p.key
            assert getattr(getattr(sp, p.section), p.name) == p.default
        assert p.label_en and p.label_nl and p.help, f"{p.key} lacks labels or help"


def test_knob_defaults_are_none_so_the_policy_preset_applies():
    sp = load_scenario(None, ["policy.name=controlling"])
    assert sp.policy.autonomy is None
    from sim.policies import PRESETS, resolve
    assert resolve(sp.policy).autonomy == PRESETS["controlling"]["autonomy"]
    sp2 = load_scenario(None, ["policy.name=controlling", "policy.autonomy=0.6"])
    assert resolve(sp2.policy).autonomy == 0.6


@pytest.mark.parametrize("raw, needle", [
    ({"policy": {"nmae": "coaching"}}, "did you mean 'name'"),
    ({"tema": {"size": 3}}, "did you mean 'team'"),
    ({"team": {"size": 0}}, "integer in [1, 1000]"),
    ({"team": {"size": "abc"}}, "'team.size' = 'abc'"),
    ({"team": {"size": 2.5}}, "'team.size'"),
    ({"work": {"workload": math.nan}}, "= nan"),
    ({"work": {"workload": math.inf}}, "'work.workload'"),
    ({"work": {"workload": 9.0}}, "number in [0, 2.5]"),
    ({"policy": {"name": "laissez-faire"}}, "one of 'controlling'"),
    ({"events": [{"kind": "pressure", "start": 30, "end": 20}]}, "before its start"),
    ({"events": [{"knd": "pressure"}]}, "did you mean 'kind'"),
    ({"events": {"kind": "pressure"}}, "[[events]]"),
    ({"team": 5}, "must be a table"),
])
def test_invalid_input_gives_one_line_naming_key_and_allowed(raw, needle):
    with pytest.raises(ConfigError) as exc:
        validate(raw, "x.toml")
    msg = str(exc.value)
    assert msg.startswith("x.toml: ")
    assert needle in msg
    assert "\n" not in msg


def test_set_parses_toml_literals_and_bare_strings():
    assert P.parse_set("team.size=20") == ("team", "size", 20)
    assert P.parse_set("policy.name=coaching") == ("policy", "name", "coaching")
    assert P.parse_set('policy.name="coaching"') == ("policy", "name", "coaching")
    assert P.parse_set("work.workload=1.5") == ("work", "workload", 1.5)
    with pytest.raises(ConfigError, match="section.key=value"):
        P.parse_set("teamsize20")


def test_set_errors_name_the_option():
    with pytest.raises(ConfigError, match=r"^--set team\.siez=3: unknown key 'team\.siez'; did you mean 'size'"):
        load_scenario(None, ["team.siez=3"])
    with pytest.raises(ConfigError, match=r"^--set team\.size=-1: 'team\.size' = -1"):
        load_scenario(None, ["team.size=-1"])


def test_shipped_scenarios_all_validate():
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    assert len(files) >= 7
    for f in files:
        sp = load_scenario(f)
        assert sp.scenario.title_en and sp.scenario.title_nl, f
        assert sp.scenario.description_en and sp.scenario.description_nl, f
        raw = tomllib.loads(f.read_text())
        assert {"scenario", "team", "policy"} <= set(raw), f


def test_with_updates_revalidates():
    sp = load_scenario(None)
    sp2 = P.with_updates(sp, team={"size": 5})
    assert sp2.team.size == 5 and sp.team.size == 12
    with pytest.raises(ConfigError):
        P.with_updates(sp, team={"size": 0})


def test_docs_parameter_table_is_generated_from_the_schema():
    doc = (ROOT / "docs" / "parameters.md").read_text()
    assert doc.strip() == P.markdown_table().strip(), "docs/parameters.md is stale: run `make docs`"
