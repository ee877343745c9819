"""The workshop report (``orgsim report``, ``orgsim demo``).

One self-contained, printable ``report.<lang>.html`` per language with the scenarios' stories, headline numbers after 3, 12 and
24 months, time series with bands over seeds, the manager's week and the team's zone; plus the PNGs and CSVs
it is made of."""

from .build import build_report, headline_table

__all__ = ["build_report", "headline_table"]
