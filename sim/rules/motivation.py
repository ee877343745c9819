"""Motivation (Self-Determination Theory) and engagement (Job Demands-Resources, motivational process).

SDT (Deci & Ryan 1985, 2000; Gagne & Deci 2005; Slemp et al. 2018): autonomous motivation follows the
satisfaction of three needs - autonomy (the inverse of experienced control), competence (success at fitting
challenges) and relatedness (peer and manager support). Controlling supervision frustrates them.

JD-R (Bakker & Demerouti 2007; Schaufeli & Bakker 2004; Crawford et al. 2010): engagement follows job
resources and challenge demands, is pulled down by hindrance demands and by exhaustion.
"""

from __future__ import annotations

import numpy as np

from .common import approach, clip01


def challenge_fit(difficulty, competence):
    """How well the work's difficulty fits a person's competence: ``clip(1 - 2 |difficulty - competence|)``."""
    return clip01(1 - 2 * np.abs(difficulty - competence))


def manager_support(coaching_received, benevolence):
    """Support felt from the manager: ``clip(0.5 coaching_received / 0.7 + 0.5 benevolence)`` (0.7 is a
    generous coaching level, felt as full support)."""
    return clip01(0.5 * coaching_received / 0.7 + 0.5 * benevolence)


def challenge(novelty, autonomy, fit):
    """Challenge demands (Crawford et al. 2010): new territory one may explore, and work that fits.

    ``challenge = clip(novelty * autonomy + 0.5 * fit)``
    """
    return clip01(novelty * autonomy + 0.5 * fit)


def needs(control, success_rate, fit, peer_support, manager_support_):
    """Step 6a: weekly need satisfactions in [0, 1].

        autonomy    = 1 - control
        competence  = success_rate * (0.6 + 0.4 * fit)          fit from :func:`challenge_fit`
        relatedness = 0.5 * peer_support + 0.5 * manager_support
    """
    return clip01(1 - control), clip01(success_rate * (0.6 + 0.4 * fit)), clip01(
        0.5 * peer_support + 0.5 * manager_support_)


def update_motivation(motivation, need_autonomy, need_competence, need_relatedness, rate):
    """Step 6b: motivation approaches ``0.4 autonomy + 0.35 competence + 0.25 relatedness`` at ``rate``."""
    target = 0.4 * need_autonomy + 0.35 * need_competence + 0.25 * need_relatedness
    return clip01(approach(motivation, target, rate))


def disposition(resilience, affectivity):
    """A person's stable offset of engagement: ``0.8 (0.35 (resilience - 0.5) + 0.95 (affectivity - 0.5))``.

    Trait positive affectivity (``affectivity``) carries most of it and resilience (emotional stability) a
    smaller part: the traits behind engagement and behind exhaustion overlap but are not the same, which is
    one reason why burnout and engagement share only 10-25% of their variance (Schaufeli & Bakker 2004,
    verified). The split (0.35 / 0.95, spread as before) is calibrated in docs/calibration.md (issue 21).
    """
    return 0.8 * (0.35 * (resilience - 0.5) + 0.95 * (affectivity - 0.5))


EXHAUSTION_TO_ENGAGEMENT = 0.15  # JD-R's cross-path from strain to engagement (0.25 until version 0.3)
ENGAGEMENT_BASE = 0.128          # 0.19 until 0.3; with the smaller cross-path and the new disposition, re-set so
                                 # that the Dutch baseline keeps 12-14% engaged (docs/calibration.md)


def starting_engagement(motivation):
    """Initialization: a newcomer's engagement follows their motivation, ``clip(0.15 + 0.7 motivation)``
    (autonomous motivation is the strongest individual predictor of engagement, Deci, Olafsen & Ryan 2017)."""
    return clip01(0.15 + 0.7 * motivation)


def update_engagement(engagement, motivation, resources, challenge, hindrance, exhaustion, felt_trust, rate,
                      disposition):
    """Step 9: engagement (vigour, dedication) moves toward a level set by resources and motivation.

        target = 0.128 + 0.3 motivation + 0.4 resources + 0.1 challenge + 0.05 felt_trust
                 - 0.05 hindrance - 0.15 exhaustion + disposition
    ``disposition`` is the person's stable offset (:func:`disposition`). The cross-path from exhaustion is
    small (0.15): in JD-R engagement is "exclusively predicted by available job resources" (Schaufeli & Bakker
    2004, verified) and the two share 10-25% of their variance; exhaustion and engagement do affect each other
    over time (Maricutoiu, Sulea & Iancu 2017: reciprocal cross-lagged effects of exhaustion and engagement,
    verified qualitatively), hence not 0. (Exhaustion and vigour are
    opposite poles: Gonzalez-Roma et al. 2006.) Felt trust: Lester & Brower 2003. Resources weigh most: in JD-R
    engagement is predicted mainly by job resources (Schaufeli & Bakker 2004); weights calibrated in
    docs/calibration.md. Hindrance weighs 0.05 (0.1 before version 0.3): close monitoring goes with job
    satisfaction at only r = -.10 (Siegel, Koenig & Lazar 2022).
    """
    target = clip01(ENGAGEMENT_BASE + 0.3 * motivation + 0.4 * resources + 0.1 * challenge + 0.05 * felt_trust
                    - 0.05 * hindrance - EXHAUSTION_TO_ENGAGEMENT * exhaustion + disposition)
    return clip01(approach(engagement, target, rate))


ENGAGED, NOT_ENGAGED, DISENGAGED = 0, 1, 2
ENGAGED_AT, DISENGAGED_BELOW = 0.7, 0.3


def engagement_class(engagement):
    """Classes as in Gallup's survey: 0 engaged (>= 0.7), 2 actively disengaged (< 0.3), else 1 not engaged."""
    return np.where(engagement >= ENGAGED_AT, ENGAGED, np.where(engagement < DISENGAGED_BELOW, DISENGAGED,
                                                                NOT_ENGAGED))
