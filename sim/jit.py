"""How orgsim compiles with numba, and where the compiled code is kept.

numba caches compiled code next to each source file and checks only that file's time stamp, so a change to a
rule in ``sim/rules/`` would not reach a cached loop in ``sim/schedule.py`` that calls it. orgsim therefore
keeps its cache in a directory named after a digest of every source file compiled code is built from: edit a
rule and the next run compiles afresh (about 15 seconds, once) instead of using stale code.

The directory is ``$ORGSIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/orgsim`` (``~/.cache/orgsim``), then
``numba-<digest>``; if that cannot be created, the same under the system's temporary folder. It never touches
the network.

Each version of the code (each edit of a rule, each upgrade) leaves a folder of about 5 MB. When a run creates
a new one, :func:`prune` removes the older folders beyond the :data:`KEEP` most recently used, but never one
used in the last :data:`IN_USE_DAYS` days (another checkout of orgsim may be running with it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import numba

HERE = Path(__file__).resolve().parent
# the sources compiled code is built from (rules are compiled from their own code: sim/engine.py)
SOURCES = ("params.py", "jit.py", "engine.py", "state.py", "streams.py", "policies.py", "schedule.py", "people.py",
           "metrics.py", "rules/*.py")

# numpy's error model: a division by zero gives inf/nan as it does in numpy, with no Python exception check
JIT = dict(cache=True, error_model="numpy")


def source_digest(root: Path = HERE, patterns=SOURCES) -> str:
    """A digest of the contents of the files matching ``patterns`` under ``root`` (names and bytes)."""
    h = hashlib.sha256(numba.__version__.encode())
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


KEEP = 3           # compiled-code folders of other versions kept (the most recently used ones)
IN_USE_DAYS = 1.0  # a folder used more recently than this is never removed


def prune(base: Path, current: Path, keep: int = KEEP, in_use_days: float = IN_USE_DAYS) -> list[Path]:
    """Remove the ``numba-*`` folders under ``base`` other than ``current`` and the ``keep`` most recently used
    (a folder's time stamp is refreshed whenever a process uses it), except those used in the last
    ``in_use_days`` days. Returns the folders removed; a folder that cannot be removed is left as it is."""
    def used(folder: Path) -> float:
        try:
            return folder.stat().st_mtime
        except OSError:
            return float("inf")   # vanished or unreadable: leave it alone
    try:
        others = [f for f in base.iterdir() if f.name.startswith("numba-") and f.is_dir() and f != current]
    except OSError:
        return []
    others.sort(key=used, reverse=True)
    cutoff = time.time() - in_use_days * 86400
    removed = []
    for folder in others[keep:]:
        if used(folder) < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


def cache_dir() -> Path:
    """The cache directory (created if needed, its time stamp refreshed; a new one prunes the old ones:
    :func:`prune`); the system's temporary folder if the user's cannot be created."""
    base = os.environ.get("ORGSIM_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "orgsim"
    name = f"numba-{source_digest()}"
    for folder in (Path(base), Path(tempfile.gettempdir()) / "orgsim"):
        try:
            new = not (folder / name).is_dir()
            (folder / name).mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        try:
            os.utime(folder / name)   # the time it was last used, for prune
        except OSError:
            pass
        if new:
            prune(folder, folder / name)
        return folder / name
    return Path(base) / name  # numba will warn that it cannot cache and compile in every process


def cache_is_cold(folder: Path | None = None, pattern: str = "*.nbi") -> bool:
    """True if ``folder`` (default: :data:`CACHE_DIR`) holds no compiled code (index files matching ``pattern``)
    yet: the first run with this code on this machine compiles it (20-40 seconds, once). With
    ``pattern="*_parallel-*.nbi"``: the loops big organisations share among threads are not stored yet."""
    folder = CACHE_DIR if folder is None else folder
    try:
        return not any(folder.rglob(pattern))
    except OSError:
        return True


CACHE_DIR = cache_dir()
numba.config.CACHE_DIR = str(CACHE_DIR)
