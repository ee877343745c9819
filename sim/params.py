"""The one parameter schema of orgsim.

Every parameter is declared exactly once, here: its section, name, default, allowed range, unit, help text and
English/Dutch labels. Everything else is generated from this table:

* scenario-file (TOML) validation and its error messages (:func:`load_scenario`, :func:`validate`),
* ``--set section.key=value`` overrides on the command line,
* ``orgsim params`` and the documentation table ``docs/parameters.md`` (``python -m sim.params --markdown``),
* the dashboard's sliders (later issue).

A scenario file is TOML with sections ``[scenario]``, ``[team]``, ``[work]``, ``[policy]``, ``[manager]``,
``[dynamics]`` and a list ``[[events]]``. Unknown sections or keys are rejected with a suggestion of the nearest
valid name. Validation is done by pydantic models built from this table (strict types, no NaN/inf).
"""

from __future__ import annotations

import difflib
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from . import safe_toml
from .errors import ConfigError  # noqa: F401  (re-exported: sim.params.ConfigError)

# the named policies (their knobs: sim.policies.PRESETS): name -> labels (English, Dutch; long, then short)
POLICY_LABELS: dict[str, tuple[str, str, str, str]] = {
    "controlling": ("Controlling (micromanager)", "Controlerend (micromanager)", "controlling", "controlerend"),
    "delegating": ("Delegating (hands-off)", "Delegerend (loslaten)", "delegating", "delegerend"),
    "coaching": ("Coaching (trust within frameworks)", "Coachend (vertrouwen binnen kaders)", "coaching",
                 "coachend"),
    "situational": ("Situational (Hersey-Blanchard)", "Situationeel (Hersey-Blanchard)", "situational",
                    "situationeel"),
    "reactive": ("Reactive (control when behind)", "Reactief (controle bij achterstand)", "reactive", "reactief"),
    "custom": ("Custom (only the knobs)", "Eigen instelling (alleen de knoppen)", "custom", "eigen instelling"),
}
POLICY_NAMES = tuple(POLICY_LABELS)
# the kinds of scenario event (what each does: sim.events): kind -> labels (English, Dutch)
EVENT_LABELS: dict[str, tuple[str, str]] = {
    "pressure": ("Crunch", "Piekdrukte"),
    "reorganisation": ("Reorganisation", "Reorganisatie"),
    "key_person_leaves": ("Key person leaves", "Sleutelfiguur vertrekt"),
}
EVENT_KINDS = tuple(EVENT_LABELS)




@dataclass(frozen=True)
class Param:
    section: str
    name: str
    default: Any
    kind: str  # "float" | "int" | "str" | "choice" | "bool" | "knob" (float, default None = policy's value)
    #            | "mix" (table: policy name -> weight >= 0) | "list" (list of choices)
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    help: str = ""
    label_en: str = ""
    label_nl: str = ""
    choices: tuple[str, ...] = ()
    help_nl: str = ""   # Dutch help (the dashboard's sliders); English help is used where it is empty

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    def allowed(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "mix":
            return (f"a table of policy -> weight in [{_fmt(self.lo)}, {_fmt(self.hi)}], policies: "
                    + ", ".join(self.choices))
        if self.kind == "list":
            return "a list of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "str":
            return "a text string"
        if self.kind == "bool":
            return "true or false"
        word = "integer" if self.kind == "int" else "number"
        rng = f"{word} in [{_fmt(self.lo)}, {_fmt(self.hi)}]"
        return rng + (f" ({self.unit})" if self.unit else "")


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:g}" if isinstance(x, float) else str(x)


def _p(section, name, default, kind, lo=None, hi=None, unit="", help="", en="", nl="", choices=(), help_nl=""):
    return Param(section, name, default, kind, lo, hi, unit, help, en or name.replace("_", " "), nl, choices,
                 help_nl)


