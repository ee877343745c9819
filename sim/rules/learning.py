"""Learning and initiative.

Competence grows with practice on real decisions, with coaching, and with intelligent failures in safe teams
(Edmondson 1999: safety -> learning behaviour); it stalls under tight control, where decisions are kept by the
manager. Initiative follows the perceived link between one's own actions and outcomes: learned helplessness
(Seligman & Maier 1967; Maier & Seligman 2016) when the manager overrides and takes over.
"""

from __future__ import annotations


import numpy as np

from .common import approach, clip01


def taken_share(taken, demand):
    """Share of one's work the manager took over: ``taken / demand`` (0 with no work)."""
    return np.where(demand > 0, taken / np.maximum(demand, 1e-9), 0.0)


def practice(autonomy, work_share, taken_over_share):
    """Practice on real decisions: ``autonomy * work_share * (1 - taken_over_share)``."""
    return autonomy * work_share * (1 - taken_over_share)


def learn(competence, learning_rate, speed, practice_, coaching_received, coaching_effect, intelligent_rate,
          safety):
    """Step 5: competence growth.

        dC = speed * 2 * learning_rate * (1 - C) * (0.2 + practice + coaching_effect * coaching_received
                                                    + 3 * intelligent_rate * safety)
    ``0.2`` is the learning from routine work done under instruction (so tight control slows, not stops,
    learning); ``intelligent_rate`` is intelligent failures per task. The result stays in [0, 1].
    """
    gain = speed * 2 * learning_rate * (1 - competence) * (
        0.2 + practice_ + coaching_effect * coaching_received + 3 * intelligent_rate * safety)
    return clip01(competence + gain)


def update_initiative(initiative, autonomy, taken_over_share, approval):
    """Step 5b: initiative / perceived control over outcomes (learned helplessness).

    ``contingency = autonomy * (1 - taken_over_share) * (1 - 0.5 approval)``; initiative approaches
    ``0.15 + 0.85 * contingency`` at 0.04 a week when rising and 0.06 when falling (passivity is the default;
    control must be learned).
    """
    contingency = autonomy * (1 - taken_over_share) * (1 - 0.5 * approval)
    return clip01(approach(initiative, 0.15 + 0.85 * contingency, 0.04, 1.5))
