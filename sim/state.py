"""The state of the model, each field listed once: employees (one entry per position), team leads (one per team)
and the managers above them (one each), and the status codes of a position.

Everything else is derived from these lists: the state classes below, the attributes of the Mesa agents
(:mod:`sim.agents`), the columns of ``agents.csv``, and the bundles the weekly loops read and write
(:meth:`Arrays.bundle`, a named tuple of plain arrays that numba compiles against).
"""

from __future__ import annotations

import sys
from collections import namedtuple

import numpy as np

# the status of a position (``EMPLOYEE`` field ``status``), and its names in agents.csv
ACTIVE, ABSENT, VACANT = 0, 1, 2
STATUS_NAMES = ("active", "absent", "vacant")

F, I = np.float64, np.int64
# (name, dtype, on the agent, description). "On the agent": an attribute of the Mesa agent and a column of
# agents.csv, in this order; the others are bookkeeping.
EMPLOYEE = (
    ("competence", F, True, "skill relative to the work (0-1)"),
    ("motivation", F, True, "autonomous motivation (SDT, 0-1)"),
    ("trust_in_manager", F, True, "trust in the team lead (Mayer-Davis-Schoorman, 0-1)"),
    ("ability_p", F, True, "the manager's ability as perceived (0-1)"),
    ("benevolence_p", F, True, "the manager's benevolence as perceived (0-1)"),
    ("integrity_p", F, True, "the manager's integrity as perceived (0-1)"),
    ("engagement", F, True, "work engagement (JD-R, 0-1)"),
    ("exhaustion", F, True, "emotional exhaustion (Maslach, 0-1)"),
    ("cynicism", F, True, "cynicism (Maslach, 0-1)"),
    ("efficacy", F, True, "professional efficacy (Maslach, 0-1)"),
    ("initiative", F, True, "initiative: perceived control over outcomes (0-1)"),
    ("safety", F, True, "psychological safety as felt (Edmondson, 0-1)"),
    ("tenure", I, True, "weeks in the organisation"),
    ("trust_propensity", F, True, "trait: propensity to trust (0-1)"),
    ("resilience", F, True, "trait: resilience (0-1)"),
    ("learning_rate", F, True, "trait: speed of learning (0-1)"),
    ("workload_share", F, True, "trait: share of the team's work (> 0, mean 1)"),
    ("affectivity", F, True, "trait: positive affectivity, the disposition behind engagement (0-1)"),
    ("private_load", F, True, "demands outside work net of recovery, relative to the average (mean 0)"),
    ("autonomy", F, True, "autonomy granted last week (0-1)"),
    ("monitoring", F, True, "monitoring received last week (0-1)"),
    ("approval", F, True, "share of tasks needing approval last week (0-1)"),
    ("coaching_received", F, True, "coaching received last week (0-1)"),
    ("control", F, True, "control experienced last week (0-1)"),
    ("output", F, True, "work delivered last week (normal-week units, >= 0)"),
    ("success_rate", F, True, "share of last week's tasks that succeeded"),
    ("manager_trust", F, True, "the manager's trust in this employee (0-1)"),
    ("m_ability", F, True, "this employee's ability as the manager perceives it (0-1)"),
    ("m_benevolence", F, True, "this employee's benevolence as the manager perceives it (0-1)"),
    ("m_integrity", F, True, "this employee's integrity as the manager perceives it (0-1)"),
    ("hidden_backlog", I, True, "hidden failures not yet surfaced (count)"),
    ("burnout_count", I, True, "weeks of sustained burnout in a row"),
    ("style", I, False, "Hersey-Blanchard style used last week, S1..S4 as 0..3"),
    ("readiness_level", I, False, "readiness R1..R4 as 0..3"),
    ("status", I, False, "ACTIVE, ABSENT (sick leave) or VACANT"),
    ("weeks_left", I, False, "weeks of sick leave or vacancy remaining"),
    ("leave_weeks", I, False, "length of the current sick leave so far"),
)
MANAGER = (   # team leads, one entry per team
    ("extra_control", F, "control taken back under pressure, on top of the policy (0-1)"),
    ("prev_extra_control", F, "last week's extra control"),
    ("strain", F, "the manager's strain (0-1)"),
    ("insecurity", F, "trait: insecurity (0-1)"),
    ("competence", F, "the manager's competence (0-1)"),
    ("propensity", F, "trait: propensity to trust (0-1)"),
    ("resilience", F, "trait: resilience (0-1)"),
    ("hours", F, "contract hours a week"),
    ("hours_monitoring", F, "last week's hours on monitoring and approvals"),
    ("hours_doing", F, "last week's hours doing the team's work"),
    ("hours_coaching", F, "last week's hours coaching"),
    ("hours_vision", F, "last week's hours on vision and frameworks"),
    ("hours_total", F, "last week's hours in all"),
    ("team_output", F, "last week's output per position"),
    ("perceived_output", F, "output as the manager sees it (exponential average)"),
    ("orphan_backlog", I, "hidden failures of people who left, not yet surfaced"),
    ("frameworks_effective", F, "frameworks in effect last week (0-1)"),
    ("pressure", F, "control received from their own manager"),
    ("support", F, "support received from their own manager"),
    ("trust_in_boss", F, "trust in their own manager (0-1)"),
)
SENIOR = (    # managers above the team leads, one entry each
    ("extra_control", F, "control taken back under pressure, on top of the policy (0-1)"),
    ("strain", F, "the manager's strain (0-1)"),
    ("insecurity", F, "trait: insecurity (0-1)"),
    ("resilience", F, "trait: resilience (0-1)"),
    ("perceived_output", F, "the unit's output as the manager sees it"),
    ("unit_output", F, "output per position of all teams under them"),
    ("pressure", F, "control received from their own manager"),
    ("support", F, "support received from their own manager"),
    ("trust_in_boss", F, "trust in their own manager (0-1)"),
    ("control_down", F, "control they exert on the managers below"),
    ("support_down", F, "support they give the managers below"),
)

