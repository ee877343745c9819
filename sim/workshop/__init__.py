"""The workshop game (``orgsim workshop``): every participant leads a simulated team from their phone.

* :mod:`~sim.workshop.cards` - the event cards and the knobs their answers set;
* :mod:`~sim.workshop.decisions` - a round's decision, checked, and how it maps onto the policy knobs;
* :mod:`~sim.workshop.game` - the game's state and rules, plain Python (one OrgModel per team);
* :mod:`~sim.workshop.texts` - every word, English and Dutch;
* :mod:`~sim.workshop.debrief` - the handout, the CSV, and replaying a recorded game;
* :mod:`~sim.workshop.server` - the ASGI app (Starlette, long polling) and its guards;
* :mod:`~sim.workshop.command` - ``orgsim workshop``.

See docs/workshop.md.
"""
