"""The municipal credit platform stub (platform_stub/) as a real subprocess, and a signed client for it.

Tests ask for the `platform_stub` fixture; the product's own delivery tests can use it the same way.
"""

import hashlib
import hmac
import http.client
import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
import time_machine

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 10.0


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The platform's signature: hex HMAC-SHA256 over `"<timestamp>." + body` (a GET signs its path and query)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def wall_clock() -> float:
    """The stub is another process on the machine's real clock. When the suite runs at another date (`--today`,
    time-machine), what a test sends it is still stamped with the real time, as the product stamps its requests with
    the database's clock."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    return time.time()


def signed_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(wall_clock()) if timestamp is None else timestamp)
    return {"X-Platform-Timestamp": stamp, "X-Platform-Signature": sign(secret, stamp, body)}


def make_item(
    record_id: int, version: int = 1, *, change_type: str = "published", key: str | None = None, **payload: Any
) -> dict[str, Any]:
    """A valid item as the product sends it; payload fields given as keywords replace the defaults."""
    return {
        "delivery_key": key or f"r{record_id}-v{version}-{change_type}",
        "record_id": record_id,
        "version": version,
        "change_type": change_type,
        "payload": {
            "cf_xdr_mc": "临江市东城区财政局",
            "cf_xdr_shxym": "11330100MB0000001X",
            "cf_wsh": f"东财罚〔2026〕{record_id}号",
            "cf_sy": "拖欠中小企业货款逾期未支付。",
            "cf_yj": "《保障中小企业款项支付条例》",
            "cf_jdrq": "2026-06-01",
            "cf_gsjzq": "2027-06-01",
            "cf_cfjg": "临江市东城区人民政府",
            "gkbz": "1",
            "zt": change_type,
            "yybz": "0",
            "bz": "失信程度：一般",
            **payload,
        },
    }


def make_object_item(
    kind: str,
    object_id: int,
    version: int = 1,
    *,
    change_type: str = "published",
    key: str | None = None,
    **payload: Any,
) -> dict[str, Any]:
    """A valid item about an object of another kind than record (named by `kind` and `object_id`)."""
    return {
        "delivery_key": key or f"{kind}{object_id}-v{version}-{change_type}",
        "kind": kind,
        "object_id": object_id,
        "version": version,
        "change_type": change_type,
        "payload": {"code": f"CN2026-{object_id:07d}", "title": "企业开办一日办结", "status": "published", **payload},
    }


class Response:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


class PlatformStub:
    """A running stub: `.url`, `.secret`, and signed calls for what a test sets up and checks."""

    def __init__(
        self,
        db: Path,
        *,
        secret: str | None = None,
        secret_via: Literal["argument", "environment", "nothing"] = "argument",
        log: Path | None = None,
    ) -> None:
        """`secret_via="nothing"` starts it on its development default, which `secret` must then name."""
        self.db = db
        self.secret = secret or secrets.token_urlsafe(24)
        self.secret_via = secret_via
        self.log = log or db.with_suffix(".log")
        self.port = 0
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *extra: str) -> "PlatformStub":
        command = [sys.executable, "-m", "platform_stub", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--db", str(self.db), "--quiet", *extra]
        env = {name: value for name, value in os.environ.items() if name != "PLATFORM_STUB_SECRET"}
        if self.secret_via == "argument":
            command.append(f"--secret={self.secret}")  # `=`: a random secret may begin with "-"
        elif self.secret_via == "environment":
            env["PLATFORM_STUB_SECRET"] = self.secret
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 — our own interpreter running our own module
                command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log, text=True
            )
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=START_TIMEOUT):
                self.kill()
                raise RuntimeError(f"platform stub did not start; see {self.log}")
        line = self.process.stdout.readline().strip()
        if not line.startswith("platform stub listening on http://"):
            self.kill()
            raise RuntimeError(f"platform stub said {line!r}; see {self.log}")
        self.port = int(line.rsplit(":", 1)[1])
        return self

    def stop(self) -> int:
        """SIGTERM, as an operator would; returns the exit status."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=START_TIMEOUT)
        finally:
            self._forget()

    def kill(self) -> None:
        """SIGKILL: the host dies mid-whatever."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self._forget()

    def restart(self, *extra: str) -> "PlatformStub":
        """Starts again on the same port and database (faults set at run time are gone)."""
        self.kill()
        return self.start(*extra)

    def _forget(self) -> None:
        assert self.process is not None
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    # -- signed HTTP ---------------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        document: Any = None,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timeout: float = 10.0,
    ) -> Response:
        """One request on a fresh connection; an HTTP error status is returned, not raised."""
        if body is None:
            body = b"" if document is None else json.dumps(document, ensure_ascii=False).encode()
        all_headers = {"Content-Type": "application/json"} if method == "POST" else {}
        if signed:
            all_headers |= signed_headers(self.secret, body if method == "POST" else path.encode())
        all_headers |= headers or {}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body if method == "POST" else None, headers=all_headers)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def _ok(self, method: str, path: str, document: Any = None) -> Any:
        response = self.request(method, path, document)
        assert response.status == 200, (response.status, response.body)
        return response.json()

    def post_batch(self, items: list[dict[str, Any]], *, batch_id: str = "b-1", timeout: float = 10.0) -> Response:
        return self.request("POST", "/api/v1/batches", {"batch_id": batch_id, "items": items}, timeout=timeout)

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        return self._ok("POST", "/_control/faults", faults)  # type: ignore[no-any-return]

    def reset(self) -> None:
        self._ok("POST", "/_control/reset", {})

    def stats(self) -> dict[str, int]:
        return self._ok("GET", "/api/v1/stats")  # type: ignore[no-any-return]

    def records(self, *, page: int = 1000) -> list[dict[str, Any]]:
        """Everything the platform holds, following the cursor."""
        items: list[dict[str, Any]] = []
        after: int | None = 0
        while after is not None:
            listing = self._ok("GET", f"/api/v1/records?after={after}&limit={page}")
            items += listing["items"]
            after = listing["next"]
        return items

    def record(self, record_id: int) -> dict[str, Any]:
        return self._ok("GET", f"/api/v1/records/{record_id}")  # type: ignore[no-any-return]

    def object(self, kind: str, object_id: int) -> dict[str, Any]:
        return self._ok("GET", f"/api/v1/objects/{kind}/{object_id}")  # type: ignore[no-any-return]


@pytest.fixture
def platform_stub(tmp_path: Path) -> Iterator[PlatformStub]:
    stub = PlatformStub(tmp_path / "stub.sqlite3").start()
    try:
        yield stub
    finally:
        stub.kill()


__all__ = [
    "PlatformStub",
    "Response",
    "make_item",
    "make_object_item",
    "platform_stub",
    "sign",
    "signed_headers",
    "wall_clock",
]
