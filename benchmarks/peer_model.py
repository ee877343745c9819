"""The speed reference: a plain per-agent Mesa model, written the way Mesa's examples are.

A trivial contagion of three state variables (trust, engagement, burnout) on a small-world network. Each
agent reads its neighbours through ``cell.neighborhood`` in ``step()``; a synchronous ``advance()`` commits;
a DataCollector records three means per step. Nothing here is tuned: it is the idiom orgsim is compared with.
"""

from __future__ import annotations

import networkx as nx
from mesa import DataCollector, Model
from mesa.discrete_space import FixedAgent, Network


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


class Person(FixedAgent):
    def __init__(self, model, cell):
        super().__init__(model)
        self.cell = cell
        r = model.random
        self.competence, self.motivation = r.uniform(0.2, 0.9), r.uniform(0.2, 0.9)
        self.trust, self.engagement, self.burnout = r.uniform(0.3, 0.7), self.motivation, 0.0
        self._next = None

    def step(self):
        nbrs = list(self.cell.neighborhood.agents)
        k = max(len(nbrs), 1)
        pt = sum(a.trust for a in nbrs) / k
        pe = sum(a.engagement for a in nbrs) / k
        aut, load = self.model.autonomy, self.model.workload
        self._next = (
            _clip01(self.trust + 0.1 * (pt - self.trust) + 0.05 * (self.competence - 0.5) * aut),
            _clip01(self.engagement + 0.2 * (self.motivation * aut + 0.5 * pe + 0.5 * self.trust - self.engagement)
                    - 0.1 * self.burnout),
            _clip01(self.burnout + 0.05 * (load * (1 - aut) - 0.5 * self.engagement)),
        )

    def advance(self):
        self.trust, self.engagement, self.burnout = self._next


class PeerModel(Model):
    def __init__(self, n: int = 10_000, autonomy: float = 0.3, workload: float = 0.6, seed: int = 1):
        super().__init__(rng=seed)
        self.autonomy, self.workload = autonomy, workload
        g = nx.watts_strogatz_graph(n, 8, 0.1, seed=seed)
        self.grid = Network(g, capacity=1, random=self.random, layout=None)
        Person.create_agents(self, n, [self.grid[i] for i in range(n)])
        self.datacollector = DataCollector(model_reporters={
            v: (lambda m, v=v: m.agents.agg(v, lambda xs: sum(xs) / len(xs)))
            for v in ("trust", "engagement", "burnout")})

    def step(self):
        self.agents.do("step")
        self.agents.do("advance")
        self.datacollector.collect(self)
