"""``orgsim run --replay DIR --run-id N`` re-runs a recorded run exactly (from what the manifest stores, even
after the experiment file changed); a grid without [factors] says so."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

cli = CliRunner()

EXP = """
[experiment]
title = "replay test"
replicates = 3
weeks = 10
seed = 8
record = "weekly"
metrics = ["output", "burnout_share", "leavers"]

[set]
team.size = 5

[factors]
policy.name = ["coaching", "controlling"]
work.workload = [0.9, 1.4]
"""


def test_a_replayed_run_is_the_recorded_run_week_by_week(tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text(EXP)
    out = tmp_path / "o"
    assert cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1",
                            "--no-progress"]).exit_code == 0
    exp.write_text(EXP.replace("seed = 8", "seed = 9"))        # the file changes; the manifest keeps the text
    ts = pd.read_parquet(out / "timeseries.parquet")
    for run_id in (4, 10):
        res = cli.invoke(app, ["run", "--replay", str(out), "--run-id", str(run_id), "--out",
                               str(tmp_path / f"r{run_id}")])
        assert res.exit_code == 0, res.output
        assert "final week equals the recorded one" in res.output
        again = pd.read_csv(tmp_path / f"r{run_id}" / "timeseries.csv")
        rec = ts[ts["run_id"] == run_id].set_index("week")
        for m in ("output", "burnout_share", "leavers"):
            assert again.set_index("week")[m].to_numpy() == pytest.approx(rec[m].to_numpy(), abs=1e-12), m


def test_replay_errors_are_one_line(tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text(EXP)
    out = tmp_path / "o"
    assert cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1",
                            "--no-progress"]).exit_code == 0
    for args, msg in ((["--replay", str(out), "--run-id", "12"], "allowed: integer in [0, 11]"),
                      (["--replay", str(out)], "give both"),
                      (["--replay", str(out), "--run-id", "1", "--seed", "3"], "no scenario file, --set, --seed"),
                      (["--replay", str(tmp_path), "--run-id", "1"], "not an experiment directory")):
        res = cli.invoke(app, ["run", *args, "--out", str(tmp_path / "x")])
        assert res.exit_code == 2 and msg in res.output, res.output
        assert not (tmp_path / "x").exists()


def test_a_grid_without_factors_says_so(tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text("[experiment]\nreplicates = 2\nweeks = 3\n[set]\nteam.size = 3\n")
    res = cli.invoke(app, ["experiment", str(exp), "--out", str(tmp_path / "o"), "--workers", "1",
                           "--no-progress"])
    assert res.exit_code == 0 and "no [factors]: every run is the one design point" in res.output


def test_the_manifest_records_every_installed_version(tmp_path):
    import json
    from importlib import metadata

    exp = tmp_path / "e.toml"
    exp.write_text("[experiment]\nreplicates = 1\nweeks = 2\n[set]\nteam.size = 3\n")
    assert cli.invoke(app, ["experiment", str(exp), "--out", str(tmp_path / "o"), "--workers", "1",
                            "--no-progress"]).exit_code == 0
    installed = json.loads((tmp_path / "o" / "manifest.json").read_text())["versions"]["installed"]
    for pkg in ("numpy", "mesa", "pandas", "pyarrow", "numba"):
        name = next(k for k in installed if k.lower() == pkg)
        assert installed[name] == metadata.version(pkg)
