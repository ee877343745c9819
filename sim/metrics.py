"""Weekly model-level metrics (the columns of ``timeseries.csv``), computed from the state arrays.

Every metric is named, described and labelled in English and Dutch here, once; the CLI, plots and docs use
this table.
"""

from __future__ import annotations

import numpy as np

from .engine import compile_rule, jit, jit_inline
from .rules import motivation as mot
from .rules import strain as st
from .rules.safety import ZONES, zone
from .state import ABSENT, ACTIVE, VACANT

FAILURES = ("basic", "complex", "intelligent", "hidden", "surfaced")   # the week's counts per position, kinds

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


# ----------------------------------------------------------------------------------------------------------------
# the week's metrics in one pass over the teams: sums per team (the schedule's last loop leaves them), then per run
# ----------------------------------------------------------------------------------------------------------------
_engagement_class = compile_rule(mot.engagement_class)
_zone = compile_rule(zone)
_burnout = compile_rule(st.burnout_criterion)
_complaints = compile_rule(st.complaints)

# the sums per team the metrics are made of (a row of ``partials`` each): first the sums over the active of the
# means' variables (each becomes the metric of its name: a mean over the active), then counts
MEANS = ("engagement", "engaged_share", "disengaged_share", "trust_in_manager", "manager_trust", "psych_safety",
         "competence", "motivation", "exhaustion", "cynicism", "efficacy", "initiative", "manager_control")
COUNTS = ("burnt", "complaints", "absent", "vacant", "active") + tuple(f + "_failures" for f in FAILURES)
PARTIALS = MEANS + COUNTS
_P = {name: k for k, name in enumerate(PARTIALS)}
N_PARTIALS = len(PARTIALS)
_SAFETY = _P["psych_safety"]
_BURNT, _COMPLAINTS, _ABSENT, _VACANT, _ACTIVE, _FAILURES = (_P["burnt"], _P["complaints"], _P["absent"],
                                                             _P["vacant"], _P["active"], _P["basic_failures"])
# the means over a run's teams of the managers' values (team lead arrays, by metric)
TEAM_MEANS = ("manager_hours", "hours_monitoring", "hours_doing", "hours_coaching", "hours_vision",
              "manager_strain", "extra_control", "pressure_from_above")
ZONE_METRICS = tuple(f"zone_{z}" for z in ZONES)
# what :func:`metric_columns` fills, in its order
COLUMNS = MEANS + TEAM_MEANS + ZONE_METRICS + (
    "burnout_share", "burnout_complaints_share", "absent_share", "vacancy_share", "output") + tuple(
    f + "_failures" for f in FAILURES) + ("headcount",)
_C = {name: k for k, name in enumerate(COLUMNS)}
_TEAM0, _ZONE0, _OUTPUT, _SURFACED = _C[TEAM_MEANS[0]], _C[ZONE_METRICS[0]], _C["output"], _C["surfaced_failures"]
_BURNOUT_SHARE, _COMPLAINTS_SHARE, _ABSENT_SHARE, _VACANCY_SHARE, _FAIL0, _HEADCOUNT = (
    _C["burnout_share"], _C["burnout_complaints_share"], _C["absent_share"], _C["vacancy_share"],
    _C["basic_failures"], _C["headcount"])
_N_MEANS, _N_TEAM = len(MEANS), len(TEAM_MEANS)


