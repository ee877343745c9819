"""An experiment's own outputs (``[outputs]``: quantiles and shares of the people's state, whole run, per team,
per policy, per level) and stop conditions (``[stop]``): the recorded numbers against numpy on a model's state,
the week a run stops, one-line errors, the same tables for one and two workers and after --resume, replay."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment import outputs as O
from sim.experiment.design import expand, point_raw
from sim.experiment.replay import matches, replay_params
from sim.experiment.run import load_results, run_experiment
from sim.experiment.spec import load_spec
from sim.model import OrgModel
from sim.params import ConfigError, validate
from sim.runner import run_one
from sim.state import ACTIVE, EMPLOYEE, EMPLOYEE_VARS
from test_experiment import refused_in_one_line, write

cli = CliRunner()

EXP = """
[experiment]
title = "outputs and stop"
replicates = 3
weeks = 30
seed = 9
record = 4
average_from = 5
metrics = ["burnout_share", "exhaustion"]

[set]
team.size = 8
team.teams = 2
org.team_policies = ["controlling", "coaching"]

[factors]
work.workload = [1.0, 1.8]

[outputs]
ex_p90 = { field = "exhaustion", quantile = 0.9 }
ex_high = { field = "exhaustion", above = 0.5 }
trust_low = { field = "trust_in_manager", below = 0.3, per = "policy" }
ex_team = { field = "exhaustion", quantile = 0.5, per = "team" }
strain = { field = "manager.strain", mean = true, per = "level" }

[stop]
when = [{ metric = "ex_high", above = 0.4 }, { metric = "trust_low_controlling", above = 0.99 }]
from_week = 10
"""


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """The experiment run once serially and once on two workers."""
    tmp = tmp_path_factory.mktemp("outputs")
    path = write(tmp, EXP)
    run_experiment(path, tmp / "one", workers=1, progress=False)
    run_experiment(path, tmp / "two", workers=2, progress=False)
    return path, tmp


def direct(model, run: int = 0) -> dict:
    """The outputs of EXP written with numpy straight on one run's state (a model of one run: run 0)."""
    s = model.state
    act = s.status == ACTIVE
    ex, trust = s.exhaustion[act], s.trust_in_manager[act]
    team = model.org.team[act]
    pol = np.array([k.name for k in model.knobs])[team]
    out = {"ex_p90": np.quantile(ex, 0.9), "ex_high": np.mean(ex > 0.5)}
    for p in ("controlling", "coaching"):
        out[f"trust_low_{p}"] = np.mean(trust[pol == p] < 0.3) if (pol == p).any() else np.nan
    for t in range(2):
        out[f"ex_team_team{t}"] = np.median(ex[team == t]) if (team == t).any() else np.nan
    out["strain_level1"] = model.mstate.strain.mean()
    return out


def point_params(path, point: int):
    d = expand(load_spec(path))
    return d, validate(point_raw(d.base_raw, d.spec.factors, d.points[point]), "test")


# ------------------------------------------------------------------------------------------------ the numbers
def test_recorded_outputs_equal_numpy_on_the_state_of_a_run_of_its_own(done):
    path, tmp = done
    runs, ts = load_results(tmp / "one")
    for rid in (0, 4):   # a run at each workload
        row = runs.set_index("run_id").loc[rid]
        d, params = point_params(path, int(row["point"]))
        last = int(row["stopped_week"]) if pd.notna(row["stopped_week"]) else d.weeks
        model = OrgModel(params, seed=int(row["seed"])).run(last)
        want = direct(model)
        for col, v in want.items():
            got = row[f"final_{col}"]
            assert (np.isnan(v) and np.isnan(got)) or got == pytest.approx(v, abs=1e-12), (rid, col, got, v)
        assert row["final_exhaustion"] == pytest.approx(model.metrics["exhaustion"], abs=1e-12)
        assert ts[(ts["run_id"] == rid)]["week"].max() == last


