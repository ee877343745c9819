"""Sensitivity of the policy patterns: ``orgsim analyze DIR --patterns [--doc FILE]`` (on the validation floor:
it uses :mod:`sim.validate`'s measures and :mod:`sim.experiment`'s results).

An experiment with ``[variants]`` named as in ``experiments/validation.toml`` (e.g.
``experiments/sensitivity_dynamics.toml``, a Latin hypercube over the uncertain ``dynamics.*`` rates) runs every
design point under each variant with the same seeds. Here every fact of ``experiments/targets_nl.toml`` whose
measures are model-level metrics of those variants (the policy patterns ``pattern_*``) is evaluated at each
design point over its replicates, with the functions of :mod:`sim.validate` (:func:`~sim.validate.fact_value`,
:func:`~sim.validate.holds`): the same measure, the same comparison and the same band as ``orgsim validate``,
only over the point's replicates instead of 20 seeds at the defaults.

Per fact: the share of the design points where it holds (a sampled space's share: an LHS gives every point the
same weight), the share where it clearly fails (the point's 95% CI lies outside the band), the spread of its
value over the points and where it breaks: the rate whose lower and upper third of its range differ most in the
share where the fact holds. Written: ``patterns.md`` (the table), ``patterns_points.csv`` (fact x point: the
rates, value, CI, holds), ``patterns_rates.csv`` (fact x rate: the share in the lower and upper third). With
``doc``, the table goes into that file between ``<!-- sensitivity:start -->`` and ``<!-- sensitivity:end -->``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import validate as val
from .params import ConfigError, validate
from .experiment.results import atomic_write, load_results, read_experiment_manifest
from .experiment.spec import parse_text

START, END = "<!-- sensitivity:start -->", "<!-- sensitivity:end -->"
NAMED_GAP = 0.2     # a rate is named as where a fact breaks if its thirds differ by at least this share


@dataclass
class _Run:   # what sim.validate's measures read of a run
    timeseries: pd.DataFrame


def pattern_facts(variants: set[str], targets=val.TARGETS_FILE) -> tuple[list[val.Fact], val.Design]:
    """The facts of ``targets`` that an experiment with these variants can measure: every measure a model-level
    metric of one of them."""
    vdesign = val.load_design()
    facts = val.load_targets(targets, vdesign)
    ok = [f for f in facts if all(m.get("kind", "metric") == "metric" and m["variant"] in variants
                                  for m in filter(None, (f.measure, f.versus)))]
    return ok, vdesign


def _check_same_variants(spec, vdesign: val.Design, used: set[str], factor_keys: set[str]) -> list[str]:
    """Notes where an experiment's variant differs from validation.toml's of the same name (other than in the
    sampled rates, the weeks and the seed)."""
    from .experiment.design import _base_raw

    notes = []
    for v in spec.variants:
        if v.name not in used or v.name not in vdesign.variants:
            continue
        if v.scenario_path is None or not Path(v.scenario_path).is_file():
            continue
        mine = validate(_base_raw(spec, v.scenario_path, {**spec.sets, **v.sets}, v.name), v.name).model_dump()
        ref = val.variant_params(vdesign.variants[v.name]).model_dump()
        for d in (mine, ref):
            d.pop("scenario")
            for k in factor_keys:
                d["dynamics"].pop(k.split(".", 1)[1], None)
        if mine != ref:
            notes.append(f"warning: variant '{v.name}' differs from validation.toml's (besides the sampled rates)")
    return notes


def point_values(out) -> tuple[pd.DataFrame, list[val.Fact], dict]:
    """Every pattern fact at every design point of the experiment in ``out``: one row per fact and point (of the
    sample: the points of one variant), with the sampled rates, value, 95% CI, n (replicates ok under every
    variant) and whether it holds. Also the facts and ``info`` (experiment, points, variants, replicates, runs,
    seconds, notes)."""
    out = Path(out)
    man = read_experiment_manifest(out)
    spec = parse_text(man["experiment"]["text"], man["experiment"]["path"], load_scenario_file=False)
    if not spec.variants:
        raise ConfigError(f"{out}: --patterns needs an experiment with [variants] named as in "
                          f"experiments/validation.toml (e.g. experiments/sensitivity_dynamics.toml)")
    if spec.record_every != 1:
        raise ConfigError(f"{out}: --patterns needs record = \"weekly\" (the pattern facts read single weeks)")
    names = [v.name for v in spec.variants]
    facts, vdesign = pattern_facts(set(names))
    if not facts:
        raise ConfigError(f"{out}: no fact of {val.TARGETS_FILE.name} is measured on this experiment's variants "
                          f"({', '.join(names)}); name them as in {val.DESIGN_FILE.name}")
    missing = sorted({m["metric"] for f in facts for m in filter(None, (f.measure, f.versus))}
                     - set(man["design"]["metrics"]))
    if missing:
        raise ConfigError(f"{out}: the experiment did not keep the metric '{missing[0]}' that a pattern fact reads; "
                          f"add it to experiment.metrics")
    runs, ts = load_results(out)
    if runs.empty:
        raise ConfigError(f"{out}: no runs yet")
    n_sample = int(man["design"]["points"]) // len(names)
    runs = runs.assign(sample=runs["point"] % n_sample)
    frames = {rid: g.drop(columns="run_id") for rid, g in ts.groupby("run_id", sort=False)}
    keys = [f.key for f in spec.factors]
    rows = []
    for s, g in runs.groupby("sample", sort=True):
        ok = g[g["status"] == "ok"]
        rates = g.iloc[0][keys].to_dict()
        for f in facts:   # paired by replicate: those that ran under each of the fact's variants
            used = {m["variant"] for m in filter(None, (f.measure, f.versus))}
            reps = sorted(set.intersection(*(set(ok.loc[ok["variant"] == v, "replicate"]) for v in used)))
            by_var = {v: [_Run(frames[rid]) for rid in
                          ok[ok["variant"] == v].set_index("replicate").loc[reps, "run_id"]] for v in used}
            value, lo, hi, n = val.fact_value(f, by_var, vdesign) if reps else (math.nan,) * 3 + (0,)
            clear_fail = bool(np.isfinite(lo) and (hi < f.low or lo > f.high))
            rows.append(dict(fact=f.id, point=int(s), **rates, value=value, ci_low=lo, ci_high=hi, n=n,
                             holds=val.holds(f, value), clearly_fails=clear_fail))
    seconds = sum(float(x.get("seconds") or 0) for x in man.get("sessions", []))
    notes = _check_same_variants(parse_text(man["experiment"]["text"], man["experiment"]["path"])
                                 if Path(man["experiment"]["path"]).is_file() else spec,
                                 vdesign, {m["variant"] for f in facts for m in filter(None, (f.measure, f.versus))},
                                 set(keys))
    info = dict(experiment=man["experiment"]["path"], sha256=man["experiment"]["sha256"], points=n_sample,
                variants=len(names), replicates=int(man["design"]["replicates"]), runs=len(runs),
                failed=int((runs["status"] != "ok").sum()), seconds=seconds, weeks=int(man["design"]["weeks"]),
                factors={f.key: (f.lo, f.hi) for f in spec.factors}, reasons=range_reasons(spec.text, keys),
                notes=notes)
    return pd.DataFrame(rows), facts, info


def range_reasons(text: str, keys) -> dict[str, str]:
    """The comment written after each factor's line in the experiment file: why its range is plausible."""
    out = {}
    for line in text.splitlines():
        head, _, comment = line.partition("#")
        key = head.split("=", 1)[0].strip().strip('"')
        if key in keys and comment.strip():
            out[key] = comment.strip()
    return out


