"""Your own team: an anonymous team survey (CSV, one row per person) as the starting people of a run.

The columns (any order; a header row; ``,``, ``;`` or tab between cells; in a ``;``-file a decimal comma is
read too; each column is optional, but at least one instrument must be there):

=====================  ======  =================================================================================
column                 range   becomes (docs/survey.md)
=====================  ======  =================================================================================
``uwes``               0-6     UWES-9 total (mean of the nine items): engagement = uwes / 6; the model's
                               starting engagement is 0.15 + 0.7 x motivation, so motivation = (engagement -
                               0.15) / 0.7, clipped to 0-1
``uwes1`` .. ``uwes9`` 0-6     the nine UWES-9 items: their mean is ``uwes``
``bat``                1-5     BAT-12 total (mean of the twelve items): exhaustion = cynicism = (bat - 1) / 4
``bat1`` .. ``bat12``  1-5     the BAT-12 items: exhaustion = (mean of items 1-3 - 1) / 4, cynicism (mental
                               distance) = (mean of items 4-6 - 1) / 4
``exhaustion``         1-5     exhaustion alone (e.g. the BAT exhaustion items' mean): (x - 1) / 4
``trust``              1-5     trust in the manager: the person's trust propensity = (x - 1) / 4, and so their
                               starting trust in the manager and their view of the manager's ability,
                               benevolence and integrity
``competence``         1-5     self-rated competence: (x - 1) / 4
``experience_years``   0-50    instead of ``competence``: 0.25 + 0.6 x (1 - exp(-years / 5))
``tenure_years``       0-50    tenure: round(52 x years) weeks
``id``                 number  an anonymous number; not used
=====================  ======  =================================================================================

Dutch headers are read too (``vertrouwen``, ``bekwaamheid``, ``ervaring_jaren``, ``dienstjaren``,
``uitputting``). What a survey does not give is drawn as the model draws it (sim.people.draw, from the
scenario's team means), and exhaustion and cynicism it does not give start where the person's situation tends
(``strain.starting_exhaustion``, ``strain.starting_cynicism``); the survey's values are then written over it
with :func:`sim.people.place`, the function that starts every person, so nothing in the model's rules changes and the same seed gives the same
numbers. A survey is refused, with one line naming the file, the row and the column, when it is empty, has
fewer than 5 people (a smaller team could be recognised in its answers), a value out of range or missing, or a
column that looks like names or e-mail addresses. Nothing leaves the machine.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigError
from .safe_text import one_line

MIN_PEOPLE, MAX_PEOPLE, MAX_BYTES = 5, 1000, 1_000_000
RANGES: dict[str, tuple[float, float]] = {
    "uwes": (0, 6), **{f"uwes{i}": (0, 6) for i in range(1, 10)},
    "bat": (1, 5), **{f"bat{i}": (1, 5) for i in range(1, 13)},
    "exhaustion": (1, 5), "trust": (1, 5), "competence": (1, 5),
    "experience_years": (0, 50), "tenure_years": (0, 50), "id": (0, 1e9),
}
ALIASES = {"vertrouwen": "trust", "bekwaamheid": "competence", "ervaring_jaren": "experience_years",
           "dienstjaren": "tenure_years", "uitputting": "exhaustion", "nr": "id", "nummer": "id"}
NAME_LIKE = re.compile(r"^(e-?mail.*|mail|.*naam|.*name|voorletters?|initial.*|medewerker|werknemer|employee|"
                       r"person|persoon|collega|respondent_name|telefoon.*|phone.*)$")
UWES_ITEMS = tuple(f"uwes{i}" for i in range(1, 10))
BAT_ITEMS = tuple(f"bat{i}" for i in range(1, 13))


@dataclass(frozen=True)
class Survey:
    source: str
    columns: dict[str, np.ndarray]   # canonical column -> one value per person

    @property
    def n(self) -> int:
        return len(next(iter(self.columns.values())))


def _allowed(col: str) -> str:
    lo, hi = RANGES[col]
    return "a whole number" if col == "id" else f"a number in [{lo:g}, {hi:g}]"


def _header(cells: list[str], src: str) -> list[str]:
    out = []
    for raw in cells:
        h = raw.strip().lower().replace(" ", "_").replace("-", "_") if raw.strip() else ""
        shown = one_line(raw.strip())
        if NAME_LIKE.match(raw.strip().lower()) or NAME_LIKE.match(h):
            raise ConfigError(f"{src}: row 1, column '{shown}': looks like names or e-mail addresses; the survey "
                              "must be anonymous: remove this column")
        col = ALIASES.get(h, h)
        if col not in RANGES:
            near = difflib.get_close_matches(col, list(RANGES) + list(ALIASES), n=1, cutoff=0.6)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ConfigError(f"{src}: row 1, column '{shown}': unknown column{hint} (allowed: uwes or uwes1-uwes9, "
                              "bat or bat1-bat12, exhaustion, trust, competence, experience_years, tenure_years, "
                              "id; see docs/survey.md)")
        if col in out:
            raise ConfigError(f"{src}: row 1, column '{shown}': named twice")
        out.append(col)
    return out


def _value(cell: str, col: str, shown: str, row: int, src: str, comma: bool) -> float:
    s = cell.strip()
    where = f"{src}: row {row}, column '{shown}'"
    if not s:
        raise ConfigError(f"{where}: missing value; allowed: {_allowed(col)} (leave the whole column out to let "
                          "the model draw it)")
    if "@" in s:
        raise ConfigError(f"{where}: looks like an e-mail address; the survey must be anonymous")
    t = s.replace(",", ".") if comma and s.count(",") == 1 and "." not in s else s
    try:
        v = float(t)
    except ValueError:
        kind = "looks like a name; the survey must be anonymous" if re.fullmatch(r"[^\W\d_][\w .'-]*", s) else \
            "not a number"
        raise ConfigError(f"{where}: '{one_line(s[:30])}' {kind}; allowed: {_allowed(col)}") from None
    lo, hi = RANGES[col]
    if not (math.isfinite(v) and lo <= v <= hi) or (col == "id" and not v.is_integer()):
        raise ConfigError(f"{where}: {one_line(s[:30])} is out of range; allowed: {_allowed(col)}")
    return v


def read(path: str | Path) -> Survey:
    """Read and check a survey; raise :class:`ConfigError` (one line: file, row, column, what is allowed)."""
    path = Path(path)
    src = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{one_line(src)}: no such survey file") from None
    except (OSError, ValueError) as exc:   # a folder, no permission, a name with a NUL byte, ...
        raise ConfigError(f"{one_line(src)}: cannot read the survey ({exc.__class__.__name__})") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{src}: {len(data):,} bytes; allowed: a survey file up to {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{src}: not UTF-8 text; save the survey as CSV (UTF-8)") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ConfigError(f"{src}: row 1: empty file; expected a header row and one row per person (at least "
                          f"{MIN_PEOPLE})")
    delim = max(";,\t", key=lines[0].count) if any(d in lines[0] for d in ";,\t") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    shown = [c.strip() for c in rows[0]]
    cols = _header(rows[0], src)
    values: dict[str, list[float]] = {c: [] for c in cols}
    last = 1
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        last = r
        if len(cells) != len(cols):
            raise ConfigError(f"{src}: row {r}: {len(cells)} cells, the header has {len(cols)}")
        for c, sh, cell in zip(cols, shown, cells):
            values[c].append(_value(cell, c, one_line(sh), r, src, comma=delim != ","))
    n = len(values[cols[0]])
    if n == 0:
        raise ConfigError(f"{src}: row 1: a header but no people; expected one row per person (at least "
                          f"{MIN_PEOPLE})")
    if n < MIN_PEOPLE:
        raise ConfigError(f"{src}: rows 2-{last}: {n} people; at least {MIN_PEOPLE} are needed (a smaller team "
                          "could be recognised in its answers)")
    if n > MAX_PEOPLE:
        raise ConfigError(f"{src}: rows 2-{last}: {n} people; allowed: at most {MAX_PEOPLE} (one team)")
    for items in (UWES_ITEMS, BAT_ITEMS):
        have = [c for c in items if c in values]
        if have and len(have) < len(items):
            missing = next(c for c in items if c not in values)
            raise ConfigError(f"{src}: row 1, column '{missing}': missing; give all of {items[0]}-{items[-1]} "
                              f"or their mean as '{items[0][:-1]}'")
        if have and items[0][:-1] in values:
            raise ConfigError(f"{src}: row 1, column '{items[0][:-1]}': the items are given too; give the items "
                              "or their mean, not both")
    if not set(values) - {"id"}:
        raise ConfigError(f"{src}: no survey columns; allowed: uwes, bat, exhaustion, trust, competence, "
                          "experience_years, tenure_years (see docs/survey.md)")
    return Survey(src, {c: np.asarray(v, dtype=float) for c, v in values.items()})


def _mean(cols: dict, names) -> np.ndarray:
    return np.mean([cols[c] for c in names], axis=0)


def starting_state(s: Survey) -> dict[str, np.ndarray]:
    """The model's starting values the survey gives (0-1 scales; tenure in weeks); only those it gives."""
    c, out = s.columns, {}
    uwes = _mean(c, UWES_ITEMS) if "uwes1" in c else c.get("uwes")
    if uwes is not None:
        out["engagement"] = uwes / 6.0
        out["motivation"] = np.clip((out["engagement"] - 0.15) / 0.7, 0.0, 1.0)
    if "bat1" in c:
        out["exhaustion"] = (_mean(c, BAT_ITEMS[:3]) - 1) / 4
        out["cynicism"] = (_mean(c, BAT_ITEMS[3:6]) - 1) / 4
    elif "bat" in c:
        out["exhaustion"] = out["cynicism"] = (c["bat"] - 1) / 4
    if "exhaustion" in c:
        out["exhaustion"] = (c["exhaustion"] - 1) / 4
    if "trust" in c:
        out["propensity"] = (c["trust"] - 1) / 4
    if "competence" in c:
        out["competence"] = (c["competence"] - 1) / 4
    elif "experience_years" in c:
        out["competence"] = 0.25 + 0.6 * (1 - np.exp(-c["experience_years"] / 5.0))
    if "tenure_years" in c:
        out["tenure"] = np.round(52 * c["tenure_years"]).astype(np.int64)
    return out