# fmt: off
PARAMS: tuple[Param, ...] = (
    # --- scenario: texts and run settings --------------------------------------------------------------------
    _p("scenario", "title", "Untitled scenario", "str", help="Title, any language (used where title_en or "
       "title_nl is not given)", en="Title", nl="Titel"),
    _p("scenario", "title_en", "", "str", help="Title (English)", en="Title (English)", nl="Titel (Engels)"),
    _p("scenario", "title_nl", "", "str", help="Title (Dutch)", en="Title (Dutch)", nl="Titel"),
    _p("scenario", "description", "", "str", help="One-line description, any language (used where "
       "description_en or description_nl is not given)", en="Description", nl="Beschrijving"),
    _p("scenario", "description_en", "", "str", help="One-line description (English): what it shows",
       en="Description (English)", nl="Beschrijving (Engels)"),
    _p("scenario", "description_nl", "", "str", help="One-line description (Dutch)",
       en="Description (Dutch)", nl="Beschrijving"),
    _p("scenario", "howto_en", "", "str", help="How to use it (English)", en="How to use it", nl="Gebruik"),
    _p("scenario", "howto_nl", "", "str", help="How to use it (Dutch)", en="How to use it (Dutch)", nl="Gebruik"),
    _p("scenario", "notice_en", "", "str", help="Things to notice (English)", en="Things to notice",
       nl="Let op"),
    _p("scenario", "notice_nl", "", "str", help="Things to notice (Dutch)", en="Things to notice (Dutch)",
       nl="Let op"),
    _p("scenario", "try_en", "", "str", help="Things to try (English)", en="Things to try", nl="Probeer"),
    _p("scenario", "try_nl", "", "str", help="Things to try (Dutch)", en="Things to try (Dutch)", nl="Probeer"),
    _p("scenario", "weeks", 104, "int", 1, 2600, "weeks", "Length of a run; one step is one work week",
       "Weeks", "Weken"),
    _p("scenario", "seed", 42, "int", 0, 2**32 - 1, "", "Master random seed: same seed, same numbers",
       "Seed", "Startgetal (seed)"),

    # --- team: who works here ----------------------------------------------------------------------------------
    _p("team", "size", 12, "int", 1, 1000, "people", "Employees per team (positions)",
       "Team size", "Teamgrootte",
       help_nl="Aantal medewerkers in het team"),
    _p("team", "teams", 1, "int", 1, 5000, "teams", "Number of teams, each with its own manager",
       "Teams", "Teams"),
    _p("team", "competence_mean", 0.55, "float", 0.0, 1.0, "0-1", "Mean competence of the starting team",
       "Team competence", "Bekwaamheid team",
       help_nl="Gemiddelde bekwaamheid van het team bij de start"),
    _p("team", "competence_spread", 0.18, "float", 0.0, 0.5, "sd", "Spread (sd) of competence: the mix of "
       "juniors and seniors", "Competence spread", "Spreiding bekwaamheid"),
    _p("team", "motivation_mean", 0.6, "float", 0.0, 1.0, "0-1", "Mean autonomous motivation at the start",
       "Motivation", "Motivatie"),
    _p("team", "trust_propensity_mean", 0.55, "float", 0.0, 1.0, "0-1", "Mean propensity to trust (Mayer et "
       "al. 1995): trust given before any experience", "Trust propensity", "Vertrouwensgeneigdheid"),
    _p("team", "resilience_mean", 0.5, "float", 0.0, 1.0, "0-1", "Mean resilience: slows exhaustion",
       "Resilience", "Veerkracht",
       help_nl="Gemiddelde veerkracht: remt uitputting"),
    _p("team", "learning_rate_mean", 0.5, "float", 0.0, 1.0, "0-1", "Mean individual learning rate "
       "(multiplies dynamics.learning_speed)", "Learning rate", "Leertempo"),
    _p("team", "workload_spread", 0.35, "float", 0.0, 0.6, "sd", "Spread (sd) of each person's share of the "
       "work relative to the average (roles differ)", "Workload spread", "Spreiding werkdruk"),
    _p("team", "peer_density", 0.5, "float", 0.0, 1.0, "probability", "Chance of a peer tie between two "
       "members of the same team", "Peer ties in team", "Collegiale banden in team"),
    _p("team", "cross_team_density", 0.02, "float", 0.0, 1.0, "probability", "Chance of a peer tie between "
       "two people in different teams", "Peer ties across teams", "Banden tussen teams"),
    _p("team", "hire_competence", 0.3, "float", 0.0, 1.0, "0-1", "Mean competence of a new hire filling a "
       "vacancy", "New hire competence", "Bekwaamheid nieuwe collega"),
    _p("team", "hiring_delay", 10, "int", 0, 104, "weeks", "Weeks a position stays vacant before it is "
       "refilled", "Hiring delay", "Wervingstijd"),
    _p("team", "survey", "", "str", help="An anonymous team survey (CSV, one row per person; docs/survey.md) "
       "for the starting people; the team's size becomes the number of people in it. Empty: people are drawn",
       en="Team survey", nl="Teamenquête"),

    # --- work: what arrives each week --------------------------------------------------------------------------
    _p("work", "workload", 1.0, "float", 0.0, 2.5, "x normal", "Work arriving per employee relative to a "
       "normal week (1 = what a motivated, rested person can do)", "Workload", "Werkdruk",
       help_nl="Werk per medewerker ten opzichte van een normale week (1 = wat een gemotiveerd, uitgerust mens aankan)"),
    _p("work", "difficulty", 0.5, "float", 0.0, 1.0, "0-1", "Typical task difficulty, compared with "
       "competence", "Task difficulty", "Moeilijkheid taken"),
    _p("work", "novelty", 0.2, "float", 0.0, 1.0, "share", "Share of tasks in new territory (where "
       "intelligent failures can happen)", "Novelty", "Nieuwheid"),
    _p("work", "complexity", 0.2, "float", 0.0, 1.0, "share", "Interdependence of tasks: share of failures "
       "that are complex (several causes combining)", "Complexity", "Complexiteit"),
    _p("work", "target", 0.55, "float", 0.05, 1.5, "output", "Output the organisation expects per position "
       "(the manager compares team output with it)", "Output target", "Productienorm"),
    _p("work", "tasks_per_week", 10, "int", 1, 100, "tasks", "Tasks per employee per week (sets how noisy "
       "weekly success and failure counts are)", "Tasks per week", "Taken per week"),

    # --- policy: the leadership style -----------------------------------------------------------------------------
    _p("policy", "name", "coaching", "choice", help="Named leadership policy (see docs/ODD.md); 'custom' "
       "starts from the neutral knob values below", en="Leadership policy", nl="Leiderschapsstijl",
       choices=POLICY_NAMES),
    _p("policy", "autonomy", 0.5, "knob", 0.0, 1.0, "0-1", "Decision latitude granted (Karasek control): "
       "share of decisions the employee takes", "Autonomy granted", "Toegekende autonomie",
       help_nl="Beslisruimte: deel van de beslissingen dat de medewerker zelf neemt"),
    _p("policy", "monitoring", 0.5, "knob", 0.0, 1.0, "0-1", "Intensity of monitoring and check-ins",
       "Monitoring", "Controle/monitoring",
       help_nl="Hoe vaak en hoe strak de manager controleert"),
    _p("policy", "approval", 0.3, "knob", 0.0, 1.0, "share", "Share of tasks that wait for the manager's "
       "approval", "Approvals required", "Goedkeuring nodig",
       help_nl="Deel van de taken dat op goedkeuring van de manager wacht"),
    _p("policy", "coaching", 0.3, "knob", 0.0, 1.0, "0-1", "Coaching intent: share of a full coaching "
       "hour-budget per employee", "Coaching", "Coaching",
       help_nl="Tijd en aandacht voor coaching per medewerker"),
    _p("policy", "frameworks", 0.5, "knob", 0.0, 1.0, "0-1", "Clarity of goals, boundaries and vision "
       "(the frame within which trust is given)", "Clear frameworks", "Heldere kaders",
       help_nl="Helderheid van doelen, grenzen en visie: het kader voor het vertrouwen"),
    _p("policy", "blame", 0.5, "knob", 0.0, 1.0, "0-1", "Reaction to failure: 0 = learn from it, 1 = blame",
       "Blame on failure", "Schuld bij fouten",
       help_nl="Reactie op fouten: 0 = ervan leren, 1 = schuld geven"),
    _p("policy", "takeover", 0.3, "knob", 0.0, 1.0, "0-1", "Tendency to take over work when behind "
       "('quicker if I do it myself')", "Taking over work", "Werk overnemen",
       help_nl="Neiging om werk over te nemen bij achterstand ('dan doe ik het zelf wel')"),
    _p("policy", "standards", 0.5, "knob", 0.0, 1.0, "0-1", "Standards and accountability (with safety: "
       "Edmondson's four zones)", "Standards", "Lat/verantwoordelijkheid"),
    _p("policy", "readiness_matching", 0.0, "knob", 0.0, 1.0, "0-1", "How much autonomy follows each "
       "employee's readiness (Hersey-Blanchard S1-S4)", "Match to readiness", "Afstemmen op volwassenheid"),
    _p("policy", "phased_delegation", 0.0, "knob", 0.0, 1.0, "0-1", "How much autonomy grows with the "
       "manager's trust in the employee (do it together, step back, hand over)", "Phased delegation",
       "Gefaseerd delegeren"),
    _p("policy", "reactivity", 0.0, "knob", 0.0, 1.0, "0-1", "How strongly output below target makes the "
       "manager take control back", "Reactivity to results", "Reactie op resultaten",
       help_nl="Hoe sterk productie onder de norm de manager de controle doet terugpakken"),
    _p("policy", "relax_rate", 0.05, "knob", 0.0, 1.0, "per week", "How fast extra control is let go of "
       "once output is back on target", "Letting go rate", "Loslaattempo"),

    # --- org: management levels above the teams ---------------------------------------------------------------
    _p("org", "levels", 1, "int", 1, 5, "levels", "Management levels: 1 = team leads only; 2 = a director over "
       "the team leads; 3 = director -> department managers -> team leads; and so on", "Management levels",
       "Managementlagen"),
    _p("org", "span", 8, "int", 2, 200, "managers", "Span of control above the teams: managers (team leads, "
       "department managers) reporting to one manager at the next level; the top level takes all that remain",
       "Span of control", "Span of control"),
    _p("org", "director_policy", "situational", "choice", help="Policy of the top manager (levels >= 2)",
       en="Director's policy", nl="Beleid directeur", choices=POLICY_NAMES),
    _p("org", "middle_policy", "situational", "choice", help="Policy of managers between the top and the team "
       "leads (levels >= 3)", en="Middle managers' policy", nl="Beleid middenmanagement", choices=POLICY_NAMES),
    _p("org", "policy_mix", {}, "mix", 0.0, 1000.0, "weights", "Team leads' policies as a distribution, e.g. "
       "{controlling = 0.3, coaching = 0.7}: each team lead gets a policy in proportion to the weights "
       "(largest remainder, shuffled with the seed). Empty: every team lead uses policy.name",
       en="Policy mix", nl="Beleidsmix", choices=POLICY_NAMES),
    _p("org", "team_policies", [], "list", help="Policies of the first team leads, in team order (e.g. "
       "[\"coaching\"] for one coaching team lead); the other teams follow policy_mix or policy.name",
       en="Policies per team", nl="Beleid per team", choices=POLICY_NAMES),
    _p("org", "cascade", 0.5, "float", 0.0, 1.0, "0-1", "How strongly a manager's control and support reach "
       "the managers below: pressure from above raises their strain and their urge to take control",
       "Cascade strength", "Doorwerking van boven"),

    # --- manager --------------------------------------------------------------------------------------------------
    _p("manager", "hours", 40.0, "float", 10.0, 80.0, "hours/week", "Contract hours of the manager per week",
       "Manager hours", "Uren manager",
       help_nl="Contracturen van de manager per week"),
    _p("manager", "overtime_max", 0.3, "float", 0.0, 1.0, "share of hours", "Most overtime a manager "
       "works when behind", "Max overtime", "Max overwerk"),
    _p("manager", "insecurity", 0.3, "float", 0.0, 1.0, "0-1", "Insecure managers take control sooner "
       "and trust less", "Insecurity", "Onzekerheid",
       help_nl="Onzekere managers pakken sneller de controle en vertrouwen minder"),
    _p("manager", "competence", 0.7, "float", 0.0, 1.0, "0-1", "Manager's own competence (seen by "
       "employees as ability)", "Manager competence", "Bekwaamheid manager"),
    _p("manager", "trust_propensity", 0.5, "float", 0.0, 1.0, "0-1", "Manager's propensity to trust",
       "Manager trust propensity", "Vertrouwensgeneigdheid manager"),
    _p("manager", "resilience", 0.5, "float", 0.0, 1.0, "0-1", "Slows the manager's own strain",
       "Manager resilience", "Veerkracht manager"),

    # --- dynamics: rate constants of the submodels -------------------------------------------------------------------
    _p("dynamics", "learning_speed", 0.008, "float", 0.0, 0.2, "per week", "Scale of competence growth: "
       "dC = 2 x speed x learning_rate x (1 - C) x (0.2 + practice + coaching + intelligent failures)", "Learning speed", "Leersnelheid"),
    _p("dynamics", "coaching_effect", 1.0, "float", 0.0, 3.0, "x practice", "Learning from a full coaching "
       "budget, relative to full practice", "Coaching effect", "Effect coaching"),
    _p("dynamics", "motivation_rate", 0.04, "float", 0.0, 1.0, "per week", "Speed at which motivation "
       "follows need satisfaction (SDT)", "Motivation rate", "Tempo motivatie"),
    _p("dynamics", "engagement_rate", 0.05, "float", 0.0, 1.0, "per week", "Speed at which engagement "
       "follows resources and motivation", "Engagement rate", "Tempo bevlogenheid"),
    _p("dynamics", "trust_rate", 0.06, "float", 0.0, 1.0, "per week", "Speed at which trust rises toward "
       "its ABI-based level", "Trust gain rate", "Tempo vertrouwen"),
    _p("dynamics", "trust_loss_multiplier", 2.5, "float", 1.0, 5.0, "x gain", "Trust falls this many times "
       "faster than it rises (Slovic 1993)", "Trust loss multiplier", "Verliesfactor vertrouwen"),
    _p("dynamics", "safety_rate", 0.05, "float", 0.0, 1.0, "per week", "Speed of change of psychological "
       "safety", "Safety rate", "Tempo veiligheid"),
    _p("dynamics", "exhaustion_rate", 0.06, "float", 0.0, 1.0, "per week", "Exhaustion gained per unit of "
       "net demand (JD-R health-impairment)", "Exhaustion rate", "Tempo uitputting"),
    _p("dynamics", "recovery_rate", 0.04, "float", 0.0, 1.0, "per week", "Recovery of exhaustion per unit "
       "of spare resources", "Recovery rate", "Hersteltempo"),
    _p("dynamics", "cynicism_rate", 0.04, "float", 0.0, 1.0, "per week", "Speed at which cynicism follows "
       "sustained exhaustion and distrust", "Cynicism rate", "Tempo cynisme"),
    _p("dynamics", "burnout_exhaustion", 0.6, "float", 0.3, 1.0, "0-1", "Exhaustion at or above which a "
       "person has burnout complaints", "Burnout threshold (exhaustion)", "Drempel uitputting"),
    _p("dynamics", "burnout_cynicism", 0.5, "float", 0.0, 1.0, "0-1", "Cynicism at or above which high "
       "exhaustion counts as burnout", "Burnout threshold (cynicism)", "Drempel cynisme"),
    _p("dynamics", "burnout_weeks", 10, "int", 1, 52, "weeks", "Weeks of sustained burnout before sick "
       "leave", "Weeks to sick leave", "Weken tot verzuim"),
    _p("dynamics", "sick_leave_weeks", 35.0, "float", 1.0, 104.0, "weeks", "Mean length of burnout sick "
       "leave (ArboNed: 220-293 days)", "Sick leave", "Verzuimduur"),
    _p("dynamics", "return_probability", 0.7, "float", 0.0, 1.0, "probability", "Chance to return after "
       "burnout leave (else the person leaves)", "Return after burnout", "Terugkeerkans"),
    _p("dynamics", "turnover_base", 0.0013, "float", 0.0, 0.1, "per week", "Weekly chance of leaving for an "
       "engaged, trusting employee (about 7% a year)", "Base turnover", "Basisverloop"),
    _p("dynamics", "turnover_sensitivity", 2.5, "float", 0.0, 10.0, "log-odds", "How strongly low "
       "engagement and low trust raise the chance of leaving", "Turnover sensitivity", "Gevoeligheid verloop"),
    _p("dynamics", "contagion", 0.02, "float", 0.0, 0.5, "per week", "Pull of peers' engagement and strain "
       "along ties (crossover)", "Emotional contagion", "Emotionele besmetting"),
    _p("dynamics", "hidden_cost", 1.0, "float", 0.0, 10.0, "x", "Extra repair cost of a hidden failure when it "
       "surfaces, in tasks on top of the task itself (a reported failure costs its task)", "Hidden failure cost", "Kosten verborgen fout"),
    _p("dynamics", "surfacing_rate", 0.08, "float", 0.0, 1.0, "per week", "Weekly chance a hidden failure "
       "surfaces", "Surfacing rate", "Opduiktempo"),
    _p("dynamics", "private_load_spread", 0.45, "float", 0.0, 1.0, "demand units", "Spread (standard "
       "deviation) across people and time of the demands outside work net of recovery (private life)",
       "Private load spread", "Spreiding privébelasting",
       help_nl="Spreiding (standaarddeviatie) over mensen en tijd van de belasting buiten het werk, min herstel"),
    _p("dynamics", "private_load_persistence", 0.97, "float", 0.0, 0.999, "per week", "How much of last "
       "week's private load remains (0.97: episodes of months)", "Private load persistence",
       "Duur privébelasting"),
    _p("dynamics", "control_rate", 0.15, "float", 0.0, 1.0, "per week", "Speed at which a pressed manager "
       "takes control back", "Control-taking rate", "Tempo controle nemen"),
    _p("dynamics", "manager_strain_rate", 0.05, "float", 0.0, 1.0, "per week", "Speed at which overload "
       "becomes the manager's strain", "Manager strain rate", "Tempo stress manager"),
)