def rates_markdown(info: dict) -> str:
    """The sampled rates: default, range and why (from the experiment file's comments)."""
    from .params import BY_KEY

    lines = ["| rate | default | range sampled | why this range |", "|---|---|---|---|"]
    for key, (lo, hi) in info["factors"].items():
        lines.append(f"| `{key}` | {_num(BY_KEY[key].default)} | {_num(lo)} .. {_num(hi)} | "
                     f"{info['reasons'].get(key, '')} |")
    return "\n".join(lines) + "\n"


def rate_splits(points: pd.DataFrame, facts: list[val.Fact], factors: dict) -> pd.DataFrame:
    """Per fact and rate: the share of the points where the fact holds in the lower and in the upper third of
    the rate's range (and how many points each third has)."""
    rows = []
    for f in facts:
        d = _measured(points, f)
        for key, (lo, hi) in factors.items():
            x = d[key].astype(float)
            low, high = d[x < lo + (hi - lo) / 3], d[x > hi - (hi - lo) / 3]
            rows.append(dict(fact=f.id, rate=key, lo=lo, hi=hi, holds_low=low["holds"].mean() if len(low) else
                             math.nan, n_low=len(low), holds_high=high["holds"].mean() if len(high) else math.nan,
                             n_high=len(high)))
    return pd.DataFrame(rows)


