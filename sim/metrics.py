"""Weekly model-level metrics (the columns of ``timeseries.csv``), computed from the state arrays.

Every metric is named, described and labelled in English and Dutch here, once; the CLI, plots and docs use
this table.
"""

from __future__ import annotations

import numpy as np

from .rules import motivation as mot
from .rules import safety as saf
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


def _mean(x, mask):
    return float(x[mask].mean()) if mask.any() else 0.0


def compute_metrics(model) -> dict[str, float]:
    """All metrics of the current week, vectorised over agents."""
    s, ms, p, last = model.state, model.mstate, model.params, model.last
    active, absent = s.status == 0, s.status == 1
    employed = active | absent
    n_emp = max(int(employed.sum()), 1)
    cls = mot.engagement_class(s.engagement)
    burnt = st.burnout_criterion(s.exhaustion, s.cynicism, p.dynamics.burnout_exhaustion,
                                 p.dynamics.burnout_cynicism)
    complaints = s.exhaustion >= p.dynamics.burnout_exhaustion
    team = model.org.team
    nt = model.org.n_teams
    counts = np.maximum(np.bincount(team, weights=active, minlength=nt), 1)
    team_safety = np.bincount(team, weights=s.safety * active, minlength=nt) / counts
    standards = np.array([k.standards for k in model.knobs])
    zones = np.bincount(saf.zone(team_safety, standards), minlength=4) / nt
    m = {
        "engagement": _mean(s.engagement, active),
        "engaged_share": _mean(cls == mot.ENGAGED, active),
        "disengaged_share": _mean(cls == mot.DISENGAGED, active),
        "burnout_share": float((absent | (active & burnt)).sum() / n_emp),
        "burnout_complaints_share": float((absent | (active & complaints)).sum() / n_emp),
        "absent_share": float(absent.sum() / n_emp),
        "vacancy_share": float((s.status == 2).mean()),
        "output": float(last["team_output"].mean()) if "team_output" in last else 0.0,
        "basic_failures": int(last["basic"].sum()),
        "complex_failures": int(last["complex"].sum()),
        "intelligent_failures": int(last["intelligent"].sum()),
        "hidden_failures": int(last["hidden"].sum()),
        "surfaced_failures": int(last["surfaced"].sum()),
        "trust_in_manager": _mean(s.trust_in_manager, active),
        "manager_trust": _mean(s.manager_trust, active),
        "psych_safety": _mean(s.safety, active),
        "competence": _mean(s.competence, active),
        "motivation": _mean(s.motivation, active),
        "exhaustion": _mean(s.exhaustion, active),
        "cynicism": _mean(s.cynicism, active),
        "efficacy": _mean(s.efficacy, active),
        "initiative": _mean(s.initiative, active),
        "leavers": int(model.leavers),
        "manager_hours": float(ms.hours_total.mean()),
        "hours_monitoring": float(ms.hours_monitoring.mean()),
        "hours_doing": float(ms.hours_doing.mean()),
        "hours_coaching": float(ms.hours_coaching.mean()),
        "hours_vision": float(ms.hours_vision.mean()),
        "manager_control": _mean(s.control, active),
        "manager_strain": float(ms.strain.mean()),
        "zone_learning": float(zones[0]), "zone_comfort": float(zones[1]),
        "zone_anxiety": float(zones[2]), "zone_apathy": float(zones[3]),
        "headcount": int(active.sum()),
    }
    return m