@jit_inline   # inlined into the schedule's last loop and into metric_partials: the same sums in both
def team_metric_sums(lo, hi, t, E, counts, e_threshold, c_threshold, partials):
    """Row ``t`` of ``partials``: sums over positions ``lo:hi`` (a team), in index order, laid out as
    :data:`PARTIALS` says: over the active, each of :data:`MEANS`' variables (``engaged``/``disengaged`` as
    0/1), then the burnt-out active, those with burnout complaints, the absent, the vacancies, the active, and
    the week's failures of each kind (``counts``: a row per kind of :data:`FAILURES`, a column per position)."""
    row = partials[t]
    for k in range(N_PARTIALS):
        row[k] = 0.0
    for i in range(lo, hi):
        for f in range(counts.shape[0]):
            row[_FAILURES + f] += counts[f, i]
        s = E.status[i]
        if s == VACANT:
            row[_VACANT] += 1.0
            continue
        if s == ABSENT:
            row[_ABSENT] += 1.0
            continue
        row[_ACTIVE] += 1.0
        cls = _engagement_class(E.engagement[i])
        row[0] += E.engagement[i]
        row[1] += 1.0 if cls == mot.ENGAGED else 0.0
        row[2] += 1.0 if cls == mot.DISENGAGED else 0.0
        row[3] += E.trust_in_manager[i]
        row[4] += E.manager_trust[i]
        row[5] += E.safety[i]
        row[6] += E.competence[i]
        row[7] += E.motivation[i]
        row[8] += E.exhaustion[i]
        row[9] += E.cynicism[i]
        row[10] += E.efficacy[i]
        row[11] += E.initiative[i]
        row[12] += E.control[i]
        row[_BURNT] += 1.0 if _burnout(E.exhaustion[i], E.cynicism[i], e_threshold, c_threshold) else 0.0
        row[_COMPLAINTS] += _complaints(E.exhaustion[i], e_threshold)


@jit
def metric_partials(first, E, counts, e_threshold, c_threshold):
    """:func:`team_metric_sums` for every team (team ``t`` holds positions ``first[t]:first[t+1]``): what the
    schedule's last loop leaves, for metrics taken at any other moment."""
    partials = np.empty((first.size - 1, N_PARTIALS))
    for t in range(first.size - 1):
        team_metric_sums(first[t], first[t + 1], t, E, counts, e_threshold, c_threshold, partials)
    return partials


@jit
def metric_columns(pos_bounds, team_bounds, partials, standards, team_values, team_output, orphans_surfaced):
    """Every metric of :data:`COLUMNS` for every run (rows; run ``r`` holds positions ``pos_bounds[r]:pos_bounds[
    r+1]`` and teams ``team_bounds[r]:team_bounds[r+1]``), from the sums per team (``partials``,
    :func:`team_metric_sums`) and the team leads' values (``team_values``: a row per metric of
    :data:`TEAM_MEANS`): means over a run's active employees, shares of its employees or positions, means over
    its teams, counts. Sums run over teams in index order."""
    n_runs = pos_bounds.size - 1
    out = np.zeros((n_runs, len(COLUMNS)))
    for r in range(n_runs):
        s = np.zeros(N_PARTIALS)
        o = out[r]
        surf = 0.0
        for t in range(team_bounds[r], team_bounds[r + 1]):
            row = partials[t]
            for k in range(N_PARTIALS):
                s[k] += row[k]
            for k in range(_N_TEAM):
                o[_TEAM0 + k] += team_values[k, t]
            o[_ZONE0 + _zone(row[_SAFETY] / max(row[_ACTIVE], 1.0), standards[t])] += 1.0
            o[_OUTPUT] += team_output[t]
            surf += orphans_surfaced[t]
        n_act = s[_ACTIVE]
        for k in range(_N_MEANS):
            o[k] = s[k] / n_act if n_act > 0 else 0.0
        teams = float(team_bounds[r + 1] - team_bounds[r])
        for k in range(_TEAM0, _ZONE0 + len(ZONE_METRICS)):
            o[k] /= teams
        o[_OUTPUT] /= teams
        absent = s[_ABSENT]
        employed = max(n_act + absent, 1.0)
        o[_BURNOUT_SHARE] = (absent + s[_BURNT]) / employed
        o[_COMPLAINTS_SHARE] = (absent + s[_COMPLAINTS]) / employed
        o[_ABSENT_SHARE] = absent / employed
        o[_VACANCY_SHARE] = s[_VACANT] / float(pos_bounds[r + 1] - pos_bounds[r])
        for f in range(len(FAILURES)):
            o[_FAIL0 + f] = s[_FAILURES + f]
        o[_SURFACED] += surf
        o[_HEADCOUNT] = n_act
    return out


