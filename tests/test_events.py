"""Scenario events: a pressure period, a reorganisation shock, a key person leaving."""

import numpy as np

from sim.model import VACANT, OrgModel
from sim.params import load_scenario, with_updates


def params_with(events, *sets):
    return with_updates(load_scenario(None, list(sets)), events=events)


def run_pair(events, weeks, *sets, seeds=range(1, 6)):
    with_ev = [OrgModel(params_with(events, *sets), seed=s).run(weeks).timeseries() for s in seeds]
    without = [OrgModel(params_with([], *sets), seed=s).run(weeks).timeseries() for s in seeds]
    return sum(with_ev) / len(with_ev), sum(without) / len(without)


def test_pressure_raises_exhaustion_only_from_its_start():
    ev = [{"kind": "pressure", "start": 10, "end": 30, "magnitude": 1.6}]
    a, b = run_pair(ev, 30, "policy.name=coaching")
    # identical before the event (same seed, same draws), higher exhaustion at its end
    assert np.allclose(a.exhaustion[:9], b.exhaustion[:9])
    assert a.exhaustion.iloc[29] > b.exhaustion.iloc[29] + 0.05


def test_reorganisation_hits_trust_and_safety_at_its_start():
    ev = [{"kind": "reorganisation", "start": 20, "end": 30, "magnitude": 2.0}]
    a, b = run_pair(ev, 21, "policy.name=coaching")
    assert np.allclose(a.trust_in_manager[:19], b.trust_in_manager[:19])
    assert a.trust_in_manager.iloc[19] < b.trust_in_manager.iloc[19] - 0.1
    assert a.psych_safety.iloc[19] < b.psych_safety.iloc[19] - 0.05


def test_key_person_leaving_takes_the_most_competent():
    ev = [{"kind": "key_person_leaves", "start": 5, "end": 5, "magnitude": 1}]
    m = OrgModel(params_with(ev, "team.hiring_delay=20", "dynamics.turnover_base=0"), seed=3)
    m.run(4)
    best = int(np.argmax(np.where(m.state.status == 0, m.state.competence, -1)))
    leavers_before = m.leavers
    m.step()
    assert m.state.status[best] == VACANT
    assert m.leavers == leavers_before + 1
    assert m.employees_at[best] is None
