"""The scenario library: every file validates, has its ten texts, runs; and every "things to notice" holds.

Each claim below quotes the sentence of the scenario's ``notice_en`` it checks (the test fails if the text no
longer contains the quote) and checks it
with margins well inside what the model gives. Every claim is checked on means over seeds 1..20, each
scenario's seeds run side by side in one compiled model (:func:`sim.runner.run_batch`, the same numbers as
one run per seed).
Claims already checked in ``tests/test_policy_patterns.py`` are referenced there by test name instead of being
checked twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from sim.params import KNOBS, load_raw, load_scenario, validate, with_updates
from sim.runner import run_batch, run_one

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
FILES = sorted(SCEN.glob("*.toml"))
TEXTS = ("title", "description", "howto", "notice", "try")
SEEDS = range(1, 21)   # every claim holds on the mean over 20 seeds


# ---------------------------------------------------------------------------------------------------------------
# every file: validates, ten texts, runs
# ---------------------------------------------------------------------------------------------------------------
def test_there_are_at_least_ten_scenarios_with_english_and_dutch_texts():
    bilingual = [f for f in FILES if "_en" in f.read_text() and "_nl" in f.read_text()]
    assert len(bilingual) >= 10, [f.name for f in bilingual]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_scenario_validates_has_all_texts_and_runs(path):
    raw = load_raw(path)
    sc = raw["scenario"]
    for field in TEXTS:
        for lang in ("en", "nl"):
            value = sc.get(f"{field}_{lang}", "")
            assert isinstance(value, str) and len(value.strip()) >= 10, f"{path.name}: {field}_{lang}"
        assert sc[f"{field}_en"] != sc[f"{field}_nl"] or field == "title", f"{path.name}: {field} in English"
    params = validate(raw, str(path))
    ts = run_one(params, seed=1, weeks=6).timeseries
    assert list(ts["week"]) == [1, 2, 3, 4, 5, 6]
    assert ts.drop(columns="week").notna().all().all()


def test_scenario_titles_are_distinct():
    for lang in ("en", "nl"):
        titles = [load_raw(f)["scenario"][f"title_{lang}"] for f in FILES]
        assert len(set(titles)) == len(titles), lang


# ---------------------------------------------------------------------------------------------------------------
# runs, cached: the mean over seeds of a metric in a window of weeks
# ---------------------------------------------------------------------------------------------------------------
def _as_policy(sp, name):
    """The same scenario under a named policy with every knob back to that policy's preset."""
    return with_updates(sp, policy={"name": name, **{k: None for k in KNOBS}})


@cache
def runs(stem: str, sets: tuple[str, ...] = (), policy: str | None = None, weeks: int = 104,
         seeds: int = len(SEEDS)) -> pd.DataFrame:
    params = load_scenario(SCEN / f"{stem}.toml", list(sets))
    if policy:
        params = _as_policy(params, policy)
    frames = run_batch(params, list(range(1, seeds + 1)), weeks)
    for seed, ts in enumerate(frames, start=1):
        ts["seed"] = seed
    return pd.concat(frames, ignore_index=True)


def win(df: pd.DataFrame, metric: str, first: int, last: int | None = None) -> float:
    """Mean over seeds and over weeks ``first..last`` (inclusive; one week if ``last`` is None)."""
    last = first if last is None else last
    return float(df[(df.week >= first) & (df.week <= last)][metric].mean())


def total(df: pd.DataFrame, metric: str) -> float:
    """Mean over seeds of the metric summed over all weeks (counts such as failures)."""
    return float(df.groupby("seed")[metric].sum().mean())


# ---------------------------------------------------------------------------------------------------------------
# the claims
# ---------------------------------------------------------------------------------------------------------------
def micromanager():
    d = runs("controlling")
    assert win(d, "output", 1, 8) > win(d, "output", 92, 104) + 0.1          # holds up, then slides
    for m, drop in (("engagement", 0.1), ("psych_safety", 0.15), ("initiative", 0.15)):
        assert win(d, m, 92, 104) < win(d, m, 1, 4) - drop, m
    assert win(d, "hours_monitoring", 53, 104) + win(d, "hours_doing", 53, 104) > 20.0   # checking and doing
    assert win(d, "hours_coaching", 92, 104) < min(2.0, win(d, "hours_coaching", 1, 4))   # little, and less


def trusting_coach():
    k, c = runs("coaching"), runs("controlling")
    assert win(k, "output", 1, 4) <= 1.03 * win(c, "output", 1, 4)           # not better at first
    for m, gain in (("competence", 0.08), ("trust_in_manager", 0.1), ("engagement", 0.05)):
        assert win(k, m, 40, 52) > win(k, m, 1, 4) + gain, m
    assert win(k, "manager_hours", 1, 104) <= 40.5
    assert (k["manager_hours"] <= 40.0 * 1.05).all()


