"""Experiments at scale: a design of many runs (grids, Latin hypercube, Sobol/Saltelli, Morris), run on local
processes or a Dask cluster, streamed to Parquet, resumable, and analysed.

* :mod:`sim.experiment.spec` - the experiment file (``experiments/*.toml``): parse, validate;
  :mod:`sim.experiment.design` expands its design (points, seeds, parameters).
* :mod:`sim.experiment.run` - schedules the runs (:mod:`.worker`, :mod:`.executors`, :mod:`.results`,
  :mod:`.manifest`, :mod:`.storage`): :func:`run_experiment`,
  :func:`load_results`.
* :mod:`sim.experiment.analyze` - per design point means with 95% CIs, figures, Sobol and Morris indices.
* :mod:`sim.experiment.outputs` - an experiment's own outputs (``[outputs]``: quantiles, shares, means of the
  state, per team, policy or level) and stop conditions (``[stop]``), computed by the worker each week.

See ``docs/experiments.md``.
"""

from __future__ import annotations


def run_experiment(*args, **kwargs):
    """See :func:`sim.experiment.run.run_experiment`."""
    from .run import run_experiment as _run

    return _run(*args, **kwargs)


def load_results(*args, **kwargs):
    """See :func:`sim.experiment.run.load_results`."""
    from .run import load_results as _load

    return _load(*args, **kwargs)
