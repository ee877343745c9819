"""Trust both ways: Mayer, Davis & Schoorman (1995) ability-benevolence-integrity plus propensity.

Trust rests on the trustee's perceived ability, benevolence and integrity and on the trustor's propensity to
trust; integrity weighs most early in a relationship, benevolence grows with time. Losses move trust
``loss_multiplier`` (2-3) times faster than gains (Slovic 1993). Felt trust - being trusted by the leader - is
seen in autonomy given and monitoring withheld (Lester & Brower 2003). A manager who does not monitor observes
less and so updates their trust in an employee more slowly.
"""

from __future__ import annotations

import numpy as np

from .common import approach, clip01


def abi_weights(tenure_weeks):
    """Weights of (ability, benevolence, integrity): integrity early, benevolence growing over a year.

    ``s = min(1, tenure / 52)``; weights ``(0.35, 0.2 + 0.15 s, 0.45 - 0.15 s)``.
    """
    s = np.minimum(1.0, tenure_weeks / 52.0)
    return 0.35, 0.2 + 0.15 * s, 0.45 - 0.15 * s


def combine(ability, benevolence, integrity, propensity, tenure_weeks, propensity_weight=0.25):
    """Trust level implied by ABI perceptions and propensity (Mayer et al. 1995, fig. 1).

    ``T* = w_p propensity + (1 - w_p)(w_A A + w_B B + w_I I)`` with ``w_p = propensity_weight / (1 + tenure/26)``.
    """
    wa, wb, wi = abi_weights(tenure_weeks)
    wp = propensity_weight / (1.0 + tenure_weeks / 26.0)
    return clip01(wp * propensity + (1 - wp) * (wa * ability + wb * benevolence + wi * integrity))


def manager_trust_level(ability, benevolence, integrity, propensity, tenure_weeks, insecurity):
    """Trust level a manager tends to for an employee: ABI + the manager's propensity (:func:`combine`),
    lowered by the manager's insecurity: ``clip(combine(...) - 0.2 insecurity + 0.1)``."""
    return with_insecurity(combine(ability, benevolence, integrity, propensity, tenure_weeks), insecurity)


def with_insecurity(level, insecurity):
    """An insecure manager trusts less: ``clip(level - 0.2 insecurity + 0.1)`` (also a new employee's starting
    trust, with the manager's propensity as ``level``)."""
    return clip01(level - 0.2 * insecurity + 0.1)


def starting_ability_view(propensity, competence):
    """Initialization: the manager's first view of a newcomer's ability, halfway between their own trust
    propensity and the newcomer's competence, ``clip(0.5 propensity + 0.5 competence)`` (before evidence,
    propensity weighs heavily: Mayer, Davis & Schoorman 1995)."""
    return clip01(0.5 * propensity + 0.5 * competence)


def felt_trust(autonomy, monitoring):
    """Felt trust: ``0.6 autonomy + 0.4 (1 - monitoring)``."""
    return clip01(0.6 * autonomy + 0.4 * (1 - monitoring))


def employee_perceptions(manager_competence, frameworks, manager_strain, coaching_received, blame_event,
                         felt, consistency, blame):
    """Step 7a: targets of the employee's ABI perceptions of the manager.

        ability     = 0.55 mgr_competence + 0.35 frameworks + 0.1 - 0.3 mgr_strain
        benevolence = 0.35 coaching_received + 0.35 felt_trust + 0.3 (1 - blame_event)
        integrity   = 0.3 + 0.35 frameworks + 0.2 (1 - blame) + 0.15 consistency
    """
    ability = clip01(0.55 * manager_competence + 0.35 * frameworks + 0.1 - 0.3 * manager_strain)
    benevolence = clip01(0.35 * coaching_received + 0.35 * felt + 0.3 * (1 - blame_event))
    integrity = clip01(0.3 + 0.35 * frameworks + 0.2 * (1 - blame) + 0.15 * consistency)
    return ability, benevolence, integrity


def manager_perceptions(success_rate, engagement, initiative, surfaced_hidden):
    """Step 7b: targets of the manager's ABI perceptions of an employee, from what the manager sees.

        ability     = success_rate
        benevolence = 0.5 engagement + 0.5 initiative
        integrity   = 0.8 - 0.6 min(1, surfaced_hidden)        (hidden failures found out)
    """
    return clip01(success_rate), clip01(0.5 * engagement + 0.5 * initiative), clip01(
        0.8 - 0.6 * np.minimum(1.0, surfaced_hidden))


def update_perception(value, target, rate, loss_multiplier):
    """Asymmetric update of one perception or trust level (Slovic 1993)."""
    return clip01(approach(value, target, rate, loss_multiplier))


def trust_in_own_manager(pressure, support):
    """Target of a manager's trust in their own manager (Mayer et al. 1995: benevolence shown as support,
    control read as distrust): ``clip(0.6 + 0.6 (support - pressure), 0, 1)``."""
    return clip01(0.6 + 0.6 * (np.asarray(support) - np.asarray(pressure)))


def observation(monitoring):
    """Share of an employee's week the manager sees: ``0.3 + 0.7 monitoring``."""
    return 0.3 + 0.7 * monitoring