EVENT_PARAMS: tuple[Param, ...] = (
    _p("events", "kind", "pressure", "choice", help="pressure: workload x magnitude from start to end; "
       "reorganisation: trust and safety shock at start, plus pressure; key_person_leaves: the most competent "
       "employees (magnitude of them, rounded, at least 1) leave at start", en="Event", nl="Gebeurtenis", choices=EVENT_KINDS),
    _p("events", "start", 1, "int", 1, 2600, "week", "First week of the event", "Start week", "Startweek"),
    _p("events", "end", 1, "int", 1, 2600, "week", "Last week of the event (inclusive)", "End week",
       "Eindweek"),
    _p("events", "magnitude", 1.5, "float", 0.0, 3.0, "x", "Strength: workload multiplier for pressure, shock "
       "size for a reorganisation, number of people for key_person_leaves", "Magnitude", "Sterkte"),
)
# fmt: on

SECTIONS: tuple[str, ...] = ("scenario", "team", "work", "policy", "org", "manager", "dynamics")
BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS + EVENT_PARAMS}
KNOBS: tuple[str, ...] = tuple(p.name for p in PARAMS if p.kind == "knob")


def section_params(section: str) -> tuple[Param, ...]:
    return tuple(p for p in PARAMS if p.section == section)


# ---------------------------------------------------------------------------------------------------------------
# pydantic models, generated from the table
# ---------------------------------------------------------------------------------------------------------------
_CONFIG = ConfigDict(extra="forbid", strict=True, frozen=True)


