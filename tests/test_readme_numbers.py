"""The numbers in the README's tour come from the code: each is asserted here against what the program does
(sizes of the shipped organisations, runs of the shipped experiments, the facts `orgsim validate` checks, the
demo's seeds and team)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from sim import cli
from sim.experiment.design import expand
from sim.experiment.spec import load_spec
from sim.params import load_scenario
from sim.validate import TARGETS_FILE, load_targets

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TOUR = README.split("## A 5-minute tour", 1)[1].split("\n## ", 1)[0]


def people(stem: str) -> str:
    t = load_scenario(ROOT / "scenarios" / f"{stem}.toml").team
    return f"{t.teams * t.size:,}"


def test_the_organisations_sizes_and_levels():
    for stem in ("company_controlling_top", "company_corporation"):
        sp = load_scenario(ROOT / "scenarios" / f"{stem}.toml")
        line = next(ln for ln in TOUR.splitlines() if stem in ln and "orgsim run" in ln)
        assert f"{people(stem)} people, {sp.org.levels} levels" in line, line


def test_the_experiments_run_counts():
    smoke = expand(load_spec(ROOT / "experiments" / "smoke_small.toml"))
    assert f"# {smoke.n_runs} runs to Parquet" in TOUR
    cascade = expand(load_spec(ROOT / "experiments" / "company_cascade.toml"))
    size = cascade.base.team.teams * cascade.base.team.size
    assert f"{cascade.n_runs} companies of {size:,}" in TOUR


def test_the_stylised_facts_and_the_demo():
    assert f"# {len(load_targets(TARGETS_FILE))} stylised facts" in TOUR
    demo = inspect.signature(cli.demo).parameters["seeds"].default
    assert re.search(rf"same team, {demo} seeds", README)
    assert f"the same {load_scenario(ROOT / 'scenarios' / 'controlling.toml').team.size} people" in TOUR