def _measured(points: pd.DataFrame, f: val.Fact) -> pd.DataFrame:
    """A fact's rows at the points where it could be measured (a point whose runs all failed under a variant
    has no value: it is left out, not counted as failing)."""
    d = points[points["fact"] == f.id]
    return d[~np.isnan(d["value"].to_numpy(float))]


def _num(v: float) -> str:
    return f"{v:.4g}"


def _rule(f: val.Fact) -> str:
    if math.isinf(f.high):
        return f">= {val.fmt(f.low, f.unit)}"
    return f"{val.fmt(f.low, f.unit)} .. {val.fmt(f.high, f.unit)}"


def _breaks(f: val.Fact, d: pd.DataFrame, split: pd.DataFrame) -> str:
    if d["holds"].all():
        return "holds at every point"
    bad = d.loc[~d["holds"], "value"].to_numpy(float)
    bad = bad[~np.isnan(bad)]
    lo, hi = (val.fmt(float(bad.min()), f.unit), val.fmt(float(bad.max()), f.unit)) if bad.size else ("", "")
    head = f"fails at {int((~d['holds']).sum())} of {len(d)} points" + (
        "" if not bad.size else f" ({lo})" if lo == hi else f" ({lo} .. {hi})")
    s = split[split["fact"] == f.id].assign(gap=lambda t: (t["holds_low"] - t["holds_high"]).abs())
    s = s.sort_values("gap", ascending=False, kind="stable")
    named = s[s["gap"] >= NAMED_GAP].head(2)
    if named.empty:
        return (f"{head}, on no single rate (the largest gap between a rate's thirds: "
                f"`{s.iloc[0]['rate'].split('.', 1)[1]}`, {s.iloc[0]['gap']:.0%})")
    parts = []
    for _, r in named.iterrows():
        third = (r["hi"] - r["lo"]) / 3
        worse = "high" if r["holds_high"] < r["holds_low"] else "low"
        rng = (f"{_num(r['hi'] - third)}-{_num(r['hi'])}" if worse == "high"
               else f"{_num(r['lo'])}-{_num(r['lo'] + third)}")
        other = r["holds_low"] if worse == "high" else r["holds_high"]
        mine = r["holds_high"] if worse == "high" else r["holds_low"]
        parts.append(f"{worse} `{r['rate'].split('.', 1)[1]}` ({rng}: holds in {mine:.0%}, other third {other:.0%})")
    return head + ": " + "; ".join(parts)


