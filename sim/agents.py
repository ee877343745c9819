"""Mesa agents: the faces of the vectorised state.

The state of every person lives in numpy arrays on the model (``model.state``), so a week is computed for all
agents at once. ``Employee`` and ``Manager`` are thin Mesa agents that read (and, for experiments, write) that
state: ``employee.competence``, ``employee.trust_in_manager``, ``manager.trust_in(employee)``.
"""

from __future__ import annotations

import mesa
import numpy as np

from .state import EMPLOYEE_VARS, INT_VARS, STATUS_NAMES


class Employee(mesa.Agent):
    """An employee in a position (slot). A leaver is removed; a new hire is a new agent in the same slot (both
    when the agents are next looked at, as is the starting team: :class:`AgentFaces`)."""

    def __init__(self, model, slot: int):
        super().__init__(model)
        self.slot = int(slot)

    @property
    def team(self) -> int:
        return int(self.model.org.team[self.slot])

    @property
    def manager(self) -> "Manager | None":
        """The team lead's agent (``None`` only after the model's ``remove_all_agents``)."""
        return self.model.managers_list[self.team]

    @property
    def status(self) -> str:
        return STATUS_NAMES[int(self.model.state.status[self.slot])]

    @property
    def style(self) -> str:
        """Hersey-Blanchard style the manager actually used with this employee last week (S1..S4), read from
        the autonomy granted and the coaching given (see :func:`sim.policies.style_used`)."""
        return f"S{int(self.model.state.style[self.slot]) + 1}"

    @property
    def readiness(self) -> str:
        """Hersey-Blanchard readiness level R1..R4 (competence x commitment) last week."""
        return f"R{int(self.model.state.readiness_level[self.slot]) + 1}"

    def __repr__(self) -> str:
        return f"Employee(id={self.unique_id}, slot={self.slot}, team={self.team}, {self.status})"


def _employee_property(name: str):
    cast = int if name in INT_VARS else float

    def get(self):
        return cast(getattr(self.model.state, name)[self.slot])

    def set_(self, value):
        getattr(self.model.state, name)[self.slot] = value

    return property(get, set_, doc=f"{name} of this employee (view on model.state.{name})")


for _name in EMPLOYEE_VARS:
    setattr(Employee, _name, _employee_property(_name))


class Manager(mesa.Agent):
    """A team's manager: policy knobs, time budget, strain, and trust in each employee."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def policy(self) -> str:
        return self.model.knobs[self.index].name

    @property
    def knobs(self):
        return self.model.knobs[self.index]

    def trust_in(self, employee: Employee) -> float:
        """The manager's trust in ``employee`` (Mayer et al.: ABI perceptions + propensity)."""
        return float(self.model.state.manager_trust[employee.slot])

    def perceptions_of(self, employee: Employee) -> dict[str, float]:
        s = self.model.state
        return {"ability": float(s.m_ability[employee.slot]), "benevolence": float(s.m_benevolence[employee.slot]),
                "integrity": float(s.m_integrity[employee.slot])}

    @property
    def employees(self) -> list[Employee]:
        return [e for e in self.model.employees_at if e is not None and e.team == self.index]

    @property
    def strain(self) -> float:
        return float(self.model.mstate.strain[self.index])

    @property
    def extra_control(self) -> float:
        """Control taken back under pressure (0..1), on top of the policy."""
        return float(self.model.mstate.extra_control[self.index])

    @property
    def insecurity(self) -> float:
        return float(self.model.mstate.insecurity[self.index])

    @property
    def level(self) -> int:
        return 1

    @property
    def boss(self):
        """This team lead's own manager (a :class:`SeniorManager`), or None with one management level."""
        b = int(self.model.org.team_boss[self.index])
        return self.model.senior_list[b] if b >= 0 else None

    @property
    def trust_in_boss(self) -> float:
        return float(self.model.mstate.trust_in_boss[self.index])

    @property
    def hours(self) -> dict[str, float]:
        """Last week's hours by activity: monitoring (incl. approvals), doing, coaching, vision."""
        ms = self.model.mstate
        return {k: float(getattr(ms, f"hours_{k}")[self.index]) for k in ("monitoring", "doing", "coaching",
                                                                             "vision")}

    def __repr__(self) -> str:
        return f"Manager(id={self.unique_id}, team={self.index}, policy={self.policy})"


