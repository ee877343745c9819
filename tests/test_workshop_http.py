"""`orgsim workshop` over HTTP: 30 simulated phones play 12 rounds (the slowest round-close-to-next-screen time
is measured and written to out/test-artifacts/), and hostile input gets its error while the game goes on."""

from __future__ import annotations

import contextlib
import csv
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sim.params import load_scenario
from sim.workshop import debrief
from sim.workshop.cards import BY_CARD
from sim.workshop.decisions import HOUR_KINDS
from sim.workshop.game import score

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "out" / "test-artifacts"
ORGSIM = Path(sys.executable).parent / "orgsim"
DEFAULTS = load_scenario(None)   # the scenario `orgsim workshop` plays without --scenario


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def workshop(tmp: Path, *args: str):
    """``orgsim workshop`` in a subprocess; yields its port, join code and trainer token once it answers."""
    port = free_port()
    log_path = tmp / "workshop.log"
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "200"}
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(ORGSIM), "workshop", "--port", str(port), "--out", str(tmp / "out"), *args],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + 90
        while time.monotonic() < end:
            text = log_path.read_text()
            if proc.poll() is not None:
                pytest.fail(f"orgsim workshop exited: {text}")
            token = re.search(r"trainer#(\S+)", text)
            code = re.search(r"join code ([A-Z0-9]{6})", text)
            if token and code:
                try:
                    status, _ = Client(port).call("GET", "/")
                except OSError:
                    status = None
                if status == 200:
                    yield {"port": port, "code": code.group(1), "trainer": token.group(1), "out": tmp / "out",
                           "log": log_path}
                    break
            time.sleep(0.2)
        else:
            pytest.fail("orgsim workshop did not answer within 90 s")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("orgsim workshop did not stop within 10 s of SIGTERM")


@contextlib.contextmanager
def in_process(tmp: Path, **opts):
    """The same app in this process, served by uvicorn on a thread (no second start-up of the model)."""
    import uvicorn

    from sim.workshop.command import build, server_options
    port = free_port()
    kw = dict(lang="en", scenario=None, rounds=3, lan=False, port=port, seed=None, out=tmp / "out",
              max_players=30, timer=0.0)
    kw.update(opts)
    ws, app, host = build(**kw)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **server_options(kw["max_players"])))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not server.started and time.monotonic() < end:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield {"port": port, "code": ws.game.code, "trainer": ws.game.trainer_token, "out": tmp / "out",
               "game": ws.game}
    finally:
        server.should_exit = True
        thread.join(10)
        assert not thread.is_alive(), "the server did not stop"


class Client:
    """One phone (or the projector): its own connection, its token."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token, self.conn = port, token, None

    def call(self, method: str, path: str, body=None, raw: bytes | None = None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=40)
        h = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.token:
            h["X-Token"] = self.token
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if data is not None:
            h["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            payload = r.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = None
            raise
        try:
            return r.status, json.loads(payload)
        except ValueError:
            return r.status, payload

    def join(self, code: str, nick: str):
        status, data = self.call("POST", "/api/join", {"code": code, "nick": nick})
        if status == 200:
            self.token = data["token"]
        return status, data


def random_decision(rng: random.Random, card: str, total: int = 40) -> dict:
    cuts = sorted(rng.randrange(0, total // 2 + 1) * 2 for _ in range(3))
    hours = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], total - cuts[2]]
    return {"hours": dict(zip(HOUR_KINDS, hours)), "autonomy": rng.randrange(5),
            "answer": rng.choice([None] + [a.key for a in BY_CARD[card].answers])}


def wait_view(phone: Client, version, cond, timeout=60.0):
    """Long-poll the phone's state until ``cond(view)``; returns (view, time it arrived)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status, view = phone.call("GET", f"/api/state?since={version}")
        assert status == 200, view
        if cond(view):
            return view, time.perf_counter()
        version = view["version"]
    raise AssertionError("the phone never got the next screen")


