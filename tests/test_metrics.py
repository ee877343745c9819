"""The weekly metrics: the compiled reduction (sim.metrics.metric_columns) against the same metrics written with numpy
below, for single runs and batches, at many weeks of runs with sick leave, vacancies, hires and several levels."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.metrics import INT_METRICS, METRICS, compute_metrics
from sim.model import OrgModel
from sim.params import load_scenario
from sim.rules import motivation as mot
from sim.rules import safety as saf
from sim.rules import strain

ROOT = Path(__file__).resolve().parent.parent

ACTIVE_MEANS = ("engagement", "engaged_share", "disengaged_share", "trust_in_manager", "manager_trust",
                "psych_safety", "competence", "motivation", "exhaustion", "cynicism", "efficacy", "initiative",
                "manager_control")
MANAGER_MEANS = {"manager_hours": "hours_total", "hours_monitoring": "hours_monitoring",
                 "hours_doing": "hours_doing", "hours_coaching": "hours_coaching", "hours_vision": "hours_vision",
                 "manager_strain": "strain", "extra_control": "extra_control", "pressure_from_above": "pressure"}


def numpy_metrics(model) -> dict[str, np.ndarray]:
    """Every metric per run, with numpy: sums over each run's slice of positions and teams."""
    s, ms, p, last = model.state, model.mstate, model.params, model.last
    pos0, team0 = model._pos_bounds[:-1], model._team_bounds[:-1]
    per_pos = lambda w: np.add.reduceat(np.asarray(w, dtype=float), pos0)  # noqa: E731
    per_team = lambda w: np.add.reduceat(np.asarray(w, dtype=float), team0)  # noqa: E731
    active, absent = s.status == 0, s.status == 1
    act = active.astype(float)
    n_act = per_pos(act)
    n_emp = np.maximum(per_pos(active | absent), 1)
    positions, teams = np.diff(model._pos_bounds).astype(float), np.diff(model._team_bounds).astype(float)
    cls = mot.engagement_class(s.engagement)
    burnt = strain.burnout_criterion(s.exhaustion, s.cynicism, p.dynamics.burnout_exhaustion,
                                     p.dynamics.burnout_cynicism)
    complaints = s.exhaustion >= p.dynamics.burnout_exhaustion
    rows = np.stack((s.engagement, cls == mot.ENGAGED, cls == mot.DISENGAGED, s.trust_in_manager,
                     s.manager_trust, s.safety, s.competence, s.motivation, s.exhaustion, s.cynicism, s.efficacy,
                     s.initiative, s.control))
    means = np.where(n_act > 0, np.add.reduceat(rows * act, pos0, axis=1) / np.maximum(n_act, 1), 0.0)
    m = dict(zip(ACTIVE_MEANS, means))
    m.update({k: per_team(getattr(ms, a)) / teams for k, a in MANAGER_MEANS.items()})
    team, nt = model.org.team, model.org.n_teams
    counts = np.maximum(np.bincount(team, weights=active, minlength=nt), 1)
    team_safety = np.bincount(team, weights=s.safety * active, minlength=nt) / counts
    z = saf.zone(team_safety, model.knob_bundle.standards)
    for i, name in enumerate(("zone_learning", "zone_comfort", "zone_anxiety", "zone_apathy")):
        m[name] = per_team((z == i).astype(float)) / teams
    m.update({
        "burnout_share": per_pos((absent | (active & burnt)).astype(float)) / n_emp,
        "burnout_complaints_share": per_pos((absent | (active & complaints)).astype(float)) / n_emp,
        "absent_share": per_pos(absent.astype(float)) / n_emp,
        "vacancy_share": per_pos((s.status == 2).astype(float)) / positions,
        "output": per_team(last["team_output"]) / teams,
        "basic_failures": per_pos(last["basic"]), "complex_failures": per_pos(last["complex"]),
        "intelligent_failures": per_pos(last["intelligent"]), "hidden_failures": per_pos(last["hidden"]),
        "surfaced_failures": per_pos(last["surfaced"]) + per_team(last["orphans_surfaced"]),
        "leavers": model.leavers_by_run.astype(float),
        "headcount": n_act,
    })
    # the managers above the team leads: run r's are its org's senior managers, numbered block after block
    srs = np.cumsum([0] + [o.n_senior for o in (model.org.parts or [model.org])])
    us = model.ustate
    for k, a in (("senior_control", us.extra_control), ("senior_strain", us.strain)):
        m[k] = np.array([a[lo:hi].mean() if hi > lo else 0.0 for lo, hi in zip(srs[:-1], srs[1:])])
    return {k: m[k] for k in METRICS}