class SeniorManager(mesa.Agent):
    """A manager above the team leads (a department manager, the director): leads managers, not teams."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def level(self) -> int:
        return int(self.model.org.senior_level[self.index])

    @property
    def policy(self) -> str:
        return self.model.senior_knobs[self.index].name

    @property
    def reports(self) -> list:
        """The managers reporting directly to this one (team leads or senior managers)."""
        org = self.model.org
        leads = [self.model.managers_list[t] for t in (org.team_boss == self.index).nonzero()[0]]
        seniors = [self.model.senior_list[u] for u in (org.senior_boss == self.index).nonzero()[0]]
        return [a for a in leads + seniors if a is not None]   # None: removed by remove_all_agents

    @property
    def strain(self) -> float:
        return float(self.model.ustate.strain[self.index])

    @property
    def extra_control(self) -> float:
        return float(self.model.ustate.extra_control[self.index])

    def __repr__(self) -> str:
        return f"SeniorManager(id={self.unique_id}, level={self.level}, policy={self.policy})"


class AgentFaces:
    """The employees' Mesa agents of a model (a mixin of :class:`sim.model.OrgModel`), made when anyone looks.

    The starting team's agents, then those of hires, and the removal of leavers' follow when anyone looks at the
    agents (``employees_at``, ``employees``, a manager's ``employees``, Mesa's ``agents``, ``agents_by_type``,
    ``agent_types``, ``remove_all_agents``), when any other agent is made, or at the end of the step if anyone
    subscribed to Mesa's agent signals; in the order they happened, so every agent gets the unique_id it would
    have got at once. The starting team's agents come without signals, as when they were made at set-up, where
    nobody could have subscribed yet. A run that never looks (``orgsim run``, experiments) keeps the state in
    the arrays alone, without Mesa's bookkeeping."""

    def _start_faces(self, n: int) -> None:
        self._employees_at: list[Employee | None] = [None] * n
        self._face_log: list[tuple[bool | None, np.ndarray]] = [(None, np.arange(n))]
        self._replaying = False

    def faces_hired(self, idx) -> None:
        """New people at ``idx``: their agents are made when the agents are next looked at."""
        self._face_log.append((True, idx))

    def faces_left(self, idx) -> None:
        """The people at ``idx`` left: their agents are removed when the agents are next looked at."""
        self._face_log.append((False, idx))

    def _sync_faces(self) -> None:
        log, self._face_log = self._face_log, []
        at = self._employees_at
        self._replaying = True
        try:
            for hired, idx in log:
                if hired is None:            # the starting team
                    with self.suppress():
                        for i in idx.tolist():
                            at[i] = Employee(self, i)
                    continue
                for i in idx.tolist():
                    if hired:
                        at[i] = Employee(self, i)
                    else:
                        agent = at[i]
                        if agent is not None:
                            agent.remove()
                            at[i] = None
        finally:
            self._replaying = False

    def _faces(self) -> None:
        if self.__dict__.get("_face_log"):
            self._sync_faces()

    def sync_faces_for_listeners(self) -> None:
        """At the end of a step: if anyone listens to Mesa's agent signals, the week's agents come now."""
        if self._face_log and any(key[0] == "agents" for key in self.subscribers):
            self._sync_faces()

    def register_agent(self, agent):
        if not self.__dict__.get("_replaying", True):
            self._faces()   # an agent made elsewhere comes after the employees made or hired before it
        super().register_agent(agent)

    @property
    def employees_at(self) -> list[Employee | None]:
        """The employee agent in each position (``None`` where it is vacant)."""
        self._faces()
        return self._employees_at

    @property
    def agents(self):
        self._faces()
        return super().agents

    @property
    def agents_by_type(self):
        self._faces()
        return super().agents_by_type

    @property
    def agent_types(self):
        self._faces()
        return super().agent_types

    def remove_all_agents(self):
        """Mesa's: every agent leaves the model. The faces' lists follow (every position ``None``), so nothing
        removed is still listed; people hired afterwards get new agents, whose manager is then ``None``."""
        self._faces()
        super().remove_all_agents()
        self._employees_at[:] = [None] * len(self._employees_at)
        self.managers_list = [None] * len(self.managers_list)
        self.senior_list = [None] * len(self.senior_list)

    @property
    def employees(self) -> list[Employee]:
        return [e for e in self.employees_at if e is not None]

    @property
    def managers(self) -> list[Manager]:
        return [m for m in self.managers_list if m is not None]
