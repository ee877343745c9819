"""What every ``orgsim`` command shares: the consoles, the language of the command, the one-line exit-2 contract
for bad input (:func:`_guard`), atomic writes and the shipped scenarios' folder."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import typer
from typer.core import TyperGroup

from .cli_texts import MSG, argv_lang, error_text, lang_of, usage_text
from .params import BY_KEY, ConfigError
from .safe_text import console, one_line

try:   # typer 0.2x parses with its own copy of click
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover   (older typer: click's)
    from click.exceptions import NoArgsIsHelpError, UsageError

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


class Commands(TyperGroup):
    """``orgsim``'s commands: a command line the parser cannot read (an unknown option or command, a missing
    argument, a value of the wrong type) is one line in the command's language (``--lang``, else the locale),
    pointing to the command's ``--help``, exit code 2; typer's own error panel would be several lines, in
    English."""

    def make_context(self, info_name, args, parent=None, **extra):
        lang = argv_lang([str(a) for a in args])
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as exc:
            _usage_fail(exc, lang, info_name or "orgsim")
        ctx.meta["orgsim.lang"] = lang
        return ctx

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            sub = f" {ctx.invoked_subcommand}" if ctx.invoked_subcommand else ""
            _usage_fail(exc, ctx.meta.get("orgsim.lang", "en"), ctx.command_path + sub)


def _usage_fail(exc, lang: str, command: str) -> None:
    if isinstance(exc, NoArgsIsHelpError):   # ``orgsim`` alone: its help
        raise exc
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else command
    err_console.print(f"{MSG[lang]['error']}: {one_line(usage_text(exc.format_message(), where, lang))}")
    raise typer.Exit(2)
