"""A real Dask cluster on 127.0.0.1 (``dask scheduler`` + two ``dask worker`` processes started here) gives the
same tables as a serial run and as two local worker processes."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.experiment.run import load_results, run_experiment

ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).parent / "dask"

EXPERIMENT = """
[experiment]
title = "dask check"
replicates = 3
weeks = 12
seed = 21
record = 3
metrics = ["engagement", "burnout_share", "leavers", "output"]

[set]
team.size = 8

[factors]
policy.name = ["controlling", "coaching"]
work.workload = { lo = 0.9, hi = 1.3, steps = 3 }
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import Client   # the 'distributed' extra: part of make test's install

    assert DASK.exists(), f"{DASK} missing: install the 'distributed' extra"
    logs = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    procs = []

    def start(*args, name):
        log = open(logs / f"{name}.log", "w")
        procs.append((subprocess.Popen([str(DASK), *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard",
              name="scheduler")
        for i in range(2):
            start("worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                  name=f"worker{i}")
        deadline = time.monotonic() + 120
        client = None
        while True:                                   # poll: scheduler up, then both workers connected
            assert all(p.poll() is None for p, _ in procs), (logs / "scheduler.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the Dask cluster did not come up in 120 s"
            try:
                client = client or Client(address, timeout="2s", set_as_default=False)
                if len(client.scheduler_info(n_workers=-1)["workers"]) == 2:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        client.close()
        yield address
    finally:
        for p, log in procs[::-1]:
            p.terminate()
        for p, log in procs[::-1]:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()


def _on_three_executors(cluster, tmp_path, text):
    """The experiment ``text`` on the Dask cluster, one local worker and two: the cluster's summary and tables,
    after checking that the three give the same tables bit for bit."""
    path = tmp_path / "exp.toml"
    path.write_text(text)
    s = run_experiment(path, tmp_path / "dask", scheduler=cluster, progress=False)
    run_experiment(path, tmp_path / "serial", workers=1, progress=False)
    run_experiment(path, tmp_path / "local", workers=2, progress=False)
    got = {k: load_results(tmp_path / k) for k in ("dask", "serial", "local")}
    for k in ("serial", "local"):
        pd.testing.assert_frame_equal(got["dask"][0].drop(columns="seconds"), got[k][0].drop(columns="seconds"),
                                      check_exact=True)
        pd.testing.assert_frame_equal(got["dask"][1], got[k][1], check_exact=True)
    return s, got["dask"]


def test_dask_cluster_gives_the_same_tables_as_serial_and_two_local_workers(cluster, tmp_path):
    s, (runs, ts) = _on_three_executors(cluster, tmp_path, EXPERIMENT)
    assert s["ran"] == 18 and s["failed"] == 0 and s["workers"] == 2 and "Dask" in s["executor"]
    assert len(runs) == 18 and len(ts) == 18 * 4 and (runs["status"] == "ok").all()
    import json
    man = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert man["versions"]["distributed"] and "Dask" in man["sessions"][0]["executor"]


OUTPUTS_STOP = EXPERIMENT + """
[outputs]
ex_p90 = { field = "exhaustion", quantile = 0.9 }
low_trust = { field = "trust_in_manager", below = 0.5, per = "policy" }

[stop]
when = { metric = "ex_p90", above = 0.7 }
from_week = 6
"""


def test_dask_cluster_with_outputs_and_a_stop_gives_the_same_tables_as_local_workers(cluster, tmp_path):
    _, (runs, ts) = _on_three_executors(cluster, tmp_path, OUTPUTS_STOP)
    assert runs["stopped_week"].notna().any() and runs["stopped_week"].isna().any()
    assert {"ex_p90", "low_trust_controlling", "low_trust_coaching"} <= set(ts.columns)


def test_unreachable_scheduler_is_one_line(tmp_path):
    from sim.params import ConfigError

    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    with pytest.raises(ConfigError, match=r"--scheduler tcp://127\.0\.0\.1:\d+: cannot connect"):
        run_experiment(path, tmp_path / "o", scheduler=f"tcp://127.0.0.1:{free_port()}", progress=False)
    assert not (tmp_path / "o").exists()
