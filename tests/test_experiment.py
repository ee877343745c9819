"""Experiments at scale: the experiment file, design expansion (grid, LHS, Sobol, Morris), seeds independent of
the executor, failures recorded, kill -9 and resume, CSV export, analysis, the notebook."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.analyze import analyze
from sim.experiment.run import FAIL_ENV, load_results, run_experiment
from sim.experiment.design import expand
from sim.experiment.spec import EXPERIMENT_PARAMS, load_spec
from sim.metrics import INT_METRICS, METRICS
from sim.params import BY_KEY, ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXP = ROOT / "experiments"
cli = CliRunner()

SMALL = """
[experiment]
title = "test grid"
replicates = 3
weeks = 15
seed = 5
record = 5
metrics = ["engagement", "burnout_share", "exhaustion", "leavers", "headcount", "output"]

[set]
team.size = 6
policy.name = "custom"

[factors]
policy.monitoring = [0.1, 0.9]
team.competence_mean = { lo = 0.3, hi = 0.7, steps = 2 }
"""


def write(tmp_path, text, name="exp.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def tables(out):
    runs, ts = load_results(out)
    return runs.drop(columns=["seconds"]), ts


def assert_same(a, b):
    """Bit for bit: the batches are fixed by the design, not by the scheduling."""
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)


# ------------------------------------------------------------------------------------------- the experiment file
def shipped():
    return sorted(p for p in EXP.glob("*.toml") if not p.name.startswith(("validation", "targets", "search_")))


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.name)
def test_shipped_experiments_parse_and_expand(path):
    spec = load_spec(path)
    d = expand(spec)
    assert d.n_runs == d.n_points * spec.replicates > 0
    assert len(d.seeds) == d.n_runs
    assert spec.title("en") and spec.title("nl")


def test_the_required_experiments_are_shipped():
    names = {p.stem for p in shipped()}
    assert {"smoke_small", "control_x_competence", "sobol_policy_knobs"} <= names
    assert load_spec(EXP / "sobol_policy_knobs.toml").design == "sobol"
    assert len(load_spec(EXP / "control_x_competence.toml").factors) >= 2
    small = expand(load_spec(EXP / "smoke_small.toml"))
    assert small.base.team.size == BY_KEY["team.size"].default and small.weeks == 104  # the default team, 2 years
    readme = (EXP / "README.md").read_text()
    for p in shipped():
        assert p.name in readme, p.name


def test_grid_is_every_combination_with_ranges_and_common_random_numbers(tmp_path):
    d = expand(load_spec(write(tmp_path, SMALL)))
    assert d.points == [(0.1, 0.3), (0.1, 0.7), (0.9, 0.3), (0.9, 0.7)]
    assert d.n_runs == 12 and d.weeks == 15
    seeds = d.seeds.reshape(4, 3)
    assert (seeds == seeds[0]).all() and len(set(seeds[0])) == 3   # replicate r: same seed at every point
    assert d.columns["policy.monitoring"] == [0.1, 0.1, 0.9, 0.9]
    assert d.columns["team.size"] == [6] * 4
    assert d.columns["policy.autonomy"] == [0.5] * 4                # knobs recorded as resolved values
    d2 = expand(load_spec(write(tmp_path, SMALL.replace('seed = 5', 'seed = 5\ncommon_random_numbers = false'),
                                "b.toml")))
    assert len(set(d2.seeds)) == 12
    assert d2.digest() != d.digest()


def test_int_ranges_round_and_deduplicate(tmp_path):
    text = SMALL.replace('team.competence_mean = { lo = 0.3, hi = 0.7, steps = 2 }',
                         'team.hiring_delay = { lo = 0, hi = 3, steps = 7 }')
    d = expand(load_spec(write(tmp_path, text)))
    assert sorted({p[1] for p in d.points}) == [0, 1, 2, 3]
    assert all(isinstance(p[1], int) for p in d.points)


SAMPLER = """
[experiment]
design = "{design}"
samples = {n}
replicates = 1
weeks = 5
seed = 9

