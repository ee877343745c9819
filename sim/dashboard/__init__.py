"""The trainers' live dashboard: ``orgsim dashboard [--lang nl|en] [--port P]`` (or ``solara run sim/app.py``).

A Solara page driven by Mesa models (:class:`sim.model.OrgModel`), in layers, each testable on its own:

* :mod:`.texts` - every word on the page in English and Dutch.
* :mod:`.state` - plain Python, no Solara: the scenario, styles A and B, the values the controls set, the
  models, stepping, events, replays, and a :class:`~.state.Snapshot` of everything the page shows.
* :mod:`.charts` - Vega-Lite specs and their data from a snapshot (no Solara).
* :mod:`.view` - the Solara components (:func:`~.view.Page`); they only read snapshots and call
  :class:`~.state.Dashboard` methods.
* :mod:`.server` - :func:`~.server.serve`: the Solara server on 127.0.0.1 with telemetry off and every asset
  served from the ``solara-assets`` package (the page makes no request outside the machine).
"""