def check_against_numpy(model, weeks):
    seen = set()
    for _ in range(weeks):
        model.step()
        want = numpy_metrics(model)
        got = compute_metrics(model, by_run=True)
        assert list(got) == list(METRICS)
        for k in METRICS:
            if k in INT_METRICS or k.endswith(("_share", "zone_learning", "zone_comfort", "zone_anxiety",
                                               "zone_apathy")):
                np.testing.assert_array_equal(got[k], want[k], err_msg=k)   # counts and their shares
            else:
                np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-15, err_msg=k)
        single = compute_metrics(model) if model.n_runs == 1 else None
        if single is not None:
            assert all(type(single[k]) is (int if k in INT_METRICS else float) for k in METRICS)
            assert single == {k: (int if k in INT_METRICS else float)(got[k][0]) for k in METRICS}
        seen |= {k for k in ("absent_share", "vacancy_share", "burnout_share", "surfaced_failures",
                             "hidden_failures") if got[k].any()}
    return seen


@pytest.mark.parametrize("scenario, sets, seeds, reached", [
    ("controlling", [], None, {"absent_share", "burnout_share", "vacancy_share", "hidden_failures"}),
    ("company_coaching_island", ["team.teams=6"], None, {"vacancy_share", "hidden_failures"}),
    ("zone_anxiety", [], [1, 2, 3], {"vacancy_share", "hidden_failures", "surfaced_failures"}),
    ("reorganisation", ["team.teams=3"], [4, 5], {"vacancy_share", "hidden_failures"}),
    ("company_controlling_top", ["team.teams=30"], [1, 2, 3], {"vacancy_share", "hidden_failures"}),
])
def test_compiled_metrics_equal_the_numpy_metrics(scenario, sets, seeds, reached):
    params = load_scenario(ROOT / f"scenarios/{scenario}.toml", sets)
    model = OrgModel(params, seed=None if seeds else 7, seeds=seeds)
    assert reached <= check_against_numpy(model, 60)   # the runs went where the metrics have work to do
    if model.org.n_senior:   # the managers above the team leads are measured, run by run
        assert (compute_metrics(model, by_run=True)["senior_strain"] > 0).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds=st.lists(st.integers(0, 10_000), min_size=1, max_size=3), teams=st.integers(1, 4),
       size=st.integers(1, 9), weeks=st.integers(1, 12))
def test_metrics_equal_numpy_for_any_size(seeds, teams, size, weeks):
    params = load_scenario(ROOT / "scenarios/controlling.toml", [f"team.teams={teams}", f"team.size={size}"])
    check_against_numpy(OrgModel(params, seeds=seeds), weeks)


def test_metrics_collector_table_is_mesas_own():
    """The model's collector (a Mesa DataCollector that takes the week's metrics at once) fills the same table,
    week by week and column by column, as Mesa's DataCollector with the same reporters."""
    import mesa
    from sim.model import MetricsCollector
    fast = OrgModel(load_scenario(None, ["scenario.weeks=6"]), seed=3)
    plain = OrgModel(load_scenario(None, ["scenario.weeks=6"]), seed=3)
    assert type(fast.datacollector) is MetricsCollector
    plain.datacollector = mesa.DataCollector(model_reporters=dict(plain.datacollector.model_reporters))
    fast.run()
    plain.run()
    a, b = fast.datacollector.get_model_vars_dataframe(), plain.datacollector.get_model_vars_dataframe()
    assert list(a.columns) == [*METRICS, "seed"] and len(a) == 6 and (a["seed"] == 3).all()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