def _senior_means(model) -> dict[str, np.ndarray]:
    """The managers above the team leads, per run: mean extra control and mean strain (0 where a run has none;
    a batch numbers each run's senior managers block after block, :func:`sim.org.combine_orgs`)."""
    us, run, n = model.ustate, model.run_of_senior, model._senior_counts
    per = np.maximum(n, 1)
    return {"senior_control": np.bincount(run, weights=us.extra_control, minlength=model.n_runs) / per,
            "senior_strain": np.bincount(run, weights=us.strain, minlength=model.n_runs) / per}


# the team lead's array behind each metric of TEAM_MEANS
_TEAM_FIELDS = dict(manager_hours="hours_total", hours_monitoring="hours_monitoring", hours_doing="hours_doing",
                    hours_coaching="hours_coaching", hours_vision="hours_vision", manager_strain="strain",
                    extra_control="extra_control", pressure_from_above="pressure")


def compute_metrics(model, by_run: bool = False, partials=None) -> dict:
    """All metrics of the current week: sums per team (:func:`team_metric_sums`; ``partials`` if given, as the
    week leaves them, else taken now), reduced per run by :func:`metric_columns` (``tests/test_metrics.py``
    holds the same metrics written with numpy). With ``by_run`` (a batch of runs): a dict of arrays, one value
    per run; otherwise (one run) plain numbers, integers for :data:`INT_METRICS`."""
    s, ms, dyn, last = model.state, model.mstate, model.params.dynamics, model.last
    if partials is None:
        counts = np.array([last[k] for k in FAILURES], dtype=np.int64).reshape(len(FAILURES), -1)
        partials = metric_partials(model.team_first, s.bundle(), counts, float(dyn.burnout_exhaustion),
                                   float(dyn.burnout_cynicism))
    team_values = np.array([getattr(ms, _TEAM_FIELDS[k]) for k in TEAM_MEANS], dtype=float)
    cols = metric_columns(model._pos_bounds, model._team_bounds, partials,
                          np.asarray(model.knob_bundle.standards, dtype=float), team_values,
                          np.asarray(last["team_output"], dtype=float),
                          np.asarray(last["orphans_surfaced"], dtype=np.int64))
    senior = _senior_means(model)
    if by_run:
        m = dict(zip(COLUMNS, cols.T))
        m["leavers"] = model.leavers_by_run.astype(float)
        m.update(senior)
        return {k: m[k] for k in METRICS}
    m = dict(zip(COLUMNS, cols[0].tolist()))
    m["leavers"] = model.leavers_by_run[0]
    m.update({k: float(v[0]) for k, v in senior.items()})
    return {k: int(m[k]) if k in INT_METRICS else m[k] for k in METRICS}


def team_metrics(model) -> dict[str, np.ndarray]:
    """One value per team this week (the rows of ``per_team.csv``)."""
    s, ms, p = model.state, model.mstate, model.params
    team, nt = model.org.team, model.org.n_teams
    active = s.status == ACTIVE
    employed = active | (s.status == ABSENT)
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
        "burnout_share": np.bincount(team, weights=(s.status == ABSENT) | (active & burnt), minlength=nt) / n_emp,
        "output": np.asarray(model.last.get("team_output", np.zeros(nt)), dtype=float),
        "trust_in_manager": mean(s.trust_in_manager),
        "manager_control": mean(s.control),
        "extra_control": ms.extra_control.copy(), "manager_strain": ms.strain.copy(),
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
            vals = (org.n_teams, ms.pressure.mean(), ms.extra_control.mean(), ms.strain.mean(),
                    ms.trust_in_boss.mean() if (org.team_boss >= 0).any() else np.nan)
        else:
            sel = org.senior_level == lev
            has = sel & (org.senior_boss >= 0)
            vals = (int(sel.sum()), us.pressure[sel].mean(), us.extra_control[sel].mean(), us.strain[sel].mean(),
                    us.trust_in_boss[has].mean() if has.any() else np.nan)
        for c, v in zip(LEVEL_COLUMNS, (model.week, lev) + vals):
            rows[c].append(v)
    out = {c: np.asarray(v) for c, v in rows.items()}
    for c in ("week", "level", "managers"):
        out[c] = out[c].astype(np.int64)
    return out
