"""The dashboard serves only its own page: the server-side guards of ``orgsim dashboard`` (:mod:`sim.dashboard`).

* :class:`OwnPageOnly`, an ASGI middleware around Solara's Starlette app: a request whose ``Host`` header is not
  the address the server listens on is refused (a DNS-rebinding site names its own host), and so is a WebSocket
  whose ``Origin`` is not the page's own (a page open in another tab of the trainer's browser could otherwise
  drive the dashboard), or a POST from another origin. Asset requests are answered only with files that are in
  the asset folder (Solara's asset proxy deletes a directory it is asked for, and downloads what is missing).
* :func:`private_assets`: the offline assets (links to the installed ``solara-assets``) in a folder this process
  creates itself with ``tempfile.mkdtemp`` (private, new, owner checked), removed at exit: never a guessable
  shared folder that another user of the machine could create first and fill.
* :func:`choice`, :func:`number`, :func:`flag` and :func:`handler`: every value the browser sends is checked
  against what the page offered (a scenario must be one of the listed files, and is refused before anything is
  read; a number must lie in its slider's range); an event handler that fails writes one line to the server's
  log and nothing to the browser (no traceback, no server path).
"""

from __future__ import annotations

import atexit
import functools
import ipaddress
import logging
import math
import os
import shutil
import socket
import stat
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from .safe_text import one_line

log = logging.getLogger("orgsim.dashboard")
CDN_PREFIX = "/_solara/cdn/"


# --------------------------------------------------------------------------------------------------------------
# values from the browser
# --------------------------------------------------------------------------------------------------------------
class Refused(ValueError):
    """A value from the browser that the page did not offer."""


def shown(value) -> str:
    """A value from the browser as a log line shows it: its repr, on one line, cut after 60 characters."""
    r = one_line(repr(value))
    return r if len(r) <= 60 else r[:57] + "..."


def choice(value, offered, what: str):
    """``value`` if it is one of ``offered`` (compared as given: no path is resolved or read), else
    :class:`Refused`."""
    if not isinstance(value, str) or value not in offered:
        raise Refused(f"{what}: {shown(value)} is not one of the values the page offered")
    return value


def number(value, lo: float, hi: float, what: str) -> float:
    """``value`` if it is a finite number in ``[lo, hi]`` (the slider's range), else :class:`Refused`."""
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or not lo <= value <= hi):
        raise Refused(f"{what}: {shown(value)} is not a number in [{lo:g}, {hi:g}]")
    return value


def flag(value, what: str) -> bool:
    """``value`` if it is true or false, else :class:`Refused`."""
    if not isinstance(value, bool):
        raise Refused(f"{what}: {shown(value)} is not true or false")
    return value


def handler(fn):
    """An event handler that never lets an error reach the browser: a refused value, or any error, is one line
    in the server's log (the type of an error, not its text: that may name server paths) and the page goes
    on."""
    @functools.wraps(fn)
    def wrapper(*args, **kw):
        try:
            return fn(*args, **kw)
        except Refused as exc:
            log.warning("orgsim dashboard: refused a value from the browser: %s", exc)
        except Exception as exc:  # noqa: BLE001 - the browser gets nothing of it
            log.error("orgsim dashboard: %s in %s; the page goes on", type(exc).__name__, fn.__name__)
        return None
    return wrapper


def page_text(message: str, *folders) -> str:
    """An error line as the page may show it: each of ``folders`` (server paths) left out, file names kept."""
    for d in folders:
        if d:
            message = message.replace(str(Path(d)) + os.sep, "").replace(str(Path(d)), ".")
    return message


