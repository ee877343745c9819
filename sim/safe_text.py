"""User text is data: scenario titles and texts, file names and paths shown as they are, never read as markup.

Three renderers read markup in plain strings: rich (the terminal: ``[bold]``, ``[/]``), matplotlib (mathtext
between dollar signs: ``$x^2$``; ``$$`` is an error) and HTML. orgsim's consoles are made with
``markup=False`` and ``emoji=False`` (:func:`console`), figures get their user text through :func:`for_figure`,
and HTML through :func:`for_html`. Error lines, and user text in the terminal, go through :func:`one_line`
(control characters such as a terminal's escape sequences are shown, not sent).
"""

from __future__ import annotations

import html

from rich.console import Console
from rich.markup import escape as _rich_escape


def console(stderr: bool = False) -> Console:
    """A rich console that prints strings as they are: no markup, no emoji codes, no highlighting (a table's
    cells and titles are then data too)."""
    return Console(stderr=stderr, highlight=False, markup=False, emoji=False, soft_wrap=stderr)


def for_markup(text) -> str:
    """``text`` for a string that rich reads as markup (its ``[`` escaped)."""
    return _rich_escape(str(text))


def for_figure(text) -> str:
    """``text`` for matplotlib: on one line (:func:`one_line`), its dollar signs escaped, so no mathtext is
    parsed from it (``$$`` raised an error)."""
    return one_line(text).replace("$", "\\$")


def for_html(text) -> str:
    """``text`` for HTML, in element content or a quoted attribute."""
    return html.escape(str(text), quote=True)


def one_line(text) -> str:
    """``text`` on one line, as it is: line breaks and other control characters (a terminal's escape sequences
    among them) written out as escapes (``\\n``, ``\\x1b``). For error lines and for user text in the terminal's
    tables."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)
