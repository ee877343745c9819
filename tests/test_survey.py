"""Your own team from an anonymous survey (sim.survey, orgsim team): reading and checking it (one line naming the
file, row and column, exit 2, nothing written), the mapping onto the starting people, and the handout."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim import survey as sv
from sim.cli import app
from sim.errors import ConfigError
from sim.params import load_scenario
from sim.runner import run_batch, run_one, start

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "survey_team.csv"
runner = CliRunner()
HEAD = "id,uwes,bat,trust,competence,tenure_years\n"
ROW = "{i},3.5,2.0,4,3,2.5\n"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(tmp_path, text, name="survey.csv"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


# ------------------------------------------------------------------------------------------------ bad surveys
BAD = {   # the four, and more: text, what the line must say (file, row, column)
    "three_people": (HEAD + "".join(ROW.format(i=i) for i in range(1, 4)), r"rows 2-4: 3 people; at least 5"),
    "name_column": ("naam,uwes,trust\n" + "".join(f"Piet{i},3.5,4\n" for i in range(6)),
                    r"row 1, column 'naam': looks like names or e-mail addresses"),
    "uwes_of_9": (HEAD + "".join(ROW.format(i=i) for i in range(1, 4)) + "4,9,2.0,4,3,2.5\n"
                  + "".join(ROW.format(i=i) for i in range(5, 8)), r"row 5, column 'uwes': 9 is out of range; "
                                                                   r"allowed: a number in \[0, 6\]"),
    "empty_file": ("", r"row 1: empty file"),
    "header_only": (HEAD, r"row 1: a header but no people"),
    "e_mail_cell": ("id,uwes\n" + "".join(f"{i},3\n" for i in range(1, 6)) + "6,piet@example.nl\n",
                    r"row 7, column 'uwes': looks like an e-mail address"),
    "name_in_a_cell": ("trust,competence\n" + "4,3\n" * 5 + "Jansen,3\n", r"row 7, column 'trust': 'Jansen' "
                                                                          r"looks like a name"),
    "missing_value": (HEAD + "".join(ROW.format(i=i) for i in range(1, 6)) + "6,,2.0,4,3,2.5\n",
                      r"row 7, column 'uwes': missing value"),
    "email_column": ("E-mail,uwes\n" + "a,1\n" * 5, r"row 1, column 'E-mail': looks like names"),
    "unknown_column": ("uwse,trust\n" + "3,4\n" * 5, r"row 1, column 'uwse': unknown column; did you mean 'uwes'"),
    "some_uwes_items": ("uwes1,uwes2,trust\n" + "3,4,4\n" * 5, r"row 1, column 'uwes3': missing"),
    "ragged_row": (HEAD + "".join(ROW.format(i=i) for i in range(1, 6)) + "6,3\n", r"row 7: 2 cells"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_survey_is_one_line_exit_2_nothing_written(tmp_path, case):
    text, needle = BAD[case]
    f = write(tmp_path, text)
    out = tmp_path / "out"
    res = invoke("team", f, "--out", out, "--seeds", 1, "--weeks", 2)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {f}: "), res.output
    assert re.search(needle, lines[0]), lines[0]
    assert not out.exists()


def test_a_missing_survey_file_is_named(tmp_path):
    res = invoke("team", tmp_path / "nope.csv", "--out", tmp_path / "o")
    assert res.exit_code == 2 and "nope.csv: no such survey file" in res.output


# ------------------------------------------------------------------------------------------------ reading
def test_the_example_survey_reads_and_maps_onto_zero_one_scales():
    s = sv.read(EXAMPLE)
    assert s.n == 12
    state = sv.starting_state(s)
    for k in ("engagement", "motivation", "exhaustion", "cynicism", "propensity", "competence"):
        assert ((state[k] >= 0) & (state[k] <= 1)).all(), k
    np.testing.assert_allclose(state["engagement"], s.columns["uwes"] / 6)
    np.testing.assert_allclose(state["propensity"], (s.columns["trust"] - 1) / 4)


def test_dutch_excel_semicolons_decimal_commas_and_dutch_headers(tmp_path):
    f = write(tmp_path, "\ufeffnr;uwes;vertrouwen;dienstjaren;uitputting\n"
              + "".join(f"{i};3,5;4;1,5;2,25\n" for i in range(1, 7)))
    s = sv.read(f)
    assert s.n == 6 and set(s.columns) == {"id", "uwes", "trust", "tenure_years", "exhaustion"}
    state = sv.starting_state(s)
    assert (state["tenure"] == 78).all() and np.allclose(state["exhaustion"], 0.3125)


def test_the_items_give_their_subscales(tmp_path):
    head = ",".join([f"uwes{i}" for i in range(1, 10)] + [f"bat{i}" for i in range(1, 13)])
    row = ",".join(["6"] * 9 + ["5", "5", "5", "1", "1", "1"] + ["3"] * 6)
    s = sv.read(write(tmp_path, head + "\n" + (row + "\n") * 5))
    st_ = sv.starting_state(s)
    assert np.allclose(st_["engagement"], 1.0) and np.allclose(st_["exhaustion"], 1.0)
    assert np.allclose(st_["cynicism"], 0.0)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(5, 40), cols=st.sets(st.sampled_from(["uwes", "bat", "trust", "competence", "tenure_years",
                                                            "experience_years", "exhaustion"]), min_size=1),
       data=st.data())
def test_any_valid_survey_reads_and_starts_people_on_the_model_scales(tmp_path_factory, n, cols, data):
    cols = sorted(cols)
    rows = [[data.draw(st.floats(*sv.RANGES[c], allow_nan=False)) for c in cols] for _ in range(n)]
    f = tmp_path_factory.mktemp("s") / "s.csv"
    f.write_text(",".join(cols) + "\n" + "".join(",".join(repr(v) for v in r) + "\n" for r in rows))
    s = sv.read(f)
    assert s.n == n
    for k, v in sv.starting_state(s).items():
        if k != "tenure":
            assert ((v >= 0) & (v <= 1)).all(), k


@settings(max_examples=30, deadline=None)
@given(col=st.sampled_from(["uwes", "bat", "trust", "competence"]), row=st.integers(0, 5),
       bad=st.one_of(st.floats(-1e6, -0.01), st.floats(6.01, 1e6)))
def test_any_value_out_of_range_names_its_row_and_column(tmp_path_factory, col, row, bad):
    lo, hi = sv.RANGES[col]
    values = ["3"] * 6
    values[row] = repr(bad) if not (lo <= bad <= hi) else "99"
    f = tmp_path_factory.mktemp("s") / "s.csv"
    f.write_text(f"{col}\n" + "\n".join(values) + "\n")
    with pytest.raises(ConfigError, match=rf"s\.csv: row {row + 2}, column '{col}': .* out of range"):
        sv.read(f)


# ------------------------------------------------------------------------------------------------ the model
def _survey_scenario(tmp_path, size=7):
    sc = tmp_path / "mine.toml"
    sc.write_text(f'[team]\nsize = {size}\nsurvey = "{EXAMPLE}"\n[policy]\nname = "coaching"\n')
    return sc


def test_the_surveyed_people_start_the_run(tmp_path):
    params = load_scenario(_survey_scenario(tmp_path))
    p, s = sv.for_survey(params, sv.read(EXAMPLE)), sv.read(EXAMPLE)
    model = start(p, s, seed=3)
    state, E = sv.starting_state(s), model.state
    assert model.org.n_positions == 12                      # the survey's size, not the scenario's 7
    np.testing.assert_allclose(E.competence[:12], np.clip(state["competence"], 0, 1))
    np.testing.assert_allclose(E.engagement[:12], state["engagement"])
    np.testing.assert_allclose(E.trust_in_manager[:12], state["propensity"])
    np.testing.assert_allclose(E.exhaustion[:12], state["exhaustion"])
    np.testing.assert_allclose(E.cynicism[:12], np.clip(state["cynicism"], 0, 1))   # measured, not derived
    assert (E.tenure[:12] == state["tenure"]).all()


def test_same_seed_same_numbers_and_a_batch_equals_single_runs(tmp_path):
    params = load_scenario(_survey_scenario(tmp_path))
    a = run_one(params, seed=5, weeks=20).timeseries
    b = run_one(params, seed=5, weeks=20).timeseries
    assert a.equals(b)
    batch = run_batch(params, [4, 5], weeks=20)
    assert batch[1].equals(a)
    drawn = run_one(load_scenario(None, ["team.size=12", "policy.name=coaching"]), seed=5, weeks=20).timeseries
    assert not drawn["engagement"].equals(a["engagement"])   # the survey changed who works there


def test_a_survey_in_a_scenario_file_and_orgsim_run(tmp_path):
    sc = _survey_scenario(tmp_path)
    res = invoke("run", sc, "--weeks", 3, "--out", tmp_path / "r")
    assert res.exit_code == 0, res.output
    import json
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["employees"] == 12


def test_orgsim_team_writes_the_handout_in_dutch(tmp_path):
    res = invoke("team", EXAMPLE, "--lang", "nl", "--seeds", 2, "--weeks", 13, "--out", tmp_path)
    assert res.exit_code == 0, res.output
    doc = (tmp_path / "team.nl.html").read_text(encoding="utf-8")
    body = doc.split('<section id="appendix"')[0]
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>|src=\"[^\"]*\"", "", body, flags=re.S))
    for name in ("Controlerend", "Delegerend", "Coachend", "Situationeel", "Reactief", "Jouw team nu"):
        assert name in text, name
    assert not re.search(r"\bruns?\b|\bseeds?\b|--set|\.csv\b|https?://", text), text
    assert re.search(r"\d,\d", text) and re.search(r"\d+ van de 12", text)
    assert "orgsim team" in doc.split('<section id="appendix"')[1]


def test_a_survey_named_in_a_scenario_is_read_beside_it(tmp_path, monkeypatch):
    """`survey = "team.csv"` in a scenario file is the file beside the scenario, whatever the working directory
    (orgsim run, compare, team and the dashboard alike); one given with --set is relative to the working
    directory."""
    import shutil
    shutil.copy(EXAMPLE, tmp_path / "team.csv")
    (tmp_path / "mine.toml").write_text('[team]\nsurvey = "team.csv"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert Path(load_scenario(tmp_path / "mine.toml").team.survey) == tmp_path / "team.csv"
    res = invoke("run", tmp_path / "mine.toml", "--weeks", 2, "--out", elsewhere / "r")
    assert res.exit_code == 0, res.output
    import json
    assert json.loads((elsewhere / "r" / "summary.json").read_text())["employees"] == 12
    res = invoke("team", tmp_path / "mine.toml", "--seeds", 1, "--weeks", 2, "--out", elsewhere / "t")
    assert res.exit_code == 0, res.output
    assert load_scenario(tmp_path / "mine.toml", ["team.survey=team.csv"]).team.survey == "team.csv"
