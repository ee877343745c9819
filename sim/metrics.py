"""Weekly model-level metrics (the columns of ``timeseries.csv``), computed from the state arrays.

Every metric is named, described and labelled in English and Dutch here, once; the CLI, plots and docs use
this table.
"""

from __future__ import annotations

import numpy as np

from . import compiled
from .rules import motivation as mot
from .rules import strain as st

# name: (English label, Dutch label, description)
METRIC_INFO: dict[str, tuple[str, str, str]] = {
    "week": ("Week", "Week", "Simulated work week (1 = first)"),
    "engagement": ("Engagement", "Bevlogenheid", "Mean engagement of active employees (0-1)"),
    "engaged_share": ("Engaged (%)", "Bevlogen (%)", "Share of active employees engaged (engagement >= 0.7)"),
    "disengaged_share": ("Actively disengaged (%)", "Actief onbetrokken (%)",
                         "Share of active employees actively disengaged (engagement < 0.3)"),
    "burnout_share": ("Burnout (%)", "Burn-out (%)", "Share of employees (active or absent) with burnout: on "
                      "burnout sick leave, or exhaustion and cynicism above their thresholds"),
    "burnout_complaints_share": ("Burnout complaints (%)", "Burn-outklachten (%)", "Share of employees (active "
                                 "or absent) with high exhaustion, as surveys count it"),
    "absent_share": ("Absent (%)", "Verzuim (%)", "Share of employees on burnout sick leave"),
    "vacancy_share": ("Vacant positions (%)", "Vacatures (%)", "Share of positions vacant"),
    "output": ("Output", "Productie", "Work delivered per position this week, in normal-week units "
               "(includes the manager's own work; hidden failures that surface subtract)"),
    "basic_failures": ("Basic failures", "Basisfouten", "Basic failures this week (count)"),
    "complex_failures": ("Complex failures", "Complexe fouten", "Complex failures this week (count)"),
    "intelligent_failures": ("Intelligent failures", "Intelligente fouten", "Intelligent failures this week"),
    "hidden_failures": ("Hidden failures", "Verborgen fouten", "Failures hidden this week (count)"),
    "surfaced_failures": ("Surfaced failures", "Opgedoken fouten", "Hidden failures that surfaced this week"),
    "trust_in_manager": ("Trust in manager", "Vertrouwen in manager", "Mean trust of employees in their manager"),
    "manager_trust": ("Manager's trust", "Vertrouwen van manager", "Mean trust of managers in their employees"),
    "psych_safety": ("Psychological safety", "Psychologische veiligheid", "Mean perceived psychological safety"),
    "competence": ("Competence", "Bekwaamheid", "Mean competence of active employees"),
    "motivation": ("Motivation", "Motivatie", "Mean autonomous motivation of active employees"),
    "exhaustion": ("Exhaustion", "Uitputting", "Mean exhaustion of active employees"),
    "cynicism": ("Cynicism", "Cynisme", "Mean cynicism of active employees"),
    "efficacy": ("Efficacy", "Competentiegevoel", "Mean professional efficacy of active employees"),
    "initiative": ("Initiative", "Initiatief", "Mean initiative (perceived control over outcomes)"),
    "leavers": ("Leavers (cumulative)", "Vertrokken (cumulatief)", "People who left since week 1"),
    "manager_hours": ("Manager's hours", "Uren manager", "Hours the manager worked this week (mean over "
                      "managers)"),
    "hours_monitoring": ("Monitoring & approvals (h)", "Controleren & goedkeuren (u)", "Manager's hours on "
                         "monitoring and approvals"),
    "hours_doing": ("Doing the work (h)", "Zelf uitvoeren (u)", "Manager's hours doing team work themselves"),
    "hours_coaching": ("Coaching (h)", "Coachen (u)", "Manager's hours coaching"),
    "hours_vision": ("Vision & strategy (h)", "Visie & strategie (u)", "Manager's hours on vision, strategy "
                     "and frameworks"),
    "manager_control": ("Control", "Controle", "Mean control experienced by employees: (1 - autonomy + "
                        "monitoring + approval) / 3"),
    "manager_strain": ("Manager's strain", "Stress manager", "Mean strain of managers"),
    "extra_control": ("Extra control taken", "Extra controle genomen", "Mean control team leads have taken back "
                      "under pressure, on top of their policy (0-1)"),
    "pressure_from_above": ("Pressure from above", "Druk van boven", "Mean control team leads receive from "
                            "their own manager (0 with one management level)"),
    "senior_control": ("Extra control above team leads", "Extra controle boven teamleiders", "Mean control "
                       "the managers above the team leads have taken back under pressure, on top of their policy "
                       "(0-1; 0 with one management level)"),
    "senior_strain": ("Strain above team leads", "Stress boven teamleiders", "Mean strain of the managers above "
                      "the team leads (department managers up to the director; 0 with one management level)"),
    "zone_learning": ("Learning zone", "Leerzone", "Share of teams in the learning zone (safety and "
                      "standards high)"),
    "zone_comfort": ("Comfort zone", "Comfortzone", "Share of teams in the comfort zone"),
    "zone_anxiety": ("Anxiety zone", "Angstzone", "Share of teams in the anxiety zone"),
    "zone_apathy": ("Apathy zone", "Apathiezone", "Share of teams in the apathy zone"),
    "headcount": ("Active employees", "Actieve medewerkers", "Employees at work this week (count)"),
}
METRICS: tuple[str, ...] = tuple(k for k in METRIC_INFO if k != "week")
INT_METRICS = ("basic_failures", "complex_failures", "intelligent_failures", "hidden_failures",
               "surfaced_failures", "leavers", "headcount")


def label(name: str, lang: str = "en") -> str:
    en, nl, _ = METRIC_INFO[name]
    return nl if lang == "nl" else en


