"""The experiment file (``experiments/*.toml``): parse, validate against the parameter schema, expand the design.

An experiment names a base scenario, fixed changes to it (``[set]``), the factors to vary (``[factors]``) and a
design: a full ``grid`` of the factors' values, or a sample drawn with SALib (``lhs``, ``sobol``, ``morris``).
Every design point is run ``replicates`` times. See ``docs/experiments.md`` for the format::

    [experiment]
    title = "Control x competence"
    scenario = "scenarios/coaching.toml"     # relative to this file or the project root; default: schema defaults
    design = "grid"                          # grid | lhs | sobol | morris
    replicates = 10
    weeks = 104
    seed = 2024                              # master seed: every run's seed derives from it
    metrics = ["burnout_share", "engagement"]  # default: every metric
    record = "weekly"                        # "weekly", "final", or k (every k weeks; the final week always)

    [set]
    policy.name = "custom"

    [factors]
    policy.monitoring = [0.1, 0.5, 0.9]                      # a list of values
    team.competence_mean = { lo = 0.3, hi = 0.8, steps = 6 }  # a range (steps only in a grid)

    [variants.junior_delegating]             # optional (grid and lhs): every design point is run under every
    scenario = "scenarios/junior_team.toml"  # variant (a scenario, with its events, and [set] changes to it)
    set = { policy.name = "delegating" }

The expanded design (points, seeds, parameters) is :mod:`sim.experiment.design`'s. Errors are
:class:`sim.params.ConfigError` with one line naming the experiment file, the key and what is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import safe_toml
from . import outputs
from ..metrics import METRICS
from ..params import BY_KEY, SECTIONS, ConfigError, Param, _describe_value, _suggest, load_raw

ROOT = Path(__file__).resolve().parent.parent.parent
DESIGNS = ("grid", "lhs", "sobol", "morris")
SAMPLERS = ("lhs", "sobol", "morris")
FACTOR_KINDS = ("float", "knob", "int", "choice", "bool")
RANGE_KEYS = ("lo", "hi", "steps")
MAX_RUNS = 10_000_000
SECTIONS_ALLOWED = ("experiment", "set", "factors", "variants", "outputs", "stop")
TEXT_KEYS = ("title", "title_en", "title_nl", "description", "description_en", "description_nl")


def _e(name, default, kind, lo=None, hi=None, unit="", help="", choices=()):
    return Param("experiment", name, default, kind, lo, hi, unit, help, name, "", choices)


# fmt: off
EXPERIMENT_PARAMS: tuple[Param, ...] = (
    *(_e(k, "", "str", help="Text shown with the results") for k in TEXT_KEYS),
    _e("scenario", "", "str", help="Base scenario file, relative to the experiment file or the project root; "
       "empty: the schema defaults"),
    _e("design", "grid", "choice", help="grid: every combination of the factors' values; lhs: Latin "
       "hypercube; sobol: Saltelli sample for Sobol indices; morris: elementary-effects trajectories",
       choices=DESIGNS),
    _e("samples", 64, "int", 1, 1_000_000, "", "lhs: design points; sobol: base sample N (a power of 2; "
       "N x (D + 2) points, N x (2D + 2) with second_order); morris: trajectories (N x (D + 1) points); D: "
       "the sampled factors; sobol, morris: times the levels of lists of choices"),
    _e("second_order", False, "bool", help="sobol: also second-order indices (more runs)"),
    _e("levels", 4, "int", 2, 100, "levels", "morris: grid levels"),
    _e("replicates", 10, "int", 1, 100_000, "runs", "Runs per design point, each with its own seed"),
    _e("weeks", 0, "int", 1, 2600, "weeks", "Weeks per run (default: the scenario's)"),
    _e("seed", 0, "int", 0, 2**32 - 1, "", "Master seed (default: the scenario's); every run's seed derives "
       "from it and the run's replicate (and design point)"),
    _e("common_random_numbers", True, "bool", help="true: replicate r has the same seed (the same people) at "
       "every design point; false: a seed per design point and replicate"),
    _e("metrics", [], "list", help="Metrics to keep (default: all)", choices=METRICS),
    _e("record", "weekly", "record", help="Weeks kept in timeseries.parquet: \"weekly\", \"final\", or an "
       "integer k (every k-th week and the final week)"),
    _e("average_from", 1, "int", 1, 2600, "week", "First week of the time averages (mean_* columns)"),
)
# fmt: on
EXP_BY_NAME = {p.name: p for p in EXPERIMENT_PARAMS}


@dataclass(frozen=True)
class Factor:
    """One varied parameter: explicit ``values`` or a range ``lo``..``hi`` (``steps`` levels in a grid)."""

    key: str
    param: Param
    values: tuple | None = None
    lo: float | None = None
    hi: float | None = None
    steps: int | None = None

    @property
    def section(self) -> str:
        return self.param.section

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def categorical(self) -> bool:
        return self.values is not None and self.param.kind in ("choice", "bool")

    def grid_values(self) -> tuple:
        if self.values is not None:
            return self.values
        xs = np.linspace(self.lo, self.hi, self.steps)
        if self.param.kind == "int":
            return tuple(dict.fromkeys(int(round(x)) for x in xs))
        return tuple(float(round(x, 10)) for x in xs)

    def bounds(self) -> list[float]:
        """SALib bounds: a list factor samples an index in [0, k); an int range is widened by 0.5 each side
        so every integer is equally likely after rounding."""
        if self.values is not None:
            return [0.0, float(len(self.values))]
        if self.param.kind == "int":
            return [self.lo - 0.5, self.hi + 0.5]
        return [float(self.lo), float(self.hi)]

    def from_sample(self, u: float) -> tuple[Any, float]:
        """A sampled number -> (the parameter value, its numeric value for the sensitivity analysis)."""
        if self.values is not None:
            i = min(int(math.floor(u)), len(self.values) - 1)
            v = self.values[i]
            return v, (float(v) if self.param.kind in ("float", "knob", "int") else float(i))
        if self.param.kind == "int":
            v = int(min(max(round(u), self.lo), self.hi))
            return v, float(v)
        v = float(min(max(u, self.lo), self.hi))
        return v, v


@dataclass(frozen=True)
class Variant:
    """A named base for the design (``[variants.NAME]``): a scenario file (with its events; default: the
    experiment's scenario) and changes to it. Every design point is run under every variant, with the same
    seeds (with common random numbers), so the variants are compared pairwise as in ``orgsim validate``."""

    name: str
    scenario_path: Path | None
    scenario_text: str
    sets: dict


@dataclass(frozen=True)
class Spec:
    """A parsed, validated experiment file (the design is not expanded yet: see :func:`expand`)."""

    path: str
    text: str
    sha256: str
    settings: dict
    sets: dict
    factors: tuple[Factor, ...]
    scenario_path: Path | None
    scenario_text: str
    outputs: tuple = ()                  # [outputs]: sim.experiment.outputs.Output
    stop: Any = None                     # [stop]: sim.experiment.outputs.Stop
    variants: tuple[Variant, ...] = ()

    def __getattr__(self, name):  # settings as attributes: spec.replicates, spec.design ...
        try:
            return self.__dict__["settings"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def record_every(self) -> int:
        """Weeks between recorded weeks; 0 = the final week only."""
        r = self.settings["record"]
        return 1 if r == "weekly" else 0 if r == "final" else int(r)

    def recorded_weeks(self, weeks: int) -> np.ndarray:
        k = self.record_every
        w = np.arange(1, weeks + 1)
        keep = (w == weeks) if k == 0 else ((w % k == 0) | (w == weeks))
        return w[keep]

    def title(self, lang: str = "en") -> str:
        s = self.settings
        return s[f"title_{lang}"] or s["title"] or s["title_en"] or Path(self.path).stem

    @property
    def strata_factors(self) -> tuple[Factor, ...]:
        """Sobol and Morris designs: the categorical factors (a list of choices or true/false). They are not
        sampled: the SALib sample of the other factors is run at every combination of their levels, so every
        level gets the same number of runs, and the indices are computed within each level."""
        return tuple(f for f in self.factors if f.categorical) if self.design in ("sobol", "morris") else ()

    @property
    def sampled_factors(self) -> tuple[Factor, ...]:
        """The factors SALib samples (all of them in an lhs design; all but the categorical ones otherwise)."""
        return tuple(f for f in self.factors if f not in self.strata_factors)

    def strata(self) -> list[tuple]:
        """Every combination of the categorical factors' levels, in the order the file lists them (``[()]``
        without categorical factors)."""
        return list(itertools.product(*(f.values for f in self.strata_factors)))

    def problem(self) -> dict:
        """The SALib problem of the sampled factors."""
        fs = self.sampled_factors
        return {"num_vars": len(fs), "names": [f.key for f in fs], "bounds": [f.bounds() for f in fs]}


# ---------------------------------------------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------------------------------------------
def _bad(source: str, key: str, value, allowed: str) -> ConfigError:
    return ConfigError(f"{source}: '{key}' = {_describe_value(value)} is not allowed; allowed: {allowed}")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_value(source: str, where: str, p: Param, v):
    """One value of parameter ``p``, coerced to its kind (float for knobs and floats), or a one-line error."""
    ok = False
    if p.kind in ("float", "knob"):
        ok = _is_number(v) and p.lo <= v <= p.hi
        v = float(v) if ok else v
    elif p.kind == "int":
        ok = isinstance(v, int) and not isinstance(v, bool) and p.lo <= v <= p.hi
    elif p.kind == "choice":
        ok = v in p.choices
    elif p.kind == "bool":
        ok = isinstance(v, bool)
    if not ok:
        raise _bad(source, where, v, p.allowed())
    return v


def _check_setting(source: str, p: Param, v):
    where = f"experiment.{p.name}"
    if p.kind == "str":
        if not isinstance(v, str):
            raise _bad(source, where, v, p.allowed())
        return v
    if p.kind == "list":
        if not isinstance(v, list) or not v:
            raise _bad(source, where, v, "a non-empty list of metric names (see docs/experiments.md)")
        for m in v:
            if m not in p.choices:
                raise ConfigError(f"{source}: unknown metric '{m}' in 'experiment.metrics'"
                                  f"{_suggest(str(m), p.choices)}")
        if len(set(v)) < len(v):
            raise ConfigError(f"{source}: 'experiment.metrics' names a metric twice")
        return list(v)
    if p.kind == "record":
        if v in ("weekly", "final") or (isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 2600):
            return v
        raise _bad(source, where, v, "\"weekly\", \"final\" or an integer in [1, 2600] (every k weeks)")
    return _check_value(source, where, p, v)


def _flatten(table: dict, source: str, section: str, leaf) -> dict:
    """``{"policy": {"autonomy": x}}`` and ``{"policy.autonomy": x}`` both give ``{"policy.autonomy": x}``."""
    out = {}
    for k, v in table.items():
        if "." not in k and k in SECTIONS and isinstance(v, dict) and not leaf(v):
            for name, vv in v.items():
                out[f"{k}.{name}"] = vv
        else:
            out[k] = v
    return out


def _param_for(source: str, section: str, key: str) -> Param:
    p = BY_KEY.get(key)
    if p is None or p.section == "events":
        keys = [k for k, q in BY_KEY.items() if q.section != "events"]
        raise ConfigError(f"{source}: unknown key '{section}.{key}'{_suggest(key, keys)} "
                          f"(keys are section.name from 'orgsim params')")
    if p.section == "scenario":
        raise ConfigError(f"{source}: '{section}.{key}' cannot be set here; use experiment.weeks and "
                          f"experiment.seed (allowed sections: {', '.join(s for s in SECTIONS if s != 'scenario')})")
    return p


def _parse_factor(source: str, design: str, key: str, spec) -> Factor:
    p = _param_for(source, "factors", key)
    where = f"factors.{key}"
    if p.kind not in FACTOR_KINDS:
        raise ConfigError(f"{source}: '{where}' ({p.kind}) cannot be a factor; set it in [set] or the scenario "
                          f"(factors are numbers, choices or true/false)")
    if isinstance(spec, list):
        if not spec:
            raise _bad(source, where, spec, "a non-empty list of values, or a range { lo = .., hi = .. }")
        values = tuple(_check_value(source, where, p, v) for v in spec)
        if len(set(values)) < len(values):
            raise ConfigError(f"{source}: '{where}' lists a value twice")
        return Factor(key, p, values=values)
    if not isinstance(spec, dict):
        raise _bad(source, where, spec, "a list of values, or a range { lo = .., hi = .. }"
                   + (", steps = .. }" if design == "grid" else ""))
    for k in spec:
        if k not in RANGE_KEYS:
            raise ConfigError(f"{source}: unknown key '{where}.{k}'{_suggest(k, RANGE_KEYS)} "
                              f"(allowed: lo, hi, steps)")
    if p.kind not in ("float", "knob", "int"):
        raise ConfigError(f"{source}: '{where}' is a {p.kind}: give a list of values, not a range")
    if "lo" not in spec or "hi" not in spec:
        raise ConfigError(f"{source}: '{where}' needs both lo and hi")
    lo = _check_value(source, f"{where}.lo", p, spec["lo"])
    hi = _check_value(source, f"{where}.hi", p, spec["hi"])
    if not lo < hi:
        raise ConfigError(f"{source}: '{where}' has lo = {lo} not below hi = {hi}; allowed: lo < hi within "
                          f"{p.allowed()}")
    steps = spec.get("steps")
    if design == "grid":
        if steps is None:
            raise ConfigError(f"{source}: '{where}' is a range in a grid: add steps (integer in [2, 10000])")
        if not (isinstance(steps, int) and not isinstance(steps, bool) and 2 <= steps <= 10_000):
            raise _bad(source, f"{where}.steps", steps, "integer in [2, 10000]")
    elif steps is not None:
        raise ConfigError(f"{source}: '{where}.steps' is only for grid designs; a {design} design samples the "
                          f"range itself (set experiment.samples)")
    return Factor(key, p, lo=lo, hi=hi, steps=steps)


def _resolve_scenario(source: str, exp_dir: Path, name: str, key: str = "experiment.scenario") -> Path:
    for base in (exp_dir.resolve(), ROOT):
        cand = (base / name)
        if cand.is_file():
            return cand
    raise ConfigError(f"{source}: '{key}' = {name!r}: no such file (looked beside the experiment "
                      f"file and in {ROOT})")


def parse_text(text: str, source: str, base_dir: Path | None = None, load_scenario_file: bool = True) -> Spec:
    """Parse and validate an experiment's TOML text; ``source`` names it in errors. With
    ``load_scenario_file=False`` the base scenario is not read (enough for the design; used by the analysis)."""
    raw = safe_toml.loads(text, source)
    for sec in raw:
        if sec not in SECTIONS_ALLOWED:
            raise ConfigError(f"{source}: unknown section '[{sec}]'"
                              f"{_suggest(sec, SECTIONS_ALLOWED)} (allowed: {', '.join(SECTIONS_ALLOWED)})")
        if not isinstance(raw[sec], dict):
            raise ConfigError(f"{source}: '{sec}' must be a table written [{sec}]")
    exp = raw.get("experiment", {})
    settings = {}
    for k in exp:
        if k not in EXP_BY_NAME:
            raise ConfigError(f"{source}: unknown key 'experiment.{k}'{_suggest(k, EXP_BY_NAME)} "
                              f"(see docs/experiments.md)")
    for p in EXPERIMENT_PARAMS:
        settings[p.name] = _check_setting(source, p, exp[p.name]) if p.name in exp else copy.copy(p.default)
    settings["explicit"] = sorted(exp)
    design = settings["design"]

    sets = {}
    for key, v in _flatten(raw.get("set", {}), source, "set", lambda v: False).items():
        p = _param_for(source, "set", key)
        sets[p.key] = v
    factors = tuple(_parse_factor(source, design, key, spec) for key, spec in
                    _flatten(raw.get("factors", {}), source, "factors",
                             lambda v: set(v) <= set(RANGE_KEYS)).items())
    for f in factors:
        if f.key in sets:
            raise ConfigError(f"{source}: '{f.key}' is both in [set] and in [factors]; keep one")
    if design in SAMPLERS and not factors:
        raise ConfigError(f"{source}: a {design} design needs at least one factor in [factors]")
    if design in ("sobol", "morris") and all(f.categorical for f in factors):
        raise ConfigError(f"{source}: a {design} design needs at least one factor that is a range or a list of "
                          f"numbers; lists of choices or true/false ({', '.join(f.key for f in factors)}) are run "
                          f"at every level: use design = \"grid\"")
    if design == "sobol" and settings["samples"] & (settings["samples"] - 1):
        raise _bad(source, "experiment.samples", settings["samples"],
                   "a power of 2 for a sobol design (e.g. 64, 128, 256)")
    if design == "morris" and settings["samples"] < 2:
        raise _bad(source, "experiment.samples", settings["samples"], "at least 2 trajectories")
    if design == "grid" and "samples" in exp:
        raise ConfigError(f"{source}: 'experiment.samples' is for lhs, sobol and morris designs; a grid runs "
                          f"every combination of the factors' values")

    outs = outputs.parse_outputs(source, raw.get("outputs", {}))
    stop = outputs.parse_stop(source, raw["stop"], outputs.stop_columns(outs),
                              tuple(f"{o.name}_" for o in outs if o.per)) if "stop" in raw else None
    scenario_path, scenario_text = None, ""
    if settings["scenario"]:
        if load_scenario_file:
            scenario_path = _resolve_scenario(source, Path(source).parent if base_dir is None else base_dir,
                                              settings["scenario"])
            scenario_text = scenario_path.read_text(encoding="utf-8")
        else:
            scenario_path = Path(settings["scenario"])
    variants = _parse_variants(source, raw.get("variants", {}), design, factors, sets, base_dir,
                               load_scenario_file)
    spec = Spec(source, text, hashlib.sha256(text.encode()).hexdigest(), settings, sets, factors, scenario_path,
                scenario_text, outs, stop, variants)
    n = n_points(spec) * spec.replicates
    if n > MAX_RUNS:
        raise ConfigError(f"{source}: the design has {n:,} runs; allowed: at most {MAX_RUNS:,} (fewer factor "
                          f"values, samples or replicates)")
    return spec


def _parse_variants(source: str, table: dict, design: str, factors, sets: dict, base_dir: Path | None,
                    load_scenario_file: bool) -> tuple[Variant, ...]:
    """``[variants.NAME]`` tables: ``scenario`` (a file) and ``set`` (changes, as in ``[set]``)."""
    if table and design not in ("grid", "lhs"):
        raise ConfigError(f"{source}: [variants] work with grid and lhs designs; a {design} design's indices are "
                          f"computed over one base (allowed: design = \"grid\" or \"lhs\")")
    out = []
    for name, body in table.items():
        where = f"variants.{name}"
        if not isinstance(body, dict) or set(body) - {"scenario", "set"}:
            raise ConfigError(f"{source}: '{where}' must be a table with the keys scenario and set")
        scen = body.get("scenario")
        if scen is not None and not isinstance(scen, str):
            raise _bad(source, f"{where}.scenario", scen, "a scenario file's path")
        vsets = body.get("set", {})
        if not isinstance(vsets, dict):
            raise _bad(source, f"{where}.set", vsets, "a table of section.name = value, as in [set]")
        flat = {}
        for key, v in _flatten(vsets, source, f"{where}.set", lambda v: False).items():
            p = _param_for(source, f"{where}.set", key)
            if p.key in {f.key for f in factors} or p.key in sets:
                raise ConfigError(f"{source}: '{where}.set.{p.key}' is also in [set] or [factors]; keep one")
            flat[p.key] = v
        path, text = None, ""
        if scen and load_scenario_file:
            path = _resolve_scenario(source, Path(source).parent if base_dir is None else base_dir, scen,
                                     f"{where}.scenario")
            text = path.read_text(encoding="utf-8")
        elif scen:
            path = Path(scen)
        out.append(Variant(name, path, text, flat))
    return tuple(out)


def load_spec(path: str | Path) -> Spec:
    """Read and validate an experiment file (and its base scenario)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such experiment file")
    load_raw(path)   # unreadable file or bad TOML: the same one-line errors as for scenarios
    return parse_text(path.read_text(encoding="utf-8"), str(path))


# ---------------------------------------------------------------------------------------------------------------
# the design
# ---------------------------------------------------------------------------------------------------------------
def n_points(spec: Spec) -> int:
    d, n = spec.design, spec.samples
    k = len(spec.sampled_factors)
    if d == "grid":
        return math.prod(len(f.grid_values()) for f in spec.factors) * max(1, len(spec.variants))
    if d == "lhs":
        return n * max(1, len(spec.variants))
    strata = math.prod(len(f.values) for f in spec.strata_factors)
    if d == "sobol":
        return strata * n * (2 * k + 2 if spec.second_order else k + 2)
    return strata * n * (k + 1)  # morris