def test_the_columns_are_named_per_group_and_kept_with_the_metrics(done):
    path, tmp = done
    d = expand(load_spec(path))
    assert d.groups == {"trust_low": ("controlling", "coaching"), "ex_team": ("team0", "team1"),
                        "strain": ("level1",)}
    assert d.metrics == ("burnout_share", "exhaustion", "ex_p90", "ex_high", "trust_low_controlling",
                         "trust_low_coaching", "ex_team_team0", "ex_team_team1", "strain_level1")
    runs, ts = load_results(tmp / "one")
    assert list(ts.columns) == ["run_id", "week", *d.metrics]
    for m in d.metrics:
        assert f"final_{m}" in runs and f"mean_{m}" in runs


@pytest.fixture(scope="module")
def batch_model():
    """Two runs side by side, three levels of management, two policies, some weeks in."""
    m = OrgModel(seeds=[3, 4], **{"team.teams": 4, "team.size": 6, "org.levels": 3, "org.span": 2,
                                  "org.team_policies": ["controlling", "coaching", "controlling", "delegating"],
                                  "work.workload": 1.5})
    return m.run(20)


@settings(max_examples=25, deadline=None)
@given(q=st.floats(0, 1), x=st.floats(0, 1), field=st.sampled_from(["exhaustion", "engagement", "trust_in_manager",
                                                                    "competence", "tenure"]))
def test_quantiles_and_shares_per_run_team_and_policy_equal_numpy(batch_model, q, x, field):
    m = batch_model
    outs = (O.Output("a", field, "quantile", q), O.Output("b", field, "above", x, "team"),
            O.Output("c", field, "below", x, "policy"), O.Output("d", "manager.strain", "quantile", q, "level"),
            O.Output("e", "manager.extra_control", "mean", None, "policy"))
    groups = O.groups_of("t", outs, teams=4, levels=3, policies={"controlling", "coaching", "delegating"})
    got = O.compute(m, outs, groups)
    cols = list(O.output_columns(outs, groups))
    assert got.shape == (2, len(cols))
    for r in range(2):
        lo, hi = m._pos_bounds[r], m._pos_bounds[r + 1]
        act = m.state.status[lo:hi] == ACTIVE
        v = getattr(m.state, field)[lo:hi][act].astype(float)
        team = m.org.team[lo:hi][act] - m._team_bounds[r]
        names = np.array([k.name for k in m.knobs])[m._team_bounds[r]:m._team_bounds[r + 1]]
        row = dict(zip(cols, got[r]))
        assert row["a"] == np.quantile(v, q)                       # quantiles and shares: exactly numpy's
        for t in range(4):
            assert row[f"b_team{t}"] == np.mean(v[team == t] > x)
        for p in ("controlling", "coaching", "delegating"):
            assert row[f"c_{p}"] == np.mean(v[names[team] == p] < x)
            strain = m.mstate.extra_control[m._team_bounds[r]:m._team_bounds[r + 1]][names == p]
            assert row[f"e_{p}"] == pytest.approx(strain.mean(), abs=1e-12)
        sel = m.run_of_senior == r
        assert row["d_level1"] == np.quantile(m.mstate.strain[m._team_bounds[r]:m._team_bounds[r + 1]], q)
        for lev in (2, 3):
            assert row[f"d_level{lev}"] == np.quantile(m.ustate.strain[sel & (m.org.senior_level == lev)], q)


def test_an_empty_group_is_nan():
    m = OrgModel(seed=2, **{"team.teams": 2, "team.size": 4}).run(2)
    outs = (O.Output("c", "exhaustion", "above", 0.1, "policy"), O.Output("t", "exhaustion", "quantile", 0.5, "team"))
    groups = {"c": ("controlling", "coaching"), "t": ("team0", "team1", "team2")}
    got = O.compute(m, outs, groups)[0]
    assert np.isnan(got[0]) and not np.isnan(got[1])   # the default policy is coaching: no controlling lead
    assert np.isnan(got[4]) and not np.isnan(got[2])   # no team 2 in this organisation


