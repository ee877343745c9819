"""Mesa agents: the faces of the vectorised state.

The state of every person lives in numpy arrays on the model (``model.state``), so a week is computed for all
agents at once. ``Employee`` and ``Manager`` are thin Mesa agents that read (and, for experiments, write) that
state: ``employee.competence``, ``employee.trust_in_manager``, ``manager.trust_in(employee)``.
"""

from __future__ import annotations

import mesa

STATUS_NAMES = ("active", "absent", "vacant")

# Employee state variables exposed as attributes (all floats in [0, 1] unless noted).
EMPLOYEE_VARS = (
    "competence", "motivation", "trust_in_manager", "ability_p", "benevolence_p", "integrity_p",
    "engagement", "exhaustion", "cynicism", "efficacy", "initiative", "safety",
    "tenure",  # weeks
    "trust_propensity", "resilience", "learning_rate", "workload_share",  # traits (workload_share: > 0, mean 1)
    "autonomy", "monitoring", "approval", "coaching_received", "control", "output", "success_rate",
    "manager_trust", "m_ability", "m_benevolence", "m_integrity",  # the manager's view of this employee
    "hidden_backlog", "burnout_count",  # counts: hidden failures not yet surfaced; weeks of sustained burnout
)
INT_VARS = ("tenure", "hidden_backlog", "burnout_count")


class Employee(mesa.Agent):
    """An employee in a position (slot). A leaver is removed; a new hire is a new agent in the same slot (both
    when the agents are next looked at, as is the starting team: :meth:`sim.model.OrgModel._sync_faces`)."""

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
        return float(self.model.mstate.boost[self.index])

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
        return float(self.model.ustate.boost[self.index])

    def __repr__(self) -> str:
        return f"SeniorManager(id={self.unique_id}, level={self.level}, policy={self.policy})"
