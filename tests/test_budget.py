"""Bounded work for every valid input: peer ties in time proportional to the ties made (density 1.0 too), the
same ties as before at the densities the shipped scenarios use, and a memory estimate that refuses, before
anything is built, what would not fit (sim/budget.py) - checked over the schema's corners."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim import budget
from sim.cli import app
from sim.org import COMPLEMENT_ABOVE, _pairs_across, _pairs_all_teams, build_org
from sim.params import ConfigError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
cli = CliRunner()


# ------------------------------------------------------------------------------------- peer ties: time, numbers
def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


# sha256 (first 16 hex digits) of the ties drawn by orgsim 0.2 (commit f94356e), before this change
ACROSS_0_2 = {(3, 12, 0.1): "a91e079c651abe1e", (834, 12, 0.0005): "4a8c515a10e3380d",
              (12, 12, 0.01): "52f0bc17420ef52e", (50, 4, 0.5): "3b627e8fe3b0d59a", (2, 1, 0.5): "741b91ec0d673aba",
              (7, 3, 0.3): "ae6680c4c9d6030f"}
WITHIN_0_2 = {(4167, 12, 0.5): "4d3410459a1c30fb", (30, 50, 0.3): "6533b958099db26d",
              (5, 7, 1.0): "bf67ddc78114fbfc"}


@pytest.mark.parametrize("teams, size, p", list(ACROSS_0_2))
def test_ties_across_teams_at_or_below_one_half_are_the_ties_of_before(teams, size, p):
    """The shipped scenarios (0.01 and less) keep their numbers: the same draws, the same ties as 0.2."""
    assert p <= COMPLEMENT_ABOVE
    team = np.repeat(np.arange(teams), size)
    got = _digest(*(_pairs_across(np.random.default_rng(seed), team, p) for seed in range(5)))
    assert got == ACROSS_0_2[(teams, size, p)]


@pytest.mark.parametrize("teams, size, p", list(WITHIN_0_2))
@pytest.mark.parametrize("chunk", [1 << 22, 2000, 1])
def test_ties_within_teams_drawn_in_blocks_are_the_ties_of_one_draw(teams, size, p, chunk):
    got = _digest(_pairs_all_teams(np.random.default_rng(3), teams, size, p, chunk=chunk))
    assert got == WITHIN_0_2[(teams, size, p)]


@pytest.mark.parametrize("p", [0.51, 0.8, 0.99, 1.0])
def test_ties_above_one_half_are_distinct_pairs_across_teams_in_the_drawn_number(p):
    team = np.repeat(np.arange(20), 5)
    n = len(team)
    n_cross = (n * n - 20 * 25) // 2
    counts = []
    for seed in range(20):
        pairs = _pairs_across(np.random.default_rng(seed), team, p)
        codes = pairs[:, 0] * n + pairs[:, 1]
        assert (pairs[:, 0] < pairs[:, 1]).all() and (team[pairs[:, 0]] != team[pairs[:, 1]]).all()
        assert len(np.unique(codes)) == len(codes) and (np.diff(codes) > 0).all()   # sorted, as below 1/2
        assert len(pairs) == np.random.default_rng(seed).binomial(n_cross, p)
        counts.append(len(pairs))
    assert abs(np.mean(counts) / n_cross - p) < 0.01
    if p == 1.0:
        assert counts == [n_cross] * 20


def test_density_one_with_400_people_runs_in_under_5_seconds(tmp_path):
    """Drawing ties until all were found took over a minute for 400 people at density 1.0."""
    org = build_org(np.random.default_rng(1), n_teams=40, team_size=10, peer_density=1.0, cross_density=1.0)
    assert org.peers.nnz == 400 * 399                      # everyone tied to everyone
    t0 = time.perf_counter()
    res = cli.invoke(app, ["run", str(ROOT / "scenarios" / "coaching.toml"), "--set", "team.teams=400",
                           "--set", "team.size=1", "--set", "team.cross_team_density=1.0", "--out", tmp_path / "o"])
    seconds = time.perf_counter() - t0
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["employees"] == 400
    assert seconds < 5, seconds


# ------------------------------------------------------------------------------------------------ memory budget
def test_the_largest_organisation_is_refused_with_one_line_naming_the_keys_and_nothing_written(tmp_path):
    """5,000 teams of 1,000 asked for 18.6 GiB and then ran out of memory; now refused before anything is
    built (its estimate, some 45,000 GiB, exceeds any machine)."""
    out = tmp_path / "big"
    t0 = time.perf_counter()
    res = cli.invoke(app, ["run", str(ROOT / "scenarios" / "coaching.toml"), "--set", "team.teams=5000",
                           "--set", "team.size=1000", "--out", out])
    assert time.perf_counter() - t0 < 5
    assert res.exit_code == 2 and res.output.count("\n") == 1, res.output
    line = res.output
    assert line.startswith(f"error: {ROOT / 'scenarios' / 'coaching.toml'}: this run needs about ")
    assert "5,000,000 people" in line and "GiB available; allowed: lower team.cross_team_density" in line
    assert not out.exists()
    # an experiment whose largest design point would not fit: refused before its directory is made
    exp = tmp_path / "big.toml"
    exp.write_text('[experiment]\nreplicates = 1\nweeks = 2\n[factors]\nteam.teams = [1, 5000]\n'
                   '[set]\nteam.size = 1000\n')
    res = cli.invoke(app, ["experiment", str(exp), "--out", tmp_path / "e", "--workers", "1"])
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "design point 2" in res.output, res.output
    assert not (tmp_path / "e").exists()


def test_compare_checks_the_batch_of_seeds_side_by_side(monkeypatch, tmp_path):
    monkeypatch.setattr(budget, "available_bytes", lambda: 150 * 2**20)
    f = ROOT / "scenarios" / "coaching.toml"
    res = cli.invoke(app, ["compare", str(f), str(ROOT / "scenarios" / "controlling.toml"), "--seeds", "25",
                           "--set", "team.size=500", "--set", "team.peer_density=1", "--out", tmp_path / "c"])
    assert res.exit_code == 2 and "a batch of 25 runs needs about" in res.output, res.output
    assert "lower team.peer_density or team.size" in res.output and not (tmp_path / "c").exists()


BUDGET = 2**30   # the corners' test machine: 1 GiB available to a run
CORNERS = {"team.size": (1, 1000), "team.teams": (1, 5000), "team.peer_density": (0.0, 1.0),
           "team.cross_team_density": (0.0, 1.0), "org.levels": (1, 5), "org.span": (2, 200)}
# moderately big runs near the budget: the estimate must hold where the ties and the rows dominate
CALIBRATION = [(["team.teams=300", "team.size=10", "team.cross_team_density=1"], 1, False),
               (["team.teams=1000", "team.size=12"], 2, False),
               (["team.teams=3", "team.size=1000", "team.peer_density=1"], 2, False),
               (["team.teams=5", "team.size=100", "org.levels=3", "org.span=2"], 100, True),
               (["team.teams=1", "team.size=1"], 2600, True)]

MEASURE = r"""
import ctypes, gc, json, os, sys, time
from sim.params import load_scenario
from sim.runner import run_one, warm_up
from sim import budget
warm_up()
libc = ctypes.CDLL("libc.so.6")
def status(k):
    for line in open("/proc/self/status"):
        if line.startswith(k):
            return int(line.split()[1]) * 1024
