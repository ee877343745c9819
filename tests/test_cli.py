"""The command-line contract: run, compare, params, scenarios, demo, and bad input (exit 2, one line, no output)."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.cli_texts import lang_of
from sim.metrics import METRICS
from sim.params import PARAMS

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
REQUIRED_COLUMNS = ("week engagement engaged_share disengaged_share burnout_share absent_share output basic_failures "
                    "hidden_failures trust_in_manager manager_trust psych_safety competence motivation exhaustion "
                    "leavers manager_hours manager_control").split()
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------------------------------- run
def test_run_writes_three_files_with_the_contract_columns(tmp_path):
    out = tmp_path / "r"
    res = invoke("run", SCEN / "controlling.toml", "--out", out, "--weeks", 30, "--seed", 3)
    assert res.exit_code == 0, res.output
    rows = read_csv(out / "timeseries.csv")
    assert len(rows) == 30
    assert [int(r["week"]) for r in rows] == list(range(1, 31))
    for c in REQUIRED_COLUMNS:
        assert c in rows[0], c
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["weeks"] == 30 and summary["employees"] == 12
    assert summary["policy"] == "controlling"
    assert summary["versions"]["mesa"].startswith("3.")
    assert summary["parameters"]["team"]["size"] == 12
    assert summary["final"]["engagement"] == pytest.approx(float(rows[-1]["engagement"]))
    assert (out / "timeseries.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Engagement" in res.output  # the short table


def test_the_tables_show_the_cascade_for_organisations_of_several_levels(tmp_path):
    company = ("run", SCEN / "company_controlling_top.toml", "--set", "team.teams=20", "--weeks", 20)
    team = invoke("run", SCEN / "controlling.toml", "--weeks", 20, "--out", tmp_path / "t")
    many = invoke(*company, "--out", tmp_path / "c")
    dutch = invoke(*company, "--out", tmp_path / "n", "--lang", "nl")
    assert team.exit_code == many.exit_code == dutch.exit_code == 0, (team.output, many.output, dutch.output)
    for line in ("Pressure from above", "Extra control taken", "Extra control above team leads",
                 "Strain above team leads"):
        assert line in many.output and line not in team.output
    final = json.loads((tmp_path / "c" / "summary.json").read_text())["final"]
    assert f"{final['senior_strain']:.3f}" in many.output
    assert "Stress boven teamleiders" in dutch.output and "laatste week" in dutch.output
    assert "final week" in many.output and "final week" not in dutch.output
    pair = invoke("compare", SCEN / "company_controlling_top.toml", SCEN / "company_coaching_top.toml", "--set",
                  "team.teams=20", "--weeks", 10, "--seeds", 2, "--out", tmp_path / "cmp", "--lang", "nl")
    assert pair.exit_code == 0, pair.output
    assert "Stress boven teamleiders" in pair.output and "Laatste week (10)" in pair.output


def test_run_is_reproducible_and_seed_sensitive(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        assert invoke("run", SCEN / "coaching.toml", "--out", tmp_path / name, "--weeks", 20,
                      "--seed", seed).exit_code == 0
    a, b, c = ((tmp_path / n / "timeseries.csv").read_text() for n in "abc")
    assert a == b
    assert a != c


def test_run_with_agents_writes_the_agent_table(tmp_path):
    out = tmp_path / "r"
    res = invoke("run", SCEN / "situational.toml", "--out", out, "--weeks", 10, "--agents")
    assert res.exit_code == 0, res.output
    rows = read_csv(out / "agents.csv")
    assert {"week", "agent_id", "team", "status", "style", "competence", "trust_in_manager", "exhaustion",
            "manager_trust"} <= set(rows[0])
    weeks = {int(r["week"]) for r in rows}
    assert weeks == set(range(1, 11))
    assert all(r["status"] in ("active", "absent") for r in rows)
    assert {r["style"] for r in rows} <= {"S1", "S2", "S3", "S4"}
    per_week = [sum(1 for r in rows if int(r["week"]) == w) for w in range(1, 11)]
    assert all(n <= 12 for n in per_week) and max(per_week) >= 10


def test_set_overrides_change_the_run(tmp_path):
    res = invoke("run", SCEN / "junior_team.toml", "--out", tmp_path / "r", "--weeks", 5,
                 "--set", "policy.name=delegating", "--set", "team.size=7")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["policy"] == "delegating" and summary["employees"] == 7


def test_every_shipped_scenario_runs(tmp_path):
    for f in sorted(SCEN.glob("*.toml")):
        res = invoke("run", f, "--out", tmp_path / f.stem, "--weeks", 8)
        assert res.exit_code == 0, (f, res.output)


# ---------------------------------------------------------------------------------------------------- compare
def test_compare_writes_long_table_and_figure(tmp_path):
    out = tmp_path / "c"
    res = invoke("compare", SCEN / "coaching.toml", SCEN / "controlling.toml", "--seeds", 3, "--weeks", 12,
                 "--out", out)
    assert res.exit_code == 0, res.output
    rows = read_csv(out / "compare.csv")
    assert len(rows) == 2 * 3 * 12
    assert {r["scenario"] for r in rows} == {"coaching", "controlling"}
    assert {int(r["seed"]) for r in rows} == {1, 2, 3}
    assert set(METRICS) <= set(rows[0])
    assert (out / f"compare.{lang_of(None)}.png").stat().st_size > 10_000
    assert "coaching" in res.output and "controlling" in res.output


def test_compare_figure_draws_each_style_in_its_own_colour(tmp_path, monkeypatch):
    """Whatever order the files come in, the coach is the coach's colour and the micromanager the
    micromanager's (sim.palette), as on the dashboard and in the handout."""
    from sim import plots
    from sim.palette import STYLE_COLOURS
    seen = {}
    real = plots.compare_png

    def spy(df, path, **kw):
        seen.update(kw.get("colours") or {})
        return real(df, path, **kw)

    monkeypatch.setattr(plots, "compare_png", spy)
    res = invoke("compare", SCEN / "controlling.toml", SCEN / "coaching.toml", "--seeds", 2, "--weeks", 4,
                 "--out", tmp_path / "c")
    assert res.exit_code == 0, res.output
    assert seen == {"controlling": STYLE_COLOURS["controlling"], "coaching": STYLE_COLOURS["coaching"]}


