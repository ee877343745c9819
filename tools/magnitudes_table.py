"""Before/after table for issue 21 ("credible magnitudes"): not part of the test suite.

Prints, as Markdown:

1. every fact of ``orgsim validate`` (experiments/targets_nl.toml), and the magnitude measures of issue 21 that
   are not (yet) facts there: r(leadership experienced, exhaustion), r(leadership experienced, output),
   r(exhaustion, engagement) across the employees of ``baseline_nl`` in its survey year; burnout complaints in
   the second year under each named policy at default workload; the two-year output ratio coaching /
   controlling;
2. the five named policies' week-104 means over 10 seeds (engagement, burnout share, output, leavers, trust).

    .venv/bin/python tools/magnitudes_table.py [--seeds 20] [--workers 2] > table.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import validate as val  # noqa: E402
from sim.params import load_scenario  # noqa: E402
from sim.runner import compare_params  # noqa: E402

POLICIES = ("controlling", "delegating", "coaching", "situational", "reactive")


def _fact(id_, desc, measure, unit, versus=None, compare=None):
    return val.Fact(id_, desc, desc, "issue 21", 0.0, -float("inf"), float("inf"), unit, "", measure, versus,
                    compare)


MEASURES = [
    _fact("r_leadership_exhaustion", "r(leadership experienced, exhaustion), baseline_nl survey year",
          {"kind": "person_correlation", "variant": "baseline", "x": "leadership", "y": "exhaustion"}, "r"),
    _fact("r_leadership_performance", "r(leadership experienced, output), baseline_nl survey year",
          {"kind": "person_correlation", "variant": "baseline", "x": "leadership", "y": "output"}, "r"),
    _fact("r_exhaustion_engagement", "r(exhaustion, engagement), baseline_nl survey year",
          {"kind": "person_correlation", "variant": "baseline", "x": "exhaustion", "y": "engagement"}, "r"),
    *[_fact(f"complaints_{p}", f"burnout complaints, weeks 53-104, {p}",
            {"variant": f"policy_{p}", "metric": "burnout_complaints_share", "weeks": [53, 104]}, "%")
      for p in POLICIES],
    _fact("output_ratio_two_years", "output over weeks 1-104, coaching / controlling",
          {"variant": "coaching", "metric": "output", "weeks": [1, 104]}, "x",
          {"variant": "controlling", "metric": "output", "weeks": [1, 104]}, "ratio"),
]


def facts_table(seeds: int, workers: int) -> str:
    design = val.load_design()
    facts = val.load_targets(design=design)
    have = {f.id for f in facts}
    extra = [f for f in MEASURES if f.id not in have]
    t0 = time.perf_counter()
    runs = val.run_design(design, facts + extra, seeds, workers)
    table = val.evaluate(facts + extra, runs, design)
    lines = [f"### Facts and magnitude measures ({seeds} seeds, {time.perf_counter() - t0:.0f} s)", "",
             "| id | band | value [95% CI] | pass |", "|---|---|---|---|"]
    for _, r in table.iterrows():
        band = "(measure only)" if r["id"] in {f.id for f in extra} else val.band_text(r)
        ok = "" if r["id"] in {f.id for f in extra} else ("pass" if r["passed"] else "FAIL")
        lines.append(f"| `{r['id']}` | {band} | {val.value_text(r)} | {ok} |")
    return "\n".join(lines) + "\n"


def policies_table(seeds: int = 10) -> str:
    lines = [f"### The five policies at week 104 (scenarios/coaching.toml's team, means over seeds 1-{seeds})", "",
             "| policy | engagement | burnout share | complaints | output | leavers | trust |",
             "|---|---|---|---|---|---|---|"]
    for p in POLICIES:
        params = load_scenario(ROOT / "scenarios" / "coaching.toml", [f"policy.name={p}"])
        df = compare_params({p: params}, seeds, weeks=104, first_seed=1)
        f = df[df.week == 104]
        lines.append(f"| {p} | {f.engagement.mean():.3f} | {100 * f.burnout_share.mean():.1f}% | "
                     f"{100 * f.burnout_complaints_share.mean():.1f}% | {f.output.mean():.3f} | "
                     f"{f.leavers.mean():.2f} | {f.trust_in_manager.mean():.3f} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    print(facts_table(a.seeds, a.workers))
    print(policies_table())


if __name__ == "__main__":
    main()
