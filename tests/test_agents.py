"""Mesa agents are the faces of the vectorised state: reading, writing, leaving and hiring."""

import numpy as np

from sim.agents import Employee
from sim.model import ABSENT, ACTIVE, VACANT, OrgModel
from sim.org import build_org
from sim.params import load_scenario


def test_agents_are_views_on_the_state_arrays():
    m = OrgModel(load_scenario(None, ["team.teams=2", "team.size=5"]), seed=2)
    assert len(m.employees) == 10 and len(m.managers) == 2
    assert len(m.agents) == 12  # Mesa's AgentSet holds both kinds
    e = m.employees[7]
    assert e.competence == m.state.competence[e.slot]
    e.competence = 0.123
    assert m.state.competence[e.slot] == 0.123
    assert e.team == 1 and e.manager is m.managers[1]
    assert e in e.manager.employees and len(e.manager.employees) == 5
    assert m.managers[1].trust_in(e) == m.state.manager_trust[e.slot]
    assert set(m.managers[0].perceptions_of(e)) == {"ability", "benevolence", "integrity"}
    assert e.status == "active"


def test_manager_face_after_a_week():
    m = OrgModel(load_scenario(None, ["policy.name=controlling"]), seed=1)
    m.step()
    mgr = m.managers[0]
    assert mgr.policy == "controlling"
    hours = mgr.hours
    assert set(hours) == {"monitoring", "doing", "coaching", "vision"}
    assert abs(sum(hours.values()) - m.metrics["manager_hours"]) < 1e-9
    assert 0 <= mgr.strain <= 1 and 0 <= mgr.extra_control <= 1
    assert isinstance(m.employees[0].style, str) and m.employees[0].style in {"S1", "S2", "S3", "S4"}


def test_leavers_are_removed_and_hires_are_new_agents():
    # a miserable workplace with short hiring delay: people leave and are replaced
    params = load_scenario(None, ["policy.name=controlling", "dynamics.turnover_base=0.05", "team.hiring_delay=2"])
    m = OrgModel(params, seed=4)
    first_ids = {e.unique_id for e in m.employees}
    m.run(60)
    assert m.leavers > 0
    ids_now = {e.unique_id for e in m.employees}
    assert ids_now - first_ids, "replacements must be new agents"
    s = m.state
    employed = np.flatnonzero(s.status != VACANT)
    assert sorted(e.slot for e in m.employees) == sorted(employed.tolist())
    assert len(m.agents) == len(m.employees) + len(m.managers)
    for e in m.employees:
        assert e.status in ("active", "absent")
    # a new hire starts with no tenure advantage and the hire competence
    newest = max(m.employees, key=lambda a: a.unique_id)
    assert newest.tenure < 60



def _faces(m):
    return [(i, e.unique_id) for i, e in enumerate(m.employees_at) if e is not None]


def test_agents_follow_hires_and_leavers_whenever_they_are_looked_at():
    """The employees' Mesa agents follow hires and leavers when looked at (not during a step that nobody
    watches): looked at every week or only at the end, the same agents, with the same unique ids, sit in the
    same positions; Mesa's AgentSet holds exactly them and the managers; every view brings them up to date."""
    params = load_scenario(None, ["policy.name=controlling", "dynamics.turnover_base=0.05", "team.hiring_delay=1"])
    watched, unwatched = OrgModel(params, seed=5), OrgModel(params, seed=5)
    for week in range(40):
        watched.step()
        unwatched.step()
        seen = _faces(watched)   # looking every week
        employed = np.flatnonzero(watched.state.status != VACANT)
        assert [i for i, _ in seen] == employed.tolist()
    assert watched.leavers > 5 and unwatched._face_log   # churn happened, and nobody looked at `unwatched`
    assert len(unwatched.agents) == len(watched.agents)  # Mesa's view brings them up to date
    assert _faces(unwatched) == _faces(watched)
    assert set(unwatched.agents) == set(unwatched.employees) | set(unwatched.managers)
    again = OrgModel(params, seed=5)
    again.run(40)
    assert len(again.agents_by_type[Employee]) == len(watched.employees)   # agents_by_type too
    again2 = OrgModel(params, seed=5)
    again2.run(40)
    team0 = again2.managers[0].employees   # and a manager's view of their team
    assert [e.unique_id for e in team0] == [e.unique_id for e in watched.managers[0].employees]