def test_compare_matches_single_runs(tmp_path):
    """compare over seeds is the same model as run with that seed."""
    invoke("compare", SCEN / "coaching.toml", SCEN / "delegating.toml", "--seeds", 2, "--weeks", 10,
           "--out", tmp_path / "c")
    invoke("run", SCEN / "delegating.toml", "--seed", 2, "--weeks", 10, "--out", tmp_path / "r")
    cmp_rows = [r for r in read_csv(tmp_path / "c" / "compare.csv") if r["scenario"] == "delegating"
                and r["seed"] == "2"]
    run_rows = read_csv(tmp_path / "r" / "timeseries.csv")
    assert [float(r["engagement"]) for r in cmp_rows] == pytest.approx([float(r["engagement"]) for r in run_rows])


# ---------------------------------------------------------------------------------------------------- params etc.
def test_params_lists_every_parameter():
    res = invoke("params")
    assert res.exit_code == 0
    flat = res.output.replace("\n", " ")
    for p in PARAMS:
        assert p.name in flat, p.key


def test_params_markdown_equals_docs_table():
    res = invoke("params", "--markdown")
    assert res.exit_code == 0
    assert res.output.strip() == (ROOT / "docs" / "parameters.md").read_text().strip()


@pytest.mark.parametrize("lang, word", [("en", "The micromanager"), ("nl", "De micromanager")])
def test_scenarios_lists_files_with_titles(lang, word):
    res = invoke("scenarios", "--lang", lang)
    assert res.exit_code == 0
    assert word in res.output
    for f in SCEN.glob("*.toml"):
        assert f.stem in res.output       # the name `orgsim run NAME` takes


def test_demo_writes_comparison(tmp_path):
    out = tmp_path / "demo"
    res = invoke("demo", "--seeds", 2, "--weeks", 10, "--out", out, "--lang", "nl")
    assert res.exit_code == 0, res.output
    rows = read_csv(out / "compare.csv")
    assert {r["scenario"] for r in rows} == {"controlling", "coaching"}
    assert (out / "compare.nl.png").exists()
    assert "Bevlogenheid" in res.output  # Dutch labels in the table