def _senior_means(model) -> dict[str, np.ndarray]:
    """The managers above the team leads, per run: mean extra control and mean strain (0 where a run has none;
    a batch numbers each run's senior managers block after block, :func:`sim.org.combine_orgs`)."""
    us, run, n = model.ustate, model.run_of_senior, model._senior_counts
    return {"senior_control": np.bincount(run, weights=us.boost, minlength=model.n_runs) / np.maximum(n, 1),
            "senior_strain": np.bincount(run, weights=us.strain, minlength=model.n_runs) / np.maximum(n, 1)}


def compute_metrics(model, by_run: bool = False, partials=None) -> dict:
    """All metrics of the current week: sums per team (:func:`sim.compiled.team_metric_sums`; ``partials`` if
    given, as the compiled week leaves them, else taken now), reduced per run by
    :func:`sim.compiled.metric_columns` (``tests/test_metrics.py`` holds the same metrics written with numpy).
    With ``by_run`` (a batch of runs): a dict of arrays, one value per run; otherwise (one run) plain numbers,
    integers for :data:`INT_METRICS`."""
    s, ms, dyn, last = model.state, model.mstate, model.params.dynamics, model.last
    if partials is None:
        s.make_plain()
        partials = compiled.metric_partials(
            model.team_first, s.status, s.engagement, s.trust_in_manager, s.manager_trust, s.safety, s.competence,
            s.motivation, s.exhaustion, s.cynicism, s.efficacy, s.initiative, s.control,
            float(dyn.burnout_exhaustion), float(dyn.burnout_cynicism),
            *(np.asarray(last[k], dtype=np.int64) for k in ("basic", "complex", "intelligent", "hidden", "surfaced")))
    cols = compiled.metric_columns(
        model._pos_bounds, model._team_bounds, partials, np.asarray(model._knob_arrays["standards"], dtype=float),
        ms.hours_total, ms.hours_monitoring, ms.hours_doing, ms.hours_coaching, ms.hours_vision, ms.strain, ms.boost,
        ms.pressure, np.asarray(last["team_output"], dtype=float), np.asarray(last["orphans_surfaced"], dtype=np.int64))
    senior = _senior_means(model)
    if by_run:
        m = dict(zip(compiled.METRIC_COLUMNS, cols.T))
        m["leavers"] = model.leavers_by_run.astype(float)
        m.update(senior)
        return {k: m[k] for k in METRICS}
    m = dict(zip(compiled.METRIC_COLUMNS, cols[0].tolist()))
    m["leavers"] = model.leavers_by_run[0]
    m.update({k: float(v[0]) for k, v in senior.items()})
    return {k: int(m[k]) if k in INT_METRICS else m[k] for k in METRICS}


def team_metrics(model) -> dict[str, np.ndarray]:
    """One value per team this week (the rows of ``per_team.csv``)."""
    s, ms, p = model.state, model.mstate, model.params
    team, nt = model.org.team, model.org.n_teams
    active = s.status == 0
    employed = active | (s.status == 1)
    n_act = np.bincount(team, weights=active, minlength=nt)
    n_emp = np.maximum(np.bincount(team, weights=employed, minlength=nt), 1)
    mean = lambda x: np.bincount(team, weights=x * active, minlength=nt) / np.maximum(n_act, 1)  # noqa: E731
    burnt = st.burnout_criterion(s.exhaustion, s.cynicism, p.dynamics.burnout_exhaustion,
                                 p.dynamics.burnout_cynicism)
    return {
        "week": np.full(nt, model.week, dtype=np.int64), "team": np.arange(nt, dtype=np.int64),
        "headcount": n_act.astype(np.int64),
        "engagement": mean(s.engagement),
        "engaged_share": mean((mot.engagement_class(s.engagement) == mot.ENGAGED).astype(float)),
        "burnout_share": np.bincount(team, weights=(s.status == 1) | (active & burnt), minlength=nt) / n_emp,
        "output": np.asarray(model.last.get("team_output", np.zeros(nt)), dtype=float),
        "trust_in_manager": mean(s.trust_in_manager),
        "manager_control": mean(s.control),
        "extra_control": ms.boost.copy(), "manager_strain": ms.strain.copy(),
        "pressure_from_above": ms.pressure.copy(), "trust_in_boss": ms.trust_in_boss.copy(),
    }


LEVEL_COLUMNS = ("week", "level", "managers", "control_received", "extra_control", "strain", "trust_in_boss")


def level_metrics(model) -> dict[str, np.ndarray]:
    """Managers per level this week (the rows of ``per_level.csv``): level 1 = team leads (control received =
    control their employees experience), 2.. = senior managers (control received from their own manager)."""
    ms, us, org = model.mstate, model.ustate, model.org
    levels = [1] + sorted(set(org.senior_level.tolist()))
    rows = {c: [] for c in LEVEL_COLUMNS}
    for lev in levels:
        if lev == 1:
            vals = (org.n_teams, ms.pressure.mean(), ms.boost.mean(), ms.strain.mean(),
                    ms.trust_in_boss.mean() if (org.team_boss >= 0).any() else np.nan)
        else:
            sel = org.senior_level == lev
            has = sel & (org.senior_boss >= 0)
            vals = (int(sel.sum()), us.pressure[sel].mean(), us.boost[sel].mean(), us.strain[sel].mean(),
                    us.trust_in_boss[has].mean() if has.any() else np.nan)
        for c, v in zip(LEVEL_COLUMNS, (model.week, lev) + vals):
            rows[c].append(v)
    out = {c: np.asarray(v) for c, v in rows.items()}
    for c in ("week", "level", "managers"):
        out[c] = out[c].astype(np.int64)
    return out