EMPLOYEE_VARS = tuple(name for name, _, agent, _ in EMPLOYEE if agent)   # agent attributes, agents.csv columns
INT_VARS = tuple(name for name, dtype, agent, _ in EMPLOYEE if agent and dtype is I)


class Arrays:
    """A state: one numpy array per field, all of one length. Fields may be replaced (by arrays, lists, views);
    :meth:`bundle` hands the loops plain arrays (C-contiguous, writeable, of the field's dtype; a replaced field
    is copied once) in a named tuple, which the loops update in place."""

    FIELDS: tuple = ()
    _dtypes: dict
    _Bundle: type

    def __init_subclass__(cls):
        cls._dtypes = {f[0]: f[1] for f in cls.FIELDS}
        # the bundle's class, a name of this module (numba types the compiled loops by it, and finds their cached
        # code again in a new process only for a class it can import by name)
        name = cls.__name__ + "Bundle"
        cls._Bundle = namedtuple(name, list(cls._dtypes), module=cls.__module__)
        setattr(sys.modules[cls.__module__], name, cls._Bundle)

    def __init__(self, size: int):
        self.__dict__["size"] = size
        for name, dtype in self._dtypes.items():
            self.__dict__[name] = np.zeros(size, dtype=dtype)
        self.__dict__["_bundle"] = None

    def __setattr__(self, name, value):
        self.__dict__["_bundle"] = None
        object.__setattr__(self, name, value)

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(cls._dtypes)

    def bundle(self):
        """The fields as plain arrays in a named tuple (the same one while no field is replaced)."""
        b = self.__dict__["_bundle"]
        if b is not None:
            return b
        for name, dtype in self._dtypes.items():
            a = self.__dict__[name]
            if not (isinstance(a, np.ndarray) and a.flags.c_contiguous and a.flags.writeable and a.dtype == dtype):
                self.__dict__[name] = np.array(a, dtype=dtype)
        b = self.__dict__["_bundle"] = self._Bundle(*(self.__dict__[n] for n in self._dtypes))
        return b


class EmployeeState(Arrays):
    """Every position's state (:data:`EMPLOYEE`)."""
    FIELDS = EMPLOYEE


class ManagerState(Arrays):
    """Every team lead's state (:data:`MANAGER`)."""
    FIELDS = MANAGER


class SeniorState(Arrays):
    """The state of every manager above the team leads (:data:`SENIOR`)."""
    FIELDS = SENIOR