def test_mesa_agent_signals_come_with_every_week():
    """Someone subscribed to Mesa's agent signals gets every hire and leaver in the week it happens."""
    from mesa.experimental.mesa_signals.signal_types import ModelSignals
    params = load_scenario(None, ["policy.name=controlling", "dynamics.turnover_base=0.05", "team.hiring_delay=1"])
    m = OrgModel(params, seed=5)
    added, removed = [], []

    def on_added(signal):   # kept here: Mesa holds its handlers by weak reference
        added.append(m.week)

    def on_removed(signal):
        removed.append(m.week)

    m.observe("agents", ModelSignals.AGENT_ADDED, on_added)
    m.observe("agents", ModelSignals.AGENT_REMOVED, on_removed)
    for week in range(1, 41):
        before = m.leavers
        m.step()
        assert not m._face_log                                   # nothing left to follow at the week's end
        assert removed.count(week) == m.leavers - before         # this week's leavers, this week
    assert len(removed) == m.leavers > 5
    assert len(added) > 0 and set(added) <= set(range(1, 41))
    # only hires are announced: the starting team's agents were made before anyone could subscribe
    assert len(added) == len(m.employees) - m.org.n_positions + m.leavers


def test_the_starting_teams_agents_have_the_ids_of_agents_made_at_once_even_after_another_agent():
    """The employees' agents are made when first looked at, but with the ids they would have had if made in
    the model's __init__ (after the managers); an agent made before anyone looked comes after them."""
    import mesa
    params = load_scenario(None, ["team.teams=3", "team.size=4", "org.levels=2", "org.span=2"])
    m = OrgModel(params, seed=1)
    managers = len(m.managers) + m.org.n_senior
    other = mesa.Agent(m)                                   # nobody has looked at the employees yet
    ids = [e.unique_id for e in m.employees_at]
    assert ids == list(range(managers + 1, managers + 13)) and other.unique_id == managers + 13
    assert [e.slot for e in m.employees_at] == list(range(12))
    assert set(m.agents) == set(m.employees) | set(m.managers) | set(m.senior_list) | {other}


def test_remove_all_agents_leaves_no_stale_faces_and_later_hires_get_new_ones():
    """After Mesa's remove_all_agents nothing removed is still listed (employees, managers, seniors); the model
    steps on, and people hired afterwards get agents of their own (without a manager's agent)."""
    params = load_scenario(None, ["team.teams=3", "team.size=4", "org.levels=2", "org.span=2",
                                  "policy.name=controlling", "dynamics.turnover_base=0.05"])
    m = OrgModel(params, seed=3, record_agents=True)
    m.run(5)
    gone = set(m.agents)
    m.remove_all_agents()
    assert len(m.agents) == 0 and m.employees == [] and m.managers == []
    assert all(e is None for e in m.employees_at) and all(s is None for s in m.senior_list)
    before = m.leavers
    m.run(15)   # long enough for leavers and hires, short enough that some of the people without an agent remain
    assert m.leavers > before                                   # people left and were replaced meanwhile
    hired = m.employees
    assert hired and not (set(hired) & gone) and set(m.agents) == set(hired)
    assert all(m.state.status[e.slot] != VACANT and e.manager is None for e in hired)
    last = m.agent_records[-1]   # the agents' table goes on: people without an agent have id -1
    ids = dict(zip(last["slot"].tolist(), last["agent_id"].tolist()))
    assert {ids[e.slot] for e in hired} == {e.unique_id for e in hired}
    assert -1 in ids.values() and all(ids[i] == -1 for i in ids if m.employees_at[i] is None)


def test_org_graph_has_reporting_lines_and_peer_ties():
    rng = np.random.default_rng(0)
    org = build_org(rng, n_teams=3, team_size=6, peer_density=0.5, cross_density=0.1)
    g = org.graph
    assert g.number_of_nodes() == 18 + 3
    reports = [(u, v) for u, v, d in g.edges(data=True) if d["tie"] == "reports"]
    assert len(reports) == 18
    for u, v in reports:
        mgr, emp = (u, v) if g.nodes[u]["kind"] == "manager" else (v, u)
        assert g.nodes[emp]["team"] == g.nodes[mgr]["team"]
    peers = [(u, v) for u, v, d in g.edges(data=True) if d["tie"] == "peer"]
    within = sum(org.team[u] == org.team[v] for u, v in peers)
    assert within > 0 and len(peers) - within >= 0
    W = org.peers
    assert (W != W.T).nnz == 0 and W.diagonal().sum() == 0
    assert W.sum() == 2 * len(peers)