# ------------------------------------------------------------------------------------------------ stopping
def test_a_run_stops_in_the_first_week_a_condition_holds_from_from_week_on(done):
    path, tmp = done
    runs, ts = load_results(tmp / "one")
    assert runs["stopped_week"].notna().any() and runs["stopped_week"].isna().any()   # both kinds of run
    for _, row in runs.iterrows():
        d, params = point_params(path, int(row["point"]))
        model = OrgModel(params, seed=int(row["seed"]))
        first = None
        for week in range(1, d.weeks + 1):
            model.step()
            vals = dict(zip(O.output_columns(d.spec.outputs, d.groups),
                            O.compute(model, d.spec.outputs, d.groups)[0]))
            if week >= 10 and (vals["ex_high"] > 0.4 or vals["trust_low_controlling"] > 0.99):
                first = week
                break
        got = None if pd.isna(row["stopped_week"]) else int(row["stopped_week"])
        assert got == first, (row["run_id"], got, first)
        weeks = ts[ts["run_id"] == row["run_id"]]["week"].tolist()
        last = first or d.weeks
        assert weeks == O.recorded_for(d.spec.recorded_weeks(d.weeks), last).tolist()
        full = run_one(params, seed=int(row["seed"]), weeks=last).timeseries
        assert row["final_burnout_share"] == pytest.approx(full["burnout_share"].iloc[-1], abs=1e-12)
        assert row["mean_exhaustion"] == pytest.approx(full["exhaustion"].iloc[4:].mean(), abs=1e-12)


def test_stop_on_a_builtin_metric_only(tmp_path):
    text = """
[experiment]
replicates = 2
weeks = 20
seed = 1
metrics = ["burnout_share", "headcount"]

[set]
team.size = 6

[stop]
when = { metric = "headcount", below = 100 }
from_week = 3
"""
    run_experiment(write(tmp_path, text), tmp_path / "o", workers=1, progress=False)
    runs, ts = load_results(tmp_path / "o")
    assert (runs["stopped_week"] == 3).all() and (ts.groupby("run_id")["week"].max() == 3).all()
    assert runs["final_headcount"].dtype == np.int64


# ------------------------------------------------------------------------------------------------ reproducible
def test_the_same_tables_for_one_and_two_workers(done):
    _, tmp = done
    a, b = load_results(tmp / "one"), load_results(tmp / "two")
    pd.testing.assert_frame_equal(a[0].drop(columns="seconds"), b[0].drop(columns="seconds"), check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)


def test_resume_checks_the_tables_of_stopped_runs_and_finds_nothing_to_do(done):
    path, tmp = done
    s = run_experiment(path, tmp / "two", workers=1, progress=False, resume=True)
    assert s["nothing_to_do"] and s["notes"] == []


def test_replay_of_a_stopped_run_runs_to_its_stop_week_and_matches(done):
    _, tmp = done
    runs, _ = load_results(tmp / "one")
    rid = int(runs[runs["stopped_week"].notna()]["run_id"].iloc[0])
    rep = replay_params(tmp / "one", rid)
    assert rep["weeks"] == int(runs.set_index("run_id").loc[rid, "stopped_week"])
    res = run_one(rep["params"], seed=rep["seed"], weeks=rep["weeks"])
    assert matches(rep, res.summary["final"]) is True


def test_analyze_treats_outputs_as_metrics_and_says_how_many_runs_stopped(done):
    from sim.experiment.analyze import analyze

    _, tmp = done
    res = analyze(tmp / "one", tmp / "analysis")
    pts = pd.read_csv(tmp / "analysis" / "design_points.csv")
    assert {"ex_p90", "trust_low_coaching", "strain_level1"} <= set(pts["metric"])
    runs, _ = load_results(tmp / "one")
    n = int(runs["stopped_week"].notna().sum())
    assert any(f"{n} of 6 runs stopped early" in note for note in res["notes"])


# ------------------------------------------------------------------------------------------------ bad input
BASE = '[experiment]\nreplicates = 1\nweeks = 20\n[set]\nteam.size = 4\n'


