"""A loopback fake of the Slack Web API: a real threaded HTTP server on 127.0.0.1 that records every call
(method, params, token, status) and answers with per-method canned replies; it can answer 429 with Retry-After or
5xx for a while, like a Slack outage, or rate-limit a method per workspace with a token bucket on the test's clock.
Also serves response_url posts under ``/response/<id>``."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Answer = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response" for response_url posts
    params: dict[str, Any]
    token: str | None
    path: str
    status: int = 200
    at: float | None = None  # the bucket's clock when the call came, for a rate-limited method


@dataclass
class Outage:
    status: int
    remaining: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Bucket:
    """A workspace-wide limit: ``rate`` calls a second with bursts of ``burst``, on ``clock`` (seconds); past it,
    429 with ``Retry-After: retry_after``, the way Slack limits ``chat.postMessage`` across a workspace."""

    rate: float
    burst: float
    retry_after: int
    clock: Callable[[], float]
    tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # team: (tokens, at)

    def take(self, team: str) -> bool:
        now = self.clock()
        tokens, at = self.tokens.get(team, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1:
            self.tokens[team] = (tokens, now)
            return False
        self.tokens[team] = (tokens - 1, now)
        return True


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.answers: dict[str, Answer] = {}
        self.outages: dict[str, Outage] = {}
        self.buckets: dict[str, Bucket] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.team_of_token: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Condition()  # notified whenever a call is recorded
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                fake._serve(self)

            def do_POST(self) -> None:
                fake._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    # -- scripting -------------------------------------------------------------------------------
    def answer(self, method: str, reply: Answer) -> None:
        self.answers[method] = reply

    def fail(self, method: str, status: int, times: int, retry_after: int | None = None) -> None:
        """The next ``times`` calls of ``method`` get ``status`` (429 carries Retry-After)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.outages[method] = Outage(status, times, headers)

    def limit(self, method: str, *, rate: float, burst: int, retry_after: int, clock: Callable[[], float]) -> None:
        """Rate-limit ``method`` per workspace (the team of the calling token) with a token bucket on ``clock``."""
        self.buckets[method] = Bucket(rate, burst, retry_after, clock)

    def add_user(
        self,
        user_id: str,
        name: str,
        email: str | None = None,
        tz: str = "Europe/Berlin",
        team_id: str = "T1",
        *,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        """A user ``users.info`` and ``users.lookupByEmail`` answer with, whichever token asks: like Slack
        Connect, where people of another workspace are visible too."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id,
            "name": name.lower(),
            "real_name": name,
            "tz": tz,
            "is_bot": is_bot,
            "deleted": deleted,
            "profile": {"real_name": name, "display_name": name, "email": email},
        }

    # -- inspection ------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls of ``method`` arrived; for work finished after the ack."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                raise AssertionError(f"expected {count} call(s) to {method}, got {len(self.calls_to(method))}")
            return self.calls_to(method)

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Block until ``condition()`` holds, checking it each time a call is recorded (at most ``timeout`` s)."""
        with self._lock:
            if not self._lock.wait_for(condition, timeout):
                raise AssertionError(f"timed out waiting for {what}")

    # -- serving ---------------------------------------------------------------------------------
    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        params: dict[str, Any] = dict(parse_qsl(url.query))
        content_type = request.headers.get("Content-Type", "")
        if raw and "json" in content_type:
            try:
                params.update(json.loads(raw))
            except ValueError:
                params["_raw"] = raw.decode(errors="replace")
        elif raw:
            params.update(parse_qsl(raw.decode()))
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.get("token")
        method = "response" if url.path.startswith("/response/") else url.path.rsplit("/", 1)[-1]
        with self._lock:
            call = Call(method, params, token, url.path)
            self.calls.append(call)
            self._lock.notify_all()
            outage = self.outages.get(method)
            bucket = self.buckets.get(method)
            call.at = bucket.clock() if bucket else None
            if outage and outage.remaining > 0:
                outage.remaining -= 1
                status, headers = outage.status, outage.headers
                body: dict[str, Any] = {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
            elif bucket and not bucket.take(self.team_of_token.get(token or "", "T1")):
                status, headers = 429, {"Retry-After": str(bucket.retry_after)}
                body = {"ok": False, "error": "ratelimited"}
            else:
                status, headers, body = 200, {}, self._body(method, params, token)
            call.status = status
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)

    def _body(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        canned = self.answers.get(method)
        if callable(canned):
            return canned(params)
        if canned is not None:
            return canned
        team = self.team_of_token.get(token or "", "T1")
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": "Acme",
                "user": "tandem",
                "team_id": team,
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = f"1700000000.{next(self._ts):06d}"
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": params.get("ts", ts),
                "message_ts": ts,
                "message": {"text": params.get("text"), "ts": ts},
            }
        if method == "conversations.open":
            users = str(params.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            email = str(params.get("email", "")).lower()
            found = [u for u in self.users.values() if (u["profile"].get("email") or "").lower() == email]
            return {"ok": True, "user": found[0]} if found else {"ok": False, "error": "users_not_found"}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return {
                "ok": True,
                "view": {"id": "V1", **(params.get("view") if isinstance(params.get("view"), dict) else {})},
            }
        if method == "response":
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}