def _graph_agrees_with_the_arrays(org):
    g = org.graph
    n, m = org.n_positions, org.n_teams
    assert g.number_of_nodes() == n + m + org.n_senior
    assert [g.nodes[i]["team"] for i in range(n)] == org.team.tolist()
    assert all(g.nodes[n + t] == {"kind": "manager", "team": t, "level": 1} for t in range(m))
    assert [g.nodes[n + m + u]["level"] for u in range(org.n_senior)] == org.senior_level.tolist()
    reports = {frozenset(e) for *e, tie in g.edges(data="tie") if tie == "reports"}
    want = {frozenset((n + int(org.team[i]), i)) for i in range(n)}
    want |= {frozenset((n + m + int(b), n + t)) for t, b in enumerate(org.team_boss) if b >= 0}
    want |= {frozenset((n + m + int(b), n + m + u)) for u, b in enumerate(org.senior_boss) if b >= 0}
    assert reports == want
    peers = {frozenset(e) for *e, tie in g.edges(data="tie") if tie == "peer"}
    W = org.peers.tocoo()
    assert peers == {frozenset((int(a), int(b))) for a, b in zip(W.row, W.col)} and len(peers) == W.nnz // 2
    assert org.graph is g                                       # built once


def test_the_org_graph_is_built_when_first_looked_at_and_agrees_with_the_arrays():
    """The networkx graph is a face for students and tools; the model runs on the arrays and never builds it
    (at 10,000 positions it was four fifths of the set-up). Built on first use, it says what the arrays say,
    for one organisation of several levels and for a batch of them side by side."""
    params = load_scenario(None, ["team.teams=12", "team.size=5", "org.levels=3", "org.span=3",
                                  "team.cross_team_density=0.05"])
    for model in (OrgModel(params, seed=4), OrgModel(params, seeds=[4, 5, 6])):
        model.run(3)
        assert model.org._graph is None
        _graph_agrees_with_the_arrays(model.org)
    batch = OrgModel(params, seeds=[4, 5, 6])
    one = OrgModel(params, seed=5).org.graph                       # the batch's second block is this run
    n, m, u = batch.org.parts[0].n_positions, batch.org.parts[0].n_teams, batch.org.parts[0].n_senior
    g = batch.org.graph
    N, T = batch.org.n_positions, batch.org.n_teams
    assert g.nodes[N + T + u]["level"] == one.nodes[n + m]["level"]   # senior 0 of block 1
    assert g.nodes[n + 1]["team"] == one.nodes[1]["team"] + m         # team labels are global


def test_dense_within_sparse_across():
    rng = np.random.default_rng(1)
    org = build_org(rng, n_teams=10, team_size=10, peer_density=0.6, cross_density=0.01)
    W = org.peers.tocoo()
    same = org.team[W.row] == org.team[W.col]
    within_density = same.sum() / (10 * 10 * 9)
    across_density = (~same).sum() / (100 * 90)
    assert within_density > 10 * across_density


def test_status_codes_cover_everyone_each_week():
    m = OrgModel(load_scenario(None, ["policy.name=controlling", "work.workload=2.0"]), seed=5)
    seen = set()
    for _ in range(104):
        m.step()
        s = m.state.status
        assert ((s == ACTIVE) | (s == ABSENT) | (s == VACANT)).all()
        assert m.metrics["headcount"] == int((s == ACTIVE).sum())
        seen |= set(s.tolist())
    assert seen == {ACTIVE, ABSENT, VACANT}, "an overloaded, micromanaged team sees sick leave and vacancies"


def test_situational_manager_matches_style_to_readiness_others_do_not():
    """Hersey-Blanchard: under `situational` the style used (from autonomy and coaching) follows readiness;
    a micromanager directs everyone (S1) and a hands-off manager delegates to everyone (S4)."""
    def match_share(policy):
        m = OrgModel(load_scenario(None, [f"policy.name={policy}", "team.competence_spread=0.25"]), seed=2)
        hits = total = 0
        styles = set()
        for _ in range(30):
            m.step()
            a = m.state.status == ACTIVE
            hits += int((m.state.style[a] == m.state.readiness_level[a]).sum())
            total += int(a.sum())
            styles |= {e.style for e in m.employees if e.status == "active"}
        return hits / total, styles
    share, styles = match_share("situational")
    assert share > 0.8 and len(styles) >= 2
    assert match_share("controlling")[1] == {"S1"}
    assert match_share("delegating")[1] == {"S4"}
    e = OrgModel(load_scenario(None), seed=1).run(2).employees[0]
    assert e.readiness in {"R1", "R2", "R3", "R4"}
