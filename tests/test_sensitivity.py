"""Sensitivity analysis: the replicate-noise share against a direct computation, and the warnings when
total-order indices sum well above 1 (noise counted as interaction) or a metric is discrete."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiment.analyze import ST_SUM_WARN, noise_share, sensitivity
from sim.experiment.design import sample_matrix
from sim.experiment.spec import parse_text

SOBOL = """
[experiment]
design = "sobol"
samples = 64
replicates = {r}
seed = 9

[factors]
work.workload = {{ lo = 0.5, hi = 2.0 }}
team.competence_mean = {{ lo = 0.2, hi = 0.8 }}
"""


def runs_for(x, reps, noise_sd, rng, discrete=False):
    rows = []
    for p, (w, c) in enumerate(x):
        for r in range(reps):
            y = w + 0.2 * c + rng.normal(0, noise_sd)
            rows.append({"point": p, "replicate": r, "status": "ok",
                         "final_m": np.round(y * 3) / 3 if discrete else y, "mean_m": y})
    return pd.DataFrame(rows)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.floats(0.01, 2.0), st.integers(0, 1000))
def test_noise_share_is_within_variance_over_replicates_over_the_variance_of_point_means(reps, sd, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((30, 2))
    runs = runs_for(x, reps, sd, rng)
    g = runs.groupby("point")["final_m"]
    want = min(1.0, (g.var(ddof=1) / reps).mean() / g.mean().var(ddof=1))
    assert noise_share(runs, "final_m") == pytest.approx(want, rel=1e-12)
    assert np.isnan(noise_share(runs[runs["replicate"] == 0], "final_m"))   # one replicate: unknown


def test_noisy_outputs_warn_and_carry_their_noise_share():
    spec = parse_text(SOBOL.format(r=2), "<test>", load_scenario_file=False)
    x = sample_matrix(spec, 9)
    rng = np.random.default_rng(0)
    quiet = sensitivity(spec, runs_for(x, 2, 0.001, rng), ["m"], 9)
    noisy = sensitivity(spec, runs_for(x, 2, 1.5, rng), ["m"], 9)
    tq, tn = quiet[0], noisy[0]
    assert tq[tq["stat"] == "final"]["ST"].sum() < ST_SUM_WARN and not [n for n in quiet[1] if "sum to" in n]
    assert tn[tn["stat"] == "final"]["ST"].sum() > ST_SUM_WARN
    assert any("total-order indices sum to" in n and "final_m" in n for n in noisy[1])
    assert (tn["noise_share"] > 0.5).all() and (tq["noise_share"] < 0.01).all()


def test_a_discrete_metric_is_flagged():
    spec = parse_text(SOBOL.format(r=2), "<test>", load_scenario_file=False)
    x = sample_matrix(spec, 9)
    _, notes = sensitivity(spec, runs_for(x, 2, 0.01, np.random.default_rng(1), discrete=True), ["m"], 9)
    assert any("final_m takes few distinct values" in n for n in notes)
    assert not any("mean_m takes few distinct values" in n for n in notes)