def letting_go():
    jun = runs("delegating", ("team.competence_mean=0.3", "team.competence_spread=0.1"))
    sen = runs("delegating", ("team.competence_mean=0.8", "team.competence_spread=0.08"))
    assert total(jun, "basic_failures") > 2 * total(sen, "basic_failures")
    assert win(jun, "exhaustion", 1, 104) > win(sen, "exhaustion", 1, 104) + 0.02
    assert win(jun, "output", 1, 104) < 0.85 * win(sen, "output", 1, 104)
    assert win(sen, "engagement", 92, 104) > win(sen, "engagement", 1, 4)    # seniors do well with freedom


def juniors_under_delegating():
    d, s, c = (runs("junior_team", policy=p) for p in ("delegating", "situational", "coaching"))
    for other in (s, c):
        assert total(d, "basic_failures") > 1.2 * total(other, "basic_failures")
        assert win(d, "output", 1, 104) < 0.9 * win(other, "output", 1, 104)


def seniors_delegating():
    d, c = runs("senior_team", policy="delegating"), runs("senior_team", policy="coaching")
    assert abs(win(d, "output", 1, 104) - win(c, "output", 1, 104)) <= 0.15 * win(c, "output", 1, 104)
    assert abs(win(d, "output", 104) - win(c, "output", 104)) <= 0.15 * win(c, "output", 104)


def crunch_control():
    """During the crunch (weeks 26-39) control rises; long after it (10 and 25 weeks on) it is still up."""
    d = runs("reactive_pressure")
    pre = win(d, "manager_control", 20, 25)
    assert win(d, "manager_control", 36, 39) > pre + 0.1
    assert win(d, "manager_control", 49, 52) > pre + 0.1
    assert win(d, "manager_control", 61, 65) > pre + 0.05


def seniors_micromanaged():
    coach, ctrl = runs("senior_team"), runs("senior_team", policy="controlling")
    assert win(ctrl, "output", 53, 104) < 0.85 * win(coach, "output", 53, 104)
    assert win(ctrl, "engagement", 53, 104) < win(coach, "engagement", 53, 104) - 0.15


def crunch_lean_back():
    d = runs("reactive_pressure")
    assert win(d, "initiative", 45, 52) < win(d, "initiative", 20, 25) - 0.05
    target = load_scenario(SCEN / "reactive_pressure.toml").work.target
    after = d[d.week >= 49].groupby("seed")[["output", "manager_control"]].mean()
    below = after.output < target
    assert 3 <= below.sum() < len(after)                                      # many runs, not all
    end = d[d.week >= 97].groupby("seed").manager_control.mean()
    assert end[below].mean() > win(d, "manager_control", 20, 25) + 0.15      # locked in: crunch control kept
    assert end[below].mean() > end[~below].mean() + 0.2
    pre = d[d.week.between(20, 25)].groupby("seed").manager_control.mean()   # each run's own level before
    mid = d[d.week.between(49, 60)].groupby("seed").manager_control.mean()
    assert (mid - pre)[~below].mean() > 0.05                                  # lets go only slowly: still up
    assert (end - pre)[~below].min() > -0.02                                  # and never below where it was
    doc = " ".join((Path(__file__).resolve().parents[1] / "docs" / "calibration.md").read_text().split())
    assert f"in {below.sum()} of {len(after)} seeds (seeds 1-{len(after)})" in doc, "docs/calibration.md is stale"


def situational_styles():
    params = load_scenario(SCEN / "situational.toml")
    early, late, coach_early, coach_late = [], [], [], []
    for seed in SEEDS:
        res = run_one(params, seed=seed, weeks=104, record_agents=True)
        a = res.agents
        first = a[a.week == 1]
        juniors = set(first[first.readiness.isin(["R1", "R2"])].agent_id)
        last = a[(a.week == 104) & a.agent_id.isin(juniors)]
        early.append(first[first.agent_id.isin(juniors)]["style"].isin(["S1", "S2"]).mean())
        late.append(last["style"].isin(["S3", "S4"]).mean())
        coach_early.append(res.timeseries.hours_coaching.iloc[:8].mean())
        coach_late.append(res.timeseries.hours_coaching.iloc[-8:].mean())
    assert np.mean(early) > 0.7                       # juniors start under S1/S2 ...
    assert np.mean(late) > 0.5                        # ... and most of them are under S3/S4 two years later
    assert np.mean(coach_late) < np.mean(coach_early) - 1.0


def insecure_manager():
    ins, sec = runs("insecure_manager"), runs("insecure_manager", ("manager.insecurity=0",))
    assert win(ins, "manager_trust", 26, 104) < win(sec, "manager_trust", 26, 104) - 0.1
    assert win(ins, "manager_control", 26, 104) > win(sec, "manager_control", 26, 104) + 0.05
    assert win(ins, "initiative", 53, 104) < win(sec, "initiative", 53, 104) - 0.05
    assert win(ins, "engaged_share", 92, 104) < win(sec, "engaged_share", 92, 104) - 0.05


