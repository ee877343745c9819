"""Strain: Job Demands-Resources with Karasek's demand-control, Maslach burnout, sick leave and turnover.

JD-R health-impairment process (Bakker & Demerouti 2007): demands net of resources drive exhaustion; recovery
when demands drop. Karasek (1979): low decision latitude adds strain; the effects of demands and control are
mostly additive (Hausser et al. 2010), so they are added here. Maslach, Schaufeli & Leiter (2001): exhaustion
first, cynicism follows sustained exhaustion (and distrust), efficacy falls with cynicism. Burnout (sustained
high exhaustion and cynicism) leads to sick leave of months (ArboNed: 220-293 days); people return partly
recovered or leave. Turnover rises with low engagement, low trust in the manager and burnout.
"""

from __future__ import annotations

import numpy as np

from .common import approach, clip01, sigmoid


HINDRANCE_WEIGHT = 0.4   # 0.6 until version 0.3 (issue 21: leadership's share of the variance of exhaustion)


def demands(demand, exhaustion, wait, hindrance, unready_autonomy):
    """Step 8a: job demands in [0, ~2].

        load     = demand / (1 - 0.4 exhaustion)          workload against what one's energy allows
        D        = 0.55 load + 0.4 hindrance + 0.4 wait + 0.35 unready_autonomy
    ``hindrance`` is micromanagement (Crawford et al. 2010); ``unready_autonomy = autonomy * (1 - skill)`` is
    the role ambiguity of being left alone with work one cannot yet do. (Weight of hindrance calibrated so that
    close monitoring raises strain about as much as the meta-analyses find: docs/calibration.md.)
    """
    load = demand / (1 - 0.4 * exhaustion)
    return 0.55 * load + HINDRANCE_WEIGHT * hindrance + 0.4 * wait + 0.35 * unready_autonomy


def hindrance(monitoring, approval, competence):
    """Micromanagement as a hindrance demand, felt more by the competent:
    ``(0.8 monitoring + 0.2 approval) (0.4 + 0.6 competence)``. Being watched is the felt hindrance (close
    monitoring raises stress: Siegel et al. 2022, Ravid et al. 2023); the cost of approvals is mostly the
    waiting time, which :func:`demands` counts separately."""
    return (0.8 * monitoring + 0.2 * approval) * (0.4 + 0.6 * competence)


UNIT_UNIFORM_SD = 3.4641016151377544   # sqrt(12): (u - 0.5) times this has variance 1 for u uniform on [0, 1)


def private_load_step(load, u, persistence, spread):
    """Step 8a': a person's private load this week - demands outside work net of recovery outside work, relative
    to the average person (so it has mean 0: positive is a heavy week at home, negative a restful one).

        load' = persistence * load + spread * sqrt(1 - persistence^2) * sqrt(12) * (u - 0.5)

    An AR(1) process driven by the person's own uniform ``u`` (a counter-based draw: :data:`sim.streams.LIFE_SLOT`),
    whose stationary standard deviation is ``spread`` and whose weekly persistence gives episodes of months
    (persistence 0.97: half-life about 23 weeks), as life events and caring duties come and go.

    Theory: JD-R's demands are not only at work; work-home interference and home demands add to exhaustion
    (Bakker & Demerouti 2007 on demands in general; Demerouti & Bakker 2011); recovery outside work
    (psychological detachment) lowers it. Sources of the magnitude: none verified (docs/calibration.md, issue 21):
    the spread is calibrated so that leadership explains a share of the variance of exhaustion close to the
    meta-analytic constructive leadership - burnout correlation (Pletzer, Breevaart & Bakker 2024:
    rho = -.327, verified) and so that the best-led teams still have some people with burnout complaints.
    """
    return persistence * load + spread * np.sqrt(1.0 - persistence * persistence) * UNIT_UNIFORM_SD * (u - 0.5)


def total_demands(work_demands, private_load):
    """Step 8a'': the demands that drive exhaustion: those of work (:func:`demands`) plus the private load
    (:func:`private_load_step`), at least 0: ``max(0, D_work + private_load)``."""
    return np.maximum(work_demands + private_load, 0.0)


def resources(autonomy, coaching_received, safety, frameworks, peer_support):
    """Step 8b: job resources in [0, 1]: decision latitude, coaching, safety, clarity and peers.

    ``R = 0.1 + 0.25 autonomy + 0.2 coaching_received + 0.2 safety + 0.15 frameworks + 0.1 peer_support``
    (0.1 stands for the resources no manager controls: pay, the work itself.)
    """
    return 0.1 + 0.25 * autonomy + 0.2 * coaching_received + 0.2 * safety + 0.15 * frameworks + 0.1 * peer_support


EXHAUSTION_BASE = 0.175  # 0.18 until version 0.3 (issue 21: re-centred when the private load was added)


def exhaustion_level(demands_, resources_, resilience):
    """The exhaustion a person tends to under sustained demands D and resources R (JD-R, additive Karasek):

    ``E* = clip(0.175 + 0.55 (D - R) (1.5 - resilience) - 0.7 (resilience - 0.5), 0, 1)``

    The person's resilience (emotional stability) is one of the strongest correlates of exhaustion (Alarcon,
    Eschleman & Bowling 2009, meta-analysis), hence its large direct weight: it spreads exhaustion across
    people so that about one in six has burnout complaints in a typical organisation (docs/calibration.md).
    """
    return clip01(EXHAUSTION_BASE + 0.55 * (demands_ - resources_) * (1.5 - resilience) - 0.7 * (resilience - 0.5))


