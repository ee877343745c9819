"""The workshop's web server: a small Starlette (ASGI) app served by uvicorn, plain HTML pages and long polling.

* ``GET /`` the phone page, ``GET /trainer`` the projector page, ``GET /static/...`` their script and style (the
  texts of both languages inside the script; nothing from anywhere else).
* ``POST /api/join`` ``{code, nick, lang}`` gives a participant's token; the token goes in the ``X-Token``
  header of every later request. ``GET /api/state?since=V`` answers when the game has moved past version ``V``
  (or after 20 s): long polling, which an old phone browser, a sleeping phone and a hotel wifi all survive.
  ``POST /api/decide`` and ``POST /api/lang``.
* The trainer's ``GET /api/room?since=V`` and ``POST /api/trainer/start|close|time`` need the trainer's token
  (given to the projector page in the address's ``#`` part, which no request carries) and come from this
  machine only.

Every refusal is a JSON ``{"error": code}`` for that client only (codes: :data:`sim.workshop.texts.UI`'s
``err_*``); a request body is read up to :data:`MAX_BODY` bytes and parsed as JSON, never evaluated; requests are
rate-limited per client (:class:`Buckets`); Host and Origin are checked (:class:`sim.dashboard_guard.OwnPageOnly`);
no traceback ever reaches a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..dashboard_guard import HostCheck, OwnPageOnly
from .decisions import Invalid
from .game import Game
from .texts import bundle

log = logging.getLogger("orgsim.workshop")
PAGES = Path(__file__).parent / "pages"
MAX_BODY = 2048            # bytes: the biggest honest message is a few hundred
POLL_SECONDS = 20.0
# per client: (burst, refill per second)
LIMITS = {"join": (40, 2.0), "act": (10, 2.0), "poll": (20, 4.0), "trainer": (30, 5.0)}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store"}
STATUS = {"bad_token": 403, "not_trainer": 403, "not_local": 403, "too_many": 429, "too_big": 413,
          "game_full": 409, "game_over": 409}


class Buckets:
    """Token buckets per (kind, client): a burst, then a steady rate (:data:`LIMITS`)."""

    def __init__(self, clock=time.monotonic, limits=LIMITS):
        self.clock, self.limits, self.state = clock, limits, {}

    def allow(self, kind: str, who: str) -> bool:
        burst, rate = self.limits[kind]
        now = self.clock()
        level, then = self.state.get((kind, who), (burst, now))
        level = min(burst, level + (now - then) * rate)
        if level < 1:
            self.state[(kind, who)] = (level, now)
            return False
        self.state[(kind, who)] = (level - 1, now)
        if len(self.state) > 10_000:   # forget the oldest clients rather than grow without end
            for key in list(self.state)[:5_000]:
                del self.state[key]
        return True


def _error(code: str, status: int | None = None) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status or STATUS.get(code, 400), headers=HEADERS)


def _ok(data) -> JSONResponse:
    return JSONResponse(data, headers=HEADERS)


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _body(request: Request):
    """The request's JSON body, read up to :data:`MAX_BODY` bytes; :class:`Invalid` otherwise."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise Invalid("too_big")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise Invalid("too_big")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Invalid("bad_message") from None


