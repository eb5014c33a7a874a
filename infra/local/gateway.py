"""Serves the Chalice apps over HTTP on localhost, as API Gateway would: one base URL, both apps.

Chalice's own LocalGateway turns each request into the API Gateway event and calls the app object (the
Lambda handler) with it; this server only picks the app by path prefix.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalice.config import Config
from chalice.local import LocalChalice, LocalGateway, LocalGatewayException


def make_thread_safe(app: Any) -> None:
    """Chalice keeps ``current_request`` on the app object; the local server is threaded, so give each
    thread its own (what ``chalice local`` does)."""
    if not isinstance(app, LocalChalice):
        app.__class__ = type("LocalChalice", (LocalChalice, app.__class__), {})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets concurrent portal clients


class Gateway:
    def __init__(self, apps: list[tuple[str, Any]], host: str = "127.0.0.1", port: int = 0) -> None:
        """``apps``: (path prefix, Chalice app) pairs, most specific prefix first."""
        self._gateways = []
        for prefix, app in apps:
            make_thread_safe(app)
            config = Config.create(
                chalice_app=app, lambda_timeout=30, lambda_memory_size=512, function_name=app.app_name
            )
            self._gateways.append((prefix, LocalGateway(app, config)))
        gateways = self._gateways

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # access logs would show query strings; the apps log what matters

            def _handle(self) -> None:
                length = int(self.headers.get("content-length", "0") or 0)
                body = self.rfile.read(length) if length else None
                gateway = next(g for prefix, g in gateways if self.path.startswith(prefix))
                try:
                    response = gateway.handle_request(self.command, self.path, dict(self.headers), body)
                    status, headers, payload = (
                        response["statusCode"],
                        dict(response["headers"]),
                        response["body"],
                    )
                except LocalGatewayException as error:
                    status, headers, payload = error.CODE, dict(error.headers), error.body
                data = payload.encode() if isinstance(payload, str) else (payload or b"")
                self.send_response(status)
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    if name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

        self.server = _Server((host, port), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
