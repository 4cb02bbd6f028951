"""The HTTP side: routing, signatures, and where each fault strikes."""

import argparse
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from platform_stub.faults import FaultConfigError, FaultInjector, Faults
from platform_stub.protocol import KIND, MAX_ID, MAX_ITEMS_PER_BATCH, item_error, signature_is_valid
from platform_stub.store import Store

# The documented development secret of a test double; a real deployment passes --secret or the environment.
DEFAULT_SECRET = "dev-platform-secret"  # noqa: S105
MAX_BODY_BYTES = 32 * 1024 * 1024
DEFAULT_PAGE = 1000
MAX_PAGE = 5000


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], *, store: Store, faults: FaultInjector, secret: str, quiet: bool
    ) -> None:
        super().__init__(address, Handler)
        self.store = store
        self.faults = faults
        self.secret = secret
        self.quiet = quiet


class Handler(BaseHTTPRequestHandler):
    # Keep-alive: a client reuses one connection for many batches, as the product's pool will.
    protocol_version = "HTTP/1.1"
    server_version = "PlatformStub/1"
    # Headers and body go out in two writes; with Nagle on, the second waits for a delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    server: PlatformServer

    status: int | str = "-"
    items = 0

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        started = time.monotonic()
        self.status, self.items = "-", 0
        try:
            self._dispatch()
        except Exception:
            traceback.print_exc(file=sys.stderr)
            if self.status == "-":
                self.close_connection = True
                self._json(500, {"error": "internal"})
        finally:
            if not self.server.quiet:
                elapsed = (time.monotonic() - started) * 1000
                sys.stderr.write(f"{self.command} {self.path} {self.status} items={self.items} {elapsed:.1f}ms\n")

    def log_message(self, format: str, *args: Any) -> None:
        # Malformed request lines still get logged; successful requests are logged once, by _handle.
        if not self.server.quiet:
            super().log_message(format, *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    # -- responses ---------------------------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, document: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        body = json.dumps(document, ensure_ascii=False).encode()
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _drop(self) -> None:
        """Closes the connection without a word, with a reset as a dead or wedged host would."""
        self.status = "dropped"
        self.close_connection = True
        try:
            # Linger 0: close() sends RST instead of FIN. The read buffer holds a reference to the socket, so it goes
            # first for close() to take effect now.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass

    # -- requests ----------------------------------------------------------------------------------------------------

    def _body(self, faults: Faults) -> bytes | None:
        """The request body, or None once an error has been answered (the connection then closes, except after a
        413 for `max_body_bytes`: that body is read and dropped first, as a proxy's lingering close would)."""
        length = self.headers.get("Content-Length")
        if length is None:
            if self.command == "POST":
                self.close_connection = True
                self._json(411, {"error": "length_required"})
                return None
            return b""
        try:
            size = int(length)
        except ValueError:
            size = -1
        if size < 0:
            self.close_connection = True
            self._json(400, {"error": "malformed", "detail": "bad Content-Length"})
            return None
        if size > MAX_BODY_BYTES:
            # The body stays unread, so the connection cannot carry another request.
            self.close_connection = True
            self._json(413, {"error": "body_too_large"})
            return None
        body = self.rfile.read(size)
        if faults.max_body_bytes and size > faults.max_body_bytes and self.command == "POST":
            self.server.store.count_too_large()
            self._json(413, {"error": "body_too_large", "max_bytes": faults.max_body_bytes})
            return None
        return body

    def _signed(self, body: bytes) -> bool:
        # A GET signs its request-target (path and query) as sent; http.server decoded it as Latin-1.
        signed = body if self.command == "POST" else self.path.encode("latin-1")
        ok = signature_is_valid(
            secret=self.server.secret,
            timestamp=self.headers.get("X-Platform-Timestamp"),
            signature=self.headers.get("X-Platform-Signature"),
            body=signed,
            now=time.time(),
        )
        if not ok:
            self._json(401, {"error": "bad_signature"})
        return ok

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        if path == "/healthz":
            if self.command == "GET":
                self._send(200, b"ok", "text/plain; charset=utf-8")
            else:
                self._json(405, {"error": "method_not_allowed"}, [("Allow", "GET")])
            return
        faults = self.server.faults.snapshot()
        # Down looks like a dead host to the product; /_control/ stays up so a test can bring it back.
        if faults.down and not path.startswith("/_control/"):
            self._drop()
            return
        body = self._body(faults if not path.startswith("/_control/") else Faults())
        if body is None or not self._signed(body):
            return
        route = (self.command, path)
        if route == ("POST", "/api/v1/batches"):
            self._post_batch(body, faults)
        elif route == ("GET", "/api/v1/records"):
            self._get_records()
        elif self.command == "GET" and path.startswith("/api/v1/records/"):
            self._get_record(path.removeprefix("/api/v1/records/"))
        elif self.command == "GET" and path.startswith("/api/v1/objects/"):
            self._get_object(path.removeprefix("/api/v1/objects/"))
        elif route == ("GET", "/api/v1/stats"):
            self._json(200, self.server.store.stats())
        elif route in {("GET", "/_control/faults"), ("POST", "/_control/faults")}:
            self._control_faults(body)
        elif route == ("POST", "/_control/reset"):
            self.server.store.reset()
            self._json(200, {"reset": True, "stats": self.server.store.stats()})
        else:
            self._json(404, {"error": "not_found"})

    def _post_batch(self, body: bytes, faults: Faults) -> None:
        try:
            document = json.loads(body)
        except ValueError:  # UnicodeDecodeError included
            self._json(400, {"error": "malformed", "detail": "body is not JSON"})
            return
        if not isinstance(document, dict) or not isinstance(document.get("items"), list):
            self._json(400, {"error": "malformed", "detail": "body must be an object with an items list"})
            return
        batch_id, items = document.get("batch_id"), document["items"]
        if not isinstance(batch_id, str) or not batch_id:
            self._json(400, {"error": "malformed", "detail": "batch_id must be a non-empty string"})
            return
        self.items = len(items)
        if len(items) > MAX_ITEMS_PER_BATCH:
            self._json(413, {"error": "too_many_items", "max_items": MAX_ITEMS_PER_BATCH})
            return

        store, injector = self.server.store, self.server.faults
        store.count_arrival(items=len(items), size=len(body))
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if injector.roll(faults.rate_limit_rate):
            self._json(429, {"error": "rate_limited"}, [("Retry-After", str(faults.retry_after))])
            return
        if injector.roll(faults.error_rate):
            self._json(500, {"error": "injected_fault"})
            return
        if injector.roll(faults.timeout_rate):
            time.sleep(faults.timeout_seconds)
            self._drop()
            return

        outcomes = store.apply_batch(
            batch_id=batch_id,
            items=items,
            errors=[item_error(item) for item in items],
            poison=frozenset(faults.reject_record_ids),
        )
        # docs/faults.md #4: the batch is committed, the answer never arrives.
        if injector.roll(faults.lost_response_rate):
            self._drop()
            return
        self._json(200, {"batch_id": batch_id, "results": [o.as_json() for o in outcomes]})

    def _get_records(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        try:
            after = int(query.get("after", ["0"])[-1])
            limit = int(query.get("limit", [str(DEFAULT_PAGE)])[-1])
        except ValueError:
            after = limit = -1
        if not 0 <= after <= MAX_ID or limit < 1:
            self._json(400, {"error": "malformed", "detail": "after must be >= 0 and limit >= 1"})
            return
        items, cursor = self.server.store.records(after=after, limit=min(limit, MAX_PAGE))
        self._json(200, {"items": items, "next": cursor})

    def _get_record(self, tail: str) -> None:
        record = self.server.store.record(int(tail)) if tail.isdigit() and int(tail) <= MAX_ID else None
        if record is None:
            self._json(404, {"error": "not_found"})
        else:
            self._json(200, record)

    def _get_object(self, tail: str) -> None:
        """`<kind>/<object_id>`: what the platform holds of an object of another kind than record."""
        kind, _slash, number = tail.partition("/")
        found = None
        if KIND.fullmatch(kind) and number.isdigit() and int(number) <= MAX_ID:
            found = self.server.store.object(kind, int(number))
        if found is None:
            self._json(404, {"error": "not_found"})
        else:
            self._json(200, found)

    def _control_faults(self, body: bytes) -> None:
        try:
            changes = json.loads(body) if body else {}
        except ValueError:
            changes = None
        if not isinstance(changes, dict):
            self._json(400, {"error": "malformed", "detail": "body must be a JSON object"})
            return
        try:
            self._json(200, self.server.faults.update(changes))
        except FaultConfigError as error:
            self._json(400, {"error": "bad_fault", "detail": str(error)})


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m platform_stub", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--db", type=Path, default=Path("var/platform_stub.sqlite3"))
    parser.add_argument("--secret", help="HMAC secret (else $PLATFORM_STUB_SECRET, else a development default)")
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    defaults = Faults()
    parser.add_argument("--error-rate", type=float, default=defaults.error_rate)
    parser.add_argument("--timeout-rate", type=float, default=defaults.timeout_rate)
    parser.add_argument("--timeout-seconds", type=float, default=defaults.timeout_seconds)
    parser.add_argument("--lost-response-rate", type=float, default=defaults.lost_response_rate)
    parser.add_argument("--rate-limit-rate", type=float, default=defaults.rate_limit_rate)
    parser.add_argument("--retry-after", type=int, default=defaults.retry_after)
    parser.add_argument("--latency-ms", type=int, default=defaults.latency_ms)
    parser.add_argument("--max-body-bytes", type=int, default=defaults.max_body_bytes)
    parser.add_argument("--down", action="store_true")
    parser.add_argument("--reject-record-id", type=int, action="append", default=[], dest="reject_record_ids")
    parser.add_argument("--seed", type=int, default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    secret = args.secret or os.environ.get("PLATFORM_STUB_SECRET")
    if not secret:
        secret = DEFAULT_SECRET
        print(f"platform stub: no --secret or PLATFORM_STUB_SECRET, using {DEFAULT_SECRET!r}", file=sys.stderr)
    injector = FaultInjector(Faults())
    try:
        injector.update({name: getattr(args, name) for name in Faults.__dataclass_fields__})
    except FaultConfigError as error:
        print(f"platform stub: {error}", file=sys.stderr)
        return 2

    store = Store(args.db)
    server = PlatformServer((args.host, args.port), store=store, faults=injector, secret=secret, quiet=args.quiet)

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, which runs on this very thread: ask from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # An AF_INET server's address is (host, port); typeshed types it for every socket family.
    host, port = cast("tuple[str, int]", server.server_address)
    print(f"platform stub listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        # Waits for a batch in flight to commit or roll back.
        store.close()
    return 0
