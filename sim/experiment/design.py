"""An experiment's design, expanded (from :mod:`sim.experiment.spec`'s :class:`~sim.experiment.spec.Spec`): the
design points (a grid, or SALib's sample, run once per level of the categorical factors), every run's seed, and
every design point's parameters validated with the schema."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import policies
from ..metrics import METRICS
from ..params import BY_KEY, PARAMS, ConfigError, Param, load_raw, validate
from ..runner import batch_size
from . import outputs
from .spec import FACTOR_KINDS, Spec, _bad


def sample_matrix(spec: Spec, seed: int) -> np.ndarray:
    """The SALib sample of the sampled factors drawn with the master ``seed`` (rows in SALib's order; the
    analysis needs that order). Sobol and Morris designs run it once per level of the categorical factors."""
    from SALib.sample import latin, morris, sobol

    prob, n = spec.problem(), spec.samples
    if spec.design == "lhs":
        return latin.sample(prob, n, seed=seed)
    if spec.design == "sobol":
        return sobol.sample(prob, n, calc_second_order=spec.second_order, seed=seed)
    return morris.sample(prob, n, num_levels=spec.levels, seed=seed)


def design_points(spec: Spec, seed: int) -> tuple[list[tuple], np.ndarray]:
    """Every design point's factor values (in factor order) and their numeric form (for the sensitivity
    analysis: the value, or the level's index for choices and true/false)."""
    if spec.design == "grid":
        levels = [f.grid_values() for f in spec.factors]
        points = list(itertools.product(*levels))
        x = np.array([[float(v) if f.param.kind in ("float", "knob", "int") else float(lv.index(v))
                       for f, lv, v in zip(spec.factors, levels, pt)] for pt in points]).reshape(len(points), -1)
        return points, x
    s = sample_matrix(spec, seed)
    sampled, strata = spec.sampled_factors, spec.strata_factors
    for j, f in enumerate(sampled):   # lhs: a list of choices by rank, so its levels' shares differ by <= 1
        if f.categorical:
            rank = np.argsort(np.argsort(s[:, j], kind="stable"), kind="stable")
            s[:, j] = np.floor(rank * len(f.values) / len(s)) + 0.5
    points, x = [], []
    for levels in spec.strata():   # stratum-major: the same sample at every level of the categorical factors
        fixed = {f.key: (v, float(f.values.index(v))) for f, v in zip(strata, levels)}
        for row in s:
            got = {**fixed, **{f.key: f.from_sample(u) for f, u in zip(sampled, row)}}
            points.append(tuple(got[f.key][0] for f in spec.factors))
            x.append([got[f.key][1] for f in spec.factors])
    return points, np.array(x, dtype=float).reshape(len(points), len(spec.factors))


def run_seed(master: int, point: int, replicate: int, crn: bool) -> int:
    """A run's model seed from the master seed: ``SeedSequence([master, replicate])`` with common random
    numbers, else ``SeedSequence([master, point, replicate])``; independent of how runs are scheduled."""
    entropy = [master, replicate] if crn else [master, point, replicate]
    return int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint32)[0])