[factors]
work.workload = {{ lo = 0.5, hi = 2.0 }}
team.hiring_delay = {{ lo = 2, hi = 6 }}
policy.name = ["controlling", "coaching", "delegating"]
"""


@pytest.mark.parametrize("design, n, points", [("lhs", 20, 20), ("sobol", 16, 3 * 16 * (2 + 2)),
                                               ("morris", 4, 3 * 4 * (2 + 1))])   # 3 policies x the sample
def test_salib_designs_have_the_expected_size_and_stay_in_range(tmp_path, design, n, points):
    spec = load_spec(write(tmp_path, SAMPLER.format(design=design, n=n)))
    d = expand(spec)
    assert d.n_points == points
    w = np.array([p[0] for p in d.points])
    assert ((0.5 <= w) & (w <= 2.0)).all() and np.ptp(w) > 0.5
    assert {p[1] for p in d.points} <= set(range(2, 7)) and all(isinstance(p[1], int) for p in d.points)
    assert {p[2] for p in d.points} <= {"controlling", "coaching", "delegating"}
    assert len({p[2] for p in d.points}) >= 2
    assert expand(spec).points == d.points                            # the same sample every time


def test_sobol_second_order_doubles_the_cross_samples(tmp_path):
    text = SAMPLER.format(design="sobol", n=8).replace('seed = 9', 'seed = 9\nsecond_order = true')
    assert expand(load_spec(write(tmp_path, text))).n_points == 3 * 8 * (2 * 2 + 2)   # 3 policies


BAD = [
    ("[experimnt]\n", ["unknown section '[experimnt]'", "did you mean 'experiment'"]),
    ("[experiment]\nreplicate = 3\n", ["'experiment.replicate'", "did you mean 'replicates'"]),
    ("[experiment]\nreplicates = 0\n", ["'experiment.replicates' = 0", "integer in [1, 100000]"]),
    ("[experiment]\ndesign = \"sobolx\"\n[factors]\nwork.workload = [1.0]\n",
     ["'experiment.design'", "'grid', 'lhs', 'sobol', 'morris'"]),
    ("[factors]\npolicy.monitorin = [0.1]\n", ["'factors.policy.monitorin'", "did you mean 'policy.monitoring'"]),
    ("[factors]\npolicy.monitoring = [0.1, 1.5]\n", ["'factors.policy.monitoring' = 1.5", "number in [0, 1]"]),
    ("[factors]\nwork.workload = { lo = 0.5, hi = 3.0, steps = 3 }\n",
     ["'factors.work.workload.hi' = 3.0", "number in [0, 2.5]"]),
    ("[factors]\nwork.workload = { lo = 0.5, hi = 1.0 }\n", ["'factors.work.workload'", "add steps"]),
    ("[experiment]\ndesign = \"lhs\"\n[factors]\nwork.workload = { lo = 0.5, hi = 1.0, steps = 3 }\n",
     ["'factors.work.workload.steps'", "only for grid"]),
    ("[factors]\nwork.workload = { lo = 1.0, hi = 0.5, steps = 3 }\n", ["'factors.work.workload'", "lo < hi"]),
    ("[factors]\nteam.size = [4, 4]\n", ["'factors.team.size'", "twice"]),
    ("[factors]\npolicy.name = [\"coaching\", \"micromanaging\"]\n",
     ["'factors.policy.name' = 'micromanaging'", "'controlling'"]),
    ("[factors]\nscenario.title = [\"a\"]\n", ["'factors.scenario.title'", "experiment.weeks"]),
    ("[experiment]\ndesign = \"sobol\"\nsamples = 10\n[factors]\nwork.workload = { lo = 0.5, hi = 1.0 }\n",
     ["'experiment.samples' = 10", "power of 2"]),
    ("[experiment]\ndesign = \"morris\"\n", ["morris design needs at least one factor"]),
    ("[experiment]\nsamples = 8\n", ["'experiment.samples'", "grid runs every combination"]),
    ("[experiment]\nmetrics = [\"burnout\"]\n", ["unknown metric 'burnout'", "did you mean"]),
    ("[experiment]\nrecord = \"monthly\"\n", ["'experiment.record'", "\"weekly\", \"final\""]),
    ("[experiment]\nscenario = \"no/such.toml\"\n", ["'experiment.scenario'", "no such file"]),
    ("[set]\npolicy.autonomy = 2.0\n", ["[set]", "'policy.autonomy' = 2.0", "number in [0, 1]"]),
    ("[set]\nwork.workload = 1.1\n[factors]\nwork.workload = [1.0, 1.2]\n", ["'work.workload'", "both in [set]"]),
    ("[experiment]\nweeks = 10\naverage_from = 11\n", ["'experiment.average_from' = 11", "[1, 10]"]),
    ("[experiment\n", ["not valid TOML"]),
]


def refused_in_one_line(path, words):
    """Reading the experiment file ``path`` is refused with one line naming the file and each of ``words``."""
    with pytest.raises(ConfigError) as exc:
        expand(load_spec(path))
    msg = str(exc.value)
    assert "\n" not in msg and str(path) in msg, msg
    for w in words:
        assert w in msg, (w, msg)


@pytest.mark.parametrize("text, words", BAD, ids=[w[0] for _, w in BAD])
def test_bad_experiment_files_get_one_line_naming_file_key_and_allowed(tmp_path, text, words):
    refused_in_one_line(write(tmp_path, text, "bad.toml"), words)


def test_cli_bad_experiment_exit_2_one_line_nothing_written(tmp_path):
    path = write(tmp_path, "[factors]\npolicy.monitoring = [0.1, 1.5]\n", "bad.toml")
    res = cli.invoke(app, ["experiment", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "policy.monitoring" in lines[0]
    assert not (tmp_path / "o").exists()


def test_every_experiment_key_is_documented():
    doc = (ROOT / "docs" / "experiments.md").read_text()
    for p in EXPERIMENT_PARAMS:
        assert f"`{p.name}`" in doc, p.name
    for word in ("dask scheduler", "dask worker", "dask-jobqueue", "SLURM", "--resume", "SeedSequence"):
        assert word in doc, word


# ------------------------------------------------------------------------------------------------------ running
def test_same_tables_serial_and_two_workers_with_the_promised_layout(tmp_path):
    path = write(tmp_path, SMALL)
    s1 = run_experiment(path, tmp_path / "serial", workers=1, progress=False)
    s2 = run_experiment(path, tmp_path / "two", workers=2, progress=False)
    assert s1["ran"] == s2["ran"] == 12 and s1["failed"] == s2["failed"] == 0 and s2["workers"] == 2
    a, b = tables(tmp_path / "serial"), tables(tmp_path / "two")
    assert_same(a, b)
    runs, ts = a
    assert list(runs["run_id"]) == list(range(12)) and not runs["run_id"].duplicated().any()
    assert (runs["point"] == runs["run_id"] // 3).all() and (runs["replicate"] == runs["run_id"] % 3).all()
    for key in BY_KEY:
        if BY_KEY[key].kind != "str" and key != "scenario.seed" and not key.startswith("events."):
            assert key in runs, key                                   # every parameter
    assert (runs["status"] == "ok").all() and runs["seed"].nunique() == 3
    assert list(ts.columns) == ["run_id", "week", "engagement", "burnout_share", "exhaustion", "leavers",
                                "headcount", "output"]
    assert sorted(ts["week"].unique()) == [5, 10, 15]                 # record = 5
    for c in ("run_id", "week", "leavers", "headcount"):
        assert ts[c].dtype == np.int64, c
    assert runs["final_headcount"].dtype == np.int64
    last = ts[ts["week"] == 15].set_index("run_id")
    assert np.allclose(last["engagement"], runs.set_index("run_id")["final_engagement"])
    man = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert man["status"] == "finished" and man["counts"] == {"runs": 12, "done": 12, "ok": 12, "failed": 0}
    assert man["experiment"]["text"] == path.read_text() and len(man["experiment"]["sha256"]) == 64
    assert man["master_seed"] == 5 and man["versions"]["mesa"].startswith("3.") and man["versions"]["pyarrow"]
    assert man["started"] and man["finished"] and man["sessions"][0]["workers"] == 2
    assert not (tmp_path / "two" / "parts").exists()


def test_time_average_is_over_all_weeks_even_when_only_the_final_week_is_kept(tmp_path):
    text = SMALL.replace("record = 5", 'record = "final"')
    run_experiment(write(tmp_path, text), tmp_path / "f", workers=1, progress=False)
    runs, ts = load_results(tmp_path / "f")
    assert list(ts["week"].unique()) == [15]
    run_experiment(write(tmp_path, SMALL.replace("record = 5", "record = 1"), "w.toml"), tmp_path / "w",
                   workers=1, progress=False)
    r2, ts2 = load_results(tmp_path / "w")
    means = ts2.groupby("run_id")["exhaustion"].mean()
    assert np.allclose(runs["mean_exhaustion"], means.to_numpy())
    assert np.allclose(r2["mean_exhaustion"], means.to_numpy())


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    path = write(tmp_path, SMALL)
    run_experiment(path, tmp_path / "clean", workers=1, progress=False)
    monkeypatch.setenv(FAIL_ENV, "2,7")
    s = run_experiment(path, tmp_path / "f", workers=2, progress=False)
    assert s["failed"] == 2 and s["ok"] == 10 and s["ran"] == 12
    runs, ts = load_results(tmp_path / "f")
    bad = runs[runs["status"] == "failed"]
    assert list(bad["run_id"]) == [2, 7]
    assert bad["error"].str.contains("RuntimeError: injected failure").all()
    assert bad["traceback"].str.contains("Traceback").all()
    assert bad["final_engagement"].isna().all()
    assert runs.loc[runs["status"] == "ok", "error"].isna().all()
    assert set(ts["run_id"]) == set(range(12)) - {2, 7}
    clean_runs, clean_ts = load_results(tmp_path / "clean")
    pd.testing.assert_frame_equal(ts.reset_index(drop=True),
                                  clean_ts[~clean_ts["run_id"].isin([2, 7])].reset_index(drop=True))
    man = json.loads((tmp_path / "f" / "manifest.json").read_text())
    assert man["counts"]["failed"] == 2


def orgsim(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=240, **kw)


KILL = """
[experiment]
title = "kill me"
replicates = 10
weeks = 60
seed = 3
record = 2
metrics = ["engagement", "burnout_share", "leavers", "output", "headcount"]

