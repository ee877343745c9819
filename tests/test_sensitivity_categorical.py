"""Categorical factors (a list of choices or true/false) in Sobol and Morris designs: not sampled as an index but
run at every level with the same SALib sample of the other factors (equal runs per level), and the indices of the
other factors computed within each level, whatever the order of the list."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiment.analyze import analyze, sensitivity
from sim.experiment.contrast import contrast
from sim.experiment.run import load_results, run_experiment
from sim.experiment.design import design_points, expand
from sim.experiment.spec import parse_text
from sim.params import ConfigError

LEVELS = ("controlling", "delegating", "coaching")
SPEC = """
[experiment]
design = "{design}"
samples = {n}
replicates = {reps}
weeks = {weeks}
seed = 9
record = "final"
metrics = ["exhaustion", "engagement"]

[set]
team.size = 6

[factors]
work.workload = {{ lo = 0.5, hi = 2.0 }}
policy.name = [{levels}]
team.hiring_delay = {{ lo = 2, hi = 6 }}
"""
SIZES = {"sobol": (8, lambda n, k: n * (k + 2)), "morris": (4, lambda n, k: n * (k + 1))}


def spec_for(design, levels=LEVELS, reps=1, weeks=5, n=None):
    text = SPEC.format(design=design, n=n or SIZES[design][0], reps=reps, weeks=weeks,
                       levels=", ".join(f'"{v}"' for v in levels))
    return text, parse_text(text, "<test>", load_scenario_file=False)


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_every_level_gets_the_same_runs_and_the_same_sample_of_the_other_factors(design):
    _, spec = spec_for(design)
    d = expand(spec)
    n, size = SIZES[design]
    assert d.n_points == 3 * size(n, 2)                               # 3 levels x the sample of 2 factors
    count = Counter(p[1] for p in d.points)
    assert set(count) == set(LEVELS) and len(set(count.values())) == 1   # exactly equal shares
    per_level = {lv: [(p[0], p[2]) for p in d.points if p[1] == lv] for lv in LEVELS}
    assert per_level["controlling"] == per_level["delegating"] == per_level["coaching"]
    assert np.ptp([w for w, _ in per_level["coaching"]]) > 0.5


def synthetic_runs(spec, effects):
    """One run per design point: y = a * workload + b * hiring delay, (a, b) given per level."""
    d = expand(spec)
    rows = []
    for p, (w, lv, h) in enumerate(d.points):
        a, b = effects[lv]
        y = a * w + b * h + 0.01 * w * h   # a small interaction
        rows.append({"point": p, "replicate": 0, "status": "ok", "final_m": y, "mean_m": 2 * y})
    return pd.DataFrame(rows)


EFFECTS = {"controlling": (1.0, 0.0), "delegating": (0.3, 0.3), "coaching": (0.0, 1.0)}


@settings(max_examples=6, deadline=None)
@given(st.permutations(LEVELS), st.sampled_from(["sobol", "morris"]))
def test_per_level_indices_do_not_depend_on_the_order_of_the_list(order, design):
    key = "ST" if design == "sobol" else "mu_star"
    tables = []
    for levels in (LEVELS, tuple(order)):
        _, spec = spec_for(design, levels)
        ind, _ = sensitivity(spec, synthetic_runs(spec, EFFECTS), ["m"], 9)
        assert list(ind.columns[:2]) == ["factor", "policy.name"]
        assert Counter(ind["policy.name"]) == {lv: 2 * 2 for lv in LEVELS}   # factors x stats per level
        tables.append(ind.sort_values(["policy.name", "factor", "stat"]).reset_index(drop=True))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    t = tables[0][tables[0]["stat"] == "final"].set_index(["policy.name", "factor"])[key]
    assert t["controlling", "work.workload"] > 5 * abs(t["controlling", "team.hiring_delay"])
    assert t["coaching", "team.hiring_delay"] > 5 * abs(t["coaching", "work.workload"])


def test_notes_name_the_level():
    _, spec = spec_for("sobol")
    runs = synthetic_runs(spec, EFFECTS)
    runs = runs[~runs["point"].isin([0, 1])]                          # two points of the first level failed
    ind, notes = sensitivity(spec, runs, ["m"], 9)
    assert any("[policy.name=controlling]" in n and "2 design points without" in n for n in notes)
    assert set(ind["policy.name"]) == {"delegating", "coaching"}


def test_only_categorical_factors_is_refused():
    text = ('[experiment]\ndesign = "morris"\n[factors]\npolicy.name = ["controlling", "coaching"]\n'
            'org.director_policy = ["controlling", "coaching"]\n')
    with pytest.raises(ConfigError, match=r"morris design needs at least one factor that is a range.*grid"):
        parse_text(text, "<t>", load_scenario_file=False)


def test_a_morris_experiment_writes_per_level_indices_that_do_not_depend_on_the_order(tmp_path):
    got = []
    for i, levels in enumerate((LEVELS, LEVELS[::-1])):
        text, spec = spec_for("morris", levels, n=2, weeks=8)
        (tmp_path / f"e{i}.toml").write_text(text)
        out = tmp_path / f"out{i}"
        run_experiment(tmp_path / f"e{i}.toml", out, workers=1, progress=False)
        res = analyze(out)
        assert str(out / "analysis" / "morris_indices.png") in res["files"]
        runs, _ = load_results(out)
        assert Counter(runs["policy.name"]) == {lv: 2 * 3 for lv in LEVELS}   # 2 trajectories x 3 points
        ind = pd.read_csv(out / "analysis" / "morris_indices.csv")
        assert list(ind.columns) == ["factor", "policy.name", "stat", "metric", "mu", "mu_star", "mu_star_conf",
                                     "sigma", "noise_share"]
        assert set(ind["factor"]) == {"work.workload", "team.hiring_delay"}
        got.append(ind.sort_values(["policy.name", "factor", "stat", "metric"]).reset_index(drop=True))
        tab = contrast(out, "policy.name=delegating-controlling")["table"]   # the levels share their points
        assert len(tab) and (tab["method"] == "paired").all()
    pd.testing.assert_frame_equal(got[0], got[1])
    assert got[0]["mu_star"].abs().sum() > 0


@settings(max_examples=15, deadline=None)
@given(st.integers(3, 80), st.integers(0, 2**32 - 1))
def test_an_lhs_design_gives_every_level_its_share_within_one_point(n, seed):
    text = (f'[experiment]\ndesign = "lhs"\nsamples = {n}\nseed = {seed}\n[factors]\n'
            f'work.workload = {{ lo = 0.5, hi = 1.0 }}\npolicy.name = ["controlling", "delegating", "coaching"]\n')
    points, _ = design_points(parse_text(text, "<t>", load_scenario_file=False), seed)
    count = Counter(p[1] for p in points)
    assert sum(count.values()) == n and len(count) == 3 and max(count.values()) - min(count.values()) <= 1
    w = sorted(p[0] for p in points)                                  # the range factor is still a Latin hypercube
    assert all(0.5 + 0.5 * i / n <= x <= 0.5 + 0.5 * (i + 1) / n for i, x in enumerate(w))
