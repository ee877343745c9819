"""orgsim benchmarks (``make bench``): not part of ``make test``; prints a table, writes nothing by default.

For N = 12, 100, 1,000, 10,000 and 50,000 employees (the last: five management levels, about the
corporation scenario): set-up seconds (organisation graph, state, Mesa agents),
agent-weeks per second over 104 weeks (with organisation-level data collection), and peak memory (the
process's peak resident set, measured in a fresh process per size, so Python and the imports are included; the
import baseline is printed beside it). The compiled schedule is loaded (or, on a machine's first run, compiled)
before the clock starts; the time that takes is printed too. Then runs per second of an experiment of the default team (1
manager + 12) x 104 weeks through ``orgsim experiment``'s engine with 1 and 2 workers. Then, in this same
process, a plain per-agent Mesa model (``benchmarks/peer_model.py``: three-variable contagion, neighbours via
``cell.neighborhood``, a DataCollector of three means) at 10,000 agents, and the ratio of orgsim's
agent-weeks per second to the peer's agent-steps per second; and, since the machine's speed can move between
those two measurements, five rounds of the peer and orgsim at 10,000 measured one after the other in this
process, with each round's ratio and their median; then the same rounds with two busy processes beside them
(a trainer's laptop with a browser and a video call), and orgsim's rate under load against its quiet rate.

    python benchmarks/bench.py                 # everything
    python benchmarks/bench.py --quick         # fewer weeks and runs (a smoke test of the script itself)
    python benchmarks/bench.py --json out.json # also save the numbers
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = {12: (1, 12, 1), 100: (10, 10, 4), 1_000: (100, 10, 4), 10_000: (1_000, 10, 4),  # teams, size, levels
         50_000: (5_000, 10, 5)}
CROSS = {50_000: 0.0001}  # ties across teams: about five per person, as the 10,000 have at the scenario's 0.0005


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes


def one_size(n: int, weeks: int) -> dict:
    """Measured in a fresh process (see main): set-up, run, peak memory."""
    import gc

    from sim.model import OrgModel
    from sim.params import load_scenario
    from sim.runner import warm_up
    teams, size, levels = SIZES[n]
    sets = [f"team.teams={teams}", f"team.size={size}", f"org.levels={levels}"]
    if n in CROSS:
        sets.append(f"team.cross_team_density={CROSS[n]}")
    base = ROOT / ("scenarios/company_controlling_top.toml" if levels > 1 else "scenarios/coaching.toml")
    sp = load_scenario(base, sets)
    warm = warm_up()   # load (or compile) the compiled schedule
    baseline = _rss_mb()
    gc.collect()
    t0 = time.perf_counter()
    model = OrgModel(sp, seed=1)
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    model.run(weeks)
    run = time.perf_counter() - t1
    model.timeseries()
    return {"employees": model.org.n_positions, "setup_s": setup, "run_s": run, "weeks": weeks,
            "agent_weeks_per_s": model.org.n_positions * weeks / run, "peak_mb": _rss_mb(),
            "baseline_mb": baseline, "warm_up_s": warm}


def sizes(weeks: int) -> list[dict]:
    rows = []
    for n in SIZES:
        r = subprocess.run([sys.executable, __file__, "--one-size", str(n), "--weeks", str(weeks)],
                           capture_output=True, text=True, check=True)
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    return rows


EXPERIMENT = """[experiment]
title = "bench: default team x {weeks} weeks"
scenario = "{scenario}"
design = "grid"
replicates = {runs}
weeks = {weeks}
seed = 1
record = "weekly"
"""


def experiment_rate(runs: int, weeks: int, workers: int) -> dict:
    from sim.experiment import run_experiment
    with tempfile.TemporaryDirectory(prefix="orgsim-bench-") as tmp:
        f = Path(tmp) / "bench.toml"
        f.write_text(EXPERIMENT.format(runs=runs, weeks=weeks, scenario=(ROOT / "scenarios/coaching.toml").as_posix()))
        t0 = time.perf_counter()
        summary = run_experiment(f, Path(tmp) / "out", workers=workers, progress=False)
        wall = time.perf_counter() - t0
    return {"workers": workers, "runs": runs, "wall_s": wall, "runs_per_s": runs / wall,
            "failed": summary.get("failed", 0)}


def peer_rate(n: int = 10_000, steps: int = 15) -> dict:
    sys.path.insert(0, str(HERE))
    from peer_model import PeerModel
    t0 = time.perf_counter()
    m = PeerModel(n)
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    for _ in range(steps):
        m.step()
    return {"agents": n, "setup_s": setup, "agent_steps_per_s": n * steps / (time.perf_counter() - t1)}


def paired_rounds(rounds: int, weeks: int, steps: int) -> list[dict]:
    """The peer and orgsim at 10,000, alternately in this one process: each round times the peer (``steps``
    steps) and then a fresh 10,000-employee organisation over ``weeks`` weeks (after set-up). A round's ratio
    compares two timings taken seconds apart, so a change in the machine's speed between them moves it less
    than it moves the ratio of the table above, whose orgsim figure comes from a subprocess minutes earlier."""
    from sim import engine
    from sim.model import OrgModel
    from sim.params import load_scenario
    from sim.runner import warm_up
    teams, size, levels = SIZES[10_000]
    sp = load_scenario(ROOT / "scenarios/company_controlling_top.toml",
                       [f"team.teams={teams}", f"team.size={size}", f"org.levels={levels}"])
    warm_up()
    out = []
    for _ in range(rounds):
        peer = peer_rate(steps=steps)
        rates = []
        for one_thread in (False, True):   # as it chooses (threads if cores are free), then on one thread
            model = OrgModel(sp, seed=1)
            t = time.perf_counter()
            if one_thread:
                with engine.serial_only():
                    model.run(weeks)
            else:
                model.run(weeks)
            rates.append(model.org.n_positions * weeks / (time.perf_counter() - t))
            del model
        out.append({"peer": peer["agent_steps_per_s"], "orgsim": rates[0], "one_thread": rates[1],
                    "ratio": rates[0] / peer["agent_steps_per_s"]})
    return out


class busy:
    """``n`` processes spinning on a core each while the block runs (ended when it ends, or after ``seconds``)."""

    def __init__(self, n: int, seconds: float):
        self.n, self.seconds = n, seconds

    def __enter__(self):
        code = f"import time\nt = time.time() + {self.seconds}\nwhile time.time() < t: pass\n"
        self.procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(self.n)]
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
            p.wait()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--weeks", type=int, default=104, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one_size:
        print(json.dumps(one_size(a.one_size, a.weeks)))
        return 0
    weeks, runs = (20, 20) if a.quick else (104, 200)
    print(f"orgsim bench on {os.cpu_count()} cores, Python {sys.version.split()[0]}"
          + ("  [--quick: numbers are not comparable]" if a.quick else ""))
    all_rows = rows = sizes(weeks)
    print(f"\n{'employees':>10} {'set-up s':>9} {'agent-weeks/s':>14} {'peak MB':>8} {'(imports MB)':>13}")
    for r in rows:
        print(f"{r['employees']:>10,} {r['setup_s']:>9.3f} {r['agent_weeks_per_s']:>14,.0f} "
              f"{r['peak_mb']:>8.0f} {r['baseline_mb']:>13.0f}")
    print(f"compiled schedule: code loaded in {min(r['warm_up_s'] for r in rows):.2f} s per process (not timed above; "
          f"a machine's first run compiles it, about 30 s)")
    exp = [experiment_rate(runs, weeks, w) for w in (1, 2)]
    print(f"\nexperiment, default team (13 agents) x {weeks} weeks, {runs} runs:")
    for e in exp:
        print(f"  {e['workers']} worker(s): {e['runs_per_s']:6.1f} runs/s  ({e['wall_s']:.1f} s wall, "
              f"{e['failed']} failed)")
    speedup = exp[1]["runs_per_s"] / exp[0]["runs_per_s"]
    print(f"  2 workers / 1 worker: {speedup:.2f}x")
    peer = peer_rate(steps=5 if a.quick else 15)
    big = next(r for r in rows if r["employees"] == 10_000)   # the peer's size
    ratio = big["agent_weeks_per_s"] / peer["agent_steps_per_s"]
    print(f"\npeer (plain per-agent Mesa, {peer['agents']:,} agents, cell.neighborhood, DataCollector): "
          f"{peer['agent_steps_per_s']:,.0f} agent-steps/s (set-up {peer['setup_s']:.2f} s)")
    print(f"ratio at {big['employees']:,} employees: orgsim {big['agent_weeks_per_s']:,.0f} agent-weeks/s / peer "
          f"= {ratio:.1f}x")
    rounds = paired_rounds(1 if a.quick else 5, weeks, 5 if a.quick else 15)
    ratios = sorted(r["ratio"] for r in rounds)
    print(f"paired in this process ({len(rounds)} rounds of the peer, then orgsim at 10,000): "
          + ", ".join(f"{r['ratio']:.1f}x" for r in rounds)
          + f"; median {ratios[len(ratios) // 2]:.1f}x (peer {min(r['peer'] for r in rounds):,.0f}-"
          f"{max(r['peer'] for r in rounds):,.0f} agent-steps/s)")
    with busy(2, seconds=600):
        loaded = paired_rounds(1 if a.quick else 3, weeks, 5 if a.quick else 15)
    def med(xs):
        return sorted(xs)[len(xs) // 2]
    for name, rs in (("quiet", rounds), ("under load (two busy processes beside it)", loaded)):
        print(f"{name}, {len(rs)} rounds at 10,000: threads as free cores allow "
              + ", ".join(f"{r['orgsim']:,.0f}" for r in rs) + "; one thread "
              + ", ".join(f"{r['one_thread']:,.0f}" for r in rs) + f" agent-weeks/s; median ratio "
              f"{med([r['orgsim'] / r['one_thread'] for r in rs]):.2f}x; to the peer "
              + ", ".join(f"{r['ratio']:.1f}x" for r in rs))
    if a.json:
        a.json.write_text(json.dumps({"sizes": all_rows, "experiment": exp, "peer": peer, "ratio": ratio,
                                      "paired_rounds": rounds, "under_load": loaded},
                                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