def _field(p: Param):
    if p.kind == "str":
        return (str, Field(default=p.default, description=p.help))
    if p.kind == "choice":
        return (Literal[p.choices], Field(default=p.default, description=p.help))  # type: ignore[valid-type]
    if p.kind == "bool":
        return (bool, Field(default=p.default, description=p.help))
    if p.kind == "mix":
        weight = Annotated[float, Field(ge=p.lo, le=p.hi, allow_inf_nan=False)]
        return (dict[Literal[p.choices], weight], Field(default_factory=dict, description=p.help))  # type: ignore
    if p.kind == "list":
        return (list[Literal[p.choices]], Field(default_factory=list, description=p.help))  # type: ignore
    if p.kind == "int":
        return (int, Field(default=p.default, ge=p.lo, le=p.hi, description=p.help))
    typ = float | None if p.kind == "knob" else float
    default = None if p.kind == "knob" else p.default
    return (typ, Field(default=default, ge=p.lo, le=p.hi, allow_inf_nan=False, description=p.help))


def _model(name: str, params: tuple[Param, ...]) -> type[BaseModel]:
    return create_model(name, __config__=_CONFIG, **{p.name: _field(p) for p in params})


Section = {s: _model(s.capitalize(), section_params(s)) for s in SECTIONS}
Event = _model("Event", EVENT_PARAMS)
Scenario = create_model(
    "ScenarioParams",
    __config__=_CONFIG,
    **{s: (Section[s], Field(default_factory=Section[s])) for s in SECTIONS},
    events=(tuple[Event, ...], Field(default=())),
)