# --------------------------------------------------------------------------------------------------------------
# Host and Origin
# --------------------------------------------------------------------------------------------------------------
def _split_host(value: str) -> tuple[str, int | None]:
    """``host[:port]`` (``[v6]:port`` too) as (host without brackets, lower case; port or None)."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, None
        host, rest = value[1:end], value[end + 1:]
    else:
        host, _, rest = value.partition(":")
        rest = ":" + rest if rest else ""
    if not rest:
        return host, None
    if not rest.startswith(":") or not rest[1:].isdigit():
        return "", None
    return host, int(rest[1:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class HostCheck:
    """Which ``Host`` values name this server: its port, and the address it listens on (a loopback address:
    also ``localhost`` and the other loopback literals; a wildcard address: any IP literal, ``localhost`` and
    this machine's names). Names a DNS-rebinding site could control are never accepted."""

    def __init__(self, host: str, port: int):
        self.port = port
        h = host.strip("[]").lower()
        self.any_ip = h in ("0.0.0.0", "::", "")
        loopback = h == "localhost" or (_is_ip(h) and ipaddress.ip_address(h).is_loopback)
        names = {h}
        if loopback or self.any_ip:
            names |= {"localhost", "127.0.0.1", "::1"}
        if self.any_ip:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        self.names = frozenset(names)

    def __call__(self, value: str) -> bool:
        host, port = _split_host(value)
        if port is None:
            port = 80
        if port != self.port or not host:
            return False
        return host in self.names or (self.any_ip and _is_ip(host))

    def origin(self, value: str) -> bool:
        """An ``Origin`` header of this server's own page (``http://host:port``)."""
        try:
            parts = urlsplit(value.strip())
        except ValueError:
            return False
        return parts.scheme == "http" and not parts.path and self(parts.netloc)


class OwnPageOnly:
    """ASGI middleware: refuse requests for other hosts and WebSockets (or POSTs) from other origins, and
    answer asset requests only with files in the asset folder. Each refusal is one line in the server's log;
    the browser gets a bare 403 or 404."""

    def __init__(self, app, hosts: HostCheck, assets: Path | None = None):
        self.app, self.hosts, self.assets = app, hosts, assets

    def _why(self, scope, headers: dict) -> str | None:
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.hosts(host):
            return f"Host {shown(host)}"
        origin = headers.get(b"origin")
        needs_origin = scope["type"] == "websocket" or scope.get("method", "GET") not in ("GET", "HEAD")
        if needs_origin and origin is not None and not self.hosts.origin(origin.decode("latin-1")):
            return f"Origin {shown(origin.decode('latin-1'))}"
        if scope["type"] == "websocket" and origin is None:
            return "no Origin"
        return None

    def _asset_missing(self, path: str) -> bool:
        rel = path[len(CDN_PREFIX):]
        parts = rel.split("/")
        if any(p in ("", ".", "..") or "\\" in p for p in parts):
            return True
        target = self.assets.joinpath(*parts)
        return not (target.is_file() or (len(parts) == 1 and (target / "__main.js").is_file()))

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        why = self._why(scope, headers)
        path = scope.get("path", "")
        if why:
            log.warning("orgsim dashboard: refused a %s for %s: %s", "WebSocket" if scope["type"] == "websocket"
                        else scope.get("method", "request"), shown(path), why)
            if scope["type"] == "websocket":
                await receive()   # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _plain(send, 403, b"403: this server answers only its own page\n")
            return None
        if scope["type"] == "http" and self.assets is not None and path.startswith(CDN_PREFIX) \
                and self._asset_missing(path):
            return await _plain(send, 404, b"404: not an asset of this page\n")
        return await self.app(scope, receive, send)


async def _plain(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------------------------------------------
# the offline assets
# --------------------------------------------------------------------------------------------------------------
_made: dict[Path, Path] = {}


def _check_private(d: Path) -> None:
    st = os.lstat(d)
    mine = st.st_uid == os.geteuid() if hasattr(os, "geteuid") else True
    if not stat.S_ISDIR(st.st_mode) or not mine or st.st_mode & 0o077:
        raise RuntimeError(f"{d} is not a private directory of this user")


def private_assets(src: Path) -> Path:
    """A folder this process creates (``tempfile.mkdtemp``: new, mode 0700, owner checked) with links to every
    asset in ``src`` plus major and minor version aliases (Solara's chart widget asks for ``vega@5``, the
    package ships ``vega@5.21.0``); made once per process, removed at exit."""
    d = _made.get(src)
    if d is not None and d.is_dir():
        return d
    d = Path(tempfile.mkdtemp(prefix="orgsim-assets-"))
    _check_private(d)
    atexit.register(shutil.rmtree, d, True)
    entries = {e.name: e for e in src.iterdir()}
    for name, e in entries.items():
        (d / name).symlink_to(e.resolve())
    for name, e in entries.items():
        if "@" in name[1:] and not name.startswith("@"):
            base, ver = name.rsplit("@", 1)
            for alias in (f"{base}@{ver.split('.')[0]}", f"{base}@{'.'.join(ver.split('.')[:2])}"):
                if alias not in entries and not (d / alias).exists():
                    (d / alias).symlink_to(e.resolve())
    _made[src] = d
    return d

