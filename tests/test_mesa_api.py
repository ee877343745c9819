"""OrgModel the Mesa 3 way: keyword overrides (dotted, nested, bare names), rng= as in Mesa, a fresh recorded
seed when none is given, and mesa.batch_run over parameter names with seeds giving different replicates."""

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.metrics import METRICS
from sim.model import OrgModel
from sim.params import ConfigError, load_scenario


def test_overrides_dotted_nested_and_bare_names_are_the_same_as_a_scenario_set():
    want = load_scenario(None, ["policy.name=delegating", "work.workload=1.3", "team.size=5"])
    for kw in ({"policy.name": "delegating", "work.workload": 1.3, "team.size": 5},
               {"policy": {"name": "delegating"}, "work": {"workload": 1.3}, "team": {"size": 5}},
               {"policy.name": "delegating", "workload": 1.3, "team.size": 5}):
        m = OrgModel(seed=3, **kw)
        assert m.params.model_dump() == want.model_copy(update={"scenario": want.scenario.model_copy(
            update={"seed": 3})}).model_dump()
        assert m.run(5).timeseries().equals(OrgModel(want, seed=3).run(5).timeseries())


@pytest.mark.parametrize("kw, msg", [({"policy.name": "bossy"}, "policy.name"), ({"workload": -1}, "workload"),
                                     ({"nonsense": 1}, "not a parameter"), ({"team.bogus": 1}, "not a parameter")])
def test_a_bad_override_is_a_config_error_naming_it(kw, msg):
    with pytest.raises(ConfigError, match=msg):
        OrgModel(seed=1, **kw)


def test_rng_the_mesa_way():
    with pytest.raises(ValueError, match="either rng or seed"):
        OrgModel(seed=1, rng=2)
    assert OrgModel(rng=7).seed == 7
    a = OrgModel(rng=np.random.default_rng(5), **{"team.size": 4})
    b = OrgModel(rng=np.random.default_rng(5), **{"team.size": 4})
    assert a.seed == b.seed and a.params.scenario.seed == a.seed
    assert OrgModel(**{"team.size": 4}).seed != OrgModel(**{"team.size": 4}).seed


@pytest.fixture
def keep_start_method():
    """mesa.batch_run sets multiprocessing's start method to spawn for the whole process: put it back."""
    import multiprocessing as mp

    before = mp.get_start_method(allow_none=True)
    yield
    mp.set_start_method(before, force=True)


def test_mesa_batch_run_over_parameter_names_gives_different_replicates_per_seed(keep_start_method):
    rows = mesa.batch_run(OrgModel, {"policy.name": ["delegating", "controlling"], "team.size": 6},
                          rng=[11, 12, 13], max_steps=20, display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 6 and set(df["policy.name"]) == {"delegating", "controlling"}
    assert (df["Step"] == 20).all()
    per_policy = df.groupby("policy.name")["engagement"].nunique()
    assert (per_policy == 3).all()             # three seeds: three different replicates per policy
    again = OrgModel(**{"policy.name": "delegating", "team.size": 6}, seed=12).run(20).timeseries()
    row = df[(df["policy.name"] == "delegating") & (df["seed"] == 12)].iloc[0]
    assert row["engagement"] == pytest.approx(again["engagement"].iloc[-1], abs=0)
    # no seeds: Mesa passes seed=None, and each run draws a fresh seed of its own
    fresh = pd.DataFrame(mesa.batch_run(OrgModel, {"team.size": 6}, rng=[None, None, None], max_steps=20,
                                        display_progress=False))
    assert fresh["engagement"].nunique() == 3


def test_mesa_batch_run_rows_name_the_seed_each_run_used_even_when_mesa_passed_none(keep_start_method):
    """Mesa puts the seed it passed (None, for rng=[None, ...]) in each row; the model's DataCollector reports
    its own seed after it, so the row names the seed that was drawn, and that seed repeats the run."""
    rows = pd.DataFrame(mesa.batch_run(OrgModel, {"team.size": 5}, rng=[None, None, 7], max_steps=8,
                                       display_progress=False))
    assert rows["seed"].notna().all() and rows["seed"].nunique() == 3
    assert rows["seed"].iloc[2] == 7
    for _, row in rows.iterrows():
        again = OrgModel(seed=int(row["seed"]), **{"team.size": 5}).run(8).timeseries()
        assert row["engagement"] == again["engagement"].iloc[-1] and row["output"] == again["output"].iloc[-1]
    assert list(OrgModel(seed=1, **{"team.size": 5}).run(2).timeseries().columns) == list(METRICS)