def update_exhaustion(exhaustion, demands_, resources_, resilience, rate, recovery):
    """Step 8c: exhaustion moves toward ``E*`` (:func:`exhaustion_level`): up at ``rate`` (health-impairment
    process), down at ``recovery`` when demands drop. Both are weekly fractions of the distance."""
    target = exhaustion_level(demands_, resources_, resilience)
    r = np.where(target > exhaustion, rate, recovery)
    return clip01(exhaustion + r * (target - exhaustion))


def update_cynicism(cynicism, exhaustion, trust, safety, rate):
    """Step 8d: cynicism (depersonalisation) follows sustained exhaustion, distrust and an unsafe climate
    (Maslach et al. 2001: workload, fairness and community among its six areas of worklife).

    Target ``clip((E - 0.3) + 0.5 (0.55 - trust) + 0.3 (0.5 - safety), 0, 1)``, approached at ``rate``.
    """
    target = clip01((exhaustion - 0.3) + 0.5 * (0.55 - trust) + 0.3 * (0.5 - safety))
    return clip01(approach(cynicism, target, rate))


START_DEMANDS = 0.78     # a typical person's work demands D in baseline_nl's second year (checked by a test)
START_RESOURCES = 0.54   # ... and their resources R


def starting_exhaustion(workload, private_load, resilience):
    """Initialization: a team exists before the run starts, so someone already in post starts at the exhaustion
    their own situation tends to (:func:`exhaustion_level`) under a typical Dutch manager:

        E0 = E*(D = max(0, START_DEMANDS workload + private_load), R = START_RESOURCES, resilience)

    ``workload`` is the work arriving times the person's share. ``START_DEMANDS`` and ``START_RESOURCES`` are the
    demands and resources of the average person of the Dutch baseline (``baseline_nl``) in its second year, so a
    run starts near the spread of exhaustion a Dutch team has (about one in six with burnout complaints: TNO NEA)
    rather than with nobody near burnout. A newcomer starts rested (exhaustion 0)."""
    return exhaustion_level(total_demands(START_DEMANDS * workload, private_load), START_RESOURCES, resilience)


def starting_cynicism(exhaustion, trust, safety):
    """Initialization: cynicism starts at the level :func:`update_cynicism` tends to with the starting exhaustion,
    trust and safety (that update at rate 1)."""
    return update_cynicism(0.0, exhaustion, trust, safety, 1.0)


def starting_efficacy(competence):
    """Initialization: professional efficacy (Maslach) starts from competence, ``clip(0.3 + 0.6 competence)``:
    self-efficacy follows mastery experiences (Bandura 1977)."""
    return clip01(0.3 + 0.6 * competence)


def update_efficacy(efficacy, success_rate, cynicism):
    """Step 8e: professional efficacy approaches ``0.5 success_rate + 0.5 (1 - cynicism)`` at 0.05 a week."""
    return clip01(approach(efficacy, 0.5 * success_rate + 0.5 * (1 - cynicism), 0.05))


def burnout_criterion(exhaustion, cynicism, e_threshold, c_threshold):
    """Burnout: exhaustion >= threshold and cynicism >= threshold (Maslach's first two dimensions)."""
    return (exhaustion >= e_threshold) & (cynicism >= c_threshold)


def update_burnout_counter(counter, burnt):
    """Weeks of sustained burnout: +1 in a burnout week, -1 (to 0) otherwise."""
    return np.where(burnt, counter + 1, np.maximum(counter - 1, 0))


def complaints(exhaustion, threshold):
    """Burnout complaints as surveys count them: exhaustion at or above ``threshold`` (1.0, else 0.0)."""
    return np.where(exhaustion >= threshold, 1.0, 0.0)


def return_from_leave(exhaustion, cynicism):
    """Someone back from sick leave returns partly recovered: exhaustion at most 0.5, cynicism at most 0.4."""
    return np.minimum(exhaustion, 0.5), np.minimum(cynicism, 0.4)


def sick_leave_weeks(rng, n, mean_weeks):
    """Length of burnout sick leave: Gamma(shape 4, mean ``mean_weeks``), at least 4 weeks, rounded up."""
    return np.maximum(4, np.ceil(rng.gamma(4.0, mean_weeks / 4.0, size=n))).astype(np.int64)


def recover_absent(exhaustion, cynicism):
    """While on sick leave: exhaustion falls 5% and cynicism 3% a week (relative)."""
    return exhaustion * 0.95, cynicism * 0.97


def turnover_probability(engagement, trust, burnout_complaints, base, sensitivity):
    """Weekly chance of leaving.

    ``logit p = logit(base) + sensitivity (0.6 - engagement) + 0.5 sensitivity (0.6 - trust)
    + 0.6 burnout_complaints``: at engagement = trust = 0.6 it is ``base``.
    """
    base = np.clip(base, 1e-9, 1 - 1e-9)
    z = (np.log(base / (1 - base)) + sensitivity * (0.6 - engagement) + 0.5 * sensitivity * (0.6 - trust)
         + 0.6 * burnout_complaints)
    return sigmoid(z)


def update_manager_strain(strain, hours_worked, hours, output_gap, resilience, rate, from_above=0.0):
    """Step 11: the manager's own strain from overload (JD-R applied to the manager; Homer 1985).

    Target ``clip(0.15 + 2 (hours_worked / hours - 1) + 0.5 output_gap + from_above, 0, 1)``, approached at
    ``rate``, rising ``(1.5 - resilience)`` times faster than it falls. ``from_above`` is the demand (or,
    negative, the relief) from the manager's own manager (:func:`sim.policies.demand_from_above`).
    """
    target = clip01(0.15 + 2.0 * (hours_worked / hours - 1.0) + 0.5 * output_gap + from_above)
    rising = target > strain
    r = np.where(rising, rate * (1.5 - resilience), rate)
    return clip01(strain + r * (target - strain))
