"""The entry point Solara loads (``SOLARA_APP=sim.app``, set by ``orgsim dashboard``; or ``solara run
sim/app.py``): the page of :mod:`sim.dashboard.view`. The dashboard itself lives in :mod:`sim.dashboard`."""

from __future__ import annotations

import sys

from sim.dashboard.server import configure_solara
from sim.dashboard.texts import default_lang
from sim.dashboard.view import Page, page  # noqa: F401  (what Solara serves)

if "solara.server.app" in sys.modules:  # loaded by a Solara server (e.g. `solara run sim.app`): stay offline
    configure_solara(default_lang(), production=False)
