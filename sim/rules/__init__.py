"""Submodels, one module per theory. Every function is pure: numpy arrays in, arrays out.

* :mod:`.work`       - workload, the manager's time budget (the manager as bottleneck), doing the work
* :mod:`.safety`     - Edmondson: failure types, reporting vs hiding, blame vs learn, the four zones
* :mod:`.learning`   - competence from practice, coaching and intelligent failure; learned helplessness
* :mod:`.motivation` - Self-Determination Theory needs and motivation; JD-R engagement
* :mod:`.trust`      - Mayer, Davis & Schoorman ABI trust, both ways, with Slovic's asymmetry
* :mod:`.strain`     - JD-R / Karasek strain, Maslach burnout, sick leave, turnover, manager strain
* :mod:`.social`     - emotional contagion / crossover along peer ties
"""
