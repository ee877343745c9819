"""The dashboard's words: every string on the page in English and Dutch (metric labels come from
:mod:`sim.metrics`, parameter labels and help from the schema in :mod:`sim.params`, style and event labels from
:data:`sim.params.POLICY_LABELS` / :data:`sim.params.EVENT_LABELS`)."""

from __future__ import annotations

import os

from sim.params import BY_KEY, EVENT_LABELS, POLICY_LABELS

LANGS = ("en", "nl")
# the Hersey-Blanchard styles a person can receive (sim.policies.style_used: S1..S4 as 0..3)
STYLE_NAMES = (("S1 directing", "S1 instrueren"), ("S2 coaching", "S2 overtuigen"),
               ("S3 supporting", "S3 ondersteunen"), ("S4 delegating", "S4 delegeren"))
UI: dict[str, tuple[str, str]] = {
    "title": ("orgsim - leadership, live", "orgsim - leiderschap, live"),
    "scenario": ("Scenario", "Scenario"),
    "policy_a": ("Leadership style", "Leiderschapsstijl"),
    "policy_b": ("Style B (compare)", "Stijl B (vergelijk)"),
    "ab": ("A/B: the same team under two styles", "A/B: hetzelfde team onder twee stijlen"),
    "setup": ("Setup", "Opzetten"),
    "step": ("Step", "Stap"),
    "run": ("Run", "Start"),
    "pause": ("Pause", "Pauze"),
    "year": ("+1 year", "+1 jaar"),
    "reset": ("Reset", "Herstel"),
    "week": ("Week", "Week"),
    "events": ("Fire now:", "Nu laten gebeuren:"),
    **EVENT_LABELS,   # the events' buttons: their labels (sim.params), the crunch's with its length
    "pressure": ("Pressure crunch ({weeks} weeks)", "Piekdrukte ({weeks} weken)"),
    "team_work": ("Team and work", "Team en werk"),
    "style_knobs": ("Leadership style A: the knobs", "Leiderschapsstijl A: de knoppen"),
    "network": ("The team", "Het team"),
    "hours": ("The manager's week (hours, 4-week average)",
              "De week van de manager (uren, gemiddelde over 4 weken)"),
    "curves": ("Week by week", "Week na week"),
    "now": ("This week", "Deze week"),
    "state": ("State", "Toestand"),
    "engaged": ("engaged", "bevlogen"),
    "neutral": ("so-so", "neutraal"),
    "strained": ("strained", "overbelast"),
    "burnt_out": ("burnt out / sick", "burn-out / ziek"),
    "left": ("left (vacancy)", "vertrokken (vacature)"),
    "manager": ("manager", "manager"),
    "activity": ("Activity", "Activiteit"),
    "hours_axis": ("hours", "uren"),
    "target": ("target", "norm"),
    "avg4": ("4-week average", "gemiddelde over 4 weken"),
    "event_band": ("event", "gebeurtenis"),
    "replayed": ("replayed weeks 1-{week} with the new value",
                 "weken 1-{week} opnieuw berekend met de nieuwe waarde"),
    "fired": ("{what} from week {start}", "{what} vanaf week {start}"),
    "finished": ("End of the scenario ({weeks} weeks)", "Einde van het scenario ({weeks} weken)"),
    "teams_shown": ("showing {shown} of {teams} teams", "{shown} van {teams} teams getoond"),
    "one_team": ("One team", "Eén team"),
    "organisations": ("Organisations", "Organisaties"),
    "all_params": ("All parameters", "Alle parameters"),
    "section": ("Section", "Onderdeel"),
    "sec_team": ("Team", "Team"),
    "sec_work": ("Work", "Werk"),
    "sec_policy": ("Leadership style A", "Leiderschapsstijl A"),
    "sec_org": ("Organisation", "Organisatie"),
    "sec_manager": ("Manager", "Manager"),
    "sec_dynamics": ("How fast things change", "Hoe snel dingen veranderen"),
    "sec_scenario": ("Length and chance", "Duur en toeval"),
    "follows": ("as the others", "zoals de rest"),
    "team_n": ("Team {n}", "Team {n}"),
    "weight": ("weight", "gewicht"),
    "measures": ("Measures to plot", "Grafieken van"),
    "monitors": ("Monitors (this week)", "Meters (deze week)"),
    "speed": ("Speed", "Snelheid"),
    "per_second": ("{n}/s", "{n}/s"),
    "speed_unit": ("Speed (weeks/s)", "Snelheid (weken/s)"),
    "projector": ("Projector", "Beamer"),
    "control": ("The manager's control", "De controle van de manager"),
    "control_line": ("control", "controle"),
    "autonomy_line": ("autonomy given", "gegeven autonomie"),
    "zones": ("The four zones", "De vier zones"),
    "safety_axis": ("psychological safety", "psychologische veiligheid"),
    "standards_axis": ("standards", "lat (standaarden)"),
    "story": ("Their story", "Het verhaal van"),
    "person_n": ("Person {n}", "Persoon {n}"),
    "close": ("Close", "Sluiten"),
    "style_got": ("Style received", "Ontvangen stijl"),
    "burnt_out_short": ("burnt out", "burn-out"),
    "left_short": ("left", "vertrokken"),
    "click_person": ("click a person for their story", "klik op iemand voor diens verhaal"),
    "failed": ("Something went wrong; the details are in the server's log.",
               "Er ging iets mis; de details staan in het logboek van de server."),
    "again": ("Start again", "Opnieuw beginnen"),
}
# the sliders a trainer needs, in the order shown: (key, step, narrower maximum for the page or None)


def tr(key: str, lang: str, **kw) -> str:
    en, nl = UI[key]
    s = nl if lang == "nl" else en
    return s.format(**kw) if kw else s


def policy_label(name: str, lang: str, short: bool = False) -> str:
    """A style's name (:data:`sim.params.POLICY_LABELS`); ``short``: "Coaching" for "Coaching (trust within
    frameworks)"."""
    labels = POLICY_LABELS.get(name, (name, name, name, name))
    en, nl = labels[2:4] if short else labels[:2]
    word = nl if lang == "nl" else en
    return word[:1].upper() + word[1:] if short else word


def param_label(key: str, lang: str) -> str:
    p = BY_KEY[key]
    return (p.label_nl or p.label_en) if lang == "nl" else p.label_en


def param_help(key: str, lang: str) -> str:
    p = BY_KEY[key]
    return (p.help_nl or p.help) if lang == "nl" else p.help


def default_lang() -> str:
    """``ORGSIM_LANG`` (set by ``orgsim dashboard --lang``), else the locale."""
    lang = os.environ.get("ORGSIM_LANG", "")
    if lang in ("en", "nl"):
        return lang
    loc = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return "nl" if loc.lower().startswith("nl") else "en"


def style_name(index: int, lang: str) -> str:
    en, nl = STYLE_NAMES[index]
    return nl if lang == "nl" else en


def number_text(value: float, lang: str, digits: int = 2) -> str:
    """A number as the reader writes it: a decimal comma in Dutch."""
    s = f"{value:.{digits}f}"
    return s.replace(".", ",") if lang == "nl" else s