out = []
for sets, weeks, records in json.loads(sys.argv[1]):
    p = load_scenario(None, sets)
    gc.collect(); libc.malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                                   # the peak (VmHWM) starts again from here
    base = status("VmRSS:")
    t0 = time.perf_counter()
    res = run_one(p, weeks=weeks, record_agents=records, per_team=records)
    if records:                                        # what `orgsim run --agents --per-team` writes
        res.agents.to_csv(os.devnull, index=False); res.per_team.to_csv(os.devnull, index=False)
    out.append({"sets": sets, "weeks": weeks, "records": records, "seconds": time.perf_counter() - t0,
                "peak": status("VmHWM:") - base,
                "estimate": budget.estimate(p, weeks, records, records).total})
    del res
print(json.dumps(out))
"""


def _corners():
    """Every corner of the organisation's keys, with and without the rows of --agents and --per-team, over 1 and
    2,600 weeks; corners that build the same organisation once (a key without effect there - the span with no
    levels above the team leads, ties within teams of one, ties across a single team - at its low end)."""
    keys = list(CORNERS)
    for values in itertools.product(*CORNERS.values()):
        c = dict(zip(keys, values))
        idle = {"org.span": c["org.levels"] == 1, "team.peer_density": c["team.size"] == 1,
                "team.cross_team_density": c["team.teams"] == 1}
        if any(no_effect and c[k] != CORNERS[k][0] for k, no_effect in idle.items()):
            continue
        for weeks, records in itertools.product((1, 2600), (False, True)):
            yield [f"{k}={v}" for k, v in c.items()], weeks, records


def test_every_corner_of_the_schema_is_refused_or_runs_within_its_estimate(monkeypatch):
    """Each corner either is refused by the memory check (one line naming keys to lower) or runs with a
    measured peak below its estimate, in bounded time; the estimate, checked also on runs near the budget,
    is what makes the check a promise. Corners the budget allows over 2,600 weeks are run over 3 weeks (and
    the one-person corner over all 2,600): their memory over more weeks is the rows, measured in the
    calibration runs; their time grows with the weeks (they are run over 3)."""
    monkeypatch.setattr(budget, "available_bytes", lambda: BUDGET / budget.SHARE)
    run, refused, long_allowed = [], 0, 0
    for sets, weeks, records in _corners():
        p = load_scenario(None, sets)
        est = budget.estimate(p, weeks, records, records)
        if est.total > BUDGET:
            with pytest.raises(ConfigError) as exc:
                budget.check(p, "corner.toml", weeks, records, records)
            msg = str(exc.value)
            assert msg.startswith("corner.toml: this run needs about ") and "\n" not in msg
            assert "allowed: lower " in msg and any(k in msg for k in ("team.", "--agents", "--per-team"))
            refused += 1
        elif weeks == 1 or p.team.teams * p.team.size == 1:
            run.append((sets, weeks, records))
        else:
            long_allowed += 1
            run.append((sets, 3, records))
    assert refused and run
    todo = sorted({json.dumps(r): r for r in run + CALIBRATION}.values(),
                  key=lambda r: budget.estimate(load_scenario(None, r[0]), r[1], r[2], r[2]).total)
    done = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(todo)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"},
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.splitlines()[-1])
    worst = max(results, key=lambda r: r["peak"] / r["estimate"])
    for r in results:
        assert r["peak"] <= r["estimate"], r
        assert r["estimate"] <= BUDGET or r["sets"] in [c[0] for c in CALIBRATION], r
        assert r["seconds"] < 60, r
    report = {"corners_refused": refused, "runs_measured": len(results), "corners_2600_weeks_allowed": long_allowed,
              "worst_peak_over_estimate": round(worst["peak"] / worst["estimate"], 3), "worst": worst["sets"],
              "largest": max(results, key=lambda r: r["peak"]), "seconds": round(sum(r["seconds"] for r in results), 1)}
    (ROOT / "out" / "test-artifacts").mkdir(parents=True, exist_ok=True)
    (ROOT / "out" / "test-artifacts" / "budget_corners.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report))
