"""The scenario picker: which files it offers, in what order and under which headings (plain Python).

The shipped scenarios are offered in the order a workshop uses them (:data:`WORKSHOP_ORDER`), grouped as *one
team* and *organisations* (several teams or management levels); files the order does not name (a trainer's
own) follow in their group by file name. Titles are in the page's language.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.dashboard_guard import log
from sim.params import ConfigError, load_scenario, text
from sim.safe_text import one_line

from .texts import default_lang, tr

# the shipped scenarios in the order of a workshop: the two styles first, then the other styles, the vicious
# cycle, people and situations, the four zones; then organisations from one to five levels
WORKSHOP_ORDER = (
    "controlling", "coaching", "delegating", "situational", "reactive_pressure", "insecure_manager",
    "phased_delegation", "junior_team", "senior_team", "reorganisation", "self_directing_pilot",
    "zone_learning", "zone_comfort", "zone_anxiety", "zone_apathy",
    "baseline_nl", "baseline_nl_autonomy", "company_coaching_island", "company_controlling_top",
    "company_coaching_top", "company_corporation",
)
GROUPS = ("one_team", "organisations")


def scenario_folder() -> Path:
    """The folder of the picker's scenario files: ``ORGSIM_SCENARIOS`` (set by ``orgsim dashboard``), else
    ``scenarios/`` beside the package."""
    return Path(os.environ.get("ORGSIM_SCENARIOS") or Path(__file__).resolve().parents[2] / "scenarios")


def scenario_files() -> list[Path]:
    """The scenario files in the folder, by name."""
    return sorted(scenario_folder().glob("*.toml"))


def _rank(path: Path) -> tuple[int, str]:
    stem = path.stem
    return (WORKSHOP_ORDER.index(stem) if stem in WORKSHOP_ORDER else len(WORKSHOP_ORDER), stem)


def scenario_entries(lang: str) -> list[tuple[str, str, str]]:
    """(group, title in ``lang``, file) for every scenario that validates, in workshop order within each group;
    files that do not validate are left out (one line in the server's log each)."""
    out = []
    for f in sorted(scenario_files(), key=_rank):
        try:
            sp = load_scenario(f)
        except ConfigError as exc:
            log.warning("orgsim dashboard: left out of the picker: %s", one_line(exc))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the sidebar
            log.warning("orgsim dashboard: left out of the picker: %s (%s)", f.name, type(exc).__name__)
            continue
        group = GROUPS[1] if sp.team.teams > 1 or sp.org.levels > 1 else GROUPS[0]
        out.append((group, text(sp, "title", lang), str(f)))
    return [e for g in GROUPS for e in out if e[0] == g]


def scenario_items(lang: str) -> list[dict]:
    """The picker's entries for a Vuetify select: a heading per group, then its scenarios (text, value)."""
    items: list[dict] = []
    entries = scenario_entries(lang)
    for g in GROUPS:
        inside = [{"text": title, "value": f} for group, title, f in entries if group == g]
        if inside:
            items += [{"header": tr(g, lang)}, *inside]
    return items


def offered(items: list[dict]) -> list[str]:
    """The files a picker's items offer (headings left out)."""
    return [it["value"] for it in items if "value" in it]


def default_scenario() -> Path | None:
    """The micromanager if the picker offers it, else the picker's first scenario, else the schema's
    defaults."""
    files = [Path(f) for _, _, f in scenario_entries(default_lang())]
    for f in files:
        if f.stem == "controlling":
            return f
    return files[0] if files else None
