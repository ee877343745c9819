"""Pattern-oriented validation (`orgsim validate`): the data files, the fact computations on small synthetic data,
the bookkeeping of sick-leave spells against the agents' own records, the command's contract (files, verdict,
exit codes 0 / 1 / 2), and the claims of the calibration scenarios baseline_nl.toml and baseline_nl_autonomy.toml.

Nothing here tunes anything: the bands are read from experiments/targets_nl.toml; a test-only targets file with an
impossible band checks that a failing fact gives exit code 1.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import validate as val
from sim.cli import app
from sim.model import ABSENT, OrgModel
from sim.params import load_scenario
from sim.rules import work

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
runner = CliRunner()


# ---------------------------------------------------------------------------------------------------------------
# the data files
# ---------------------------------------------------------------------------------------------------------------
def test_targets_file_every_fact_has_a_source_a_band_and_a_measure():
    design = val.load_design()
    facts = val.load_targets(design=design)
    assert len(facts) >= 9
    assert len({f.id for f in facts}) == len(facts)
    for f in facts:
        assert f.source.strip() and re.search(r"\d{4}|issue", f.source), f.id   # a year, or the core issue
        assert f.description_en.strip() and f.description_nl.strip() and f.description_en != f.description_nl
        assert f.low <= f.target <= f.high and f.low < f.high, f.id
        assert f.note.strip(), f.id
    ids = {f.id for f in facts}
    # the facts are all there
    assert {"engaged_nl", "engaged_autonomy", "burnout_complaints_nl", "sick_leave_months", "monitoring_performance",
            "monitoring_stress", "monitoring_satisfaction"} <= ids
    assert sum(i.startswith("pattern_") for i in ids) >= 5


def test_design_runs_the_patterns_over_at_least_20_seeds_and_names_existing_scenarios():
    design = val.load_design()
    assert design.seeds >= 20
    for v in design.variants.values():
        assert Path(v.scenario).is_file(), v.name
    base = val.variant_params(design.variants["baseline"])
    assert base.team.teams >= 4 and len(base.org.policy_mix) >= 3
    # the survey year comes after a burn-in
    assert base.scenario.weeks >= design.survey_weeks + 52


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


TINY_DESIGN = """
[validation]
seeds = 2
survey_weeks = 10
min_weeks_in_post = 5

[variants.base]
scenario = "{scen}"
set = ["team.teams=2"]
weeks = 30

[variants.light]
scenario = "{scen}"
set = ["team.teams=2", "policy.monitoring=0.2"]
weeks = 30

