"""Paired contrasts (``orgsim analyze DIR --contrast FACTOR=A-B``): the CIs against a direct computation
(scipy's paired and Welch t-tests), level parsing and its errors, and the whole command on a small experiment."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.contrast import paired_contrast, parse_contrast
from sim.params import ConfigError

cli = CliRunner()

SMALL = """
[experiment]
title = "contrast test"
replicates = 4
weeks = 12
seed = 3
record = "final"
metrics = ["output", "burnout_share", "engagement"]

[set]
team.size = 6

[factors]
policy.name = ["delegating", "controlling"]
work.workload = [0.8, 1.3]
team.competence_mean = [0.4, 0.7]
"""


def fake_runs(ya, yb, same_seeds=True):
    """A runs table of one contrast factor (``arm``) and one other factor (``w``, two levels)."""
    rows = []
    for arm, ys in (("A", ya), ("B", yb)):
        for w, y in zip((1.0, 2.0), ys):
            for r, v in enumerate(y):
                rows.append({"arm": arm, "w": w, "replicate": r, "status": "ok",
                             "seed": r if same_seeds or arm == "A" else 1000 + r, "final_m": v, "mean_m": v})
    runs = pd.DataFrame(rows)
    runs.attrs["factors"] = ["arm", "w"]
    return runs


finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 9).flatmap(lambda n: st.tuples(*[st.lists(finite, min_size=n, max_size=n)] * 4)))
def test_paired_cis_are_scipys_paired_t_interval(data):
    a1, a2, b1, b2 = (np.array(x) for x in data)
    tab = paired_contrast(fake_runs((a1, a2), (b1, b2)), "arm", "A", "B", ["w"], ["m"], ("final",))
    for w, a, b in ((1.0, a1, b1), (2.0, a2, b2)):
        row = tab[tab["w"] == w].iloc[0]
        assert row["method"] == "paired" and row["n"] == len(a)
        assert row["mean_diff"] == pytest.approx((a - b).mean(), abs=1e-9)
        if np.ptp(a - b) > 1e-6:
            ci = stats.ttest_rel(a, b).confidence_interval(0.95)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-7, abs=1e-7)
            assert row["significant"] == (ci.low > 0 or ci.high < 0)


def test_without_common_seeds_the_interval_is_welchs():
    rng = np.random.default_rng(1)
    ya, yb = (rng.normal(1, 1, 8), rng.normal(0, 1, 8)), (rng.normal(0, 2, 8), rng.normal(0, 1, 8))
    tab = paired_contrast(fake_runs(ya, yb, same_seeds=False), "arm", "A", "B", ["w"], ["m"], ("final",))
    for k, w in enumerate((1.0, 2.0)):
        row = tab[tab["w"] == w].iloc[0]
        ci = stats.ttest_ind(ya[k], yb[k], equal_var=False).confidence_interval(0.95)
        assert row["method"] == "welch"
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_levels_are_parsed_from_the_data_and_bad_ones_named():
    levels = {"policy.name": ["controlling", "delegating"], "work.workload": [0.8, 1.3]}
    assert parse_contrast("policy.name=delegating-controlling", levels) == ("policy.name", "delegating",
                                                                          "controlling")
    assert parse_contrast("work.workload=1.3-0.8", levels) == ("work.workload", 1.3, 0.8)
    with pytest.raises(ConfigError, match="allowed levels: controlling, delegating"):
        parse_contrast("policy.name=delegating-coaching", levels)
    with pytest.raises(ConfigError, match="one of the experiment's factors: policy.name, work.workload"):
        parse_contrast("team.size=1-2", levels)
    with pytest.raises(ConfigError, match="two different levels"):
        parse_contrast("policy.name=delegating-delegating", levels)


def test_the_command_writes_the_table_figure_and_summary_and_the_ci_matches_the_runs(tmp_path):
    exp = tmp_path / "c.toml"
    exp.write_text(SMALL)
    out = tmp_path / "o"
    res = cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1", "--no-progress"])
    assert res.exit_code == 0, res.output
    res = cli.invoke(app, ["analyze", str(out), "--contrast", "policy.name=delegating-controlling", "--x",
                           "team.competence_mean", "--y", "work.workload", "--stat", "final"])
    assert res.exit_code == 0, res.output
    stem = out / "analysis" / "contrast_policy.name_delegating_vs_controlling"
    assert Path(f"{stem}.png").stat().st_size > 10_000
    lines = [ln for ln in res.output.splitlines() if ln.startswith("delegating > controlling on Output")]
    assert len(lines) == 1 and "of 4 design points" in lines[0]
    tab = pd.read_csv(f"{stem}.csv")
    runs = pd.read_parquet(out / "runs.parquet")
    # one design point, computed here directly from the runs
    pick = (runs["work.workload"] == 1.3) & (runs["team.competence_mean"] == 0.4)
    a = runs[pick & (runs["policy.name"] == "delegating")].sort_values("replicate")["final_output"].to_numpy()
    b = runs[pick & (runs["policy.name"] == "controlling")].sort_values("replicate")["final_output"].to_numpy()
    ci = stats.ttest_rel(a, b).confidence_interval(0.95)
    row = tab[(tab["work.workload"] == 1.3) & (tab["team.competence_mean"] == 0.4) & (tab["stat"] == "final")
              & (tab["metric"] == "output")].iloc[0]
    assert (row["mean_diff"], row["ci_low"], row["ci_high"]) == pytest.approx(((a - b).mean(), ci.low, ci.high))
    # the summary counts what the table says
    fin = tab[(tab["stat"] == "final") & (tab["metric"] == "output")]
    assert f"in {int((fin['mean_diff'] > 0).sum())} of 4 design points" in lines[0]


def test_a_bad_contrast_is_one_line_and_writes_nothing(tmp_path):
    exp = tmp_path / "c.toml"
    exp.write_text(SMALL.replace('work.workload = [0.8, 1.3]\nteam.competence_mean = [0.4, 0.7]', ''))
    out = tmp_path / "o"
    assert cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1",
                            "--no-progress"]).exit_code == 0
    for args, msg in ((["--contrast", "policy.name=delegating-coaching"], "allowed levels"),
                      (["--contrast", "policy.name=delegating-controlling", "--x", "team.size"], "--x 'team.size'"),
                      (["--contrast", "policy.name=delegating-controlling", "--stat", "max"], "--stat 'max'")):
        res = cli.invoke(app, ["analyze", str(out), *args])
        assert res.exit_code == 2 and msg in res.output, res.output
        assert not (out / "analysis").exists()