[factors]
policy.name = ["controlling", "coaching"]
work.workload = [1.0, 1.2, 1.4, 1.6]
team.resilience_mean = [0.4, 0.6]
"""
KILL_RUNS = 2 * 4 * 2 * 10


def test_kill_9_then_resume_gives_the_uninterrupted_tables(tmp_path):
    path = write(tmp_path, KILL)
    out = tmp_path / "k"
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "experiment", str(path), "--out", str(out),
                             "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list((out / "parts").glob("runs-*.parquet")):   # wait for the first part on disk
            assert proc.poll() is None, "finished or died before a part was written"
            assert time.monotonic() < deadline, "no part written in time"
            time.sleep(0.02)
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "running"                                # really killed mid-way
    runs, ts = load_results(out)                                     # partial results are readable
    assert 0 < len(runs) < KILL_RUNS and not runs["run_id"].duplicated().any()
    assert set(ts["run_id"]) <= set(runs["run_id"])

    again = orgsim("experiment", path, "--out", out)                 # without --resume: refused
    assert again.returncode == 2 and "--resume" in again.stderr
    res = orgsim("experiment", path, "--out", out, "--resume", "--workers", "2")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"{KILL_RUNS - len(runs)} runs in"), res.stdout
    assert f"{KILL_RUNS}/{KILL_RUNS}" in res.stderr                  # the progress bar
    run_experiment(path, tmp_path / "ref", workers=1, progress=False)
    a, b = tables(tmp_path / "ref"), tables(out)
    assert len(b[0]) == KILL_RUNS and not b[0]["run_id"].duplicated().any()
    assert_same(a, b)
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "finished" and len(man["sessions"]) == 2


def test_ctrl_c_keeps_the_finished_runs_and_says_how_to_continue(tmp_path):
    path = write(tmp_path, KILL)
    out = tmp_path / "i"
    # SIGINT at its default in the child, so that its Python turns it into KeyboardInterrupt even when this
    # suite runs in the background of a non-interactive shell (which starts it with SIGINT ignored, inherited)
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "experiment", str(path), "--out", str(out),
                             "--workers", "1", "--no-progress"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not list((out / "parts").glob("runs-*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    seen = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    out_text, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "continue with --resume" in err, (
        proc.returncode, err, out_text, f"ended {time.monotonic() - seen:.2f} s after the first part was seen")
    runs, _ = load_results(out)
    assert 0 < len(runs) < KILL_RUNS


def test_resume_on_a_finished_experiment_does_nothing_and_refusals(tmp_path):
    path = write(tmp_path, SMALL)
    out = tmp_path / "o"
    run_experiment(path, out, workers=1, progress=False)
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    res = cli.invoke(app, ["experiment", str(path), "--out", str(out), "--resume"])
    assert res.exit_code == 0 and "nothing left to do" in res.output
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    res = cli.invoke(app, ["experiment", str(path), "--out", str(out)])
    assert res.exit_code == 2 and "already finished" in res.output and "--resume" in res.output
    other = write(tmp_path, SMALL.replace("seed = 5", "seed = 6"), "other.toml")
    res = cli.invoke(app, ["experiment", str(other), "--out", str(out), "--resume"])
    assert res.exit_code == 2 and "different experiment" in res.output
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("mine")
    res = cli.invoke(app, ["experiment", str(path), "--out", str(tmp_path / "junk")])
    assert res.exit_code == 2 and "holds other files" in res.output
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before


def test_csv_export_matches_parquet(tmp_path):
    path = write(tmp_path, SMALL)
    out = tmp_path / "c"
    res = cli.invoke(app, ["experiment", str(path), "--out", str(out), "--workers", "1", "--csv"])
    assert res.exit_code == 0, res.output
    runs, ts = load_results(out)
    rc, tc = pd.read_csv(out / "runs.csv"), pd.read_csv(out / "timeseries.csv")
    assert list(rc.columns) == list(runs.columns) and len(rc) == len(runs)
    assert np.allclose(tc[list(ts.columns)].to_numpy(float), ts.to_numpy(float))
    assert (rc["policy.monitoring"] == runs["policy.monitoring"]).all()


# ----------------------------------------------------------------------------------------------------- analysis
def test_analyze_grid_writes_means_with_cis_and_figures(tmp_path):
    out = tmp_path / "g"
    run_experiment(write(tmp_path, SMALL), out, workers=1, progress=False)
    res = cli.invoke(app, ["analyze", str(out), "--out", str(tmp_path / "an"), "--lang", "nl"])
    assert res.exit_code == 0, res.output
    dp = pd.read_csv(tmp_path / "an" / "design_points.csv")
    assert set(dp["stat"]) == {"final", "mean"}
    assert len(dp) == 4 * 2 * 6                                      # points x stats x metrics
    assert (dp["n"] == 3).all() and (dp["runs"] == 3).all()
    assert ((dp["ci_low"] <= dp["mean"] + 1e-12) & (dp["mean"] <= dp["ci_high"] + 1e-12)).all()
    runs, _ = load_results(out)
    want = runs[runs["point"] == 2]["final_engagement"]
    row = dp[(dp["point"] == 2) & (dp["stat"] == "final") & (dp["metric"] == "engagement")].iloc[0]
    assert row["mean"] == pytest.approx(want.mean()) and row["sd"] == pytest.approx(want.std())
    assert row["policy.monitoring"] == 0.9 and row["team.competence_mean"] == 0.3
    half = (row["ci_high"] - row["ci_low"]) / 2
    assert half == pytest.approx(4.302653 * want.std() / math.sqrt(3), rel=1e-5)   # t(0.975, 2)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "an" / "design_points.parquet"), dp,
                                  check_dtype=False)
    for png in ("timeseries.png", "response.png", "heatmap.png"):
        assert (tmp_path / "an" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_the_figures_follow_the_metrics_an_experiment_lists(tmp_path, monkeypatch):
    """Listed metrics are shown in the file's order (the response figure: the first four); an experiment that
    keeps every metric shows the headline ones first."""
    import sim.experiment.analyze as an
    seen = {}
    real = an.response_figure
    monkeypatch.setattr(an, "response_figure", lambda pts, f, shown, *a: (seen.setdefault("shown", shown),
                                                                           real(pts, f, shown, *a)))
    listed = SMALL.replace('["engagement", "burnout_share", "exhaustion", "leavers", "headcount", "output"]',
                           '["leavers", "exhaustion", "engagement", "burnout_share", "headcount", "output"]')
    assert listed != SMALL
    out = tmp_path / "g"
    run_experiment(write(tmp_path, listed), out, workers=1, progress=False)
    analyze(out, tmp_path / "an")
    assert seen["shown"][:4] == ["leavers", "exhaustion", "engagement", "burnout_share"]
    assert an.key_metrics(seen["shown"], 4) == ["leavers", "exhaustion", "engagement", "burnout_share"]
    every = an.figure_order(METRICS)
    assert every[:6] == list(an.PANELS) and sorted(every) == sorted(METRICS)


@settings(max_examples=40, deadline=None)
@given(reps=st.lists(st.integers(1, 5), min_size=4, max_size=4), seed=st.integers(0, 2**16))
def test_response_ci_is_over_the_runs_at_each_level(reps, seed):
    """The response figure's bars: mean and 95% CI of all runs at a factor's level (replicates and the other
    factor's points together), pooled from the point table, the same as computed from the runs directly."""
    from scipy.stats import t as student_t

    from sim.experiment.analyze import level_ci, point_table
    rng = np.random.default_rng(seed)
    pts = [(a, b) for a in (0.2, 0.8) for b in ("x", "y")]          # 2 x 2 grid, unequal replicates
    rows = [{"point": i, "replicate": r, "status": "ok", "f1": a, "f2": b,
             "final_engagement": rng.normal(a + (b == "y"), 0.1), "mean_engagement": 0.0}
            for i, ((a, b), n) in enumerate(zip(pts, reps)) for r in range(n)]
    runs = pd.DataFrame(rows).rename_axis("run_id").reset_index()
    tab = point_table(runs, ["f1", "f2"], ["engagement"])
    d = tab[(tab["stat"] == "final") & (tab["metric"] == "engagement")]
    for f in ("f1", "f2"):
        got = level_ci(d, f)
        for level, y in runs.groupby(f)["final_engagement"]:
            assert got.loc[level, "count"] == len(y)
            assert got.loc[level, "mean"] == pytest.approx(y.mean(), rel=1e-12)
            if len(y) > 1:
                half = student_t.ppf(0.975, len(y) - 1) * y.std() / math.sqrt(len(y))
                assert got.loc[level, "hi"] - got.loc[level, "mean"] == pytest.approx(half, rel=1e-9)
            else:
                assert np.isnan(got.loc[level, "hi"])


SENS = """
[experiment]
design = "{design}"
samples = {n}
replicates = 1
weeks = 20
seed = 4
record = "final"
metrics = ["exhaustion", "engagement", "burnout_share"]

[set]
team.size = 8

[factors]
work.workload = {{ lo = 0.4, hi = 2.2 }}
manager.resilience = {{ lo = 0.45, hi = 0.55 }}
"""


@pytest.mark.parametrize("design, n, cols, key", [("sobol", 16, ["S1", "S1_conf", "ST", "ST_conf"], "ST"),
                                                  ("morris", 8, ["mu", "mu_star", "mu_star_conf", "sigma"],
                                                   "mu_star")])
def test_sensitivity_indices_rank_workload_first_for_exhaustion(tmp_path, design, n, cols, key):
    out = tmp_path / design
    run_experiment(write(tmp_path, SENS.format(design=design, n=n)), out, workers=1, progress=False)
    res = analyze(out)
    ind = pd.read_csv(out / "analysis" / f"{design}_indices.csv")
    assert list(ind.columns) == ["factor", "stat", "metric", *cols, "noise_share"]
    assert len(ind) == 2 * 2 * 3                                     # factors x stats x metrics
    ex = ind[(ind["metric"] == "exhaustion") & (ind["stat"] == "mean")].set_index("factor")[key]
    assert ex["work.workload"] > 3 * abs(ex["manager.resilience"])   # JD-R: demands drive exhaustion
    assert (ind[cols[1]].dropna() >= 0).all()
    assert str(out / "analysis" / f"{design}_indices.png") in res["files"]


def test_analyze_refuses_a_directory_without_an_experiment(tmp_path):
    res = cli.invoke(app, ["analyze", str(tmp_path)])
    assert res.exit_code == 2 and "not an experiment directory" in res.output


def test_the_notebook_is_valid_and_its_code_runs_on_results(tmp_path):
    import nbformat

    nb = nbformat.read(ROOT / "docs" / "analysis_example.ipynb", as_version=4)
    nbformat.validate(nb)
    out = tmp_path / "nb"
    run_experiment(write(tmp_path, SMALL), out, workers=1, progress=False)
    analyze(out)
    ns: dict = {}
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert 'RESULTS = "out/smoke"' in code[0]
    for src in code:
        exec(compile(src.replace('"out/smoke"', repr(str(out))), "notebook", "exec"), ns)
    assert len(ns["runs"]) == 12 and len(ns["table"]) == 4
    import matplotlib.pyplot as plt
    plt.close("all")


def test_metric_columns_cover_every_kept_metric_with_int_dtypes():
    from sim.experiment.run import schemas
    import pyarrow as pa

    runs, ts = schemas(METRICS)
    for m in METRICS:
        want = pa.int64() if m in INT_METRICS else pa.float64()
        assert ts.field(m).type == want and runs.field(f"final_{m}").type == want
        assert runs.field(f"mean_{m}").type == pa.float64()


def test_chunks_are_whole_batches_of_consecutive_runs():
    from collections import deque

    from sim.experiment.run import _take

    starts = np.zeros(11, bool)
    starts[[0, 4, 8, 10]] = True                                     # batches 0-3, 4-7, 8-9
    assert _take(deque(range(10)), 1, starts) == [0, 1, 2, 3]
    assert _take(deque(range(10)), 5, starts) == list(range(8))
    assert _take(deque([0, 1, 2, 3, 8, 9]), 10, starts) == [0, 1, 2, 3]   # never across a gap
    d = expand(load_spec(EXP / "smoke_small.toml"))
    assert d.batch.min() > 1 and d.block_starts()[::16].all()        # replicates of a point run side by side
