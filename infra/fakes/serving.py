"""What every fake national system shares: serving a standard-library HTTP server on a daemon thread."""

from __future__ import annotations

import signal
import threading
from http.server import HTTPServer
from typing import Self


class ServedFake:
    """Start, stop and locate a fake; subclasses say how to make their server (``_make_server``)."""

    thread_name = "fake"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, public_base_url: str | None = None) -> None:
        self._host = host
        self._port = port
        self._public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    def _make_server(self) -> HTTPServer:
        raise NotImplementedError

    def _before_start(self) -> None:
        """Prepare what requests will need (keys, data) before the first one can arrive."""

    def start(self) -> str:
        """Bind, serve in a daemon thread; return the base URL."""
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already started")
        self._before_start()
        server = self._make_server()
        host, port = server.server_address[:2]
        if self._public_base_url:
            self._base_url = self._public_base_url
        else:
            shown = host if isinstance(host, str) else host.decode()
            shown = f"[{shown}]" if ":" in shown else shown
            self._base_url = f"http://{shown}:{port}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name=self.thread_name, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self._base_url

    def stop(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serve_until_stopped(self) -> None:
        """Block until Ctrl-C or SIGTERM, then stop (the fakes' command lines)."""
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
        try:
            while not stopped.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._base_url
