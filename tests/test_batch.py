"""Batches: several seeds side by side in one model give each seed exactly the numbers of a single run."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import OrgModel
from sim.params import load_scenario
from sim.runner import run_batch, run_one
from sim.streams import Streams

ROOT = Path(__file__).resolve().parent.parent


def same(batch, seeds, params, weeks):
    for seed, ts in zip(seeds, batch):
        single = run_one(params, seed=seed, weeks=weeks).timeseries
        # the dynamics are identical; a mean may differ in the last bit (summed in another order)
        pd.testing.assert_frame_equal(ts, single, check_exact=False, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("scenario, sets", [
    ("controlling", []),                                  # burnout, sick leave, leavers, hires
    ("reactive_pressure", []),                            # a pressure event
    ("company_coaching_island", ["team.teams=5"]),        # three levels, the cascade, team policies
    ("coaching", ["team.teams=3", "team.cross_team_density=0.1", "org.policy_mix={coaching=1,controlling=1}"]),
])
def test_batch_equals_single_runs(scenario, sets):
    params = load_scenario(ROOT / f"scenarios/{scenario}.toml", sets)
    seeds = [1, 2, 3, 11]
    same(run_batch(params, seeds, weeks=104), seeds, params, 104)


def test_batch_with_key_person_leaving_and_reorganisation():
    params = load_scenario(ROOT / "scenarios/coaching.toml")
    from sim.params import with_updates
    params = with_updates(params, events=[{"kind": "key_person_leaves", "start": 5, "end": 5, "magnitude": 2},
                                          {"kind": "reorganisation", "start": 20, "end": 30, "magnitude": 1.5}])
    seeds = [4, 5, 6]
    batch = run_batch(params, seeds, weeks=40)
    assert all(ts.leavers.iloc[4] >= 2 for ts in batch)
    same(batch, seeds, params, 40)


@settings(max_examples=15)
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=5, unique=True),
       size=st.integers(1, 15), teams=st.integers(1, 3))
def test_batch_equals_single_runs_for_any_seeds_and_sizes(seeds, size, teams):
    params = load_scenario(ROOT / "scenarios/controlling.toml", [f"team.size={size}", f"team.teams={teams}",
                                                                 "team.hiring_delay=2"])
    same(run_batch(params, seeds, weeks=30), seeds, params, 30)


def test_batch_order_does_not_matter():
    params = load_scenario(ROOT / "scenarios/delegating.toml")
    a = run_batch(params, [7, 8, 9], weeks=52)
    b = run_batch(params, [9, 7, 8], weeks=52)
    pd.testing.assert_frame_equal(a[0], b[1], check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(a[2], b[0], check_exact=False, rtol=1e-12, atol=1e-12)


def test_batch_rejects_single_run_options():
    params = load_scenario(None)
    for kw in ({"seed": 1}, {"record_agents": True}, {"per_team": True}):
        with pytest.raises(ValueError):
            OrgModel(params, seeds=[1, 2], **kw)
    with pytest.raises(ValueError):
        OrgModel(params, seeds=[])


def test_streams_split_draws_by_run():
    gens = [np.random.default_rng(s) for s in (1, 2)]
    ref = [np.random.default_rng(s) for s in (1, 2)]
    s = Streams(gens, [0, 3, 5], [0, 1, 2], luck_keys=[1, 2])
    got = s.binomial(10, np.full(5, 0.5))
    np.testing.assert_array_equal(got, np.concatenate([ref[0].binomial(10, np.full(3, 0.5)),
                                                       ref[1].binomial(10, np.full(2, 0.5))]))
    got = s.at(np.array([1, 2])).random(2)           # only run 0 draws
    np.testing.assert_array_equal(got, ref[0].random(2))
    np.testing.assert_array_equal(s.random(5)[3:], ref[1].random(2))
    with pytest.raises(ValueError):
        s.binomial(1, np.full(4, 0.5))               # neither positions nor teams


@pytest.mark.parametrize("how", ["one", "batch"])
def test_a_big_finished_model_is_freed_at_once(monkeypatch, how):
    """A Mesa model and its agents refer to each other, so without help a finished model lives until Python's
    next full collection (a loop over corporation-sized runs grew by about 30 MB a run). With automatic
    collection off, the runners must still leave no model of 10,000 positions or more behind; small ones are
    left to Python (a full collection after every small batch would cost more than the batch)."""
    import gc
    import weakref

    import sim.runner as runner

    made = []

    class Tracked(OrgModel):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(weakref.ref(self))

    monkeypatch.setattr(runner, "OrgModel", Tracked)
    big = load_scenario(None, ["team.teams=417"])          # 5,004 positions: one run, or two side by side
    small = load_scenario(None, ["team.teams=2"])
    was = gc.isenabled()
    gc.disable()
    try:
        if how == "one":
            runner.run_one(load_scenario(None, ["team.teams=834"]), seed=1, weeks=2)
        else:
            runner.run_batch(big, [1, 2], weeks=2)
        assert made and made[0]() is None
        runner.run_batch(small, [1, 2], weeks=2)
        assert made[1]() is not None                       # small: not collected here (the cycle is real)
    finally:
        if was:
            gc.enable()
    gc.collect()
    assert made[1]() is None
