"""TOML read with a nesting limit: a file (or a ``--set`` value) nested deeper than :data:`MAX_DEPTH` levels is
refused with one line naming the source, the key and the limit, before the parser can run out of stack.

Python's ``tomllib`` parses nested arrays and inline tables recursively: a value such as ``[[[[...]]]]`` a
thousand levels deep raised ``RecursionError`` (a traceback, not an error line), and dotted keys
(``a.b.c...``) build tables as deep as they are long, which later code printing them would recurse into.
The text is therefore scanned first (strings and comments skipped, brackets and braces counted), and the parsed
tables are measured again, without recursion, for the depth that dotted keys and table headers add.
Nothing in orgsim's files needs more than three levels.
"""

from __future__ import annotations

import tomllib

from .errors import ConfigError

MAX_DEPTH = 16


def _too_deep(source: str, key: str):
    return ConfigError(f"{source}: '{key}' is nested more than {MAX_DEPTH} levels deep (arrays and tables); "
                       f"allowed: at most {MAX_DEPTH} levels")


def _string_end(text: str, i: int) -> int:
    """Index just past the TOML string starting at ``text[i]`` (a quote), or the end of the text."""
    q = text[i]
    n = len(text)
    if text.startswith(q * 3, i):  # multi-line: up to two more quotes may close it
        j = i + 3
        while j < n:
            if q == '"' and text[j] == "\\":
                j += 2
                continue
            if text.startswith(q * 3, j):
                j += 3
                extra = 0
                while j < n and text[j] == q and extra < 2:
                    j, extra = j + 1, extra + 1
                return j
            j += 1
        return n
    j = i + 1
    while j < n and text[j] != "\n":
        if q == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == q:
            return j + 1
        j += 1
    return j


def check_depth(text: str, source: str, prefix: str = "") -> None:
    """Raise :class:`ConfigError` if brackets or braces in ``text`` nest deeper than
    :data:`MAX_DEPTH`, naming the key whose value does. ``prefix``: ``text`` is one value, of that key (a
    ``--set``), with no table headers. Linear in the length of the text."""
    depth, i, n = 0, 0, len(text)
    table, line_start, key = "", 0, prefix
    while i < n:
        c = text[i]
        if c in "\"'":
            i = _string_end(text, i)
            continue
        if c == "#":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if c == "\n":
            line_start = i + 1
        elif c in "[{":
            if depth == 0 and not prefix and not text[line_start:i].strip():  # a header: [name], [[name]]
                end = text.find("\n", i)
                header = text[i:n if end < 0 else end].split("#", 1)[0].strip()
                table = header.strip("[] \t")
                i = n if end < 0 else end
                continue
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(source, key or table or "?")
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif c == "=" and depth == 0:
            name = text[line_start:i].strip()
            key = prefix or (f"{table}.{name}" if table else name)
        i += 1


def check_tables(value, source: str, prefix: str = "", level: int = -1) -> None:
    """Raise :class:`ConfigError` if parsed tables and lists nest more than :data:`MAX_DEPTH` levels
    deep, counted as the text scan counts them: a value's outermost array or table is level 1 (``level``, the
    level of ``value`` itself: -1 for a document, whose sections are level 0; 1 for a ``--set`` value of key
    ``prefix``). Dotted keys and headers such as ``[a.b.c.d...]`` add levels the scan does not see. Walked with
    a stack, not recursion."""
    stack = [(value, prefix, level)]
    while stack:
        v, key, depth = stack.pop()
        if not isinstance(v, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise _too_deep(source, key if len(key) <= 60 else key[:57] + "...")
        items = v.items() if isinstance(v, dict) else ((None, x) for x in v)
        stack.extend((x, key if k is None else (f"{key}.{k}" if key else str(k)), depth + 1) for k, x in items)


def loads(text: str, source: str) -> dict:
    """``tomllib.loads`` with the nesting limit; bad TOML is a :class:`ConfigError` naming
    ``source``."""
    check_depth(text, source)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    except RecursionError:  # a construct the scan did not foresee: still one line
        raise ConfigError(f"{source}: nested too deeply; allowed: at most {MAX_DEPTH} levels") from None
    check_tables(raw, source)
    return raw


NOT_TOML = object()


def loads_value(rhs: str, source: str, key: str):
    """A ``--set`` value of ``key`` read as a TOML literal, with the nesting limit; :data:`NOT_TOML` if it is
    not one (the caller then takes the text as it is)."""
    check_depth(rhs, source, prefix=key)
    try:
        value = tomllib.loads(f"v = {rhs}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return NOT_TOML
    check_tables(value, source, prefix=key, level=1)
    return value