def for_survey(params, s: Survey):
    """The scenario's parameters for the surveyed team: one team of as many people as answered."""
    from .params import with_updates
    if params.team.teams != 1 or params.org.levels != 1:
        raise ConfigError(f"{s.source}: a survey describes one team; allowed in a scenario with team.teams = 1 and "
                          "org.levels = 1")
    return with_updates(params, team={"size": s.n})


def apply(model, s: Survey) -> None:
    """Write the surveyed people over the drawn ones, in every run of ``model`` (before its first week), with
    :func:`sim.people.place` (which starts cynicism from exhaustion and trust), then the measured engagement and
    cynicism; what the survey does not give keeps its drawn or starting value."""
    from . import people
    from .rules import trust as _trust
    st, E, m = starting_state(s), model.state, model.params.manager
    fields = ("competence", "motivation", "trust_propensity", "resilience", "learning_rate", "workload_share",
              "exhaustion", "affectivity", "private_load")   # in the order of people.place's traits
    given = {"competence": "competence", "motivation": "motivation", "trust_propensity": "propensity",
             "exhaustion": "exhaustion"}
    for lo in model._pos_bounds[:-1]:
        slots = np.arange(lo, lo + s.n, dtype=np.int64)
        traits = tuple(np.ascontiguousarray(st[given[f]] if given.get(f) in st else getattr(E, f)[slots],
                                            dtype=float) for f in fields)
        tenure = np.ascontiguousarray(st["tenure"] if "tenure" in st else E.tenure[slots], dtype=np.int64)
        people.place(slots, traits, tenure, float(m.trust_propensity),
                     float(_trust.with_insecurity(m.trust_propensity, m.insecurity)), float(model.params.work.target),
                     E.bundle())
        if "engagement" in st:   # the measured engagement itself (place starts it from motivation)
            E.engagement[slots] = np.clip(st["engagement"], 0.0, 1.0)
        if "cynicism" in st:     # the measured cynicism itself (place starts it from exhaustion and trust)
            E.cynicism[slots] = np.clip(st["cynicism"], 0.0, 1.0)