# ---------------------------------------------------------------------------------------------------------------
# validation with one-line errors
# ---------------------------------------------------------------------------------------------------------------
def _suggest(word: str, options) -> str:
    near = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f"; did you mean '{near[0]}'?" if near else ""


def _describe_value(v: Any) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


def _precheck(raw: dict, source: str) -> None:
    """Unknown sections and keys, with suggestions; events must be a list of tables."""
    for sec, body in raw.items():
        if sec == "events":
            if not isinstance(body, list) or not all(isinstance(e, dict) for e in body):
                raise ConfigError(f"{source}: 'events' must be a list of tables written [[events]]")
            names = {p.name for p in EVENT_PARAMS}
            for i, ev in enumerate(body):
                for k in ev:
                    if k not in names:
                        raise ConfigError(f"{source}: unknown key 'events[{i}].{k}'{_suggest(k, names)} "
                                          f"(allowed: {', '.join(sorted(names))})")
            continue
        if sec not in SECTIONS:
            raise ConfigError(f"{source}: unknown section '[{sec}]'{_suggest(sec, SECTIONS + ('events',))} "
                              f"(allowed: {', '.join(SECTIONS)}, events)")
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: '{sec}' must be a table written [{sec}]")
        names = [p.name for p in section_params(sec)]
        for k in body:
            if k not in names:
                hint = _suggest(k, names)
                raise ConfigError(f"{source}: unknown key '{sec}.{k}'{hint}" + ("" if hint else
                                  f" (see 'orgsim params' for the keys of [{sec}])"))


