"""orgsim: an agent-based simulation (Mesa) of what leadership style does to people at work.

Floors, lowest first (a lower floor never imports from a higher one):
``params`` (the schema) -> ``rules`` (one pure module per theory) -> ``policies`` -> ``org`` -> ``agents`` ->
``metrics`` -> ``model`` -> ``runner`` -> ``plots`` -> ``cli``. ``tests/test_docs.py`` checks this.
"""

import inspect as _inspect
import os as _os

__version__ = "0.3.0"


def _name_frozen_import_frames() -> None:
    """Tell :mod:`inspect` which module the import system's frozen frames belong to.

    Mesa names its module loggers with ``inspect.stack()``, which looks up the module of every frame on the
    stack. For the frames of the import system (``<frozen importlib._bootstrap>``) that lookup finds nothing
    in :mod:`inspect`'s cache and walks all of ``sys.modules`` each time: with numpy, pandas and numba loaded,
    importing ``mesa.model`` spent 0.25-0.4 s there (docs/performance.md). With the two names in the cache
    each lookup ends at once; nothing else changes (the source of frozen frames stays unavailable, as before).
    The key is the absolute path :func:`inspect.getabsfile` would give from the current directory."""
    for name in ("importlib._bootstrap", "importlib._bootstrap_external"):
        try:
            key = _os.path.normcase(_os.path.abspath(f"<frozen {name}>"))
        except OSError:   # the current directory is gone: inspect could not use the key either
            return
        _inspect.modulesbyfile.setdefault(key, name)


_name_frozen_import_frames()
