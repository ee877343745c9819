"""Policy search (``orgsim search FILE``): a Pareto set over many seeds, the chosen policy at least as good as
the best named preset within the limits, its scenario file reproducing the numbers, bad files refused."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.params import KNOBS

cli = CliRunner()

TINY = """
[search]
title = "tiny search"
weeks = 4
seeds = 20
evaluations = 10
seed = 2
maximize = ["mean_output"]
minimize = ["mean_burnout_share"]
limits = ["final_leavers <= 1"]

[set]
team.size = 3

[levers]
""" + "\n".join(f"policy.{k} = []" for k in KNOBS) + "\n"


def test_search_finds_a_policy_at_least_as_good_as_the_presets_and_its_file_reproduces_it(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(TINY)
    out = tmp_path / "o"
    res = cli.invoke(app, ["search", str(f), "--out", str(out)])
    assert res.exit_code == 0, res.output
    printed = res.output
    summary = json.loads((out / "search.json").read_text())
    pareto, presets = pd.read_csv(out / "pareto.csv"), pd.read_csv(out / "presets.csv")
    assert len(pareto) >= 1 and set(presets["policy"]) == {"controlling", "delegating", "coaching",
                                                           "situational", "reactive"}
    chosen = summary["chosen"]
    ok = presets[presets["feasible"]]
    assert chosen["mean_output"] >= ok["mean_output"].max() - 1e-12
    assert summary["reproduced"] is True
    # the written scenario, run by `orgsim compare --seeds 20`, gives the search's mean output
    res = cli.invoke(app, ["compare", str(out / "chosen.toml"), "--seeds", "20", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(tmp_path / "c" / "compare.csv")
    again = df.groupby("seed")["output"].mean().mean()
    assert again == pytest.approx(chosen["mean_output"], abs=1e-12)
    assert (out / "search.png").stat().st_size > 10_000
    assert "Pareto set (" in printed and "chosen.toml reproduces the search's numbers: yes" in printed


@pytest.mark.parametrize("edit, msg", [
    (("seeds = 20", "seeds = 5"), "'search.seeds' = 5: allowed: integer in [20, 1000]"),
    (('maximize = ["mean_output"]', 'maximize = ["mean_happiness"]'), "'search.maximize' = 'mean_happiness'"),
    (('limits = ["final_leavers <= 1"]', 'limits = ["final_leavers < 1"]'), "expected OUTCOME <= NUMBER"),
    (("policy.autonomy = []", "policy.autonomy = [0.5, 2]"), "'levers.policy.autonomy' = [0.5, 2]"),
    (("team.size = 3", "team.size = -3"), "[set]"),
])
def test_a_bad_search_file_is_one_line_and_writes_nothing(tmp_path, edit, msg):
    f = tmp_path / "s.toml"
    f.write_text(TINY.replace(*edit))
    res = cli.invoke(app, ["search", str(f), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and msg in res.output, res.output
    assert not (tmp_path / "o").exists()
