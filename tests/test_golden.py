"""Same numbers as version 0.3.0: every shipped scenario with seeds 1 and 2 gives the weekly table that
``orgsim run scenarios/NAME.toml --seed S`` wrote at the commit in ``tests/golden/COMMIT`` (the files were made
there by ``tools/make-golden.sh``), every value within 1e-9.

A change that alters these numbers on purpose is a new version: it says so in CHANGELOG (with `orgsim validate`
before and after) and regenerates the files in the same commit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.params import load_scenario
from sim.runner import run_one

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))


def test_every_shipped_scenario_has_golden_files():
    have = {p.name for p in GOLDEN.glob("*.csv.gz")}
    missing = [f"{s}-s{seed}.csv.gz" for s in SCENARIOS for seed in (1, 2) if f"{s}-s{seed}.csv.gz" not in have]
    assert not missing, f"no golden file for {missing}: run tools/make-golden.sh"


@pytest.mark.parametrize("name", SCENARIOS)
def test_runs_give_the_numbers_of_the_golden_version(name):
    params = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    for seed in (1, 2):
        want = pd.read_csv(GOLDEN / f"{name}-s{seed}.csv.gz")
        got = run_one(params, seed=seed).timeseries
        assert list(got.columns) == list(want.columns), f"{name} seed {seed}: columns differ"
        assert len(got) == len(want), f"{name} seed {seed}: {len(got)} weeks, golden {len(want)}"
        a, b = got.to_numpy(dtype=float), want.to_numpy(dtype=float)
        bad = ~np.isclose(a, b, rtol=0.0, atol=1e-9)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            pytest.fail(f"{name} seed {seed}: {bad.sum()} values differ, first {want.columns[c]} at week "
                        f"{want['week'].iloc[r]}: {a[r, c]!r}, golden {b[r, c]!r}")