# ---------------------------------------------------------------------------------------------------- bad input
BAD_FILES = {
    "not_toml": ("[scenario\ntitle_en = 'x'\n", "not valid TOML"),
    "misspelt_key": ('[scenario]\ntitle_en="x"\n[policy]\nnmae = "controlling"\n', "did you mean 'name'"),
    "unknown_section": ("[tema]\nsize = 3\n", "unknown section '[tema]'; did you mean 'team'"),
    "wrong_type": ('[team]\nsize = "twelve"\n', "'team.size' = 'twelve'"),
    "out_of_range": ("[work]\nworkload = 7.0\n", "allowed: number in [0, 2.5]"),
    "team_of_zero": ("[team]\nsize = 0\n", "allowed: integer in [1, 1000]"),
    "nan": ("[work]\ndifficulty = nan\n", "'work.difficulty' = nan"),
    "bad_policy": ('[policy]\nname = "laissez-faire"\n', "one of 'controlling'"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_scenario_file_exit_2_one_line_nothing_written(tmp_path, case):
    text, needle = BAD_FILES[case]
    bad = tmp_path / f"{case}.toml"
    bad.write_text(text)
    out = tmp_path / "out"
    res = invoke("run", bad, "--out", out)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert str(bad) in lines[0] and needle in lines[0]
    assert "Traceback" not in res.output
    assert not out.exists()


@pytest.mark.parametrize("args, needle", [
    (["--set", "policy.nmae=coaching"], "--set policy.nmae=coaching: unknown key 'policy.nmae'; did you mean 'name'"),
    (["--set", "team.size=0"], "allowed: integer in [1, 1000]"),
    (["--set", "work.workload=nan"], "'work.workload' = nan"),
    (["--set", "teamsize"], "expected section.key=value"),
    (["--set", "bogus.size=3"], "unknown section '[bogus]'"),
    (["--weeks", "0"], "--weeks 0: out of range"),
    (["--seed", "-4"], "--seed -4: out of range"),
])
def test_bad_options_exit_2(tmp_path, args, needle):
    out = tmp_path / "out"
    res = invoke("run", SCEN / "coaching.toml", "--out", out, *args)
    assert res.exit_code == 2
    assert needle in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_bad_input_does_not_touch_earlier_results(tmp_path):
    out = tmp_path / "out"
    assert invoke("run", SCEN / "coaching.toml", "--out", out, "--weeks", 5).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.toml"
    bad.write_text("[team]\nsize = -3\n")
    assert invoke("run", bad, "--out", out).exit_code == 2
    assert invoke("compare", SCEN / "coaching.toml", bad, "--out", out).exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_compare_validates_every_file_before_running(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nname = 'x'\n")
    res = invoke("compare", SCEN / "coaching.toml", bad, "--out", tmp_path / "c")
    assert res.exit_code == 2 and "bad.toml" in res.output
    assert not (tmp_path / "c").exists()


def test_console_script_end_to_end(tmp_path):
    """The installed `orgsim` entry point: exit 2 and one clean line for a misspelt key."""
    exe = shutil.which("orgsim", path=str(Path(sys.executable).parent)) or shutil.which("orgsim")
    assert exe, "console script 'orgsim' is not installed"
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\ntitle_en = "x"\n[policy]\nnmae = "x"\n')
    env = {**os.environ, "MPLBACKEND": "Agg"}
    p = subprocess.run([exe, "run", str(bad), "--out", str(tmp_path / "o")], capture_output=True, text=True,
                       env=env, timeout=120)
    assert p.returncode == 2
    assert "nmae" in p.stderr and "'name'" in p.stderr and "Traceback" not in p.stderr + p.stdout
    ok = subprocess.run([exe, "run", str(SCEN / "controlling.toml"), "--weeks", "4", "--out", str(tmp_path / "r")],
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "r" / "summary.json").exists()


def test_compare_final_means_table_is_tidy_and_matches_compare_csv(tmp_path):
    import pandas as pd
    out = tmp_path / "c"
    assert invoke("compare", SCEN / "coaching.toml", SCEN / "controlling.toml", "--seeds", 4, "--weeks", 15,
                  "--out", out).exit_code == 0
    cmp_ = pd.read_csv(out / "compare.csv")
    fm = pd.read_csv(out / "final_means.csv")
    assert list(fm.columns) == ["scenario", "metric", "mean", "sd", "n", "ci_low", "ci_high"]
    row = fm[(fm.scenario == "controlling") & (fm.metric == "engagement")].iloc[0]
    last = cmp_[(cmp_.scenario == "controlling") & (cmp_.week == 15)].engagement
    assert row["mean"] == pytest.approx(last.mean()) and row["n"] == 4
    assert row["ci_low"] < row["mean"] < row["ci_high"]


def test_compare_rejects_the_same_file_twice(tmp_path):
    res = invoke("compare", SCEN / "coaching.toml", SCEN / "coaching.toml", "--out", tmp_path / "c")
    assert res.exit_code == 2 and "named twice" in res.output


def test_plain_title_key_is_accepted_and_used(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[scenario]\ntitle = "My team"\nweeks = 6\n[team]\nsize = 4\n[policy]\nname = "delegating"\n')
    res = invoke("run", f, "--out", tmp_path / "r")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["title"] == "My team" and summary["weeks"] == 6 and summary["employees"] == 4
    assert "My team" in res.output


def test_out_that_is_a_file_or_unwritable_is_bad_input(tmp_path):
    f = tmp_path / "file"
    f.write_text("keep me")
    res = invoke("run", SCEN / "coaching.toml", "--out", f)
    assert res.exit_code == 2 and "is not a directory" in res.output
    assert f.read_text() == "keep me"
    # a directory cannot be made below a file: refused before any work, naming the file in the way
    res = invoke("run", SCEN / "coaching.toml", "--out", f / "sub")
    assert res.exit_code == 2 and f"{f} is not a directory" in res.output
    assert f.read_text() == "keep me"


def test_version():
    from sim import __version__
    res = invoke("--version")
    assert res.exit_code == 0 and res.output.strip() == f"orgsim {__version__}"


def test_import_names_the_import_systems_frames_for_inspect(tmp_path):
    """Importing sim tells inspect which module the frozen import frames belong to (so Mesa's loggers, named
    through inspect.stack(), do not walk sys.modules once per frame); Mesa's loggers keep their own names."""
    code = ("import inspect, sys, sim.model, mesa.mesa_logging as ml\n"
            "print(inspect.getmodule(None, '<frozen importlib._bootstrap>').__name__)\n"
            "print(inspect.getmodule(None, '<frozen importlib._bootstrap_external>').__name__)\n"
            "print(sorted(n for n, lg in ml._module_loggers.items() if lg.name == 'MESA.' + n and n in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[:2] == ["importlib._bootstrap", "importlib._bootstrap_external"]
    assert "mesa.model" in out[2]


def test_cache_is_cold_until_compiled_code_is_stored(tmp_path):
    from sim.jit import cache_is_cold
    assert cache_is_cold(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "compiled.work_pass-235.py313.nbi").write_bytes(b"")
    assert not cache_is_cold(tmp_path)


@pytest.mark.parametrize("cold", [True, False])
def test_a_first_run_says_it_is_compiling(monkeypatch, capsys, cold):
    """A model command on a machine without the compiled code says why it waits (on stderr), once it is
    stored it says nothing; --help never does."""
    import sim.cli as cli
    import sim.jit as jit
    monkeypatch.setattr(jit, "cache_is_cold", lambda folder=None: cold)
    monkeypatch.setattr(cli.gc, "freeze", lambda: None)   # keep the test process's objects collectable
    cli._preload(["orgsim", "run", "scenarios/coaching.toml"])
    assert ("compiling the model's loops" in capsys.readouterr().err) == cold
    cli._preload(["orgsim", "run", "--help"])
    cli._preload(["orgsim", "params"])
    assert "compiling" not in capsys.readouterr().err


def _threads_after_preload(**env):
    """The threads of a fresh process once a model command's imports are loaded, and its OPENBLAS_NUM_THREADS."""
    code = ("import os, sim.cli as c; c._preload(['orgsim', 'run', 'x.toml']); "
            "print(len(os.listdir('/proc/self/task')), os.environ['OPENBLAS_NUM_THREADS'])")
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), out[1]


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads through Linux's /proc")
def test_a_model_command_starts_no_blas_threads_unless_asked():
    """OpenBLAS's threads (numpy's, scipy's) spin at import: a model command keeps it to one thread, as if the
    user had set OPENBLAS_NUM_THREADS=1; a value the user set is kept."""
    unset, one, two = _threads_after_preload(), _threads_after_preload(OPENBLAS_NUM_THREADS="1"), \
        _threads_after_preload(OPENBLAS_NUM_THREADS="2")
    assert unset == one and unset[1] == "1"
    assert two[1] == "2"
    if len(os.sched_getaffinity(0)) > 1:   # OpenBLAS starts no more threads than there are cores
        assert two[0] > one[0]


def test_demo_loads_the_loops_big_organisations_use(monkeypatch, tmp_path):
    """After `orgsim demo` (what the README says to run before a workshop) no scenario waits for compiling."""
    import sim.runner as runner
    calls = []
    monkeypatch.setattr(runner, "warm_up", lambda: calls.append(1) or 0.0)
    res = invoke("demo", "--seeds", 1, "--weeks", 2, "--out", tmp_path / "d")
    assert res.exit_code == 0, res.output
    assert calls == [1]
