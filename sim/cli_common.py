"""What every ``orgsim`` command shares: the consoles, the language of the command, the one-line exit-2 contract
for bad input (:func:`_guard`), atomic writes and the shipped scenarios' folder."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import typer

from .cli_texts import MSG, error_text, lang_of
from .params import BY_KEY, ConfigError
from .safe_text import console, one_line

# user text (titles, file names, paths) is printed as it is: no rich markup, no emoji codes (sim.safe_text)
out_console = console()
err_console = console(stderr=True)

TABLE_METRICS = ("engagement", "engaged_share", "disengaged_share", "burnout_complaints_share", "absent_share",
                 "output", "trust_in_manager", "psych_safety", "competence", "leavers", "manager_hours",
                 "manager_control")
# and for organisations of several management levels, the cascade: what the team leads receive and take, and
# what the managers above them take and feel
LEVEL_TABLE_METRICS = ("pressure_from_above", "extra_control", "senior_control", "senior_strain")


def _table_metrics(params) -> tuple[str, ...]:
    """The rows of ``run``'s and ``compare``'s tables for these scenarios' parameters."""
    return TABLE_METRICS + (LEVEL_TABLE_METRICS if any(p.org.levels > 1 for p in params) else ())


# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------
_STATE: dict[str, str] = {}   # the language of the command being run (set by _lang, cleared by _main)


def _fail(msg: str) -> None:
    lang = _STATE.get("lang", "en")
    err_console.print(f"{MSG[lang]['error']}: {one_line(error_text(msg, lang))}")
    raise typer.Exit(2)


def _lang(lang: str | None) -> str:
    """``--lang`` in any case, else from the locale (sim.cli_texts.lang_of); later error lines use it."""
    try:
        _STATE["lang"] = lang_of(lang)
    except ConfigError as exc:
        _fail(str(exc))
    return _STATE["lang"]


def _check_option(flag: str, key: str, value) -> None:
    p = BY_KEY[key]
    if value is not None and not (p.lo <= value <= p.hi):
        raise ConfigError(f"{flag} {value}: out of range; allowed: {p.allowed()}")


def _atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same directory, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _png(draw, *args, **kw) -> bytes:
    """A figure drawn by ``draw(..., path, ...)`` into memory: its PNG bytes (written only once all is made)."""
    buf = io.BytesIO()
    draw(*args[:1], buf, *args[1:], **kw)
    return buf.getvalue()


def scenario_dir() -> Path:
    """The shipped scenarios: ``scenarios/`` beside the package (source checkout), else ``./scenarios``."""
    here = Path(__file__).resolve().parent.parent / "scenarios"
    return here if here.is_dir() else Path("scenarios")


def _guard(fn):
    """Turn ConfigError into the one-line, exit-2 contract."""
    import functools

    @functools.wraps(fn)
    def wrapper(*a, **kw):
        try:
            return fn(*a, **kw)
        except ConfigError as exc:
            _fail(str(exc))
        except OSError as exc:  # e.g. disk full while writing: earlier files stay intact (atomic writes)
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    return wrapper
