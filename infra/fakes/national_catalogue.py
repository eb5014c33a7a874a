"""Fake of the national procedure database (CSDLQG về TTHC), for tests and local demos. Never deploy it.

It serves the real Khánh Hòa records copied into ``tests/fixtures/national-catalogue`` and keeps the national
field names (the adapter in ``motcua.integrations.national_catalogue`` does the mapping).

HTTP (standard library only, ``ThreadingHTTPServer`` in a daemon thread):

* ``GET  /api/procedures?page=&pageSize=&changedSince=``  ``{"items", "total", "page", "pageSize"}``; items are
  index entries (``id``, ``ma``, ``ten``, ``lv``, ``cap``, …) plus ``updatedAt`` (epoch ms) and ``hasDetail``,
  in index order (then the 7 detail records the index lacks). ``page`` is 1-based (default 1), ``pageSize`` 1..500 (default 50). ``changedSince`` (epoch ms
  or ISO 8601 with offset) keeps items with ``updatedAt >= changedSince`` (inclusive).
* ``GET  /api/procedures/{code}``  the real detail record, or 404 when there is none.
* ``GET  /__control``   the current switches;  ``POST /__control`` sets them, JSON with any of:
  ``{"reset": true, "malformed": ["1.000656"], "delay": 1.5, "fail_next": 3, "fail_status": 503,
  "change": ["1.000656"]}``. ``malformed`` codes answer their detail with invalid JSON; ``delay`` sleeps before
  every ``/api`` answer; ``fail_next`` answers the next N ``/api`` requests with ``fail_status``; ``change``
  bumps a record's ``updatedAt`` and alters a fee (first fee of each channel +1000, or adds a 1000 fee).

Index entries without a detail record get ``updatedAt`` = :data:`BASE_UPDATED_AT`; detail records keep theirs.

Run ``python -m infra.fakes.national_catalogue --port 8702``: prints the base URL and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from infra.fakes.serving import ServedFake

__all__ = ["BASE_UPDATED_AT", "DEFAULT_FIXTURES", "FakeNationalCatalogue", "main"]

DEFAULT_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "national-catalogue"
BASE_UPDATED_AT = 1767225600000  # 2026-01-01T00:00:00Z, for index entries without a detail record
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
MAX_BODY_BYTES = 64 * 1024
VND_CURRENCY_ID = "019b3fb2-b5b8-70ac-85e2-9409ec1eaffa"


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _parse_changed_since(value: str) -> int:
    value = value.strip()
    if value.isdigit():
        return int(value)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("changedSince needs a UTC offset")
    return int(parsed.timestamp() * 1000)


class FakeNationalCatalogue(ServedFake):
    """The national catalogue over local HTTP, with switches for failure and change scenarios."""

    thread_name = "fake-national-catalogue"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, fixtures: Path | str = DEFAULT_FIXTURES):
        super().__init__(host, port)
        root = Path(fixtures)
        catalog = json.loads((root / "khanh-hoa-catalog.json").read_text(encoding="utf-8"))
        self._index: list[dict[str, Any]] = list(catalog["items"])
        self._original_details: dict[str, dict[str, Any]] = {}
        for path in sorted((root / "details").glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            self._original_details[record["code"]] = record
        listed = {item["ma"] for item in self._index}
        # 7 real detail records (residence registration) are missing from the Khánh Hòa index: list them too.
        self._index.extend(
            _index_entry(record) for code, record in self._original_details.items() if code not in listed
        )
        # The online-service listing (execution shards): which Khánh Hòa agencies run each procedure online.
        self._services: dict[str, list[dict[str, Any]]] = {}
        for path in sorted((root / "execution").glob("*.json")):
            shard = json.loads(path.read_text(encoding="utf-8"))
            for code, entry in (shard.get("procedures") or {}).items():
                self._services[code] = list(entry.get("dvc") or [])
        self._lock = threading.Lock()
        self.verbose = False
        self.requests: list[str] = []
        self.reset()

    # -- lifecycle

    def _make_server(self) -> _Server:
        return _Server((self._host, self._port), _Handler, self)

    # -- switches (also reachable over POST /__control)

    def reset(self) -> None:
        """Back to the fixtures: no failures, no delay, no changes."""
        with self._lock:
            self._details = copy.deepcopy(self._original_details)
            self._updated_at = {
                item["ma"]: int(self._details[item["ma"]]["updatedAt"])
                if item["ma"] in self._details
                else BASE_UPDATED_AT
                for item in self._index
            }
            self._malformed: set[str] = set()
            self._withdrawn: set[str] = set()
            self._pages_left: int | None = None
            self._delay = 0.0
            self._fail_next = 0
            self._fail_status = 503
            self.requests.clear()

    def inject_malformed(self, *codes: str) -> None:
        with self._lock:
            self._malformed.update(codes)

    def set_delay(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("delay must be >= 0")
        with self._lock:
            self._delay = float(seconds)

    def fail_next(self, count: int, status: int = 503) -> None:
        if count < 0 or not 400 <= status <= 599:
            raise ValueError("count >= 0 and an HTTP error status are needed")
        with self._lock:
            self._fail_next = count
            self._fail_status = status

    def withdraw(self, code: str) -> int:
        """Mark a procedure abolished (bãi bỏ) in the national record: its state changes and ``updatedAt`` moves."""
        with self._lock:
            if code not in self._updated_at:
                raise KeyError(code)
            self._withdrawn.add(code)
            self._updated_at[code] = max(int(time.time() * 1000), self._updated_at[code] + 1)
            record = self._details.get(code)
            if record is not None:
                record["state"] = "ABOLISHED"
                record["updatedAt"] = self._updated_at[code]
            return self._updated_at[code]

    def fail_after_pages(self, pages: int | None) -> None:
        """Serve ``pages`` more list pages, then answer every request with 503 until reset: a crash mid-run."""
        with self._lock:
            self._pages_left = pages

    def change(self, code: str, *, at: int | None = None) -> int:
        """Bump ``updatedAt`` (to ``at`` or now, always later than before) and alter a fee; returns it."""
        with self._lock:
            if code not in self._updated_at:
                raise KeyError(code)
            stamp = max(at if at is not None else int(time.time() * 1000), self._updated_at[code] + 1)
            self._updated_at[code] = stamp
            record = self._details.get(code)
            if record is not None:
                record["updatedAt"] = stamp
                for method in record.get("executionMethods") or []:
                    fees = method.setdefault("fees", [])
                    if fees:
                        fees[0]["value"] = int(fees[0].get("value") or 0) + 1000
                    else:
                        fees.append(
                            {
                                "type": "FEE",
                                "value": 1000,
                                "currencyId": VND_CURRENCY_ID,
                                "attachment": None,
                                "description": "1.000 đồng/lần",
                            }
                        )
            return stamp

    def control(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Apply a ``POST /__control`` body; returns the new state. Raises ValueError/KeyError on bad input."""
        unknown = set(body) - {
            "reset",
            "malformed",
            "delay",
            "fail_next",
            "fail_status",
            "change",
            "withdraw",
            "fail_after_pages",
        }
        if unknown:
            raise ValueError(f"unknown switches: {sorted(unknown)}")
        if body.get("reset"):
            self.reset()
        if "malformed" in body:
            self.inject_malformed(*_codes(body["malformed"]))
        if "delay" in body:
            self.set_delay(float(body["delay"]))
        if "fail_next" in body:
            self.fail_next(int(body["fail_next"]), int(body.get("fail_status", 503)))
        for code in _codes(body.get("change", [])):
            self.change(code)
        for code in _codes(body.get("withdraw", [])):
            self.withdraw(code)
        if "fail_after_pages" in body:
            pages = body["fail_after_pages"]
            self.fail_after_pages(None if pages is None else int(pages))
        return self.state()

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "malformed": sorted(self._malformed),
                "delay": self._delay,
                "fail_next": self._fail_next,
                "fail_status": self._fail_status,
                "changed": sorted(
                    code
                    for code, stamp in self._updated_at.items()
                    if stamp != self._original_updated_at(code)
                ),
            }

    def _original_updated_at(self, code: str) -> int:
        record = self._original_details.get(code)
        return int(record["updatedAt"]) if record else BASE_UPDATED_AT

    # -- what the handler serves

    def _before_api(self) -> tuple[float, int | None]:
        """(delay, failure status or None) for one /api request, consuming one injected failure."""
        with self._lock:
            if self._fail_next > 0:
                self._fail_next -= 1
                return self._delay, self._fail_status
            if self._pages_left is not None and self._pages_left <= 0:
                return self._delay, 503  # "crashed": down until reset
            return self._delay, None

    def _page(self, page: int, page_size: int, changed_since: int | None) -> dict[str, Any]:
        with self._lock:
            if self._pages_left is not None:
                self._pages_left -= 1
            selected = [
                {
                    **item,
                    **({"state": "ABOLISHED"} if item["ma"] in self._withdrawn else {}),
                    "updatedAt": self._updated_at[item["ma"]],
                    "hasDetail": item["ma"] in self._details,
                    **({"dvc": self._services[item["ma"]]} if item["ma"] in self._services else {}),
                }
                for item in self._index
                if changed_since is None or self._updated_at[item["ma"]] >= changed_since
            ]
        start = (page - 1) * page_size
        return {
            "items": selected[start : start + page_size],
            "total": len(selected),
            "page": page,
            "pageSize": page_size,
        }

    def _detail(self, code: str) -> bytes | None:
        with self._lock:
            if code in self._malformed and (code in self._details or code in self._updated_at):
                return b'{"code": "' + code.encode() + b'", "executionMethods": [{"submissionMe'
            record = self._details.get(code)
            return None if record is None else _json_bytes(record)


