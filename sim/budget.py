"""The memory a run will need, estimated before anything is built, and checked against the memory available.

The schema allows organisations far larger than any machine holds (5,000 teams of 1,000 people, every pair of
them tied: about 10^13 peer ties), so every command that builds models first estimates their peak memory from
the parameters alone (:func:`estimate`) and refuses, with one line naming the keys to lower, when it exceeds
the memory available (:func:`check`): :func:`available_bytes` (Linux: ``MemAvailable``, within a container's
memory limit; elsewhere the physical memory) less a tenth. Nothing is built, run or written before.

The estimate is an upper bound of the measured peak (``tests/test_budget.py`` runs the schema's corners and
compares): a fixed part (the libraries' work space), the people and managers, the peer ties (drawn, then
stored twice as a sparse matrix), and what is recorded week by week (the model's time series; ``--agents``:
one row per person per week; ``--per-team``: one per team per week), for each run held side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError

# bytes, measured on the compiled schedule (docs/performance.md, "Memory budget") with room to spare
FIXED = 96 * 2**20          # work space of a run beyond the libraries already loaded
PER_PERSON = 1_536          # a position's state arrays and the weekly loops' temporaries
PER_MANAGER = 3_072         # a team lead's or senior manager's state, per-team sums
PER_TIE_WITHIN = 128        # a peer tie within a team: drawn, kept as a pair, in the sparse matrix both ways
PER_TIE_ACROSS = 192        # a peer tie across teams: its draw needs more room (candidates, duplicates dropped)
PER_WEEK = 4_096            # one row of the model's time series
PER_PERSON_WEEK = 1_024     # --agents: one row per person per week (recorded, then tabled and written)
PER_TEAM_WEEK = 512         # --per-team: one row per team per week (and per level)
PER_PROCESS = 320 * 2**20   # an experiment's worker process: the libraries it loads
SHARE = 0.9                 # of the memory available


@dataclass
class Estimate:
    """The estimated peak of ``runs`` runs held side by side: bytes by part, and the keys that set each part."""

    people: int
    ties: float
    runs: int
    parts: dict[str, float] = field(default_factory=dict)
    processes: int = 0                 # further processes (experiment workers), each with its libraries

    @property
    def total(self) -> float:
        return FIXED + self.processes * PER_PROCESS + self.runs * sum(self.parts.values())

    def keys_to_lower(self, extra: tuple[str, ...] = ()) -> list[str]:
        """The keys of the largest parts (together at least three quarters of the total), largest first."""
        out, covered, total = [], 0.0, sum(self.parts.values()) or 1.0
        for part, size in sorted(self.parts.items(), key=lambda kv: -kv[1]):
            for k in KEYS[part]:
                if k not in out:
                    out.append(k)
            covered += size
            if covered >= 0.75 * total:
                break
        return out + [k for k in extra if k not in out]


def managers_of(teams, levels, span):
    """Team leads and senior managers of ``teams`` teams under ``levels`` levels (as :mod:`sim.org` builds
    them): each level above the teams has ``ceil(n / span)`` managers, the top one. Numbers or numpy arrays."""
    teams, levels, span = (np.asarray(x, dtype=float) for x in (teams, levels, span))
    n, total = teams, teams.copy()
    for level in range(2, int(levels.max(initial=1)) + 1):
        n = np.where(levels == level, 1.0, np.ceil(n / span))
        total = total + np.where(levels >= level, n, 0.0)
    return total


KEYS = {"people": ("team.teams", "team.size"),
        "ties within teams": ("team.peer_density", "team.size"),
        "ties across teams": ("team.cross_team_density", "team.teams", "team.size"),
        "--agents rows": ("--agents", "scenario.weeks"),
        "--per-team rows": ("--per-team", "scenario.weeks")}


def _parts(size, teams, peer, cross, levels, span, weeks, agents=False, per_team=False) -> tuple[dict, dict]:
    """Bytes of one run by part, and its people and expected peer ties; numbers or numpy arrays (one value per
    design point)."""
    size, teams, peer, cross = (np.asarray(x, dtype=float) for x in (size, teams, peer, cross))
    n = teams * size
    within = teams * size * (size - 1) / 2 * peer
    across = (n * n - teams * size * size) / 2 * cross
    parts = {"people": n * PER_PERSON + managers_of(teams, levels, span) * PER_MANAGER + weeks * PER_WEEK,
             "ties within teams": within * PER_TIE_WITHIN,
             "ties across teams": across * PER_TIE_ACROSS}
    if agents:
        parts["--agents rows"] = n * weeks * PER_PERSON_WEEK
    if per_team:
        parts["--per-team rows"] = (teams + levels) * weeks * PER_TEAM_WEEK
    return parts, {"people": n, "ties": within + across}


def estimate(params, weeks: int | None = None, agents: bool = False, per_team: bool = False,
             runs: int = 1) -> Estimate:
    """The peak memory of ``runs`` runs of ``params`` side by side, from the parameters alone."""
    t, o = params.team, params.org
    weeks = params.scenario.weeks if weeks is None else weeks
    parts, size = _parts(t.size, t.teams, t.peer_density, t.cross_team_density, o.levels, o.span, weeks, agents,
                         per_team)
    return Estimate(int(size["people"]), float(size["ties"]), runs, {k: float(v) for k, v in parts.items()})


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            raw = f.read().strip()
    except OSError:
        return None
    return int(raw) if raw.isdigit() else None


def available_bytes() -> int:
    """The memory this process may still use: ``MemAvailable`` (Linux), within the limit of the container's
    control group (v2 or v1) if one is set; elsewhere the physical memory."""
    avail = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        avail = None
    if avail is None:
        try:
            avail = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = 2**63
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                          "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        lim, used = _read_int(limit), _read_int(usage)
        if lim is not None and used is not None and lim < 2**60:
            avail = min(avail, max(lim - used, 0))
    return int(avail)


def gib(b: float) -> str:
    """Bytes as GiB (or MiB below one GiB), as the error lines show them."""
    return f"{b / 2**30:.1f} GiB" if b >= 2**30 else f"{b / 2**20:.0f} MiB"


def refuse_if_too_big(est: Estimate, source: str, what: str = "this run", extra_keys: tuple[str, ...] = ()
                      ) -> Estimate:
    """Raise :class:`~sim.errors.ConfigError` (one line: ``source``, the need, what is available, the keys to
    lower) when ``est`` exceeds :data:`SHARE` of :func:`available_bytes`; else return it."""
    allowed = SHARE * available_bytes()
    if est.total > allowed:
        keys = est.keys_to_lower(extra_keys)
        lower = ", ".join(keys[:-1]) + (" or " if len(keys) > 1 else "") + keys[-1]
        raise ConfigError(f"{source}: {what} needs about {gib(est.total)} of memory ({est.people:,} people, "
                          f"{est.ties:,.0f} peer ties expected), more than the {gib(allowed)} available; "
                          f"allowed: lower {lower}")
    return est


def check(params, source: str, weeks: int | None = None, agents: bool = False, per_team: bool = False,
          runs: int = 1, what: str = "this run") -> Estimate:
    """:func:`refuse_if_too_big` for ``runs`` runs of ``params`` side by side (:func:`estimate`)."""
    return refuse_if_too_big(estimate(params, weeks, agents, per_team, runs), source, what)


def check_design(columns: dict, batch, weeks: int, source: str, processes: int) -> Estimate:
    """An experiment's largest batch (``batch``: runs side by side per design point; ``columns``: every
    parameter per design point) on each of ``processes`` worker processes at once (0: in this process)."""
    col = lambda k: np.asarray(columns[k], dtype=float)  # noqa: E731
    parts, size = _parts(col("team.size"), col("team.teams"), col("team.peer_density"),
                         col("team.cross_team_density"), col("org.levels"), col("org.span"), weeks)
    batch = np.asarray(batch, dtype=float)
    i = int(np.argmax(batch * sum(parts.values())))
    copies = max(processes, 1)
    est = Estimate(int(size["people"][i]), float(size["ties"][i]), copies * int(batch[i]),
                   {k: float(v[i]) for k, v in parts.items()}, processes)
    what = (f"design point {i + 1} ({int(batch[i])} runs side by side)"
            + (f" on each of {processes} workers" if processes > 1 else ""))
    return refuse_if_too_big(est, source, what, ("--workers",) if processes > 1 else ())