@pytest.mark.parametrize("text, words", [
    ("[outputs]\nx = { field = \"exhaustoin\", quantile = 0.9 }", ["outputs.x.field", "exhaustion", "sim/state.py"]),
    ("[outputs]\nx = { field = \"exhaustion\", quantile = 1.5 }", ["outputs.x.quantile", "[0, 1]"]),
    ("[outputs]\nx = { field = \"exhaustion\" }", ["outputs.x", "exactly one of quantile, above, below, mean"]),
    ("[outputs]\nx = { field = \"exhaustion\", above = 0.5, below = 0.2 }", ["outputs.x", "exactly one"]),
    ("[outputs]\nx = { field = \"exhaustion\", above = \"high\" }", ["outputs.x.above", "finite number"]),
    ("[outputs]\nx = { field = \"exhaustion\", mean = 1 }", ["outputs.x.mean", "true"]),
    ("[outputs]\nx = { field = \"exhaustion\", above = 0.5, per = \"division\" }", ["outputs.x.per", '"team"']),
    ("[outputs]\nx = { field = \"exhaustion\", above = 0.5, pre = \"team\" }", ["outputs.x.pre", "per"]),
    ("[outputs]\nx = { field = \"exhaustion\", above = 0.5, per = \"level\" }", ["outputs.x.per", "manager."]),
    ("[outputs]\nx = { field = \"manager.hours\", mean = true, per = \"level\" }", ["outputs.x.per", "manager.strain"]),
    ("[outputs]\nx = { field = \"manager.strain\", mean = true, per = \"team\" }", ["outputs.x.per", "one team lead"]),
    ("[outputs]\nengagement = { field = \"engagement\", mean = true }", ["outputs.engagement", "built-in"]),
    ("[outputs]\n\"Bad Name\" = { field = \"engagement\", mean = true }", ["outputs.Bad Name", "lower-case"]),
    ("[outputs]\nx = 0.9", ["outputs.x", "a table"]),
    ("[stop]\nwhen = { metric = \"burnout\", above = 0.3 }", ["stop.when.metric", "burnout_share"]),
    ("[stop]\nwhen = { metric = \"burnout_share\", above = 0.3, below = 0.1 }", ["stop.when", "exactly one"]),
    ("[stop]\nwhen = { metric = \"burnout_share\", abve = 0.3 }", ["stop.when.abve", "above"]),
    ("[stop]\nwhen = { metric = \"burnout_share\", above = true }", ["stop.when.above", "finite number"]),
    ("[stop]\nfrom_week = 3", ["[stop]", "when"]),
    ("[stop]\nwhen = []", ["stop.when", "non-empty"]),
    ("[stop]\nwhen = { metric = \"burnout_share\", above = 0.3 }\nfrom_week = 21", ["stop.from_week", "[1, 20]"]),
    ("[stop]\nwhen = { metric = \"burnout_share\", above = 0.3 }\nfrom_week = 0", ["stop.from_week", "2600"]),
    ("[stop]\nwhen = { metric = \"burnout_share\", above = 0.3 }\nafter = 3", ["stop.after", "from_week"]),
    ("[outputs]\nx = { field = \"exhaustion\", above = 0.5, per = \"team\" }\n[stop]\n"
     "when = { metric = \"x_team7\", above = 0.3 }", ["stop.when", "x_team7", "x_team0"]),
    ("[outputs]\nx = { field = \"exhaustion\", above = 0.5, per = \"team\" }\n"
     "[factors]\nteam.teams = [1, 101]", ["outputs.x.per", "101 teams", "at most 100"]),
    ("[stopp]\nwhen = 1", ["[stopp]", "stop"]),
])
def test_bad_outputs_and_stop_get_one_line_naming_file_key_and_allowed(tmp_path, text, words):
    refused_in_one_line(write(tmp_path, BASE + text + "\n", "bad.toml"), words)


def test_from_week_before_average_from_is_refused(tmp_path):
    text = BASE.replace("weeks = 20", "weeks = 20\naverage_from = 5") + \
        "[stop]\nwhen = { metric = \"burnout_share\", above = 0.3 }\nfrom_week = 4\n"
    with pytest.raises(ConfigError, match=r"stop.from_week' = 4 .*\[5, 20\]"):
        expand(load_spec(write(tmp_path, text)))