def phased_delegation():
    d, flat = runs("phased_delegation"), runs("phased_delegation", ("policy.phased_delegation=0",))
    start = win(d, "manager_control", 1, 4)
    assert win(d, "manager_control", 49, 52) < start - 0.06
    assert win(d, "manager_control", 101, 104) < win(d, "manager_control", 49, 52) - 0.05
    assert win(d, "competence", 101, 104) > win(d, "competence", 1, 4) + 0.15
    assert abs(win(flat, "manager_control", 101, 104) - win(flat, "manager_control", 1, 4)) < 0.05
    assert win(flat, "initiative", 101, 104) < win(flat, "initiative", 1, 4) - 0.1
    assert win(flat, "engaged_share", 92, 104) < win(d, "engaged_share", 92, 104) - 0.2


def reorganisation():
    d = runs("reorganisation")
    before, shock = win(d, "trust_in_manager", 25), win(d, "trust_in_manager", 26)
    assert 0.35 * before < shock < 0.7 * before                               # about half, at once
    assert win(d, "trust_in_manager", 52) < before - 0.02                     # half a year later: still lower
    assert win(d, "zone_learning", 20, 25) > 0.8
    assert win(d, "zone_learning", 27, 32) < 0.3
    assert win(d, "zone_learning", 78, 104) > 0.8


def self_directing_pilot():
    pilot, coach = runs("self_directing_pilot"), runs("self_directing_pilot", policy="coaching")
    assert win(pilot, "hours_monitoring", 1, 104) < 4.0
    assert win(pilot, "hours_vision", 1, 104) > 20.0
    assert win(pilot, "hours_vision", 1, 104) > win(coach, "hours_vision", 1, 104) + 2.0
    assert win(pilot, "initiative", 53, 104) > win(coach, "initiative", 53, 104) + 0.05
    assert win(pilot, "engagement", 53, 104) >= win(coach, "engagement", 53, 104) - 0.005
    assert abs(win(pilot, "output", 53, 104) / win(coach, "output", 53, 104) - 1) < 0.1


ZONES = ("learning", "comfort", "anxiety", "apathy")


def zone_runs():
    return {z: runs(f"zone_{z}") for z in ZONES}


def in_own_zone(z, d):
    assert win(d, f"zone_{z}", 8, 104) > 0.9, z


def zone_learning():
    r = zone_runs()
    in_own_zone("learning", r["learning"])
    for other in ("comfort", "anxiety", "apathy"):
        assert win(r["learning"], "engaged_share", 92, 104) > win(r[other], "engaged_share", 92, 104) + 0.05
        trust = win(r["learning"], "trust_in_manager", 92, 104)
        assert trust > win(r[other], "trust_in_manager", 92, 104) + 0.05
        assert total(r["learning"], "hidden_failures") < total(r[other], "hidden_failures")


def zone_comfort():
    r = zone_runs()
    c, ln = r["comfort"], r["learning"]
    in_own_zone("comfort", c)
    assert abs(win(c, "psych_safety", 53, 104) - win(ln, "psych_safety", 53, 104)) < 0.05
    assert win(c, "engaged_share", 53, 104) < win(ln, "engaged_share", 53, 104) - 0.08
    assert win(c, "trust_in_manager", 53, 104) < win(ln, "trust_in_manager", 53, 104) - 0.08
    assert total(c, "basic_failures") > 1.1 * total(ln, "basic_failures")


def zone_anxiety():
    r = zone_runs()
    a = r["anxiety"]
    in_own_zone("anxiety", a)
    assert total(a, "hidden_failures") > 3 * total(r["learning"], "hidden_failures")
    for other in ("learning", "comfort", "apathy"):
        assert win(a, "exhaustion", 53, 104) > win(r[other], "exhaustion", 53, 104) + 0.03, other
        assert win(a, "burnout_share", 53, 104) > win(r[other], "burnout_share", 53, 104), other
    assert win(a, "manager_control", 92, 104) > 0.75


def zone_apathy():
    r = zone_runs()
    p = r["apathy"]
    in_own_zone("apathy", p)
    assert win(p, "engaged_share", 53, 104) < 0.1
    for other in ("learning", "comfort", "anxiety"):
        assert win(p, "trust_in_manager", 53, 104) < win(r[other], "trust_in_manager", 53, 104), other
    assert win(p, "exhaustion", 53, 104) < win(r["anxiety"], "exhaustion", 53, 104) - 0.04
    assert total(p, "hidden_failures") > 3 * total(r["learning"], "hidden_failures")
    assert win(p, "output", 53, 104) < 0.8 * win(r["learning"], "output", 53, 104)


