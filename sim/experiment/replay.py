"""Replay one recorded run of an experiment: ``orgsim run --replay DIR --run-id N``.

The design is rebuilt from what the manifest stores (the experiment file's text and the base scenario's text,
not the files as they are now), checked against the recorded digest, and the run's parameters (its design
point), seed and weeks (a run that a ``[stop]`` ended: up to its ``stopped_week``) are taken from it; the
built-in metrics are compared (not the ``[outputs]``, which ``orgsim run`` does not compute). The run is then an ordinary single run (:func:`sim.runner.run_one`),
whose final week equals the recorded one: a batch gives each seed the numbers of a single run.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

from ..metrics import METRICS
from ..params import ConfigError, validate
from .results import MANIFEST, RUNS
from .design import expand, point_raw
from .spec import parse_text


def replay_params(out, run_id: int) -> dict:
    """``{"params", "seed", "weeks", "point", "replicate", "recorded"}`` of run ``run_id`` in experiment
    directory ``out`` (``recorded``: its row of runs.parquet as a dict, or None if not run yet)."""
    out = Path(out)
    try:
        man = json.loads((out / MANIFEST).read_text())
    except FileNotFoundError:
        raise ConfigError(f"--replay {out}: not an experiment directory (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--replay {out}: {MANIFEST} unreadable ({type(exc).__name__})") from None
    n = int(man["design"]["runs"])
    if not 0 <= run_id < n:
        raise ConfigError(f"--run-id {run_id}: allowed: integer in [0, {n - 1}] (the experiment's run ids)")
    spec = parse_text(man["experiment"]["text"], man["experiment"]["path"], load_scenario_file=False)
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        if man["scenario"].get("text"):
            base = Path(tmp) / "scenario.toml"
            base.write_text(man["scenario"]["text"], encoding="utf-8")
        variants = []
        for i, (v, rec) in enumerate(zip(spec.variants, man.get("variants", []))):
            vpath = None
            if rec.get("text"):
                vpath = Path(tmp) / f"variant{i}.toml"
                vpath.write_text(rec["text"], encoding="utf-8")
            variants.append(dataclasses.replace(v, scenario_path=vpath))
        design = expand(dataclasses.replace(spec, scenario_path=base, variants=tuple(variants)))
    if design.digest() != man["design"]["digest"]:
        raise ConfigError(f"--replay {out}: the design rebuilt from {MANIFEST} differs from the one recorded "
                          f"(another orgsim version?); it cannot be replayed exactly")
    point, rep = int(design.point_of(run_id)), int(design.replicate_of(run_id))
    base_raw = design.variant_raws[design.point_variant[point]] if spec.variants else design.base_raw
    params = validate(point_raw(base_raw, spec.factors, design.points[point]),
                      f"{out} run {run_id}")
    recorded = None
    if (out / RUNS).exists():
        import pyarrow.parquet as pq

        t = pq.read_table(out / RUNS, filters=[("run_id", "==", run_id)]).to_pylist()
        recorded = t[0] if t else None
    weeks = design.weeks
    if recorded and recorded.get("stopped_week") is not None:   # stopped early: replayed up to that week
        weeks = int(recorded["stopped_week"])
    return {"params": params, "seed": int(design.seeds[run_id]), "weeks": weeks, "point": point,
            "replicate": rep, "recorded": recorded, "metrics": [m for m in design.metrics if m in METRICS]}


def matches(rep: dict, final: dict) -> bool | None:
    """Whether the replayed final week equals the recorded one (None if the run was not recorded as ok)."""
    rec = rep["recorded"]
    if not rec or rec.get("status") != "ok":
        return None
    return all(abs(float(final[m]) - float(rec[f"final_{m}"])) <= 1e-9 for m in rep["metrics"])
