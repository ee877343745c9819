"""Measurements of effect sizes across employees (issue 21, "credible magnitudes"), used by :mod:`sim.validate`.

The research reports leadership effects as correlations across employees: how strongly the leadership a person
experiences goes with their exhaustion, engagement or performance. The model is measured the same way: each
employee's mean over the survey weeks of a run (the respondents: active at least ``min_weeks`` of them), then the
Pearson r across those employees, one r per seed.

**Leadership behaviour experienced** (:func:`leadership_index`) is a constructive-leadership index per employee,
from what the employee received each week: the coaching received, the autonomy given, and the absence of
control (control = (1 - autonomy + monitoring + approval) / 3, ODD §7.2)::

    leadership = (coaching_received + autonomy + (1 - control)) / 3          in [0, 1]

It stands for what questionnaires of constructive leadership (transformational, autonomy-supportive, coaching;
Pletzer, Breevaart & Bakker 2024 pool them as "constructive") ask followers to rate: support and development
(coaching), empowerment (autonomy) and the absence of close control. Autonomy enters both directly and through
control, so that a manager who grants autonomy but watches every step still scores as controlling.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# per-employee fields collected over the survey weeks (means), and the derived index
PERSON_FIELDS = ("output", "exhaustion", "engagement", "motivation", "coaching_received", "autonomy", "control")
DERIVED = ("leadership",)
CORRELATES = PERSON_FIELDS + DERIVED


def leadership_index(coaching_received, autonomy, control):
    """Constructive leadership experienced: ``(coaching_received + autonomy + (1 - control)) / 3``."""
    return (np.asarray(coaching_received, float) + np.asarray(autonomy, float) + 1.0 - np.asarray(control, float)
            ) / 3.0


def with_derived(per: pd.DataFrame) -> pd.DataFrame:
    """The employees' means with the derived columns (:data:`DERIVED`) added."""
    out = per.copy()
    out["leadership"] = leadership_index(per["coaching_received"], per["autonomy"], per["control"])
    return out


def person_correlation(per: pd.DataFrame, x: str, y: str, min_weeks: int = 1) -> float:
    """Pearson r between ``x`` and ``y`` across the employees of one run active at least ``min_weeks`` of the
    survey weeks (their means over those weeks); NaN with fewer than 3 of them or no spread."""
    df = with_derived(per)
    df = df.loc[df["weeks_active"] >= min_weeks]
    a, b = df[x].to_numpy(float), df[y].to_numpy(float)
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])
