"""orgsim: an agent-based simulation (Mesa) of what leadership style does to people at work.

Floors, lowest first (a lower floor never imports from a higher one):
``params`` (the schema) -> ``rules`` (one pure module per theory) -> ``policies`` -> ``org`` -> ``agents`` ->
``metrics`` -> ``model`` -> ``runner`` -> ``plots`` -> ``cli``. ``tests/test_docs.py`` checks this.
"""

__version__ = "0.1.0"
