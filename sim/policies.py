"""Leadership policies: named sets of knob values, and how a manager applies them per employee.

Each named policy is a documented point in the space of knobs declared in :mod:`sim.params` (section
``[policy]``). A scenario may override any knob; ``custom`` starts from the schema's neutral values.

* ``controlling`` - micromanager: high monitoring, decisions kept (approvals), detailed instructions, blame on
  failure, takes over work when behind.
* ``delegating`` - hands-off: autonomy for everyone regardless of readiness, little monitoring, no frameworks.
* ``coaching`` - trust within clear frameworks (6V: vision, trust, responsibility, freedom, connection,
  safety): goals and boundaries, regular check-ins, learn from failure, phased delegation (autonomy grows
  with the manager's trust in the person).
* ``situational`` - Hersey & Blanchard (1969/1977): style S1-S4 per employee from readiness R1-R4
  (competence x commitment).
* ``reactive`` - starts delegating, takes control back when output falls below target and lets go slowly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import KNOBS, section_params

# fmt: off
PRESETS: dict[str, dict[str, float]] = {
    "controlling": dict(autonomy=0.15, monitoring=0.9, approval=0.8, coaching=0.1, frameworks=0.4, blame=0.8,
                        takeover=0.8, standards=0.8, readiness_matching=0.0, phased_delegation=0.0,
                        reactivity=0.2, relax_rate=0.02),
    "delegating":  dict(autonomy=0.9, monitoring=0.1, approval=0.05, coaching=0.05, frameworks=0.15, blame=0.3,
                        takeover=0.05, standards=0.3, readiness_matching=0.0, phased_delegation=0.0,
                        reactivity=0.0, relax_rate=0.05),
    "coaching":    dict(autonomy=0.45, monitoring=0.35, approval=0.15, coaching=0.6, frameworks=0.9, blame=0.1,
                        takeover=0.1, standards=0.8, readiness_matching=0.3, phased_delegation=0.8,
                        reactivity=0.05, relax_rate=0.1),
    "situational": dict(autonomy=0.5, monitoring=0.4, approval=0.25, coaching=0.45, frameworks=0.7, blame=0.3,
                        takeover=0.2, standards=0.7, readiness_matching=1.0, phased_delegation=0.3,
                        reactivity=0.1, relax_rate=0.05),
    "reactive":    dict(autonomy=0.8, monitoring=0.15, approval=0.1, coaching=0.2, frameworks=0.5, blame=0.3,
                        takeover=0.5, standards=0.6, readiness_matching=0.0, phased_delegation=0.0,
                        reactivity=0.9, relax_rate=0.02),
}
PRESETS["custom"] = {p.name: p.default for p in section_params("policy") if p.kind == "knob"}

# Hersey-Blanchard styles S1..S4: readiness thresholds between R1|R2|R3|R4, and per style the autonomy
# granted and the coaching (relationship) intent. S1 directing, S2 coaching, S3 supporting, S4 delegating.
READINESS_CUTS = (0.4, 0.52, 0.64)
READINESS_CUTS_5 = tuple(c ** 5 for c in READINESS_CUTS)   # the same cuts on competence**3 * commitment**2
STYLE_AUTONOMY = np.array([0.15, 0.35, 0.65, 0.9])
STYLE_COACHING = np.array([0.2, 0.7, 0.5, 0.1])
STYLE_MONITORING = np.array([0.8, 0.6, 0.35, 0.15])
# fmt: on


@dataclass(frozen=True)
class Knobs:
    """Resolved knob values of one manager's policy (all in [0, 1])."""

    name: str
    autonomy: float
    monitoring: float
    approval: float
    coaching: float
    frameworks: float
    blame: float
    takeover: float
    standards: float
    readiness_matching: float
    phased_delegation: float
    reactivity: float
    relax_rate: float


def resolve(policy, name: str | None = None) -> Knobs:
    """Knobs for a validated ``[policy]`` section: the named preset (``name``, default ``policy.name``), then
    any knob set in the scenario."""
    name = policy.name if name is None else name
    values = dict(PRESETS[name])
    for k in KNOBS:
        v = getattr(policy, k)
        if v is not None:
            values[k] = float(v)
    return Knobs(name=name, **values)


def preset(name: str) -> Knobs:
    """Knobs of a named preset as it is (managers above the team leads)."""
    return Knobs(name=name, **PRESETS[name])


def allocate_mix(mix: dict[str, float], n: int, rng) -> list[str]:
    """Policy names for ``n`` managers in proportion to ``mix`` (largest-remainder rounding, ties to the first
    named), in an order shuffled by ``rng``: the same seed gives the same teams the same policies."""
    names = list(mix)
    w = np.array([mix[k] for k in names], dtype=float)
    quota = n * w / w.sum()
    counts = np.floor(quota).astype(int)
    rest = n - counts.sum()
    counts[np.argsort(-(quota - counts), kind="stable")[:rest]] += 1
    out = np.repeat(np.array(names, dtype=object), counts)
    return [str(x) for x in out[rng.permutation(n)]]


