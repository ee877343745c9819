"""Storage that recovers: --resume on damaged Parquet files (truncated by a crash or a full disk, bytes changed,
empty, from another experiment) moves them aside, says so, runs their runs again and ends with the tables of an
undamaged run; a good part is never lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import sim.experiment.run as run_mod
from sim.cli import app
from sim.experiment.run import load_results, run_experiment
from sim.params import ConfigError

cli = CliRunner()

EXP = """
[experiment]
title = "storage"
replicates = 3
weeks = 12
seed = 7
record = 4
metrics = ["engagement", "burnout_share", "leavers", "output"]

[set]
team.size = 5

[factors]
work.workload = [0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6]
"""


def truncate(p: Path) -> None:
    b = p.read_bytes()
    p.write_bytes(b[: len(b) // 2])


def flip(p: Path) -> None:
    """Change 32 bytes in the middle of the file (its data pages): the footer still reads."""
    b = bytearray(p.read_bytes())
    mid = len(b) // 3
    for i in range(mid, mid + 32):
        b[i] ^= 0x5A
    p.write_bytes(bytes(b))


def empty(p: Path) -> None:
    p.write_bytes(b"")


def other_table(p: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"run_id": [0, 1], "x": [1.0, 2.0]}), p)


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    """An experiment whose process died just before the merge (every run in parts/), and the tables of an
    undamaged run of it."""
    d = tmp_path_factory.mktemp("storage")
    path = d / "exp.toml"
    path.write_text(EXP)
    run_experiment(path, d / "ref", workers=1, progress=False)
    orig = run_mod.consolidate, run_mod.MAX_CHUNK

    def crash(*a, **kw):
        raise RuntimeError("the machine went down before the merge")
    run_mod.consolidate, run_mod.MAX_CHUNK = crash, 3     # chunks of one batch: several parts
    try:
        with pytest.raises(RuntimeError):
            run_experiment(path, d / "crashed", workers=1, progress=False, flush_seconds=0)
    finally:
        run_mod.consolidate, run_mod.MAX_CHUNK = orig
    parts = sorted((d / "crashed" / "parts").glob("runs-*.parquet"))
    assert len(parts) >= 4, parts
    return {"path": path, "dir": d / "crashed", "ref": load_results(d / "ref")}


def same_tables(a, b):
    import pandas as pd
    pd.testing.assert_frame_equal(a[0].drop(columns=["seconds"]), b[0].drop(columns=["seconds"]), check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)


@pytest.mark.parametrize("damage", [
    {"runs-1": truncate},
    {"ts-2": flip},
    {"runs-1": flip, "ts-2": truncate, "runs-3": empty},
    {"ts-1": empty},
    {"runs-2": other_table},
])
def test_resume_moves_damaged_parts_aside_and_recovers_the_undamaged_tables(crashed, tmp_path, damage):
    out = tmp_path / "o"
    shutil.copytree(crashed["dir"], out)
    parts = {k: sorted((out / "parts").glob(f"{k}-*.parquet")) for k in ("runs", "ts")}
    hurt = {}
    for which, how in damage.items():
        kind, i = which.split("-")
        f = parts[kind][int(i) - 1]
        how(f)
        hurt[f.name] = f.read_bytes()
    untouched = {f.name: f.read_bytes() for fs in parts.values() for f in fs
                 if f.name.split("-", 1)[1] not in {n.split("-", 1)[1] for n in hurt}}
    kept = sum(pq.ParquetFile(out / "parts" / name).metadata.num_rows for name in untouched
               if name.startswith("runs-"))
    assert untouched and kept    # the parametrisations leave good parts to keep
    with pytest.raises(ConfigError, match="cannot be read .*--resume"):
        load_results(out)                                  # analysing it first: one line saying what to do
    res = cli.invoke(app, ["experiment", str(crashed["path"]), "--out", str(out), "--resume", "--workers", "1",
                           "--no-progress"])
    assert res.exit_code == 0 and res.exception is None, res.output
    notes = [line for line in res.output.splitlines() if line.startswith("note: ")]
    assert len(notes) == len(damage), res.output
    for name in hurt:
        assert any(name in n for n in notes)
        assert (out / "damaged" / name).read_bytes() == hurt[name]     # moved aside as found, not deleted
    for name, data in untouched.items():                              # the good parts were kept and used
        assert not (out / "damaged" / name).exists()
    assert "runs in" in res.output and "all 24 runs done, 0 failed" in res.output
    ran = int(res.output.split(" runs in")[0].split("\n")[-1])
    assert ran == 24 - kept                                            # only the damaged parts' runs again
    same_tables(crashed["ref"], load_results(out))


def test_resume_of_a_finished_experiment_with_a_damaged_table_runs_it_again(crashed, tmp_path):
    out = tmp_path / "f"
    run_experiment(crashed["path"], out, workers=1, progress=False)
    truncate(out / "runs.parquet")
    res = cli.invoke(app, ["experiment", str(crashed["path"]), "--out", str(out), "--resume", "--workers", "1",
                           "--no-progress"])
    assert res.exit_code == 0 and res.exception is None, res.output
    assert "note: runs.parquet cannot be read (ArrowInvalid)" in res.output, res.output
    assert sorted(p.name for p in (out / "damaged").iterdir()) == ["runs.parquet", "timeseries.parquet"]
    assert res.output.count("24 runs in") == 1
    same_tables(crashed["ref"], load_results(out))
    # and an undamaged finished experiment is left as it is
    before = {f.name: f.read_bytes() for f in out.glob("*.parquet")}
    res = cli.invoke(app, ["experiment", str(crashed["path"]), "--out", str(out), "--resume", "--no-progress"])
    assert res.exit_code == 0 and "nothing left to do" in res.output and "note:" not in res.output
    assert {f.name: f.read_bytes() for f in out.glob("*.parquet")} == before
