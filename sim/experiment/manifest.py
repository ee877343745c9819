"""The manifest of an experiment directory (what ran, with which code and libraries, how far it got) and the
decision whether ``--out`` may be started, resumed or must be refused."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from ..outdir import check_out
from ..params import ConfigError
from ..runner import versions
from .results import MANIFEST, RUNS, TS, _drop_parts, _read_manifest, write_json
from .design import Design
from .spec import ROOT


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def git_commit() -> dict | None:
    """The source tree's git commit and whether it has uncommitted changes (None outside a git checkout)."""
    if not (ROOT / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head or None, "dirty": bool(dirty)}


def library_versions(dask: bool = False) -> dict:
    v = versions()
    names = ["pyarrow", "SALib", "scipy"] + (["dask", "distributed"] if dask else [])
    for pkg in names:
        try:
            v[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            v[pkg] = None
    v["platform"] = platform.platform()
    v["installed"] = {d.metadata["Name"]: d.version for d in sorted(metadata.distributions(),
                                                                     key=lambda d: str(d.metadata["Name"]).lower())
                      if d.metadata["Name"]}   # every package as installed (pip freeze)
    return v


def new_manifest(design: Design, digest: str) -> dict:
    s = design.spec
    return {
        "format": "orgsim-experiment/1",
        "status": "running",
        "experiment": {"path": s.path, "title": s.title("en"), "title_nl": s.title("nl"), "sha256": s.sha256,
                       "text": s.text},
        "scenario": {"path": str(s.scenario_path) if s.scenario_path else None,
                     "sha256": hashlib.sha256(s.scenario_text.encode()).hexdigest()
                     if s.scenario_path else None, "text": s.scenario_text or None},
        **({"variants": [{"name": v.name, "path": str(v.scenario_path) if v.scenario_path else None,
                          "text": v.scenario_text or None} for v in s.variants]} if s.variants else {}),
        "design": {"kind": s.design, "factors": [f.key for f in s.factors], "points": design.n_points,
                   "replicates": design.replicates, "runs": design.n_runs, "weeks": design.weeks,
                   "metrics": list(design.metrics), "recorded_weeks": int(len(s.recorded_weeks(design.weeks))),
                   "record": s.settings["record"], "average_from": s.average_from,
                   "common_random_numbers": s.common_random_numbers, "digest": digest},
        "master_seed": design.master_seed,
        "versions": library_versions(),
        "git": git_commit(),
        "started": _now(),
        "finished": None,
        "counts": {"runs": design.n_runs, "done": 0, "ok": 0, "failed": 0},
        "sessions": [],
        "files": {"runs": RUNS, "timeseries": TS},
    }


def _prepare_out(out: Path, design: Design, digest: str, resume: bool) -> dict:
    """The manifest to continue with, or a one-line refusal."""
    check_out(out)
    man = _read_manifest(out) if out.is_dir() else None
    if man is None:
        if out.is_dir() and any(not p.name.startswith(".") for p in out.iterdir()):
            raise ConfigError(f"--out {out}: holds other files and no {MANIFEST}; choose an empty or new directory")
        return new_manifest(design, digest)
    if man.get("design", {}).get("digest") != digest:
        raise ConfigError(f"--out {out}: holds a different experiment ({man.get('experiment', {}).get('path')}, "
                          f"other parameters, design, seeds or batches); choose another --out")
    if not resume:
        if man.get("status") == "finished":
            raise ConfigError(f"--out {out}: this experiment is already finished there; add --resume (nothing "
                              f"will be redone) or choose another --out")
        raise ConfigError(f"--out {out}: holds an unfinished run of this experiment; add --resume to run only "
                          f"what is missing, or choose another --out")
    return man



def _final_counts(man: dict) -> dict:
    c = man["counts"]
    return {"ok": c["ok"], "failed": c["failed"]}


def _finish(out: Path, man: dict, design: Design) -> None:
    """Count from the merged table, mark the manifest finished, then drop the parts."""
    import pyarrow.parquet as pq

    status = pq.read_table(out / RUNS, columns=["status"]).column(0).to_numpy(zero_copy_only=False)
    man["counts"] = {"runs": design.n_runs, "done": int(len(status)), "ok": int((status == "ok").sum()),
                     "failed": int((status != "ok").sum())}
    man["status"] = "finished"
    man["finished"] = _now()
    write_json(out / MANIFEST, man)
    _drop_parts(out)

