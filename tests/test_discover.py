"""Scenario discovery (``orgsim discover``, the EMA workbench's PRIM and CART): PRIM's box on a synthetic case
with a known answer, the condition parser, and the command on a small experiment."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.discover import cart_boxes, parse_where, prim_box
from sim.params import ConfigError

cli = CliRunner()


def synthetic(n=800, seed=0):
    """The condition holds exactly where a > 0.6, b < 0.3 and p is not 'w'; c is noise."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.random(n), "b": rng.random(n), "c": rng.random(n),
                      "p": pd.Categorical(rng.choice(["u", "v", "w"], n))})
    return x, ((x["a"] > 0.6) & (x["b"] < 0.3) & (x["p"] != "w")).to_numpy()


@pytest.mark.parametrize("seed", [0, 1])
def test_prim_finds_the_known_box(seed):
    x, y = synthetic(seed=seed)
    box = prim_box(x, y, threshold=0.95)
    assert set(box["limits"]) == {"a", "b", "p"}                 # c, the noise, is not restricted
    lo_a = float(box["limits"]["a"].split(" .. ")[0])
    hi_b = float(box["limits"]["b"].split(" .. ")[1])
    assert 0.55 <= lo_a <= 0.65 and 0.25 <= hi_b <= 0.35
    assert box["limits"]["p"] == "{u, v}"
    assert box["density"] >= 0.95 and box["coverage"] >= 0.8
    # coverage and density as defined: recomputed from the cases in the box
    inside = (x["a"] >= lo_a) & (x["b"] <= hi_b) & (x["p"] != "w")
    assert box["density"] == pytest.approx(y[inside].mean(), abs=0.02)
    assert box["coverage"] == pytest.approx(y[inside].sum() / y.sum(), abs=0.02)
    traj = box["trajectory"]
    assert traj["mass"].is_monotonic_decreasing or traj["mass"].iloc[-1] <= traj["mass"].iloc[0]


def test_cart_boxes_lie_inside_the_region():
    x, y = synthetic()
    boxes = cart_boxes(x, y)
    assert boxes and boxes[0]["density"] >= 0.8          # the tree leaves p to the leaves below its mass_min
    assert float(boxes[0]["limits"]["a"].split(" .. ")[0]) >= 0.55
    assert float(boxes[0]["limits"]["b"].split(" .. ")[1]) <= 0.35


def test_conditions_are_parsed_and_bad_ones_named():
    ms = ["output", "burnout_share"]
    assert parse_where("contrast(output) > 0", ms, "mean") == (True, "mean_output", ">", 0.0)
    assert parse_where("final_burnout_share<=0.1", ms, "mean") == (False, "final_burnout_share", "<=", 0.1)
    assert parse_where("burnout_share < 1e-2", ms, "final") == (False, "final_burnout_share", "<", 0.01)
    with pytest.raises(ConfigError, match="not a metric this experiment kept; allowed: output, burnout_share"):
        parse_where("contrast(leavers) > 0", ms, "mean")
    with pytest.raises(ConfigError, match="expected METRIC OP NUMBER"):
        parse_where("output == 1", ms, "mean")


SMALL = """
[experiment]
title = "discover test"
replicates = 3
weeks = 12
seed = 4
record = "final"
metrics = ["output", "burnout_share"]

[set]
team.size = 6

[factors]
policy.name = ["delegating", "controlling"]
work.workload = [0.6, 1.0, 1.4]
team.competence_mean = [0.3, 0.8]
"""


def test_the_command_on_an_experiment(tmp_path):
    exp = tmp_path / "d.toml"
    exp.write_text(SMALL)
    out = tmp_path / "o"
    assert cli.invoke(app, ["experiment", str(exp), "--out", str(out), "--workers", "1",
                            "--no-progress"]).exit_code == 0
    res = cli.invoke(app, ["discover", str(out), "--where", "mean_output > 0"])
    assert res.exit_code == 0, res.output
    assert "mean_output > 0: holds in 12 of 12 design points" in res.output
    res = cli.invoke(app, ["discover", str(out), "--where", "contrast(burnout_share) < 0", "--contrast",
                           "policy.name=delegating-controlling"])
    assert res.exit_code == 0 or "holds in no design point" in res.output, res.output
    if res.exit_code == 0:
        boxes = pd.read_csv(out / "analysis" / "discover_boxes.csv")
        assert set(boxes["method"]) <= {"prim", "cart"} and (boxes["density"] <= 1).all()
        assert (out / "analysis" / "discover_peeling.png").stat().st_size > 5_000
    for args, msg in ((["--where", "contrast(output) > 0"], "needs --contrast"),
                      (["--where", "contrast(output) > 0", "--contrast", "policy.name=a-b"], "allowed levels"),
                      (["--where", "mean_leavers > 0"], "not a metric this experiment kept")):
        res = cli.invoke(app, ["discover", str(out), *args, "--out", str(tmp_path / "x")])
        assert res.exit_code == 2 and msg in res.output, res.output
        assert not (tmp_path / "x").exists()
