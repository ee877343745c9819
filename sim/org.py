"""The organisation: reporting lines and peer ties, as arrays for the rules and as a networkx graph.

Nodes ``0 .. N-1`` are employee positions (slots), nodes ``N .. N+M-1`` the team leads (one per team), nodes
``N+M ..`` the senior managers above them (department managers, the director), level by level. Edges carry
``tie="reports"`` (manager -> the person reporting to them) or ``tie="peer"`` (colleagues: dense within a team,
sparse across teams). The rules use the peer ties as a sparse adjacency matrix, and the hierarchy as index
arrays (``team_boss``, ``senior_boss``) and a team-membership matrix per senior manager. The networkx graph
(:attr:`Org.graph`) is built from them when it is first looked at: at 10,000 positions building it took
0.19 s, four fifths of a model's set-up, and the model itself never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp


@dataclass
class Org:
    team: np.ndarray          # team (= team lead index) of each position
    peers: sp.csr_array       # symmetric 0/1 peer adjacency over positions
    n_positions: int
    n_teams: int
    senior_level: np.ndarray = None   # level (2 = just above the team leads) of each senior manager
    team_boss: np.ndarray = None      # senior manager of each team lead, -1 if none (levels = 1)
    senior_boss: np.ndarray = None    # senior manager of each senior manager, -1 for the top
    teams_under: sp.csr_array = None  # senior x team: 1 where the team is (indirectly) under the senior
    pairs: np.ndarray = None          # the peer ties (position, position), in the order they were drawn
    parts: list = None                # a batch (:func:`combine_orgs`): the organisations side by side
    _graph: nx.Graph = field(default=None, init=False, repr=False, compare=False)

    @property
    def graph(self) -> nx.Graph:
        """The organisation as a networkx graph (nodes and edges as the module says), built on first use."""
        if self._graph is None:
            self._graph = _combined_graph(self) if self.parts else _graph_of(self)
        return self._graph

    @property
    def n_senior(self) -> int:
        return len(self.senior_level)

    def manager_node(self, m: int) -> int:
        return self.n_positions + m

    def senior_node(self, u: int) -> int:
        return self.n_positions + self.n_teams + u


def build_hierarchy(n_teams: int, levels: int, span: int):
    """Managers above the team leads: at each level ``ceil(n / span)`` managers over ``span`` consecutive
    managers of the level below; the top level is one manager (the director) over all that remain.

    Returns (senior_level, team_boss, senior_boss, teams_under)."""
    lev, team_boss, senior_boss = [], np.full(n_teams, -1, dtype=np.int64), []
    below = np.arange(n_teams)          # indices of the current level's managers (teams at level 1)
    below_is_team, offset = True, 0
    for level in range(2, levels + 1):
        k = 1 if level == levels else -(-len(below) // span)
        boss = offset + (np.arange(len(below)) * k) // len(below) if k > 1 else np.full(len(below), offset)
        if below_is_team:
            team_boss[:] = boss
        else:
            for child, b in zip(below, boss):
                senior_boss[child] = int(b)
        lev += [level] * k
        senior_boss += [-1] * k
        below, below_is_team, offset = np.arange(offset, offset + k), False, offset + k
    senior_level = np.array(lev, dtype=np.int64)
    senior_boss = np.array(senior_boss, dtype=np.int64)
    # which teams sit under each senior manager (walk each team's chain of bosses)
    rows, cols = [], []
    chain = team_boss.copy()
    while (chain >= 0).any():
        has = chain >= 0
        rows.append(chain[has])
        cols.append(np.flatnonzero(has))
        chain = np.where(has, senior_boss[np.maximum(chain, 0)] if len(senior_boss) else -1, -1)
    if rows:
        r, c = np.concatenate(rows), np.concatenate(cols)
        under = sp.csr_array((np.ones(len(r)), (r, c)), shape=(len(senior_level), n_teams))
    else:
        under = sp.csr_array((0, n_teams))
    return senior_level, team_boss, senior_boss, under


# Above this chance of a tie across teams, the ties are drawn as "every pair except a random few" (the pairs
# left out are drawn as the ties are below it): drawing ties one by one until all but a few are found took time
# without bound (6.8 s for 50 people at 1.0, over a minute for 400). At or below it the draws are those of every
# earlier version, so the shipped scenarios (all at 0.01 or less) keep their numbers.
COMPLEMENT_ABOVE = 0.5


def _draw_cross_codes(rng, team: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct pairs of people in different teams, as codes ``a * n + b`` (``a < b``), in the order first
    drawn: random pairs, those across teams kept, duplicates dropped (first draw wins), topped up until ``k``.
    With ``k`` at most about half the pairs across teams, each round finds most of what is missing."""
    n = len(team)
    codes = np.empty(0, dtype=np.int64)
    while len(codes) < k:
        a = rng.integers(0, n, size=2 * (k - len(codes)) + 8)
        b = rng.integers(0, n, size=len(a))
        ok = team[a] != team[b]
        new = np.minimum(a, b)[ok] * n + np.maximum(a, b)[ok]
        allc = np.concatenate([codes, new])
        _, first = np.unique(allc, return_index=True)
        codes = allc[np.sort(first)][:k]
    return codes


