"""Sensitivity of the policy patterns (issue 21, item 5): experiments with ``[variants]``, ``orgsim analyze DIR
--patterns [--doc FILE]`` (sim/pattern_sensitivity.py) and the table in docs/calibration.md."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import validate as val
from sim.cli import app
from sim import pattern_sensitivity as pat
from sim.experiment.design import expand
from sim.experiment.spec import parse_text
from sim.params import ConfigError, load_scenario
from sim.runner import run_batch

ROOT = Path(__file__).resolve().parent.parent
cli = CliRunner()

TINY = """
[experiment]
title = "tiny pattern sensitivity"
design = "lhs"
samples = 3
replicates = 2
weeks = 12
seed = 4
record = "weekly"
metrics = ["engagement", "burnout_share", "leavers", "output"]

[factors]
dynamics.exhaustion_rate = { lo = 0.03, hi = 0.12 }   # builds over months
dynamics.trust_rate = { lo = 0.03, hi = 0.12 }        # months, not days

[variants.controlling]
scenario = "scenarios/controlling.toml"

[variants.coaching]
scenario = "scenarios/coaching.toml"
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("pat")
    exp = d / "tiny.toml"
    exp.write_text(TINY)
    out = d / "out"
    res = cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1", "--no-progress"])
    assert res.exit_code == 0, res.output
    return exp, out


def test_variants_cross_the_design_with_the_same_seeds_and_their_own_scenario():
    spec = parse_text(TINY, str(ROOT / "experiments" / "tiny.toml"))
    d = expand(spec)
    assert d.n_points == 6 and d.n_runs == 12
    assert d.point_variant.tolist() == [0, 0, 0, 1, 1, 1]                      # variant-major
    assert d.columns["policy.name"] == ["controlling"] * 3 + ["coaching"] * 3
    assert d.points[:3] == d.points[3:]                                       # the same sample under each
    seeds = d.seeds.reshape(6, 2)
    assert (seeds == seeds[0]).all()                                          # common random numbers
    assert d.task_key(4) == (1, *d.points[4])


@pytest.mark.parametrize("extra, msg", [
    ('[variants.x]\nscenario = "scenarios/coaching.toml"\nweeks = 5\n', "'variants.x' must be a table with the keys"),
    ('[variants.x]\nscenario = "scenarios/nope.toml"\n', "'variants.x.scenario' = 'scenarios/nope.toml': no such"),
    ('[variants.x]\nset = { dynamics.trust_rate = 0.1 }\n', "'variants.x.set.dynamics.trust_rate' is also in"),
    ('[variants.x]\nset = { policy.nam = "coaching" }\n', "unknown key 'variants.x.set.policy.nam'"),
])
def test_bad_variants_are_one_line_errors(extra, msg):
    with pytest.raises(ConfigError, match="^e.toml: .*") as e:
        parse_text(TINY + extra, "e.toml", base_dir=ROOT)
    assert msg in str(e.value) and "\n" not in str(e.value)


def test_variants_are_refused_in_sobol_and_morris_designs():
    with pytest.raises(ConfigError, match="grid and lhs designs"):
        parse_text(TINY.replace('design = "lhs"', 'design = "morris"'), "e.toml", base_dir=ROOT)


def test_each_point_is_measured_on_its_own_runs_paired_by_replicate(tiny):
    """The value at a design point is the fact's comparison of the two variants' runs at that point, re-run
    here directly from the recorded parameters and seeds."""
    _, out = tiny
    points, facts, info = pat.point_values(out)
    ids = {f.id for f in facts}
    assert {"pattern_engagement", "pattern_output", "pattern_early_output"} <= ids
    assert not any("junior" in f.measure["variant"] for f in facts)           # its variants are not run here
    runs = pd.read_parquet(out / "runs.parquet")
    fact = next(f for f in facts if f.id == "pattern_engagement")
    for s in range(3):
        eng = {}
        for v in ("coaching", "controlling"):
            r = runs[(runs["variant"] == v) & (runs["point"] % 3 == s)].sort_values("replicate")
            params = load_scenario(ROOT / f"scenarios/{v}.toml", [
                f"dynamics.exhaustion_rate={float(r['dynamics.exhaustion_rate'].iloc[0])!r}",
                f"dynamics.trust_rate={float(r['dynamics.trust_rate'].iloc[0])!r}"])
            eng[v] = [f["engagement"].iloc[-1] for f in run_batch(params, r["seed"].tolist(), 12)]
        want = np.mean(eng["coaching"]) - np.mean(eng["controlling"])
        got = points[(points["fact"] == fact.id) & (points["point"] == s)].iloc[0]
        assert got["value"] == pytest.approx(want, abs=1e-12)
        assert got["holds"] == (want >= fact.low)
    assert info["replicates"] == 2 and info["points"] == 3 and info["notes"] == []


def test_the_rate_a_fact_breaks_on_is_named():
    """Synthetic: the fact fails exactly where rate a is in its upper third; rate b does not matter."""
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0, 1, 90), rng.uniform(0, 1, 90)
    f = val.Fact("p", "a pattern", "een patroon", "s", 0.1, 0.1, float("inf"), "", "", {"variant": "x"})
    pts = pd.DataFrame({"fact": "p", "point": range(90), "r.a": a, "r.b": b, "value": 1 - a,
                        "holds": a < 2 / 3, "clearly_fails": False})
    split = pat.rate_splits(pts, [f], {"r.a": (0.0, 1.0), "r.b": (0.0, 1.0)})
    text = pat._breaks(f, pts[pts["fact"] == "p"], split)
    assert text.startswith(f"fails at {int((a >= 2 / 3).sum())} of 90 points (")
    assert "high `a` (0.6667-1: holds in 0%, other third 100%)" in text
    assert "`b`" not in text
    assert pat._breaks(f, pts.assign(holds=True), split) == "holds at every point"


