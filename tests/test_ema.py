"""sim.ema: orgsim as an EMA workbench model (parameters from the schema, outcomes from the metrics, replicates
by seed), run through a small perform_experiments."""

import warnings

import numpy as np
import pytest

from sim.ema import ema_name, orgsim_model, parameter, run_orgsim
from sim.params import BY_KEY, ConfigError, load_scenario
from sim.runner import run_batch

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import perform_experiments


def test_parameters_come_from_the_schema():
    p = parameter("work.workload")
    assert (p.name, p.lower_bound, p.upper_bound) == ("work__workload", BY_KEY["work.workload"].lo,
                                                     BY_KEY["work.workload"].hi)
    assert parameter("team.size", (4, 9)).upper_bound == 9
    assert {c.name for c in parameter("policy.name").categories} == set(BY_KEY["policy.name"].choices)
    with pytest.raises(ConfigError, match=r"allowed: lo < hi within \[0.0, 2.5\]"):
        parameter("work.workload", (0.5, 3.0))
    with pytest.raises(ConfigError, match="not a parameter"):
        parameter("work.nonsense")


def test_a_small_perform_experiments_matches_direct_runs():
    model = orgsim_model(uncertainties={"work.workload": (0.6, 1.8)}, levers=["policy.monitoring"],
                         metrics=["output", "burnout_share"], replicates=3, weeks=12, seed=5,
                         base={"team": {"size": 6}}, directions={"mean_output": "max"})
    exps, outs = perform_experiments(model, scenarios=3, policies=2)
    assert len(exps) == 6 and set(outs) == {"final_output", "mean_output", "final_burnout_share",
                                            "mean_burnout_share"}
    assert exps["policy__monitoring"].nunique() == 2 and exps["work__workload"].nunique() == 3
    # one experiment, recomputed by hand: the same seeds, the knob under a custom policy
    row = exps.iloc[4]
    params = load_scenario(None, ["team.size=6", "policy.name=custom", f"work.workload={row['work__workload']}",
                                  f"policy.monitoring={row['policy__monitoring']}"])
    seeds = [5, 6, 7]
    frames = run_batch(params, seeds, 12)
    assert outs["final_output"][4] == pytest.approx(np.mean([f["output"].iloc[-1] for f in frames]), abs=1e-12)
    assert outs["mean_burnout_share"][4] == pytest.approx(np.mean([f["burnout_share"].mean() for f in frames]),
                                                          abs=1e-12)
    # different levers give different numbers at the same scenario
    assert outs["mean_output"][0] != outs["mean_output"][3] or outs["mean_output"][1] != outs["mean_output"][4]


def test_run_orgsim_names_a_bad_value():
    with pytest.raises(ConfigError, match="workload"):
        run_orgsim(weeks=2, replicates=1, **{ema_name("work.workload"): 9.0})
