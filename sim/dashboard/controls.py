"""The page's controls, from the parameter schema (:data:`sim.params.PARAMS`): which parameter gets which kind of
control, its range and step on the page, and which parameters a scenario's text names (plain Python).

Every parameter of every section has a control ("all parameters", grouped by section), except the scenario's
texts (title, description, ...); the leadership style (``policy.name``) is the style picker. A scenario text
names a parameter by its key (``policy.blame``, ``{policy.blame}``) or by its label in the text's language;
:func:`named_in_text` finds both, and the tests check that every one has a control on the page.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from sim.params import BY_KEY, PARAMS, SECTIONS, load_scenario, text

# sections of the "all parameters" panel, in the order shown (the scenario's texts have no controls)
PANEL_SECTIONS = tuple(s for s in SECTIONS if s != "scenario") + ("scenario",)
TEXT_KINDS = ("str",)
# narrower maxima on the page than the schema allows (bigger organisations: the command line)
PAGE_MAX = {"team.size": 100, "team.teams": 50, "scenario.weeks": 520, "scenario.seed": 1000, "org.span": 50}
MIX_MAX = 10.0          # a policy's weight in the mix, on the page
LIST_SLOTS = 4          # org.team_policies: the first teams' policies on the page
# the sliders a trainer needs most, in the order shown, above the panel: (key, step, narrower maximum or None)
TEAM_SLIDERS = (("team.size", 1, 100), ("team.competence_mean", 0.05, None),
                ("team.resilience_mean", 0.05, None), ("work.workload", 0.05, None),
                ("manager.insecurity", 0.05, None), ("manager.hours", 1, None))
KNOB_SLIDERS = tuple((f"policy.{k}", 0.05, None) for k in ("autonomy", "monitoring", "approval", "coaching",
                                                            "frameworks", "blame", "takeover", "reactivity"))


def kind_of_control(key: str) -> str | None:
    """``slider``, ``choice``, ``mix``, ``list``, ``style`` (the style picker) or None (no control: a text)."""
    p = BY_KEY[key]
    if key == "policy.name":
        return "style"
    if p.kind in ("int", "float", "knob"):
        return "slider"
    if p.kind in ("choice", "mix", "list"):
        return p.kind
    return None


def section_controls(section: str) -> tuple[str, ...]:
    """The keys of a section that have a control in the panel, in schema order."""
    return tuple(p.key for p in PARAMS if p.section == section and kind_of_control(p.key) not in (None, "style"))


def controlled_keys() -> set[str]:
    """Every key the page can change: the panel's controls and the style picker."""
    return {p.key for p in PARAMS if kind_of_control(p.key) is not None}


def slider_range(key: str) -> tuple[float, float, float]:
    """(low, high, step) of a key's slider on the page: the schema's range (a narrower maximum for sizes the
    page should not build) and a round step of about a hundredth of it."""
    p = BY_KEY[key]
    hi = min(p.hi, PAGE_MAX.get(key, p.hi))
    if p.kind == "int":
        return p.lo, hi, 1
    raw = (hi - p.lo) / 100
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5):
        if m * step >= raw:
            return p.lo, hi, m * step
    return p.lo, hi, 10 * step


_KEY = re.compile(r"\b(" + "|".join(SECTIONS) + r")\.([a-z_]+)\b")


def named_in_text(words: str, lang: str) -> set[str]:
    """Keys of the parameters a text names: by key (``policy.blame``, ``{policy.blame}``, ``--set
    policy.blame=0.2``) or by the parameter's label in ``lang`` (whole words, any case)."""
    found = {f"{a}.{b}" for a, b in _KEY.findall(words) if f"{a}.{b}" in BY_KEY}
    low = words.lower()
    for p in PARAMS:
        label = (p.label_nl or p.label_en) if lang == "nl" else p.label_en
        if p.kind not in TEXT_KINDS and len(label) > 3 and re.search(r"\b" + re.escape(label.lower()) + r"\b",
                                                                     low):
            found.add(p.key)
    return found


def named_in_scenarios(folder: Path) -> dict[str, str]:
    """The parameters the scenario texts in ``folder`` name (what it shows, how to use it, what to notice and
    try, in English and Dutch; :func:`named_in_text`): key -> the first file (by name) that names it."""
    named: dict[str, str] = {}
    for f in sorted(Path(folder).glob("*.toml")):
        sp = load_scenario(f)
        for lang in ("en", "nl"):
            words = " ".join(text(sp, fld, lang) for fld in ("description", "howto", "notice", "try"))
            for key in named_in_text(words, lang):
                named.setdefault(key, f.name)
    return named


_SET = re.compile(r"\s*\(--set [^)]*\)")


def page_words(words: str, lang: str) -> list[tuple[str, bool]]:
    """A scenario text as the page shows it: command-line forms (``(--set policy.blame=0.2)``) left out, and each
    parameter key (``policy.blame``, ``{policy.blame}``) replaced by the label of its control in ``lang``.
    Returns pieces (text, is_label), for the page to escape and mark up."""
    words = _SET.sub("", words)
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in re.finditer(r"\{?\b(" + "|".join(SECTIONS) + r")\.([a-z_]+)\b\}?", words):
        key = f"{m.group(1)}.{m.group(2)}"
        if key not in BY_KEY:
            continue
        p = BY_KEY[key]
        out += [(words[pos:m.start()], False), ((p.label_nl or p.label_en) if lang == "nl" else p.label_en, True)]
        pos = m.end()
    out.append((words[pos:], False))
    return [piece for piece in out if piece[0]]