def _index_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """An index-shaped entry for a detail record the index does not list."""
    categories = record.get("categoriesDetails") or [{}]
    return {
        "id": record.get("id"),
        "ma": record["code"],
        "ten": record.get("name", ""),
        "lv": categories[0].get("name", ""),
        "cqcb": record.get("departmentPromulgateName", ""),
        "cap": ", ".join(
            name
            for key, name in (("isWard", "Cấp xã"), ("isProvince", "Cấp tỉnh"), ("isMinistry", "Cấp Bộ"))
            if record.get(key) is True
        ),
        "loai": "TTHC nội bộ" if record.get("isInternal") else "TTHC Tiêu chuẩn",
        "mucDo": "Chưa cập nhật",
        "state": record.get("state", "ACTIVE"),
        "nganhDoc": record.get("isVertical") is True,
        "hasExecution": False,
        "shard": None,
    }


def _codes(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("codes must be a string or a list of strings")
    return value


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeNationalCatalogue
    ):
        self.fake = fake
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeNationalCatalogue/1.0"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        fake.requests.append(f"{method} {self.path}")
        if path == "/__control":
            if method == "GET":
                self._send(HTTPStatus.OK, _json_bytes(fake.state()))
                return
            try:
                body = self._read_json()
                if not isinstance(body, dict):
                    raise ValueError("the body must be a JSON object")
                state = fake.control(body)
            except (ValueError, KeyError, TypeError) as exc:
                self._error(HTTPStatus.BAD_REQUEST, "invalid_request", str(exc))
                return
            self._send(HTTPStatus.OK, _json_bytes(state))
            return
        if not path.startswith("/api/procedures"):
            self._error(HTTPStatus.NOT_FOUND, "not_found", f"no such endpoint: {path}")
            return
        if method != "GET":
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "use GET")
            return
        delay, failure = fake._before_api()
        if delay:
            time.sleep(delay)
        if failure is not None:
            self._error(HTTPStatus(failure), "injected_failure", "injected by /__control")
            return
        if path == "/api/procedures":
            query = parse_qs(url.query)
            try:
                page = int(query.get("page", ["1"])[0])
                page_size = int(query.get("pageSize", [str(DEFAULT_PAGE_SIZE)])[0])
                since = query.get("changedSince", [""])[0]
                changed_since = _parse_changed_since(since) if since else None
                if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
                    raise ValueError(f"page >= 1 and 1 <= pageSize <= {MAX_PAGE_SIZE}")
            except ValueError as exc:
                self._error(HTTPStatus.BAD_REQUEST, "invalid_request", str(exc))
                return
            self._send(HTTPStatus.OK, _json_bytes(fake._page(page, page_size, changed_since)))
            return
        code = unquote(path.removeprefix("/api/procedures/"))
        body = fake._detail(code)
        if body is None:
            self._error(HTTPStatus.NOT_FOUND, "not_found", f"no detail record for {code}")
            return
        self._send(HTTPStatus.OK, body)

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length", "0") or 0)
        if not 0 <= length <= MAX_BODY_BYTES:
            raise ValueError("bad Content-Length")
        return json.loads(self.rfile.read(length).decode("utf-8") or "{}")

    def _error(self, status: HTTPStatus, error: str, description: str) -> None:
        self._send(status, _json_bytes({"error": error, "error_description": description}))

    def _send(self, status: HTTPStatus, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.fake.verbose:
            super().log_message(format, *args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.fakes.national_catalogue",
        description="Fake national procedure database (CSDLQG về TTHC) serving the Khánh Hòa fixtures.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8702, help="port to bind, 0 for any (default 8702)")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES), help="fixtures directory")
    parser.add_argument("--verbose", action="store_true", help="log request lines to stderr")
    args = parser.parse_args(argv)

    fake = FakeNationalCatalogue(args.host, args.port, fixtures=args.fixtures)
    fake.verbose = args.verbose
    print(fake.start(), flush=True)
    fake.serve_until_stopped()
    return 0


if __name__ == "__main__":
    sys.exit(main())