def test_cli_bad_output_exit_2_one_line_nothing_written(tmp_path):
    path = write(tmp_path, BASE + "[outputs]\nx = { field = \"exhaustion\", quantile = 2 }\n", "bad.toml")
    res = cli.invoke(app, ["experiment", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "outputs.x.quantile" in lines[0]
    assert not (tmp_path / "o").exists()


def test_every_state_field_may_be_an_output_and_the_docs_name_every_key():
    from pathlib import Path

    names = {name for name, *_ in EMPLOYEE} - {"status"}
    assert set(O.EMPLOYEE_FIELDS) == names
    doc = (Path(__file__).resolve().parent.parent / "docs" / "experiments.md").read_text()
    for key in (*O.OUTPUT_KEYS, *O.STOP_KEYS, *O.CONDITION_KEYS, *O.PER, "[outputs]", "[stop]", "stopped_week"):
        assert f"`{key}`" in doc, key
    for f in O.LEVEL_FIELDS:   # the manager fields per = "level" takes, as the docs list them
        assert f"`{f}`" in doc or f"`manager.{f}`" in doc, f
    for f in set(O.EMPLOYEE_FIELDS) - set(EMPLOYEE_VARS):
        assert f"`{f}`" in doc, f   # the fields that are not agents.csv columns, named


def test_discover_takes_an_output_in_where_on_a_one_factor_experiment(done):
    """(EMA's CART fails on one factor without the constant column sim.experiment.discover adds.)"""
    from sim.experiment.discover import discover

    _, tmp = done
    runs, _ = load_results(tmp / "one")
    per_point = runs.groupby("point")["final_ex_p90"].mean()
    cut = float(per_point.sort_values().iloc[0] + per_point.sort_values().iloc[1]) / 2   # one point below
    res = discover(tmp / "one", f"final_ex_p90 > {cut}", stat="final", dest=tmp / "disc")
    assert res["cases"] == 2 and res["holds"] == int((per_point > cut).sum()) == 1
    assert res["cart"] and res["cart"][0]["limits"] and "(constant)" not in res["cart"][0]["limits"]


def test_the_shipped_example_is_small_and_listed():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    d = expand(load_spec(root / "experiments" / "outputs_stop.toml"))
    assert d.n_runs == 24 and d.spec.stop is not None and len(d.spec.outputs) >= 4
    assert {o.per for o in d.spec.outputs} >= {None, "team", "policy"}
    assert "| `outputs_stop.toml` |" in (root / "experiments" / "README.md").read_text()
    assert f"| {d.n_runs} |" in (root / "experiments" / "README.md").read_text()


def test_the_storage_check_counts_a_stopped_runs_weeks(done, tmp_path):
    """--resume's damage check: a stopped run has its recorded weeks up to its stop; a row less is damage."""
    import pyarrow.parquet as pq

    from sim.experiment.results import TableBuilder
    from sim.experiment.storage import Damaged, check_pair

    path, tmp = done
    b = TableBuilder(expand(load_spec(path)))
    runs, ts = tmp / "one" / "runs.parquet", tmp / "one" / "timeseries.parquet"
    check_pair(runs, ts, b.runs_schema, b.ts_schema, 6, b.recorded)            # whole: fine
    with pytest.raises(Damaged):
        check_pair(runs, ts, b.runs_schema, b.ts_schema, 6, len(b.recorded))  # as if no run had stopped
    t = pq.read_table(ts)
    pq.write_table(t.slice(0, len(t) - 1), tmp_path / "ts.parquet")
    with pytest.raises(Damaged, match="does not hold"):
        check_pair(runs, tmp_path / "ts.parquet", b.runs_schema, b.ts_schema, 6, b.recorded)


TOML_VALUES = st.recursive(
    st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
    | st.text(max_size=12) | st.sampled_from(list(O.FIELDS[:5]) + ["manager.strain", "team", "policy", "level",
                                                                    "burnout_share", "x_team0"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(list(O.OUTPUT_KEYS + O.CONDITION_KEYS + O.STOP_KEYS) + ["pre", "x"]), inner, max_size=4),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(outs=st.dictionaries(st.text(min_size=1, max_size=10) | st.sampled_from(["x", "p90", "exhaustion"]),
                            TOML_VALUES, max_size=3),
       stop=st.dictionaries(st.sampled_from(list(O.STOP_KEYS) + ["after"]), TOML_VALUES, max_size=2))
def test_any_outputs_or_stop_table_parses_or_is_one_config_error(outs, stop):
    """Whatever a TOML file holds in [outputs] and [stop]: parsed, or a ConfigError naming the file (never
    another exception)."""
    try:
        parsed = O.parse_outputs("f.toml", outs)
        O.parse_stop("f.toml", stop, O.stop_columns(parsed), tuple(f"{o.name}_" for o in parsed if o.per))
    except ConfigError as exc:
        assert str(exc).startswith("f.toml: ")