@dataclass(frozen=True)
class Claim:
    scenario: str
    quote: str                       # the sentence (or part) of notice_en that is checked
    check: Callable[[], None] | None = None
    covered_by: str = ""             # a test in tests/test_policy_patterns.py that checks it instead


CLAIMS = (
    Claim("controlling",
          "Output holds up in the first weeks (instructions help, problems stay hidden), then slides: "
          "engagement, safety and initiative fall, the manager's week goes to checking and doing the team's "
          "work, and little time is left for coaching.",
          micromanager),
    Claim("coaching",
          "The first weeks are not better than micromanaging",
          trusting_coach),
    Claim("coaching",
          "After a few months competence, trust and engagement climb, and the manager's hours stay within "
          "the week.",
          trusting_coach),
    Claim("delegating",
          "Seniors do well with freedom; juniors drown: more basic failures, more exhaustion, less output.",
          letting_go),
    Claim("junior_team",
          "Delegating makes many more basic failures and less output here than situational leadership or "
          "coaching.",
          juniors_under_delegating),
    Claim("senior_team",
          "With seniors, delegating does almost as well as coaching",
          seniors_delegating),
    Claim("senior_team",
          "micromanaging them is pure hindrance.",
          seniors_micromanaged),
    Claim("reactive_pressure",
          "Control rises during the crunch and stays up long after it",
          crunch_control),
    Claim("reactive_pressure",
          "employees lean back and initiative falls. Often results then stay below target, so the "
          "manager keeps control and the cycle locks in; at other times the team recovers and the manager "
          "lets go only slowly.",
          crunch_lean_back),
    Claim("situational",
          "Juniors start under S1/S2 and move toward S3/S4 as they grow; the manager's coaching hours fall "
          "as the team matures.",
          situational_styles),
    Claim("insecure_manager",
          "the manager's trust in the team stays well below that of a secure manager, so control stays "
          "higher. The team notices: initiative stays lower and after two years fewer people are engaged.",
          insecure_manager),
    Claim("phased_delegation",
          "Control falls month by month as the manager's trust grows: clearly lower after a year and lower "
          "still after two, while the team's competence rises. Without phasing, control stays where it "
          "started: initiative sinks and far fewer people are engaged after two years.",
          phased_delegation),
    Claim("reorganisation",
          "Trust in the manager drops by about half in the week of the announcement; winning it back takes "
          "far longer: half a year later it is still below where it was before. For a while the team leaves "
          "the learning zone, then returns to it.",
          reorganisation),
    Claim("self_directing_pilot",
          "monitoring and approvals shrink to a few hours and most of the week goes to vision and "
          "frameworks. Initiative and engagement end higher than under the trusting coach on the same team, "
          "with about the same output.",
          self_directing_pilot),
    Claim("zone_learning",
          "The team is in the learning zone within weeks and stays there. Of the four zones it ends with the "
          "most engaged people, the most trust in the manager and the fewest hidden failures",
          zone_learning),
    Claim("zone_comfort",
          "Psychological safety is as high as in the learning zone: people speak up. Yet with vague goals "
          "and little coaching, clearly fewer people are engaged and trust in the manager stays lower; more "
          "basic mistakes are made over the two years.",
          zone_comfort),
    Claim("zone_anxiety",
          "several times as many failures stay hidden as in the learning zone",
          zone_anxiety),
    Claim("zone_anxiety",
          "Exhaustion and burnout are the highest of the four zones, and the manager ends up in tight "
          "control.",
          zone_anxiety),
    Claim("zone_apathy",
          "Hardly anyone is engaged and trust in the manager is the lowest of the four zones. Unlike the "
          "anxiety zone, people are not worn out: exhaustion stays clearly lower.",
          zone_apathy),
    Claim("zone_apathy",
          "many failures stay hidden and output stays low.",
          zone_apathy),
)


def test_every_scenario_has_a_checked_claim():
    """Each scenario file has a claim here, or is checked by another test module that names it."""
    others = " ".join(t.read_text() for t in (ROOT / "tests").glob("test_*.py")
                      if t.name != Path(__file__).name)
    claimed = {c.scenario for c in CLAIMS}
    assert claimed <= {f.stem for f in FILES}
    assert [f.name for f in FILES if f.stem not in claimed and f.stem not in others] == []


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.scenario}: {c.quote[:40]}")
def test_notice_claim_holds(claim):
    notice = load_raw(SCEN / f"{claim.scenario}.toml")["scenario"]["notice_en"]
    assert claim.quote in notice, "the claims table quotes a sentence the scenario no longer says"
    if claim.covered_by:
        import test_policy_patterns
        assert callable(getattr(test_policy_patterns, claim.covered_by, None)), claim.covered_by
        assert claim.check is None
        return
    claim.check()
