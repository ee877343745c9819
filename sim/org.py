"""The organisation as a networkx graph: reporting lines and peer ties.

Nodes ``0 .. N-1`` are employee positions (slots), nodes ``N .. N+M-1`` the managers (one per team). Edges
carry ``tie="reports"`` (manager -> employee, the reporting line) or ``tie="peer"`` (colleagues: dense within a
team, sparse across teams). The peer ties are also returned as a sparse adjacency matrix for the vectorised
rules. Room for more levels later: a manager node may itself report to another manager node.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp


@dataclass
class Org:
    graph: nx.Graph
    team: np.ndarray          # team (= manager index) of each position
    peers: sp.csr_array       # symmetric 0/1 peer adjacency over positions
    n_positions: int
    n_teams: int

    def manager_node(self, m: int) -> int:
        return self.n_positions + m


def _pairs_within(rng, members: np.ndarray, p: float) -> np.ndarray:
    n = len(members)
    if n < 2 or p <= 0:
        return np.empty((0, 2), dtype=np.int64)
    i, j = np.triu_indices(n, k=1)
    keep = rng.random(len(i)) < p
    return np.column_stack([members[i[keep]], members[j[keep]]])


def _pairs_across(rng, team: np.ndarray, p: float) -> np.ndarray:
    n = len(team)
    sizes = np.bincount(team)
    n_cross = (n * n - int((sizes**2).sum())) // 2
    if n_cross <= 0 or p <= 0:
        return np.empty((0, 2), dtype=np.int64)
    k = rng.binomial(n_cross, p)
    if k == 0:
        return np.empty((0, 2), dtype=np.int64)
    # draw candidate pairs, keep those across teams, drop duplicates; top up until k distinct pairs
    out = set()
    while len(out) < k:
        a = rng.integers(0, n, size=2 * (k - len(out)) + 8)
        b = rng.integers(0, n, size=len(a))
        ok = team[a] != team[b]
        for x, y in zip(np.minimum(a, b)[ok], np.maximum(a, b)[ok]):
            out.add((int(x), int(y)))
            if len(out) >= k:
                break
    return np.array(sorted(out), dtype=np.int64).reshape(-1, 2)


def build_org(rng, n_teams: int, team_size: int, peer_density: float, cross_density: float) -> Org:
    """Build ``n_teams`` teams of ``team_size`` positions, each led by one manager."""
    n = n_teams * team_size
    team = np.repeat(np.arange(n_teams), team_size)
    within = [_pairs_within(rng, np.arange(t * team_size, (t + 1) * team_size), peer_density)
              for t in range(n_teams)]
    pairs = np.vstack(within + [_pairs_across(rng, team, cross_density)])
    g = nx.Graph()
    g.add_nodes_from(((i, {"kind": "employee", "team": int(team[i])}) for i in range(n)))
    g.add_nodes_from(((n + m, {"kind": "manager", "team": m}) for m in range(n_teams)))
    g.add_edges_from(((n + int(team[i]), i, {"tie": "reports"}) for i in range(n)))
    g.add_edges_from(((int(a), int(b), {"tie": "peer"}) for a, b in pairs))
    data = np.ones(2 * len(pairs))
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    W = sp.csr_array((data, (rows, cols)), shape=(n, n))
    return Org(graph=g, team=team, peers=W, n_positions=n, n_teams=n_teams)