def validate(raw: dict, source: str = "<input>"):
    """Validate a raw scenario dict; return a frozen ``ScenarioParams`` or raise :class:`ConfigError`."""
    _precheck(raw, source)
    if "events" in raw:
        raw = {**raw, "events": tuple(raw["events"])}
    try:
        sp = Scenario.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(x) for x in err["loc"]]
        if loc and loc[0] == "events" and len(loc) >= 3:
            key, shown = f"events.{loc[2]}", f"events[{loc[1]}].{loc[2]}"
        else:
            key = shown = ".".join(loc[:2])
        p = BY_KEY.get(key)
        allowed = p.allowed() if p else "see 'orgsim params'"
        value = err.get("input")
        raise ConfigError(f"{source}: '{shown}' = {_describe_value(value)} is not allowed; "
                          f"allowed: {allowed}") from None
    if sp.org.policy_mix and sum(sp.org.policy_mix.values()) <= 0:
        raise ConfigError(f"{source}: 'org.policy_mix' has no positive weight; allowed: "
                          f"{BY_KEY['org.policy_mix'].allowed()}, at least one weight > 0")
    for i, ev in enumerate(sp.events):
        if ev.end < ev.start:
            raise ConfigError(f"{source}: 'events[{i}].end' = {ev.end} is before its start {ev.start}; "
                              f"allowed: integer in [{ev.start}, 2600] (week)")
    return sp