def team_lead_knobs(policy, org, n_teams: int, rng) -> list[Knobs]:
    """The knobs of every team lead: ``org.team_policies`` for the first teams, then ``org.policy_mix`` (if
    given) or ``policy.name`` for the rest. Knobs set in ``[policy]`` apply to every team lead."""
    fixed = list(org.team_policies)[:n_teams]
    rest = n_teams - len(fixed)
    names = fixed + (allocate_mix(dict(org.policy_mix), rest, rng) if org.policy_mix else [policy.name] * rest)
    return [resolve(policy, nm) for nm in names]


def readiness_level_of(competence, motivation, engagement):
    """Hersey-Blanchard readiness level R1..R4 as 0..3 (also the index of the matching style S1..S4).

    Readiness is ability x willingness, ``readiness = c**0.6 * m**0.4`` with ``c`` competence and ``m``
    commitment ``(motivation + engagement) / 2``, both clipped to [0, 1]; the level counts the
    :data:`READINESS_CUTS` at or below it. Computed without the two powers, which cost more than the rest of
    step 2 together: ``c**0.6 * m**0.4 >= cut`` exactly when ``c**3 * m**2 >= cut**5`` (both sides to the 5th
    power), so ``c**3 * m**2`` is compared with :data:`READINESS_CUTS_5` (rounding can tell the two apart only
    within about 1e-15 of a cut)."""
    c = np.clip(competence, 0, 1)
    m = np.clip(0.5 * (motivation + engagement), 0, 1)
    return np.searchsorted(np.asarray(READINESS_CUTS_5), c * c * c * (m * m), side="right")


def levers(a0, m0_, ap0_, c0, pd, rm, level, mtrust, boost):
    """Step 2: the levers a manager pulls for one employee (Hersey-Blanchard; Mayer et al. 1995; Karasek 1979),
    from the policy's knobs
    (autonomy ``a0``, monitoring ``m0``, approval ``ap0``, coaching ``c0``, phased delegation ``pd``, readiness
    matching ``rm``), the employee's readiness ``level`` (0..3, :func:`readiness_level_of`), the manager's trust
    in them ``mtrust`` and the extra control the manager has taken under pressure ``boost`` (0..1). Returns
    (autonomy, monitoring, approval, coaching intent, control, style index). Equations, with
    g(T) = clip((T - 0.4) / 0.45, 0, 1) the trust-driven hand-over:

        a_base   = a0 + pd * (0.95 - a0) * g(T)                      phased delegation (trust -> risk-taking)
        a        = ((1 - rm) * a_base + rm * a_S[level]) * (1 - boost)
        monitor  = m0' + (1 - m0') * boost,   m0' = (1 - rm) * m0 * (1 - 0.5 * pd * g(T)) + rm * m_S[level]
        approval = ap0' + (1 - ap0') * boost,  ap0' = ap0 * (1 - 0.5 * pd * g(T))
        coaching = ((1 - rm) * c0 + rm * c_S[level]) * (1 - 0.5 * boost)
        control  = (1 - a + monitor + approval) / 3                   experienced control
    (Approvals have no per-style value: readiness matching leaves the approval knob as it is.)
    """
    g = np.clip((mtrust - 0.4) / 0.45, 0.0, 1.0)
    a_base = a0 + pd * (0.95 - a0) * g
    autonomy = ((1 - rm) * a_base + rm * STYLE_AUTONOMY[level]) * (1 - boost)
    m0 = (1 - rm) * m0_ * (1 - 0.5 * pd * g) + rm * STYLE_MONITORING[level]
    monitoring = m0 + (1 - m0) * boost
    ap0 = ap0_ * (1 - 0.5 * pd * g)
    approval = ap0 + (1 - ap0) * boost
    coaching = ((1 - rm) * c0 + rm * STYLE_COACHING[level]) * (1 - 0.5 * boost)
    control = (1 - autonomy + monitoring + approval) / 3.0
    return autonomy, monitoring, approval, coaching, control, level


def output_gap(perceived_output, expected):
    """How far results are below what is expected, as the manager sees them, with 5% tolerance:
    ``gap = clip((0.95 expected - perceived_output) / expected, 0, 1)``."""
    return np.clip((0.95 * expected - perceived_output) / np.maximum(expected, 1e-9), 0.0, 1.0)


def perceive_output(perceived_output, seen_output):
    """A manager judges results over the last weeks: ``0.85 perceived_output + 0.15 seen_output`` (an exponential
    average of the output per position seen each week, with a memory of about 6 weeks: monthly figures).

    Until version 0.3 the memory was about 3 weeks (0.7 / 0.3): a team of 12 delivering its target on average
    then fell below the 5% tolerance of :func:`output_gap` in about one week in ten by chance alone, and a
    reactive manager, who takes control at once and lets go slowly, tightened from week 1 (issue 21)."""
    return 0.85 * perceived_output + 0.15 * seen_output