def test_the_table_goes_between_the_markers_and_nowhere_else(tiny, tmp_path):
    _, out = tiny
    doc = tmp_path / "doc.md"
    doc.write_text(f"# Title\n\nbefore\n\n{pat.START}\nold table\n{pat.END}\n\nafter\n")
    res = cli.invoke(app, ["analyze", str(out), "--patterns", "--doc", str(doc), "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    text = doc.read_text()
    assert text.startswith(f"# Title\n\nbefore\n\n{pat.START}\n") and text.endswith(f"{pat.END}\n\nafter\n")
    assert "old table" not in text
    block = text.split(pat.START)[1].split(pat.END)[0]
    assert block.strip() == (tmp_path / "a" / "patterns.md").read_text().strip()
    assert "| Coaching vs controlling: engagement at week 104 (difference) (`pattern_engagement`) | >= 0.15 |" in block
    assert "| `dynamics.trust_rate` | 0.06 | 0.03 .. 0.12 | months, not days |" in block


def test_a_doc_without_markers_is_refused_and_left_as_it_was(tiny, tmp_path):
    _, out = tiny
    doc = tmp_path / "doc.md"
    doc.write_text("no markers\n")
    res = cli.invoke(app, ["analyze", str(out), "--patterns", "--doc", str(doc), "--out", str(tmp_path / "a")])
    assert res.exit_code == 2 and "needs one line <!-- sensitivity:start -->" in res.output
    assert doc.read_text() == "no markers\n" and not (tmp_path / "a").exists()


def test_patterns_need_an_experiment_with_variants(tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text(TINY.split("[variants.controlling]")[0])
    out = tmp_path / "o"
    assert cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1",
                            "--no-progress"]).exit_code == 0
    res = cli.invoke(app, ["analyze", str(out), "--patterns"])
    assert res.exit_code == 2 and "needs an experiment with [variants]" in res.output


def test_a_variant_run_replays_exactly(tiny, tmp_path):
    _, out = tiny
    res = cli.invoke(app, ["run", "--replay", str(out), "--run-id", "9", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0 and "final week equals the recorded one" in res.output, res.output


def test_the_shipped_experiment_and_the_doc_table_agree():
    """docs/calibration.md's table was made from the experiment file as it is now (its sha256), lists every
    pattern fact, and every sampled rate has its reason in the file."""
    path = ROOT / "experiments" / "sensitivity_dynamics.toml"
    text = path.read_text(encoding="utf-8")
    spec = parse_text(text, str(path))
    names = {v.name for v in spec.variants}
    vdesign = val.load_design()
    assert names <= set(vdesign.variants)
    facts, _ = pat.pattern_facts(names)
    assert {f.id for f in facts} >= {f.id for f in val.load_targets(design=vdesign) if f.id.startswith("pattern_")}
    keys = [f.key for f in spec.factors]
    assert all(k.startswith("dynamics.") for k in keys)
    assert set(pat.range_reasons(text, keys)) == set(keys)
    assert not {"dynamics.sick_leave_weeks", "dynamics.burnout_exhaustion"} & set(keys)
    d = expand(spec)
    row = next(r for r in (ROOT / "experiments" / "README.md").read_text().splitlines()
               if r.startswith("| `sensitivity_dynamics.toml`"))
    assert (f"over {len(keys)} uncertain" in row and f"{spec.samples} points x {len(names)} variants" in row
            and f"{spec.replicates} replicates | {d.n_runs:,} |" in row), row
    doc = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert f"differ by {pat.NAMED_GAP * 100:.0f} points or more" in doc
    block = doc.split(pat.START)[1].split(pat.END)[0]
    assert f"sha256 `{hashlib.sha256(text.encode()).hexdigest()[:12]}`" in block
    for f in facts:
        assert f"(`{f.id}`)" in block


def test_a_variant_that_is_not_validation_tomls_is_flagged():
    spec = parse_text(TINY.replace('scenario = "scenarios/coaching.toml"',
                                   'scenario = "scenarios/coaching.toml"\nset = { team.size = 8 }'),
                      str(ROOT / "experiments" / "tiny.toml"))
    keys = {f.key for f in spec.factors}
    notes = pat._check_same_variants(spec, val.load_design(), {"controlling", "coaching"}, keys)
    assert notes == ["warning: variant 'coaching' differs from validation.toml's (besides the sampled rates)"]
    same = parse_text(TINY, str(ROOT / "experiments" / "tiny.toml"))
    assert pat._check_same_variants(same, val.load_design(), {"controlling", "coaching"}, keys) == []


def test_a_failed_run_leaves_the_point_measured_on_the_replicates_that_ran_under_both(tmp_path, monkeypatch):
    exp = tmp_path / "e.toml"
    exp.write_text(TINY)
    monkeypatch.setenv("ORGSIM_EXPERIMENT_FAIL_RUNS", "1")        # point 0 (controlling), replicate 1
    out = tmp_path / "o"
    res = cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1", "--no-progress"])
    assert res.exit_code == 0, res.output
    points, _, _ = pat.point_values(out)
    got = points[(points["fact"] == "pattern_engagement") & (points["point"] == 0)].iloc[0]
    runs = pd.read_parquet(out / "runs.parquet")
    eng = {v: runs[(runs["variant"] == v) & (runs["point"] % 3 == 0) & (runs["replicate"] == 0)]
           ["final_engagement"].iloc[0] for v in ("coaching", "controlling")}
    assert got["n"] == 1 and got["value"] == pytest.approx(eng["coaching"] - eng["controlling"], abs=1e-12)
    assert (points.loc[points["point"] != 0, "n"] == 2).all()