def set_source(item: str) -> str:
    """How an error line names a ``--set`` override: the option and its text, cut after 60 characters."""
    return "--set " + (item if len(item) <= 60 else item[:57] + "...")


def parse_set(item: str) -> tuple[str, str, Any]:
    """Parse one ``section.key=value`` override; the value is read as a TOML literal, else as a string."""
    if "=" not in item or "." not in item.split("=", 1)[0]:
        raise ConfigError(f"{set_source(item)}: expected section.key=value, e.g. policy.name=coaching")
    lhs, rhs = item.split("=", 1)
    sec, key = lhs.strip().split(".", 1)
    rhs = rhs.strip()
    value = safe_toml.loads_value(rhs, set_source(item), f"{sec}.{key}")
    return sec, key, rhs if value is safe_toml.NOT_TOML else value


def apply_sets(raw: dict, sets: list[str] | None) -> dict:
    """Return a copy of ``raw`` with ``--set`` overrides applied and validated one by one."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    for item in sets or []:
        sec, key, value = parse_set(item)
        if sec == "events":
            raise ConfigError(f"{set_source(item)}: events cannot be set from the command line; edit the "
                              "scenario file")
        out.setdefault(sec, {})
        if not isinstance(out[sec], dict):
            raise ConfigError(f"{set_source(item)}: '{sec}' is not a section")
        out[sec][key] = value
        validate({sec: out[sec]}, source=set_source(item))
    return out


def load_raw(path: str | Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    return safe_toml.loads(text, str(path))


def load_scenario(path: str | Path | None = None, sets: list[str] | None = None):
    """Load, override and validate a scenario. ``path=None`` gives the schema defaults. A survey the file
    names (``[team] survey``) is read beside the file: a relative name becomes relative to the file's folder
    (one given with ``--set`` stays relative to the working directory)."""
    raw = load_raw(path) if path is not None else {}
    source = str(path) if path is not None else "<defaults>"
    validate(raw, source)
    team = raw.get("team")
    if path is not None and isinstance(team, dict) and team.get("survey"):
        survey = Path(team["survey"])
        if not survey.is_absolute():
            raw = {**raw, "team": {**team, "survey": str(Path(path).parent / survey)}}
    return validate(apply_sets(raw, sets), source)


def with_updates(sp, **sections: dict):
    """A copy of validated params with some section values replaced (validated again); ``events=[...]``
    replaces the list of events."""
    raw = sp.model_dump()
    raw["events"] = list(raw.get("events", ()))
    for sec, vals in sections.items():
        if sec == "events":
            raw["events"] = list(vals)
        else:
            raw.setdefault(sec, {}).update(vals)
    return validate(_drop_none(raw), "<updates>")


def _drop_none(raw: dict) -> dict:
    return {s: ({k: v for k, v in b.items() if v is not None} if isinstance(b, dict) else b) for s, b in raw.items()}


def text(sp, field: str, lang: str = "en") -> str:
    """A scenario text (title, description, howto, notice, try) in ``lang``; falls back to the plain key
    (``title``), then to English. Parameters named as ``{section.key}`` or ``{section.key=value}`` are shown
    by their labels in ``lang`` (:mod:`sim.scenario_text`)."""
    sc = sp.scenario
    s = (getattr(sc, f"{field}_{lang}", "") or getattr(sc, field, "") or getattr(sc, f"{field}_en", "") or "")
    if field in ("description", "howto", "notice", "try"):   # controls named by their labels in ``lang``
        from .scenario_text import render
        s = render(s, lang, BY_KEY, POLICY_LABELS)
    return s


# ---------------------------------------------------------------------------------------------------------------
# documentation
# ---------------------------------------------------------------------------------------------------------------
def markdown_table() -> str:
    """The parameter table for the docs, generated from the schema (``make docs``)."""
    lines = [
        "# Parameters",
        "",
        "Generated from `sim/params.py` by `make docs` (`python -m sim.params --markdown`); do not edit by hand.",
        "Policy knobs (`[policy]`) default to the named policy's value (`sim/policies.py`); the value shown is",
        "the neutral one used by `policy.name = \"custom\"`.",
        "",
    ]
    for sec in SECTIONS + ("events",):
        params = EVENT_PARAMS if sec == "events" else section_params(sec)
        lines += [f"## [{sec}]" if sec != "events" else "## [[events]]", "",
                  "| key | default | allowed | meaning | label (en / nl) |", "|---|---|---|---|---|"]
        for p in params:
            default = repr(p.default) if p.kind in ("str", "choice", "mix", "list") else _fmt(p.default)
            meaning = p.help + (f" (nl: *{p.help_nl}*)" if p.help_nl else "")
            lines.append(f"| `{p.key}` | {default} | {p.allowed()} | {meaning} | {p.label_en} / {p.label_nl} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - exercised by `make docs`
    if "--markdown" in sys.argv:
        print(markdown_table())
