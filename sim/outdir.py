"""Checking an output directory before any work: one line that names the path that is in the way."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError


def check_out(out: Path, flag: str = "--out") -> None:
    """Raise :class:`ConfigError` unless ``out`` is, or can be made as, a writable directory (nothing is created
    here). The line names the path that is in the way: ``out`` itself, or the file above it
    (``--out /etc/hostname/x: /etc/hostname is not a directory``), or the directory it cannot write in."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{flag} {out}: exists and is not a directory")
    probe = out
    while not probe.exists() and probe != probe.parent:
        if probe.is_symlink():   # a dangling link: a directory cannot be made there
            raise ConfigError(f"{flag} {out}: {probe} is a broken link")
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"{flag} {out}: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(f"{flag} {out}: cannot write in {probe}")