[variants.close]
scenario = "{scen}"
set = ["team.teams=2", "policy.monitoring=0.8"]
weeks = 30
"""

FACT = """
[[fact]]
id = "{id}"
description_en = "engaged share"
description_nl = "aandeel bevlogen"
source = "test 2024"
target = {target}
low = {low}
high = {high}
unit = "%"
note = "test band"
measure = {{ variant = "base", metric = "engaged_share", weeks = "survey" }}
"""

CORR_FACT = """
[[fact]]
id = "r_stress"
description_en = "monitoring vs exhaustion"
description_nl = "monitoren vs uitputting"
source = "test 2024"
target = 0.0
low = -1.0
high = 1.0
unit = "r"
note = "any r"
measure = { kind = "monitoring_correlation", light = "light", close = "close", outcome = "exhaustion" }
"""


@pytest.fixture
def tiny(tmp_path):
    design = _write(tmp_path, "design.toml", TINY_DESIGN.format(scen=(SCEN / "coaching.toml").as_posix()))
    ok = _write(tmp_path, "ok.toml", FACT.format(id="eng", target=0.5, low=0.0, high=1.0) + CORR_FACT)
    impossible = _write(tmp_path, "impossible.toml", FACT.format(id="eng", target=2.0, low=2.0, high=3.0))
    return design, ok, impossible


@pytest.mark.parametrize("edit, words", [
    (lambda t: t.replace("low = 0.0", "low = 0.9"), ("low <= target <= high",)),
    (lambda t: t.replace('source = "test 2024"', 'source = ""'), ("source",)),
    (lambda t: t.replace('variant = "base"', 'variant = "nope"'), ("nope", "base")),
    (lambda t: t.replace('metric = "engaged_share"', 'metric = "engagd_share"'), ("engagd_share",)),
    (lambda t: t.replace('unit = "%"', 'unit = "percent"'), ("unit",)),
    (lambda t: t + "\nfoo = 1\n", ("foo",)),
])
def test_bad_targets_file_is_one_line_exit_2_and_nothing_written(tiny, tmp_path, edit, words):
    design, ok, _ = tiny
    bad = _write(tmp_path, "bad.toml", edit(ok.read_text()))
    out = tmp_path / "out"
    res = runner.invoke(app, ["validate", "--targets", str(bad), "--experiment", str(design), "--out", str(out),
                              "--workers", "1"])
    assert res.exit_code == 2, res.output
    assert res.output.count("\n") == 1 and res.output.startswith("error:"), res.output
    assert all(w in res.output for w in words), res.output
    assert not out.exists()


def test_bad_design_and_options_are_exit_2(tiny, tmp_path):
    design, ok, _ = tiny
    bad = _write(tmp_path, "d.toml", design.read_text().replace("policy.monitoring=0.2", "policy.monitorin=0.2"))
    res = runner.invoke(app, ["validate", "--targets", str(ok), "--experiment", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "monitorin" in res.output
    res = runner.invoke(app, ["validate", "--seeds", "1", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--seeds" in res.output


# ---------------------------------------------------------------------------------------------------------------
# fact computations on synthetic data
# ---------------------------------------------------------------------------------------------------------------
def test_metric_value_windows_and_aggregation():
    ts = pd.DataFrame({"week": np.arange(1, 11), "engaged_share": np.arange(1, 11) / 10.0})
    assert val.metric_value(ts, "engaged_share", "survey", survey_weeks=4) == pytest.approx(np.mean([.7, .8, .9, 1]))
    assert val.metric_value(ts, "engaged_share", "final") == pytest.approx(1.0)
    assert val.metric_value(ts, "engaged_share", [2, 3]) == pytest.approx(0.25)
    assert val.metric_value(ts, "engaged_share", [2, 3], "sum") == pytest.approx(0.5)


def test_mean_sick_leave_months():
    assert val.mean_sick_leave_months([26, 39]) == pytest.approx(32.5 / (52 / 12))
    assert math.isnan(val.mean_sick_leave_months([]))


def _people(values, weeks=52):
    return pd.DataFrame({"weeks_active": weeks, "exhaustion": values})


def test_condition_correlation_is_the_point_biserial_r():
    light, close = _people([0.2, 0.3, 0.4, 0.3]), _people([0.4, 0.5, 0.6, 0.5])
    x = np.r_[np.zeros(4), np.ones(4)]
    y = np.r_[light.exhaustion, close.exhaustion]
    assert val.condition_correlation(light, close, "exhaustion") == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert val.condition_correlation(light, close, "exhaustion") > 0.7
    assert val.condition_correlation(close, light, "exhaustion") == pytest.approx(
        -val.condition_correlation(light, close, "exhaustion"))
    # no difference between the conditions: r = 0
    assert val.condition_correlation(_people([0.1, 0.5]), _people([0.5, 0.1]), "exhaustion") == pytest.approx(0.0)


def test_condition_correlation_counts_only_employees_in_post_long_enough():
    light = pd.DataFrame({"weeks_active": [52, 52, 3], "exhaustion": [0.3, 0.3, 0.9]})
    close = pd.DataFrame({"weeks_active": [52, 52, 3], "exhaustion": [0.5, 0.5, 0.0]})
    assert val.condition_correlation(light, close, "exhaustion", min_weeks=26) == pytest.approx(1.0)
    assert val.condition_correlation(light, close, "exhaustion", min_weeks=1) < 0.5


def test_compared_difference_ratio_and_relative_gap():
    a, b = np.array([3.0, 4.0, 5.0]), np.array([1.0, 2.0, 3.0])
    m, lo, hi, n = val.compared(a, b, "difference")
    assert (m, n) == (pytest.approx(2.0), 3) and lo == pytest.approx(2.0) and hi == pytest.approx(2.0)
    m, lo, hi, _ = val.compared(a, b, "ratio")
    assert m == pytest.approx(2.0) and lo <= m <= hi
    assert val.compared(b, a, "relative_gap")[0] == pytest.approx(0.5)
    assert val.compared(a, b, "ratio") == val.compared(a, b, "ratio")          # the bootstrap is reproducible


def test_t_interval_ignores_missing_seeds():
    m, lo, hi, n = val.t_interval([1.0, np.nan, 3.0])
    assert (m, n) == (2.0, 2) and lo < 2.0 < hi


# ---------------------------------------------------------------------------------------------------------------
# run bookkeeping: the sick-leave spells seen by the validation equal those in the agents' own records
# ---------------------------------------------------------------------------------------------------------------
def test_sick_leave_spells_match_the_agent_records():
    sets = ("team.teams=2", "dynamics.burnout_exhaustion=0.35", "dynamics.burnout_cynicism=0.1",
            "dynamics.burnout_weeks=2", "dynamics.sick_leave_weeks=8", "work.workload=1.6", "team.hiring_delay=3")
    weeks, survey = 80, 50
    var = val.Variant("churn", str(SCEN / "controlling.toml"), sets, weeks)
    out = val.run_variant(var, seed=5, survey_weeks=survey, people=True)
    # independent count from the agents' weekly records of the same run: a spell is a run of consecutive weeks
    # on sick leave; it ends the week after its last absent week (back at work, or gone)
    model = OrgModel(val.variant_params(var), seed=5, record_agents=True)
    model.run(weeks)
    rec = pd.DataFrame({k: np.concatenate([r[k] for r in model.agent_records]) for k in ("week", "agent_id", "status")})
    expected = []
    for _, g in rec[rec.status == ABSENT].groupby("agent_id"):
        w = np.sort(g.week.to_numpy())
        for run in np.split(w, np.flatnonzero(np.diff(w) > 1) + 1):
            end = run[-1] + 1
            if weeks - survey + 1 <= end <= weeks:
                expected.append(len(run))
    assert len(expected) >= 3, "the churn scenario should produce sick leaves"
    assert sorted(out.spells.astype(int).tolist()) == sorted(expected)
    assert out.timeseries["week"].tolist() == list(range(1, weeks + 1))
    assert set(out.people.columns) >= {"weeks_active", *val.PERSON_FIELDS}
    assert out.people["weeks_active"].between(1, survey).all()


# ---------------------------------------------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------------------------------------------
def test_validate_command_writes_csv_and_md_and_exits_0_when_all_facts_pass(tiny, tmp_path):
    design, ok, _ = tiny
    out = tmp_path / "v"
    res = runner.invoke(app, ["validate", "--targets", str(ok), "--experiment", str(design), "--out", str(out),
                              "--workers", "1"])
    assert res.exit_code == 0, res.output
    last = res.output.strip().splitlines()[-1]
    assert re.fullmatch(r"validation: 2/2 facts pass \(table in .*validation\.md\)", last), last
    table = pd.read_csv(out / "validation.csv")
    assert list(table["id"]) == ["eng", "r_stress"] and table["passed"].all()
    assert table.loc[0, "n"] == 2 and 0 <= table.loc[0, "value"] <= 1
    md = (out / "validation.md").read_text()
    assert "| engaged share (`eng`) | test 2024 |" in md and "2/2 facts pass" in md


def test_validate_command_exits_1_when_a_band_is_impossible(tiny, tmp_path):
    design, _, impossible = tiny
    out = tmp_path / "v"
    res = runner.invoke(app, ["validate", "--targets", str(impossible), "--experiment", str(design), "--out",
                              str(out), "--workers", "1", "--lang", "nl"])
    assert res.exit_code == 1, res.output
    assert res.output.strip().splitlines()[-1].startswith("validatie: 0/1 feiten voldoen")   # --lang nl: Dutch
    assert "Patroongerichte validatie" in res.output and "startgetallen" in res.output
    assert not pd.read_csv(out / "validation.csv")["passed"].any()
    assert "NEE" in (out / "validation.md").read_text()             # Dutch table


def test_default_validation_runs_in_worker_processes_with_few_seeds(tmp_path):
    """The shipped design and targets with 2 seeds on 2 workers: every fact gets a value and a row."""
    out = tmp_path / "v"
    res = runner.invoke(app, ["validate", "--seeds", "2", "--workers", "2", "--out", str(out)])
    assert res.exit_code in (0, 1), res.output
    table = pd.read_csv(out / "validation.csv")
    assert list(table["id"]) == [f.id for f in val.load_targets()]
    assert table["value"].notna().all() and (table["n"] >= 1).all()
    assert re.fullmatch(rf"validation: {table['passed'].sum()}/{len(table)} facts pass \(table in .*\)",
                        res.output.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------------------
# the social-facilitation term of effort (calibrated against the monitoring meta-analyses)
# ---------------------------------------------------------------------------------------------------------------
def test_effort_rises_with_monitoring_for_the_unmotivated_only():
    base = dict(engagement=0.5, exhaustion=0.2, initiative=0.5)
    low_mot = [work.effort(motivation=0.2, monitoring=m, **base) for m in (0.0, 0.25, 0.5, 1.0)]
    assert low_mot[0] < low_mot[1] < low_mot[2] < low_mot[3]
    full = [work.effort(motivation=1.0, monitoring=m, **base) for m in (0.0, 1.0)]
    assert full[0] == pytest.approx(full[1])
    # at light monitoring (the default) the equation is the one without the term
    assert work.effort(0.6, 0.55, 0.2, 0.5) == pytest.approx((0.81 + 0.12 + 0.0825) * 0.92 * 1.0)


# ---------------------------------------------------------------------------------------------------------------
# the calibration scenarios say what they show (notice_en of baseline_nl.toml and baseline_nl_autonomy.toml)
# ---------------------------------------------------------------------------------------------------------------
def _survey(path, seeds=range(1, 17), weeks=26):
    """Per team over the last ``weeks`` weeks: engaged share of the active, complaints share of the employed."""
    params = load_scenario(path)
    rows = []
    for seed in seeds:
        model = OrgModel(params, seed=seed)
        model.run(params.scenario.weeks - weeks)
        for _ in range(weeks):
            model.step()
            s, team = model.state, model.org.team
            act, emp = s.status == 0, s.status != 2
            complaints = (s.exhaustion >= params.dynamics.burnout_exhaustion) & act | (s.status == ABSENT)
            for t, kn in enumerate(model.knobs):
                a, e = act & (team == t), emp & (team == t)
                rows.append(dict(seed=seed, policy=kn.name, engaged=(s.engagement[a] >= 0.7).sum(), active=a.sum(),
                                 complaints=complaints[e].sum(), employed=e.sum()))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def baseline():
    return _survey(SCEN / "baseline_nl.toml")


def test_baseline_nl_about_one_in_eight_engaged_one_in_six_with_complaints(baseline):
    s = baseline.sum(numeric_only=True)
    assert 0.08 <= s.engaged / s.active <= 0.18
    assert 0.11 <= s.complaints / s.employed <= 0.23


def test_baseline_nl_micromanager_most_complaints_coach_most_engaged(baseline):
    g = baseline.groupby("policy").sum(numeric_only=True)
    engaged, complaints = g.engaged / g.active, g.complaints / g.employed
    assert complaints.idxmax() == "controlling" and complaints["controlling"] > 1.5 * complaints.drop(
        "controlling").max()
    assert engaged["controlling"] < 0.03
    assert engaged.idxmax() == "coaching"


def test_baseline_nl_autonomy_more_engaged_fewer_complaints(baseline):
    auto = _survey(SCEN / "baseline_nl_autonomy.toml").sum(numeric_only=True)
    base = baseline.sum(numeric_only=True)
    assert auto.engaged / auto.active > base.engaged / base.active + 0.04
    assert auto.complaints / auto.employed < base.complaints / base.employed - 0.02


def test_person_correlation_uses_the_leadership_index_and_only_respondents():
    from sim.magnitudes import leadership_index, person_correlation
    per = pd.DataFrame({"weeks_active": [52, 52, 52, 52, 3], "coaching_received": [0.0, 0.2, 0.4, 0.6, 0.9],
                        "autonomy": [0.1, 0.3, 0.5, 0.7, 0.9], "control": [0.9, 0.7, 0.5, 0.3, 0.1],
                        "exhaustion": [0.8, 0.5, 0.6, 0.2, 0.9]})
    lead = leadership_index(per.coaching_received, per.autonomy, per.control)
    assert lead[0] == pytest.approx((0.0 + 0.1 + 0.1) / 3)
    want = np.corrcoef(lead[:4], per.exhaustion[:4])[0, 1]
    assert person_correlation(per, "leadership", "exhaustion", min_weeks=26) == pytest.approx(want)
    assert person_correlation(per, "leadership", "exhaustion", min_weeks=1) != pytest.approx(want)
    assert np.isnan(person_correlation(per.iloc[:2], "leadership", "exhaustion"))
