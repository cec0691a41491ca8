"""A fake Bot Connector (and Bot Framework OpenID/JWKS endpoint): a real threaded HTTP server on 127.0.0.1
that records every call and answers like the service — or with a queued 429/5xx when a test asks."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def conversation(self) -> str | None:
        m = re.match(r"^/v3/conversations/([^/]+)", self.path)
        return unquote(m.group(1)) if m else None


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    roster: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id → TeamsChannelAccount JSON
    # conversation → the user ids in it; a conversation not listed holds the whole roster
    members_of: dict[str, set[str]] = field(default_factory=dict)
    installed: set[str] = field(default_factory=set)  # users the bot may open a 1:1 chat with
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: int = 0
    url: str = ""

    def fail_next(self, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        with self._lock:
            self.failures.extend([(status, headers or {})] * times)

    def next_id(self) -> str:
        with self._lock:
            self._counter += 1
            return str(1000 + self._counter)

    def sent(self) -> list[Call]:
        """Messages posted (new activities), in order."""
        return [c for c in self.calls if c.method == "POST" and c.path.endswith("/activities")]

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    def members(self, conversation: str) -> list[dict[str, Any]]:
        wanted = self.members_of.get(conversation)
        return [entry for user, entry in self.roster.items() if wanted is None or user in wanted]

    def member(self, conversation: str, key: str) -> dict[str, Any] | None:
        """As the service answers ``members/{id}``: by Teams user id, Entra object id or UPN."""
        for entry in self.members(conversation):
            if (
                key in (entry.get("id"), entry.get("aadObjectId"))
                or key.lower() == (entry.get("userPrincipalName") or "").lower()
            ):
                return entry
        return None

    def texts(self) -> list[str]:
        out = []
        for call in self.sent():
            out.append(call.body.get("text") or json.dumps(call.body.get("attachments", [])))
        return out


def _handler(fake: FakeConnector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            path = self.path.split("?", 1)[0]
            if path.startswith("/v1/.well-known/"):
                if path.endswith("openidconfiguration"):
                    self._answer(
                        200, {"issuer": "https://api.botframework.com", "jwks_uri": fake.url + "/v1/.well-known/keys"}
                    )
                else:
                    self._answer(200, fake.jwks)
                return
            fake.calls.append(Call(self.command, unquote(path), dict(self.headers), body))
            with fake._lock:
                failure = fake.failures.pop(0) if fake.failures else None
            if failure is not None:
                status, headers = failure
                self._answer(status, {"error": {"code": "Throttled" if status == 429 else "ServiceError"}}, headers)
                return
            self._route(path, body)

        def _route(self, path: str, body: Any) -> None:
            if self.command == "POST" and path == "/v3/conversations":
                member = (body.get("members") or [{}])[0].get("id", "")
                if member not in fake.installed:
                    self._answer(403, {"error": {"code": "BotNotInConversationRoster"}})
                    return
                self._answer(201, {"id": f"a:chat-{member}", "activityId": None})
                return
            m = re.match(r"^/v3/conversations/([^/]+)/members/([^/]+)$", path)
            if self.command == "GET" and m:
                entry = fake.member(unquote(m.group(1)), unquote(m.group(2)))
                self._answer(200, entry) if entry else self._answer(404, {"error": {"code": "MemberNotFound"}})
                return
            m = re.match(r"^/v3/conversations/([^/]+)/members$", path)
            if self.command == "GET" and m:
                self._answer(200, fake.members(unquote(m.group(1))))
                return
            m = re.match(r"^/v3/conversations/([^/]+)/pagedMembers$", path)
            if self.command == "GET" and m:
                self._answer(200, self._page(fake.members(unquote(m.group(1)))))
                return
            if self.command == "POST" and path.endswith("/activities"):
                self._answer(201, {"id": fake.next_id()})
                return
            m = re.match(r"^/v3/conversations/([^/]+)/activities/([^/]+)$", path)
            if self.command == "PUT" and m:
                self._answer(200, {"id": unquote(m.group(2))})
                return
            if self.command == "POST" and m:  # reply to activity
                self._answer(201, {"id": fake.next_id()})
                return
            self._answer(404, {"error": {"code": "NotFound"}})

        def _page(self, members: list[dict[str, Any]]) -> dict[str, Any]:
            query = parse_qs(urlsplit(self.path).query)
            size = int(query.get("pageSize", ["50"])[0])
            start = int(query.get("continuationToken", ["0"])[0])
            following = start + size if start + size < len(members) else None
            return {
                "members": members[start : start + size],
                "continuationToken": str(following) if following is not None else None,
            }

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *args: object) -> None:
            return

    return Handler


class ConnectorServer:
    def __init__(self) -> None:
        self.fake = FakeConnector()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.server.daemon_threads = True
        self.fake.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeConnector:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