class Workshop:
    """The game behind the pages: the long polls' wake-up, the round timer and the files after each round."""

    def __init__(self, game: Game, join_url: str, qr_svg: str, on_round=None, buckets: Buckets | None = None,
                 out_text: str = ""):
        self.game, self.join_url, self.qr_svg, self.on_round = game, join_url, qr_svg, on_round
        self.out_text = out_text
        self.buckets = buckets or Buckets()
        self.changed = asyncio.Event()
        self.latency: list[float] = []
        self.scripts = {name: self._script(name) for name in ("phone", "trainer")}
        self.style = (PAGES / "style.css").read_bytes()
        self.pages = {name: (PAGES / f"{name}.html").read_text(encoding="utf-8") for name in ("phone", "trainer")}

    def _script(self, name: str) -> bytes:
        texts = {"en": bundle("en"), "nl": bundle("nl"), "default": self.game.lang}
        head = "var TEXTS = " + json.dumps(texts, ensure_ascii=True, separators=(",", ":")) + ";\n"
        return (head + (PAGES / "common.js").read_text(encoding="utf-8")
                + (PAGES / f"{name}.js").read_text(encoding="utf-8")).encode("utf-8")

    def notify(self) -> None:
        old, self.changed = self.changed, asyncio.Event()
        old.set()

    async def wait(self, since, current) -> None:
        """Until ``current()`` differs from ``since`` (the version the page has), at most :data:`POLL_SECONDS`."""
        if since is None:
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + POLL_SECONDS
        while current() == since:
            remaining = end - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except asyncio.TimeoutError:
                return

    def after_change(self, closed: bool) -> None:
        if closed and self.on_round is not None:
            try:
                self.on_round(self.game)
            except Exception as exc:  # noqa: BLE001 - the game goes on; the trainer's terminal says why
                log.error("orgsim workshop: could not write the files: %s", type(exc).__name__)
        self.notify()

    async def ticker(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            if self.game.tick():
                self.after_change(True)

    # --- pages ---------------------------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        name = "trainer" if request.url.path == "/trainer" else "phone"
        lang = self.game.lang
        html = self.pages[name].replace("{{lang}}", lang)
        return Response(html, media_type="text/html; charset=utf-8", headers=HEADERS)

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name in ("phone.js", "trainer.js"):
            return Response(self.scripts[name[:-3]], media_type="text/javascript; charset=utf-8", headers=HEADERS)
        if name == "style.css":
            return Response(self.style, media_type="text/css; charset=utf-8", headers=HEADERS)
        return _error("not_found", 404)

    # --- participants ---------------------------------------------------------------------------------------
    def _who(self, request: Request) -> str:
        return request.client.host if request.client else "?"

    async def join(self, request: Request) -> Response:
        if not self.buckets.allow("join", self._who(request)):
            return _error("too_many")
        try:
            msg = await _body(request)
            if not isinstance(msg, dict) or set(msg) - {"code", "nick", "lang"}:
                raise Invalid("bad_message")
            p = self.game.join(msg.get("code"), msg.get("nick"), msg.get("lang"))
        except Invalid as exc:
            return _error(exc.code)
        self.notify()
        return _ok({"token": p.token, "view": self.game.player_view(p)})

    def _player(self, request: Request, kind: str | None):
        """The participant of the request's token, after counting the request against their ``kind`` of
        bucket (``None``: not counted)."""
        token = request.headers.get("x-token", "")
        p = self.game.player(token)   # Invalid("bad_token")
        if kind is not None and not self.buckets.allow(kind, f"p{p.pid}"):
            raise Invalid("too_many")
        return p

    async def state(self, request: Request) -> Response:
        since = _since(request)
        # a poll that will wait for the next change costs nothing (every phone makes one per change, however
        # many other participants act); one answered at once (no version, or an old one) is counted
        waits = since is not None and since == self.game.version
        try:
            p = self._player(request, None if waits else "poll")
        except Invalid as exc:
            return _error(exc.code)
        await self.wait(since, lambda: self.game.version)
        if self.game.by_token.get(request.headers.get("x-token", "")) != p.pid:
            return _error("bad_token")   # rejoined elsewhere meanwhile
        return _ok(self.game.player_view(p))

    async def decide(self, request: Request) -> Response:
        try:
            p = self._player(request, "act")
            msg = await _body(request)
            before = self.game.room_version
            self.game.decide(p.token, msg)
        except Invalid as exc:
            return _error(exc.code)
        if self.game.room_version != before:
            self.notify()
        return _ok(self.game.player_view(p))

    async def lang(self, request: Request) -> Response:
        try:
            p = self._player(request, "act")
            msg = await _body(request)
            self.game.set_lang(p.token, msg.get("lang") if isinstance(msg, dict) else None)
        except Invalid as exc:
            return _error(exc.code)
        return _ok({"lang": p.lang})

    # --- the trainer -----------------------------------------------------------------------------------------
    def _trainer(self, request: Request) -> None:
        if not _loopback(request):
            raise Invalid("not_local")
        if not self.game.is_trainer(request.headers.get("x-token", "")):
            raise Invalid("not_trainer")
        if not self.buckets.allow("trainer", "trainer"):
            raise Invalid("too_many")

    async def room(self, request: Request) -> Response:
        try:
            self._trainer(request)
        except Invalid as exc:
            return _error(exc.code)
        await self.wait(_since(request), lambda: self.game.room_version)
        view = self.game.room_view()
        view["join_url"] = self.join_url
        if self.game.phase == "lobby":
            view["qr"] = self.qr_svg
        if self.game.phase == "debrief":
            view["out"] = self.out_text
        if self.game.phase in ("closed", "debrief"):
            view["close_seconds"] = round(self.game.close_seconds[-1], 3)
        return _ok(view)

    async def act(self, request: Request) -> Response:
        action = request.path_params["action"]
        try:
            self._trainer(request)
            token = request.headers.get("x-token", "")
            if action == "start":
                self.game.start_round(token)
            elif action == "close":
                self.game.close_round(token)
            elif action == "time":
                self.game.add_time(token)
            else:
                raise Invalid("bad_message")
        except Invalid as exc:
            return _error(exc.code)
        self.after_change(action == "close")
        return _ok({"phase": self.game.phase, "round": self.game.round, "version": self.game.version})


def _since(request: Request):
    raw = request.query_params.get("since", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def build_app(ws: Workshop, host: str, port: int):
    """The ASGI app: the routes above, behind the Host/Origin guard."""
    routes = [Route("/", ws.page), Route("/trainer", ws.page), Route("/static/{name}", ws.static),
              Route("/api/join", ws.join, methods=["POST"]), Route("/api/state", ws.state),
              Route("/api/decide", ws.decide, methods=["POST"]), Route("/api/lang", ws.lang, methods=["POST"]),
              Route("/api/room", ws.room), Route("/api/trainer/{action}", ws.act, methods=["POST"])]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(ws.ticker())
        yield
        task.cancel()

    async def not_found(request, exc):
        return _error("not_found", getattr(exc, "status_code", 404))

    async def failed(request, exc):   # never a traceback to the browser
        log.error("orgsim workshop: %s in %s", type(exc).__name__, request.url.path)
        return _error("other", 500)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found,
                                                                         Exception: failed})
    return OwnPageOnly(app, HostCheck(host, port))