def test_thirty_phones_play_twelve_rounds(tmp_path):
    n, rounds = 30, 12
    with workshop(tmp_path, "--timer", "0", "--rounds", str(rounds)) as w:
        trainer = Client(w["port"], w["trainer"])
        phones = [Client(w["port"]) for _ in range(n)]
        for i, ph in enumerate(phones):
            assert ph.join(w["code"], f"player {i}")[0] == 200
        status, extra = Client(w["port"]).join(w["code"], "number 31")
        assert (status, extra["error"]) == (409, "game_full")
        rngs = [random.Random(i) for i in range(n)]
        views = [None] * n
        close_latency, start_latency, server_close = [], [], []
        with ThreadPoolExecutor(n) as pool:
            for r in range(1, rounds + 1):
                def to_open(i, r=r):
                    v = views[i]["version"] if views[i] else ""
                    return wait_view(phones[i], v, lambda x: x["phase"] == "open" and x["round"] == r)
                t0 = time.perf_counter()
                futures = [pool.submit(to_open, i) for i in range(n)]
                assert trainer.call("POST", "/api/trainer/start", {})[0] == 200
                got = [f.result() for f in futures]
                start_latency.append(max(t for _, t in got) - t0)
                for i, (view, _) in enumerate(got):
                    views[i] = view
                    d = random_decision(rngs[i], view["card"])
                    if rngs[i].random() < 0.9:   # one in ten does not answer: keeps last round's choices
                        assert phones[i].call("POST", "/api/decide", {**d, "round": r})[0] == 200

                def to_result(i, r=r):
                    return wait_view(phones[i], views[i]["version"],
                                     lambda x: x["phase"] in ("closed", "debrief") and x["round"] == r)
                futures = [pool.submit(to_result, i) for i in range(n)]
                t0 = time.perf_counter()
                status, _ = trainer.call("POST", "/api/trainer/close", {})
                assert status == 200
                got = [f.result() for f in futures]
                close_latency.append(max(t for _, t in got) - t0)
                views = [v for v, _ in got]
                room = trainer.call("GET", "/api/room")[1]
                server_close.append(room["close_seconds"])
        assert all(v["phase"] == "debrief" for v in views)
        for v in views:   # every participant has a year of outcomes
            assert len(v["year"]["engagement"]) == 4 * rounds and v["result"]["round"] == rounds
        board = room["leaderboard"]
        assert len(board) == n
        by_nick = {v["nick"]: v["result"] for v in views}
        scores = [score(by_nick[r["nick"]]["engagement"], by_nick[r["nick"]]["burnout_share"],
                        by_nick[r["nick"]]["output_year"], by_nick[r["nick"]]["leavers"], DEFAULTS.work.target,
                        DEFAULTS.team.size) for r in board]
        assert scores == sorted(scores, reverse=True)   # the leaderboard's order is the outcomes' order
        assert [r["score"] for r in board] == pytest.approx(scores)
        html, table = (w["out"] / "debrief.html").read_text(), (w["out"] / "decisions.csv").read_text()
        for text in (html, table):
            assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]", text, re.I)
            assert "player 1" not in text
        rows = list(csv.DictReader(table.splitlines()))
        assert len(rows) == n * rounds
        replayed = debrief.replay_csv(w["out"])   # the recorded game, played again: identical outcomes
        for row in rows:
            got_row = replayed[int(row["team"])][int(row["round"]) - 1]
            assert repr(got_row["score"]) == row["score"] and str(got_row["leavers"]) == row["leavers"]
    report = {"participants": n, "rounds": rounds, "slowest_close_to_results_s": max(close_latency),
              "slowest_start_to_decision_s": max(start_latency), "slowest_server_close_s": max(server_close),
              "mean_close_to_results_s": sum(close_latency) / rounds}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "workshop_latency.json").write_text(json.dumps(report, indent=1))
    print("workshop latency:", report)
    assert max(close_latency) < 1.0 and max(start_latency) < 1.0