@dataclass
class Design:
    """An expanded experiment: base parameters, the design points, every run's seed and parameter values."""

    spec: Spec
    base_raw: dict
    base: Any
    points: list[tuple]
    x: np.ndarray
    weeks: int
    master_seed: int
    metrics: tuple[str, ...]
    columns: dict[str, list] = field(default_factory=dict)   # every parameter per design point
    groups: dict[str, tuple] = field(default_factory=dict)    # [outputs] with per: the groups of each
    seeds: np.ndarray | None = None                           # per run
    batch: np.ndarray | None = None                           # per design point: replicates run side by side
    variant_raws: list = field(default_factory=list)          # [variants]: the base (raw) of each variant
    point_variant: np.ndarray | None = None                   # per design point: its variant (index)

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def replicates(self) -> int:
        return self.spec.replicates

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    def point_of(self, run_id):
        return np.asarray(run_id) // self.replicates

    def replicate_of(self, run_id):
        return np.asarray(run_id) % self.replicates

    def block_starts(self) -> np.ndarray:
        """Bool per run id (and one past the end): does a batch start here? A design point's replicates run
        in batches of ``batch[point]`` side by side in one model (:func:`sim.runner.run_batch`); the batches
        are fixed by the design, never by the scheduling, so the numbers do not depend on it."""
        r = self.replicates
        starts = np.zeros(self.n_runs + 1, bool)
        starts[-1] = True
        for p, b in enumerate(self.batch):
            starts[p * r + np.arange(0, r, b)] = True
        return starts

    def variant_name(self, point: int) -> str:
        """The variant of a design point ("" without [variants])."""
        v = self.spec.variants
        return v[int(self.point_variant[point])].name if v else ""

    def task_key(self, point: int) -> tuple:
        """What a worker needs to build a design point's parameters: the factor values, preceded by the variant's
        index when the experiment has [variants] (see :class:`~sim.experiment.worker.RunContext`)."""
        values = self.points[point]
        return (int(self.point_variant[point]), *values) if self.spec.variants else values

    def digest(self) -> str:
        """A hash of everything that decides the results: base parameters, points, seeds, weeks, metrics and
        what is recorded. ``--resume`` continues only a directory with the same digest."""
        extra = {"variants": [[v.name, validate(r, v.name).model_dump(mode="json")]
                              for v, r in zip(self.spec.variants, self.variant_raws)],
                 "point_variant": self.point_variant.tolist()} if self.spec.variants else {}
        blob = json.dumps({**extra, "base": self.base.model_dump(mode="json"),
                           "factors": [f.key for f in self.spec.factors],
                           "points": self.points, "seeds": self.seeds.tolist(), "weeks": self.weeks,
                           "metrics": self.metrics, "record": self.spec.record_every,
                           "average_from": self.spec.average_from, "batch": self.batch.tolist(),
                           **({"outputs": [dataclasses.astuple(o) for o in self.spec.outputs],
                               "groups": self.groups} if self.spec.outputs else {}),
                           **({"stop": dataclasses.asdict(self.spec.stop)} if self.spec.stop else {})},
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def param_columns() -> list[Param]:
    """The parameters recorded per run in runs.parquet: all but texts and the seed (a column of its own)."""
    return [p for p in PARAMS if p.kind != "str" and p.key != "scenario.seed"]


def point_raw(base_raw: dict, factors, values) -> dict:
    raw = copy.deepcopy(base_raw)
    for f, v in zip(factors, values):
        raw.setdefault(f.section, {})[f.name] = v
    return raw


def _base_raw(spec: Spec, scenario_path, sets: dict, where: str) -> dict:
    """A scenario (or the defaults) with the experiment's [set] (and a variant's set) and weeks put in."""
    raw = load_raw(scenario_path) if scenario_path is not None else {}
    validate(raw, str(scenario_path) if scenario_path else "<defaults>")
    raw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    for key, v in sets.items():
        p = BY_KEY[key]
        raw.setdefault(p.section, {})[p.name] = v
    if "weeks" in spec.settings["explicit"]:
        raw.setdefault("scenario", {})["weeks"] = spec.weeks
    validate(raw, where)
    return raw


def expand(spec: Spec) -> Design:
    """Build the base parameters, validate every design point with the schema, derive every run's seed."""
    source = spec.path
    raw = _base_raw(spec, spec.scenario_path, spec.sets, f"{source} [set]")
    vraws = [_base_raw(spec, v.scenario_path or spec.scenario_path, {**spec.sets, **v.sets},
                       f"{source} [variants.{v.name}]") for v in spec.variants]
    base = validate(vraws[0] if vraws else raw, f"{source} [set]")
    weeks = base.scenario.weeks
    for v, r in zip(spec.variants, vraws):
        if validate(r, v.name).scenario.weeks != weeks:
            raise ConfigError(f"{source}: [variants.{v.name}] runs {validate(r, v.name).scenario.weeks} weeks and "
                              f"[variants.{spec.variants[0].name}] {weeks}; set experiment.weeks")
    if spec.average_from > weeks:
        raise _bad(source, "experiment.average_from", spec.average_from, f"integer in [1, {weeks}] (the weeks)")
    master = int(spec.seed) if "seed" in spec.settings["explicit"] else int(base.scenario.seed)
    points, x = design_points(spec, master)
    nv = max(1, len(vraws))
    point_variant = np.repeat(np.arange(nv), len(points))      # variant-major: the same points under each
    points, x = points * nv, np.tile(x, (nv, 1))
    metrics = tuple(spec.metrics) or METRICS
    d = Design(spec, vraws[0] if vraws else raw, base, points, x, weeks, master, metrics)
    d.variant_raws, d.point_variant = vraws, point_variant
    cols = param_columns()
    d.columns = {p.key: [] for p in cols}
    knob_keys = {f"policy.{k}" for k in policies.KNOBS}
    batch, teams, levels, pols = [], 0, 0, set()
    for i, values in enumerate(points):
        praw = vraws[point_variant[i]] if vraws else raw
        sp = validate(point_raw(praw, spec.factors, values), f"{source} design point {i}")
        batch.append(batch_size(sp))
        teams, levels = max(teams, sp.team.teams), max(levels, sp.org.levels)
        pols |= outputs.policies_of(sp)
        knobs = policies.resolve(sp.policy)
        for p in cols:
            v = getattr(knobs, p.name) if p.key in knob_keys else getattr(getattr(sp, p.section), p.name)
            d.columns[p.key].append(v if p.kind in FACTOR_KINDS else json.dumps(v, sort_keys=True))
    d.batch = np.array(batch, dtype=np.int64)
    d.groups = outputs.groups_of(source, spec.outputs, teams, levels, pols)
    d.metrics = metrics + outputs.output_columns(spec.outputs, d.groups)
    if spec.stop is not None:
        outputs.check_stop(source, spec.stop, spec.outputs, d.groups, weeks, spec.average_from)
    crn = spec.common_random_numbers
    rep_seeds = [run_seed(master, 0, r, True) for r in range(spec.replicates)] if crn else None
    d.seeds = np.array([rep_seeds[r] if crn else run_seed(master, pt, r, False)
                        for pt in range(len(points)) for r in range(spec.replicates)], dtype=np.int64)
    return d
