"""The local cloud's control panel (localhost only, never deployed): move the one clock, fire a schedule.

On AWS time is the system's and schedules fire from EventBridge. Locally, tests and demos need a late dossier
without waiting weeks (issue #4: "a late dossier is tested by moving the clock, never by sleeping"), so:

- ``GET  /clock``                    → ``{"now": ..., "offset_seconds": ...}``
- ``PUT  /clock``  ``{"now": iso}`` or ``{"offset_seconds": n}`` → moves every handler's clock
  (``MOTCUA_CLOCK_OFFSET_SECONDS``; handlers run in this process). ``{"offset_seconds": 0}`` restores it.
- ``POST /schedules/{LogicalId}``    → fires that scheduled function now, returns its result.

Tokens keep real time: the identity issuer and the JWT check use the system clock, not motcua's.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OFFSET = "MOTCUA_CLOCK_OFFSET_SECONDS"


def clock_state() -> dict[str, Any]:
    from motcua import clock

    return {"now": clock.now().isoformat(), "offset_seconds": float(os.environ.get(OFFSET, "0") or 0)}


def set_clock(body: dict[str, Any]) -> dict[str, Any]:
    if "now" in body:
        target = datetime.fromisoformat(str(body["now"]))
        if target.tzinfo is None:
            raise ValueError("now must carry its UTC offset, e.g. 2026-04-24T16:30:00+07:00")
        offset = (target - datetime.now(UTC)).total_seconds()
    else:
        offset = float(body["offset_seconds"])
    os.environ[OFFSET] = repr(offset)
    return clock_state()


class ControlServer:
    def __init__(self, fire: Callable[[str], dict[str, Any]], host: str = "127.0.0.1", port: int = 0) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, payload: Any) -> None:
                data = json.dumps(payload, ensure_ascii=False, default=str).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict[str, Any]:
                length = int(self.headers.get("content-length", "0") or 0)
                loaded = json.loads(self.rfile.read(length) or b"{}") if length else {}
                if not isinstance(loaded, dict):
                    raise ValueError("a JSON object is expected")
                return loaded

            def do_GET(self) -> None:
                if self.path == "/clock":
                    self._reply(HTTPStatus.OK, clock_state())
                else:
                    self._reply(HTTPStatus.NOT_FOUND, {"error": "unknown control"})

            def do_PUT(self) -> None:
                if self.path != "/clock":
                    self._reply(HTTPStatus.NOT_FOUND, {"error": "unknown control"})
                    return
                try:
                    self._reply(HTTPStatus.OK, set_clock(self._body()))
                except (ValueError, KeyError, TypeError) as error:
                    self._reply(HTTPStatus.BAD_REQUEST, {"error": str(error)})

            def do_POST(self) -> None:
                if not self.path.startswith("/schedules/"):
                    self._reply(HTTPStatus.NOT_FOUND, {"error": "unknown control"})
                    return
                try:
                    self._reply(HTTPStatus.OK, fire(self.path.removeprefix("/schedules/")))
                except KeyError:
                    self._reply(HTTPStatus.NOT_FOUND, {"error": "unknown schedule"})

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="control", daemon=True)

    def start(self) -> str:
        self._thread.start()
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