def markdown(points: pd.DataFrame, facts: list[val.Fact], info: dict) -> str:
    """The table: per pattern fact, its rule, the share of the sampled space where it holds, the share where it
    clearly fails, its value over the points and where it breaks."""
    split = rate_splits(points, facts, info["factors"])
    lines = [f"Experiment `{Path(info['experiment']).name}` (sha256 `{info['sha256'][:12]}`): "
             f"{info['points']} design points (Latin hypercube over {len(info['factors'])} rates) x "
             f"{info['variants']} variants x {info['replicates']} replicates, {info['weeks']} weeks: "
             f"{info['runs']} runs ({info['failed']} failed), {info['seconds']:.0f} s. A pattern holds at a point "
             f"when the mean over the point's replicates lies in the fact's band (`orgsim validate`'s rule); "
             f"*clearly fails*: its 95% CI over the replicates lies outside the band.", "",
             "| pattern | rule | holds in | clearly fails in | value: median [10%, 90%] over the points | "
             "breaks where |", "|---|---|---|---|---|---|"]
    for f in facts:
        d = _measured(points, f)
        v = d["value"].to_numpy(float)
        v = v[np.isfinite(v)]   # a ratio whose second mean is 0 is infinite: it fails, as in orgsim validate
        spread = (f"{val.fmt(float(np.median(v)), f.unit)} [{val.fmt(float(np.percentile(v, 10)), f.unit)}, "
                  f"{val.fmt(float(np.percentile(v, 90)), f.unit)}]") if v.size else "-"
        if d.empty:
            lines.append(f"| {f.description_en} (`{f.id}`) | {_rule(f)} | - | - | - | not measured |")
            continue
        lines.append(f"| {f.description_en} (`{f.id}`) | {_rule(f)} | {d['holds'].mean():.0%} | "
                     f"{d['clearly_fails'].mean():.0%} | {spread} | {_breaks(f, d, split)} |")
    unmeasured = points.groupby("point")["value"].apply(lambda x: bool(np.isnan(x.to_numpy(float)).any())).sum()
    if unmeasured:
        lines += ["", f"{int(unmeasured)} design points lack a value for some fact (every run of a variant there "
                      f"failed): they are left out of that fact's shares."]
    lines += ["", "The rates sampled (uniformly within each range; the reasons are the comments of the experiment file):",
              "", rates_markdown(info)]
    return "\n".join(lines)


def write_into_doc(doc, block: str) -> None:
    """Put ``block`` into ``doc`` between the markers (atomically; the rest of the file is kept)."""
    doc = Path(doc)
    try:
        text = doc.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--doc {doc}: cannot read ({exc.__class__.__name__})") from None
    i, j = text.find(START), text.find(END)
    if i < 0 or j < i or text.count(START) != 1 or text.count(END) != 1:
        raise ConfigError(f"--doc {doc}: needs one line {START} and, after it, one line {END}")
    new = text[:i + len(START)] + "\n" + block.strip("\n") + "\n" + text[j:]
    atomic_write(doc, lambda p: Path(p).write_text(new, encoding="utf-8"))


def patterns(out, dest=None, doc=None) -> dict:
    """Measure, write ``patterns.md`` and the two CSVs into ``dest`` (default ``out/analysis``) and, with
    ``doc``, the table into that file. Returns ``{"markdown", "files", "notes"}``."""
    out = Path(out)
    if doc is not None:   # checked before anything is measured or written
        text = Path(doc).read_text(encoding="utf-8") if Path(doc).is_file() else ""
        if text.count(START) != 1 or text.count(END) != 1:
            raise ConfigError(f"--doc {doc}: needs one line {START} and, after it, one line {END}")
    points, facts, info = point_values(out)
    md = markdown(points, facts, info)
    dest = Path(dest) if dest is not None else out / "analysis"
    dest.mkdir(parents=True, exist_ok=True)
    files = [dest / "patterns.md", dest / "patterns_points.csv", dest / "patterns_rates.csv"]
    atomic_write(files[0], lambda p: Path(p).write_text(md, encoding="utf-8"))
    atomic_write(files[1], lambda p: points.to_csv(p, index=False))
    atomic_write(files[2], lambda p: rate_splits(points, facts, info["factors"]).to_csv(p, index=False))
    if doc is not None:
        write_into_doc(doc, md)
        files.append(Path(doc))
    return {"markdown": md, "files": [str(f) for f in files], "notes": info["notes"]}