def test_hostile_input_gets_its_error_and_the_game_goes_on(tmp_path):
    with in_process(tmp_path, max_players=3) as w:
        port = w["port"]
        trainer = Client(port, w["trainer"])
        wrong = "".join("A" if c != "A" else "B" for c in w["code"])
        assert Client(port).join(wrong, "x") == (400, {"error": "bad_code"})
        alice, mallory = Client(port), Client(port)
        assert alice.join(w["code"], "alice")[0] == 200
        status, data = mallory.join(w["code"], "<img src=x onerror=>")
        assert status == 200 and data["view"]["nick"] == "<img src=x onerror=>"   # data, shown as text
        assert Client(port).join(w["code"], "x" * 21)[1] == {"error": "bad_nickname"}
        assert Client(port).join(w["code"], "a\u0000b")[1] == {"error": "bad_nickname"}
        # a trainer action with a participant's token; the room view too
        assert mallory.call("POST", "/api/trainer/start", {}) == (403, {"error": "not_trainer"})
        assert mallory.call("GET", "/api/room")[0] == 403
        assert Client(port, "forged-token-123").call("GET", "/api/state") == (403, {"error": "bad_token"})
        # a replayed token: after rejoining with the same nickname the old one is refused
        old = Client(port, alice.token)
        again = Client(port)
        assert again.join(w["code"], "ALICE")[0] == 200 and again.token != old.token
        assert old.call("GET", "/api/state") == (403, {"error": "bad_token"})
        alice = again
        assert trainer.call("POST", "/api/trainer/start", {})[0] == 200
        assert Client(port).join(w["code"], "bob")[0] == 200
        assert Client(port).join(w["code"], "carol") == (409, {"error": "game_full"})
        # oversize and malformed messages
        assert mallory.call("POST", "/api/decide", raw=b"{" + b" " * 5000 + b"}") == (413, {"error": "too_big"})
        assert mallory.call("POST", "/api/decide", raw=b"{not json")[1] == {"error": "bad_message"}
        assert mallory.call("POST", "/api/decide", raw=b"[" * 1500 + b"]" * 1500)[0] == 413
        assert mallory.call("POST", "/api/decide", raw=b"[" * 900 + b"]" * 900)[1]["error"] in ("bad_message",
                                                                                              "bad_hours")
        assert mallory.call("POST", "/api/decide", raw=b"\xff\xfe")[1] == {"error": "bad_message"}
        bad = {"hours": {"monitoring": 40, "coaching": 0, "doing": 0, "vision": "__import__('os')"},
               "autonomy": 1, "answer": None}
        assert mallory.call("POST", "/api/decide", bad)[1] == {"error": "bad_value"}
        assert mallory.call("POST", "/api/decide", {**bad, "hours": {k: 20 for k in HOUR_KINDS}})[1] == \
            {"error": "hours_sum"}
        # a flood from one participant: refused after its burst; another participant is not affected
        codes = [mallory.call("GET", "/api/state")[0] for _ in range(60)]
        assert codes.count(429) > 20 and codes[0] == 200
        status, view = alice.call("GET", "/api/state")
        assert status == 200 and view["phase"] == "open"
        ok = {"hours": {k: 10 for k in HOUR_KINDS}, "autonomy": 2, "answer": None}
        assert alice.call("POST", "/api/decide", ok)[0] == 200
        # another site's page, or a rebinding host name, is refused before the app
        assert alice.call("POST", "/api/decide", ok, headers={"Origin": "http://evil.example"})[0] == 403
        assert Client(port).call("GET", "/", headers={"Host": "evil.example"})[0] == 403
        assert Client(port).call("GET", "/static/../../etc/passwd")[0] == 404
        # the game went on
        assert trainer.call("POST", "/api/trainer/close", {})[0] == 200
        room = trainer.call("GET", "/api/room")[1]
        assert room["phase"] == "closed" and len(room["leaderboard"]) == 3


def test_the_timer_closes_the_round_and_the_files_follow(tmp_path):
    with in_process(tmp_path, rounds=2) as w:
        phone, trainer = Client(w["port"]), Client(w["port"], w["trainer"])
        assert phone.join(w["code"], "solo")[0] == 200
        assert trainer.call("POST", "/api/trainer/start", {})[0] == 200
        game = w["game"]
        view = phone.call("GET", "/api/state")[1]
        assert view["phase"] == "open" and view["seconds_left"] is None   # no timer: the trainer closes
        with game.lock:
            game.deadline = game.clock() + 0.5   # as if the timer were about to run out
        view, _ = wait_view(phone, view["version"], lambda v: v["phase"] == "closed", timeout=10)
        assert view["result"]["round"] == 1
        rows = list(csv.DictReader((w["out"] / "decisions.csv").read_text().splitlines()))
        assert [(r["team"], r["round"], r["answered"]) for r in rows] == [("1", "1", "0")]