def consistency(extra_control, previous):
    """How consistent the manager seems this week (integrity, Mayer et al. 1995): ``clip(1 - 10 |extra_control -
    previous|)``: a manager who swings between control and letting go seems erratic."""
    return np.clip(1 - 10 * np.abs(extra_control - previous), 0.0, 1.0)


def style_used(autonomy, coaching_received):
    """The Hersey-Blanchard style a manager actually shows an employee, from directive and supportive behaviour:
    directive = autonomy < 0.5 (decisions kept), supportive = coaching_received >= 0.3.

    S1 directing (directive, not supportive) = 0, S2 coaching (directive, supportive) = 1, S3 supporting
    (not directive, supportive) = 2, S4 delegating (neither) = 3. Comparing it with :func:`readiness_level`
    shows whether the style matches the person's readiness.
    """
    directive = np.asarray(autonomy) < 0.5
    supportive = np.asarray(coaching_received) >= 0.3
    return np.where(directive, np.where(supportive, 1, 0), np.where(supportive, 2, 3))


STRAIN_AT_REST = 0.15   # a manager's strain in a normal week (sim.rules.strain.update_manager_strain)


def update_control(boost, gap, reactivity, relax_rate, insecurity, strain, control_rate, push=0.0):
    """Step 11b: a manager under pressure takes control; lets go slowly once results are back (seed 002).

    The vicious cycle's first link (Haselhoff; Homer 1985). Per manager, with ``gap`` from :func:`output_gap`:

        drive = reactivity * (1 + insecurity) * gap + 0.5 * insecurity * max(0, strain - 0.15) + push
        boost += control_rate * drive * (1 - boost)
                 - relax_rate * (1 - strain) * (1 - min(1, 4 * gap)) * boost

    Relaxing needs output close to target and is slowed by the manager's own strain; nothing here is
    scripted by time: the boost only follows results and strain. ``push`` is the pressure passed down by the
    manager's own manager (:func:`push_from_above`; 0 with one management level).

    Strain drives control only above the strain of a normal week (0.15, the resting level of
    :func:`sim.rules.strain.update_manager_strain`: no overtime, no gap): a manager whose team meets its target
    in normal hours keeps the control the policy sets (a consistent baseline, issue 21; until version 0.3 the
    whole strain counted, so every insecure manager tightened slowly from week 1 whatever the results).
    """
    drive = reactivity * (1 + insecurity) * gap + 0.5 * insecurity * np.maximum(0.0, strain - STRAIN_AT_REST) + push
    up = control_rate * drive * (1 - boost)
    down = relax_rate * (1 - strain) * (1 - np.minimum(1.0, 4 * gap)) * boost
    return np.clip(boost + up - down, 0.0, 1.0)



# --------------------------------------------------------------------------------------------------------------
# the cascade: managers are themselves led (levels >= 2)
# --------------------------------------------------------------------------------------------------------------
def control_exerted(autonomy, monitoring, approval, coaching, boost):
    """Control and support a senior manager exerts on the managers reporting to them (Karasek's control, seen
    from below; the same knob algebra as :func:`apply_policy` without readiness matching or phased delegation),
    from their policy's knobs and the control they have taken on top (``boost``):

        a = autonomy (1 - boost);  m = mon + (1 - mon) boost;  ap = approval + (1 - approval) boost
        control_down = (1 - a + m + ap) / 3;   support_down = coaching (1 - 0.5 boost)
    """
    a = autonomy * (1 - boost)
    m = monitoring + (1 - monitoring) * boost
    ap = approval + (1 - approval) * boost
    return (1 - a + m + ap) / 3.0, coaching * (1 - 0.5 * boost)


def demand_from_above(pressure, support, cascade):
    """Extra strain target of a manager from their own manager (JD-R: control from above is a hindrance demand,
    support a resource): ``cascade * 0.5 * (pressure - support)`` (negative = relief)."""
    return cascade * 0.5 * (np.asarray(pressure) - np.asarray(support))


def push_from_above(pressure, cascade):
    """Extra drive to take control when one's own manager presses (pressure passed down the line, Homer
    1985): ``cascade * max(0, pressure - 0.4)``."""
    return cascade * np.maximum(0.0, np.asarray(pressure) - 0.4)


def felt_insecurity(insecurity, trust_in_boss, cascade, has_boss):
    """A manager who distrusts their own manager feels less secure (Mayer et al. 1995):
    ``clip(insecurity + 0.5 cascade (0.5 - trust_in_boss), 0, 1)`` where there is a manager above, else as is."""
    felt = np.clip(insecurity + 0.5 * cascade * (0.5 - trust_in_boss), 0.0, 1.0)
    return np.where(has_boss, felt, insecurity)