def _all_cross_codes_except(team: np.ndarray, left_out: np.ndarray, cells: int = 1 << 22) -> np.ndarray:
    """Every pair of people in different teams except the codes in ``left_out``, sorted; built a block of people
    at a time (about ``cells`` candidate pairs a block, so the temporary arrays stay small)."""
    n = len(team)
    left_out = np.sort(left_out)
    rows = max(1, cells // max(n, 1))
    others = np.arange(n, dtype=np.int64)
    out = [np.empty(0, dtype=np.int64)]
    for lo in range(0, n, rows):
        first = np.arange(lo, min(lo + rows, n), dtype=np.int64)
        r, b = np.nonzero((team[first][:, None] != team[None, :]) & (first[:, None] < others[None, :]))
        c = first[r] * n + b
        if len(left_out):
            at = np.minimum(np.searchsorted(left_out, c), len(left_out) - 1)
            c = c[left_out[at] != c]
        out.append(c)
    return np.concatenate(out)


def _pairs_across(rng, team: np.ndarray, p: float) -> np.ndarray:
    """Peer ties across teams: each pair of people in different teams is tied with chance ``p``; the number of
    ties is drawn first, then which pairs (at most :data:`COMPLEMENT_ABOVE`: the ties themselves; above it: the
    pairs left out). Time and memory grow with the number of pairs across teams drawn or kept, at any ``p``."""
    n = len(team)
    sizes = np.bincount(team)
    n_cross = (n * n - int((sizes**2).sum())) // 2
    if n_cross <= 0 or p <= 0:
        return np.empty((0, 2), dtype=np.int64)
    k = rng.binomial(n_cross, p)
    if k == 0:
        return np.empty((0, 2), dtype=np.int64)
    if p <= COMPLEMENT_ABOVE:
        codes = np.sort(_draw_cross_codes(rng, team, k))
    else:
        codes = _all_cross_codes_except(team, _draw_cross_codes(rng, team, n_cross - k))
    return np.column_stack([codes // n, codes % n]).astype(np.int64)


def _pairs_all_teams(rng, n_teams: int, size: int, p: float, chunk: int = 1 << 22) -> np.ndarray:
    """Within-team peer pairs of every team (teams are consecutive blocks of ``size``): each pair of members is
    tied with chance ``p``. One uniform per pair, team after team, drawn in blocks of whole teams of about
    ``chunk`` pairs (the same numbers as one draw for all: the temporary arrays stay small however big the
    organisation)."""
    if size < 2 or p <= 0:
        return np.empty((0, 2), dtype=np.int64)
    i, j = np.triu_indices(size, k=1)
    per = max(1, chunk // len(i))   # teams per block
    out = []
    for t0 in range(0, n_teams, per):
        nt = min(per, n_teams - t0)
        keep = (rng.random(nt * len(i)) < p).reshape(nt, len(i))
        t, e = np.nonzero(keep)
        out.append(np.column_stack([(t + t0) * size + i[e], (t + t0) * size + j[e]]).astype(np.int64))
    return np.concatenate(out) if len(out) > 1 else out[0]


def build_org(rng, n_teams: int, team_size: int, peer_density: float, cross_density: float, levels: int = 1,
              span: int = 8) -> Org:
    """Build ``n_teams`` teams of ``team_size`` positions, each led by one team lead, with ``levels - 1``
    levels of senior managers above them (:func:`build_hierarchy`)."""
    n = n_teams * team_size
    team = np.repeat(np.arange(n_teams), team_size)
    pairs = np.vstack([_pairs_all_teams(rng, n_teams, team_size, peer_density),
                       _pairs_across(rng, team, cross_density)])
    senior_level, team_boss, senior_boss, under = build_hierarchy(n_teams, levels, span)
    data = np.ones(2 * len(pairs))
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    W = sp.csr_array((data, (rows, cols)), shape=(n, n))
    return Org(team=team, peers=W, n_positions=n, n_teams=n_teams, senior_level=senior_level,
               team_boss=team_boss, senior_boss=senior_boss, teams_under=under, pairs=pairs)


def _graph_of(org: Org) -> nx.Graph:
    """:attr:`Org.graph` of one organisation: its nodes with their attributes, the reporting lines, then the
    peer ties in the order they were drawn."""
    n, n_teams, team = org.n_positions, org.n_teams, org.team
    g = nx.Graph()
    g.add_nodes_from(((i, {"kind": "employee", "team": int(team[i])}) for i in range(n)))
    g.add_nodes_from(((n + m, {"kind": "manager", "team": m, "level": 1}) for m in range(n_teams)))
    g.add_nodes_from(((n + n_teams + u, {"kind": "senior", "level": int(org.senior_level[u])})
                      for u in range(len(org.senior_level))))
    g.add_edges_from(((n + int(team[i]), i, {"tie": "reports"}) for i in range(n)))
    g.add_edges_from(((n + n_teams + int(b), n + m, {"tie": "reports"}) for m, b in enumerate(org.team_boss)
                      if b >= 0))
    g.add_edges_from(((n + n_teams + int(b), n + n_teams + u, {"tie": "reports"})
                      for u, b in enumerate(org.senior_boss) if b >= 0))
    g.add_edges_from(((int(a), int(b), {"tie": "peer"}) for a, b in org.pairs))
    return g


def _block_offsets(orgs: list[Org]):
    """Where each organisation's positions, teams and senior managers start in a batch (and, last, their
    totals): :func:`combine_orgs`' numbering, block after block."""
    return tuple(np.cumsum([0] + [getattr(o, k) for o in orgs]) for k in ("n_positions", "n_teams", "n_senior"))


def combine_orgs(orgs: list[Org]) -> Org:
    """Several independent organisations side by side as one (a batch of runs): positions, teams and senior
    managers are numbered block after block; no ties between blocks. Node numbering follows :class:`Org`:
    all positions, then all team leads, then all senior managers."""
    if len(orgs) == 1:
        return orgs[0]
    pos, tms, srs = _block_offsets(orgs)
    N, T = int(pos[-1]), int(tms[-1])
    shift = lambda a, off: np.where(a >= 0, a + off, -1)  # noqa: E731
    return Org(team=np.concatenate([o.team + tms[b] for b, o in enumerate(orgs)]),
               peers=sp.block_diag([o.peers for o in orgs], format="csr"), n_positions=N, n_teams=T,
               senior_level=np.concatenate([o.senior_level for o in orgs]),
               team_boss=np.concatenate([shift(o.team_boss, srs[b]) for b, o in enumerate(orgs)]),
               senior_boss=np.concatenate([shift(o.senior_boss, srs[b]) for b, o in enumerate(orgs)]),
               teams_under=sp.block_diag([o.teams_under for o in orgs], format="csr")
               if srs[-1] else sp.csr_array((0, T)), parts=list(orgs))


def _combined_graph(org: Org) -> nx.Graph:
    """:attr:`Org.graph` of a batch: its parts' graphs, renumbered block after block as :func:`combine_orgs`
    numbers them."""
    orgs = org.parts
    pos, tms, srs = _block_offsets(orgs)
    N, T = int(pos[-1]), int(tms[-1])
    g = nx.Graph()
    for b, o in enumerate(orgs):
        n, m = o.n_positions, o.n_teams
        mapping = {i: (int(pos[b]) + i if i < n else N + int(tms[b]) + i - n if i < n + m
                       else N + T + int(srs[b]) + i - n - m) for i in o.graph.nodes}
        g.update(nx.relabel_nodes(o.graph, mapping, copy=True))
        for v in mapping.values():  # team labels are global in the combined graph
            if "team" in g.nodes[v]:
                g.nodes[v]["team"] = int(g.nodes[v]["team"]) + int(tms[b])
    return g
