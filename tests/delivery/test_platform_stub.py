"""The municipal credit platform stub: the protocol the delivery client is written against, and its faults.

Each test runs the stub as a real subprocess (tests/stub_support.py); none touches the Django database.
"""

import http.client
import json
import socket
import time
from pathlib import Path

import pytest

from tests.stub_support import PlatformStub, Response, make_item, make_object_item, sign, signed_headers, wall_clock

# The fixture: importing it is what makes it available here (the alias marks the import as deliberate).
from tests.stub_support import platform_stub as platform_stub


def statuses(response: Response) -> list[str]:
    return [r["status"] for r in response.json()["results"]]


def post_raw(stub: PlatformStub, body: bytes, *, timeout: float = 5.0) -> http.client.HTTPResponse:
    """A signed batch POST on a fresh connection; connection errors propagate."""
    connection = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=timeout)
    connection.request("POST", "/api/v1/batches", body=body, headers=signed_headers(stub.secret, body))
    response = connection.getresponse()
    response.read()
    return response


def batch_body(items: list[dict[str, object]], batch_id: str = "b-raw") -> bytes:
    return json.dumps({"batch_id": batch_id, "items": items}).encode()


# -- the protocol


def test_it_accepts_a_batch_and_lists_it_back(platform_stub: PlatformStub) -> None:
    items = [make_item(1), make_item(2, 3, change_type="corrected")]
    response = platform_stub.post_batch(items, batch_id="batch-7")
    assert response.status == 200
    assert response.json() == {
        "batch_id": "batch-7",
        "results": [
            {"delivery_key": "r1-v1-published", "status": "accepted"},
            {"delivery_key": "r2-v3-corrected", "status": "accepted"},
        ],
    }
    listed = platform_stub.records()
    assert [(r["record_id"], r["version"], r["change_type"], r["delivery_key"]) for r in listed] == [
        (1, 1, "published", "r1-v1-published"),
        (2, 3, "corrected", "r2-v3-corrected"),
    ]
    assert all(r["received_at"] for r in listed)
    held = platform_stub.record(2)
    assert held["version"] == 3
    assert held["payload"] == items[1]["payload"]
    assert held["payload"]["cf_xdr_mc"] == "临江市东城区财政局"


def test_it_answers_404_for_a_record_it_does_not_hold(platform_stub: PlatformStub) -> None:
    assert platform_stub.request("GET", "/api/v1/records/99").status == 404
    assert platform_stub.request("GET", "/api/v1/records/abc").status == 404
    assert platform_stub.request("GET", f"/api/v1/records/{2**64}").status == 404
    assert platform_stub.request("GET", "/api/v1/nowhere").status == 404


def test_it_pages_the_records_by_id_with_a_cursor(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(record_id) for record_id in (5, 1, 3, 2, 4)])
    first = platform_stub.request("GET", "/api/v1/records?limit=2").json()
    assert [r["record_id"] for r in first["items"]] == [1, 2]
    assert first["next"] == 2
    last = platform_stub.request("GET", "/api/v1/records?after=4&limit=2").json()
    assert [r["record_id"] for r in last["items"]] == [5]
    assert last["next"] is None
    assert [r["record_id"] for r in platform_stub.records(page=2)] == [1, 2, 3, 4, 5]
    assert platform_stub.request("GET", "/api/v1/records?limit=0").status == 400
    assert platform_stub.request("GET", "/api/v1/records?after=x").status == 400
    assert platform_stub.request("GET", f"/api/v1/records?after={2**64}").status == 400


def test_it_stores_a_resent_delivery_key_once_and_calls_it_duplicate(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(1)])
    again = platform_stub.post_batch([make_item(1), make_item(2), make_item(2)], batch_id="b-2")
    assert statuses(again) == ["duplicate", "accepted", "duplicate"]
    stats = platform_stub.stats()
    assert (stats["received"], stats["duplicates"], stats["records"]) == (2, 2, 2)


def test_an_older_version_after_a_newer_one_is_stale_and_the_newer_stays(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(1, 3, change_type="corrected")])
    late = platform_stub.post_batch([make_item(1, 2), make_item(1, 3, key="r1-v3-other")], batch_id="b-2")
    assert statuses(late) == ["stale", "stale"]
    held = platform_stub.record(1)
    assert (held["version"], held["delivery_key"]) == (3, "r1-v3-corrected")
    stats = platform_stub.stats()
    assert (stats["received"], stats["stale"], stats["records"]) == (3, 2, 1)


def test_versions_in_one_batch_move_forward_in_item_order(platform_stub: PlatformStub) -> None:
    response = platform_stub.post_batch([make_item(1, 1), make_item(1, 3), make_item(1, 2)])
    assert statuses(response) == ["accepted", "accepted", "stale"]
    assert platform_stub.record(1)["version"] == 3


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Platform-Signature": "0" * 64}, id="wrong signature"),
        pytest.param({}, id="missing"),
        pytest.param({"X-Platform-Timestamp": "", "X-Platform-Signature": ""}, id="empty"),
        pytest.param({"X-Platform-Timestamp": "soon"}, id="timestamp not a number"),
    ],
)
def test_a_badly_signed_batch_is_refused_and_nothing_stored(
    platform_stub: PlatformStub, headers: dict[str, str]
) -> None:
    response = platform_stub.request(
        "POST", "/api/v1/batches", {"batch_id": "b", "items": [make_item(1)]}, headers=headers, signed=bool(headers)
    )
    assert (response.status, response.json()) == (401, {"error": "bad_signature"})
    assert platform_stub.stats()["received"] == 0


def test_a_signature_older_than_five_minutes_is_refused(platform_stub: PlatformStub) -> None:
    body = batch_body([make_item(1)])
    stale = signed_headers(platform_stub.secret, body, timestamp=int(wall_clock()) - 301)
    response = platform_stub.request("POST", "/api/v1/batches", body=body, headers=stale, signed=False)
    assert response.status == 401
    fresh = signed_headers(platform_stub.secret, body, timestamp=int(wall_clock()) - 250)
    assert platform_stub.request("POST", "/api/v1/batches", body=body, headers=fresh, signed=False).status == 200


def test_a_signature_made_with_another_secret_is_refused(platform_stub: PlatformStub) -> None:
    body = batch_body([make_item(1)])
    forged = signed_headers("not-the-secret", body)
    assert platform_stub.request("POST", "/api/v1/batches", body=body, headers=forged, signed=False).status == 401
    assert platform_stub.stats()["received"] == 0


def test_a_get_signs_its_query_string_too(platform_stub: PlatformStub) -> None:
    stamp = str(int(wall_clock()))
    headers = {
        "X-Platform-Timestamp": stamp,
        "X-Platform-Signature": sign(platform_stub.secret, stamp, b"/api/v1/records?limit=1"),
    }
    assert platform_stub.request("GET", "/api/v1/records?limit=1", headers=headers, signed=False).status == 200
    assert platform_stub.request("GET", "/api/v1/records?limit=2", headers=headers, signed=False).status == 401
    assert platform_stub.request("GET", "/api/v1/stats", signed=False).status == 401


def test_healthz_answers_unsigned(platform_stub: PlatformStub) -> None:
    response = platform_stub.request("GET", "/healthz", signed=False)
    assert (response.status, response.body) == (200, b"ok")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="not json"),
        pytest.param(b"\xff\xfe", id="not utf-8"),
        pytest.param(b"[]", id="not an object"),
        pytest.param(b'{"batch_id": "b"}', id="no items"),
        pytest.param(b'{"batch_id": "b", "items": {}}', id="items not a list"),
        pytest.param(b'{"items": []}', id="no batch id"),
    ],
)
def test_a_malformed_body_is_a_400_and_nothing_stored(platform_stub: PlatformStub, body: bytes) -> None:
    response = platform_stub.request("POST", "/api/v1/batches", body=body)
    assert response.status == 400
    assert response.json()["error"] == "malformed"
    assert platform_stub.stats() == dict.fromkeys(
        (
            "received",
            "duplicates",
            "stale",
            "rejected",
            "records",
            "objects",
            "batches",
            "items_posted",
            "too_large",
            "largest_body",
        ),
        0,
    )


def test_more_than_a_thousand_items_is_a_413(platform_stub: PlatformStub) -> None:
    response = platform_stub.post_batch([make_item(n) for n in range(1, 1002)])
    assert response.status == 413
    assert platform_stub.stats()["received"] == 0


def test_a_thousand_items_go_in_one_batch(platform_stub: PlatformStub) -> None:
    response = platform_stub.post_batch([make_item(n) for n in range(1, 1001)])
    assert statuses(response) == ["accepted"] * 1000
    assert len(platform_stub.records()) == 1000


def test_an_invalid_item_is_rejected_while_the_others_are_accepted(platform_stub: PlatformStub) -> None:
    no_key = make_item(2)
    no_key["delivery_key"] = ""
    bad_version = make_item(3)
    bad_version["version"] = 0
    bool_record = make_item(4)
    bool_record["record_id"] = True
    huge_version = make_item(11)
    huge_version["version"] = 2**63
    items = [
        make_item(1),
        no_key,
        bad_version,
        bool_record,
        make_item(5, change_type="deleted"),
        make_item(6, cf_xdr_mc=""),
        make_item(7, cf_xdr_shxym="12345"),
        make_item(8, cf_jdrq="2026/06/01"),
        make_item(9, cf_jdrq="2026-02-30"),
        "not an item",
        huge_version,
        make_item(10),
    ]
    response = platform_stub.post_batch(items)
    assert response.status == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 10 + ["accepted"]
    assert [r.get("error") for r in results[1:11]] == [
        "delivery_key must be a non-empty string",
        "version must be a positive integer",
        "record_id must be a positive integer",
        "change_type must be one of corrected, expired, objection_closed, objection_opened, published, repaired, "
        "revoked",
        "payload.cf_xdr_mc must be a non-empty string",
        "payload.cf_xdr_shxym must be 18 characters",
        "payload.cf_jdrq must be a YYYY-MM-DD date",
        "payload.cf_jdrq must be a YYYY-MM-DD date",
        "item must be an object",
        "version must be a positive integer",
    ]
    assert results[2]["delivery_key"] == "r3-v1-published"
    assert results[9]["delivery_key"] is None
    assert [r["record_id"] for r in platform_stub.records()] == [1, 10]
    assert platform_stub.stats()["rejected"] == 10


def test_every_change_type_of_the_product_is_accepted(platform_stub: PlatformStub) -> None:
    kinds = ["published", "corrected", "revoked", "repaired", "expired", "objection_opened", "objection_closed"]
    response = platform_stub.post_batch([make_item(1, n, change_type=kind) for n, kind in enumerate(kinds, 1)])
    assert statuses(response) == ["accepted"] * 7
    assert platform_stub.record(1)["change_type"] == "objection_closed"


def test_items_of_another_kind_are_kept_by_kind_and_object_id_with_the_same_version_rules(
    platform_stub: PlatformStub,
) -> None:
    first = platform_stub.post_batch(
        [
            make_object_item("commitment", 5, 2),
            make_item(5),
            make_object_item("commitment", 5, 3, change_type="corrected"),
        ]
    )
    assert statuses(first) == ["accepted", "accepted", "accepted"]
    late = platform_stub.post_batch(
        [
            make_object_item("commitment", 5, 2, key="late"),
            make_object_item("commitment", 5, 3, change_type="corrected"),
        ],
        batch_id="b-2",
    )
    assert statuses(late) == ["stale", "duplicate"]

    held = platform_stub.object("commitment", 5)
    assert (held["kind"], held["object_id"], held["version"], held["change_type"]) == ("commitment", 5, 3, "corrected")
    assert held["payload"]["code"] == "CN2026-0000005"
    # Record 5 is another object: the record listing holds it alone, at its own version.
    assert [(r["record_id"], r["version"]) for r in platform_stub.records()] == [(5, 1)]
    assert platform_stub.request("GET", "/api/v1/objects/commitment/6").status == 404
    assert platform_stub.request("GET", "/api/v1/objects/Commitment/5").status == 404
    stats = platform_stub.stats()
    assert (stats["received"], stats["records"], stats["objects"], stats["stale"]) == (4, 1, 1, 1)


def test_a_malformed_item_of_another_kind_is_rejected(platform_stub: PlatformStub) -> None:
    both = make_object_item("commitment", 1)
    both["record_id"] = 1
    no_id = make_object_item("commitment", 2)
    del no_id["object_id"]
    not_a_payload = make_object_item("commitment", 3)
    not_a_payload["payload"] = []
    items = [
        both,
        make_object_item("record", 4),
        make_object_item("Commitment", 5),
        no_id,
        not_a_payload,
        make_object_item("commitment", 6, change_type="deleted"),
        make_object_item("commitment", 7),
    ]
    results = platform_stub.post_batch(items).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 6 + ["accepted"]
    assert [r["error"].split(" ")[0] for r in results[:6]] == [
        "an",
        "kind",
        "kind",
        "object_id",
        "payload",
        "change_type",
    ]
    assert platform_stub.stats()["objects"] == 1


def test_poison_record_ids_are_rejected_every_time(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(7)])  # stored before it was poisoned
    platform_stub.set_faults(reject_record_ids=[7, 9])
    first = platform_stub.post_batch([make_item(9), make_item(8), make_item(7), make_item(7, 2)])
    assert [(r["status"], r.get("error")) for r in first.json()["results"]] == [
        ("rejected", "poison"),
        ("accepted", None),
        ("duplicate", None),  # what the platform already holds is a resend, not poison
        ("rejected", "poison"),
    ]
    assert statuses(platform_stub.post_batch([make_item(9)], batch_id="b-2")) == ["rejected"]
    assert [(r["record_id"], r["version"]) for r in platform_stub.records()] == [(7, 1), (8, 1)]


# -- faults


def test_error_rate_one_answers_500_and_stores_nothing(platform_stub: PlatformStub) -> None:
    platform_stub.set_faults(error_rate=1)
    response = platform_stub.post_batch([make_item(1)])
    assert response.status == 500
    stats = platform_stub.stats()
    assert (stats["received"], stats["records"], stats["batches"], stats["items_posted"]) == (0, 0, 1, 1)


def test_a_lost_response_still_stores_the_batch_and_a_resend_is_duplicate(platform_stub: PlatformStub) -> None:
    platform_stub.set_faults(lost_response_rate=1)
    body = batch_body([make_item(1), make_item(2)])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        post_raw(platform_stub, body)
    assert [r["record_id"] for r in platform_stub.records()] == [1, 2]
    platform_stub.set_faults(lost_response_rate=0)
    assert statuses(platform_stub.post_batch([make_item(1), make_item(2)])) == ["duplicate", "duplicate"]
    stats = platform_stub.stats()
    assert (stats["received"], stats["duplicates"], stats["batches"], stats["items_posted"]) == (2, 2, 2, 4)


def test_a_timeout_hangs_then_drops_and_stores_nothing(platform_stub: PlatformStub) -> None:
    platform_stub.set_faults(timeout_rate=1, timeout_seconds=0.6)
    body = batch_body([make_item(1)])
    with pytest.raises(TimeoutError):
        post_raw(platform_stub, body, timeout=0.2)
    started = time.monotonic()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        post_raw(platform_stub, body, timeout=5)  # a patient client sees the reset
    assert time.monotonic() - started >= 0.5
    assert platform_stub.stats()["received"] == 0
    assert platform_stub.records() == []


def test_rate_limiting_answers_429_with_retry_after(platform_stub: PlatformStub) -> None:
    platform_stub.set_faults(rate_limit_rate=1, retry_after=7)
    response = platform_stub.post_batch([make_item(1)])
    assert response.status == 429
    assert response.headers["Retry-After"] == "7"
    assert platform_stub.stats()["received"] == 0


def test_latency_is_added_to_each_batch(platform_stub: PlatformStub) -> None:
    platform_stub.set_faults(latency_ms=300)
    started = time.monotonic()
    assert platform_stub.post_batch([make_item(1)]).status == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    platform_stub.stats()
    assert time.monotonic() - started < 0.3  # only batches are slowed


def test_down_drops_every_api_request_while_health_and_control_answer(platform_stub: PlatformStub) -> None:
    platform_stub.set_faults(down=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
        post_raw(platform_stub, batch_body([make_item(1)]))
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        platform_stub.records()
    assert platform_stub.request("GET", "/healthz", signed=False).status == 200
    assert platform_stub.set_faults(down=False)["down"] is False
    assert platform_stub.stats()["batches"] == 0  # a dead host counts nothing
    assert platform_stub.post_batch([make_item(1)]).status == 200


def test_the_same_seed_draws_the_same_faults(platform_stub: PlatformStub) -> None:
    def outcomes() -> list[int]:
        return [platform_stub.post_batch([make_item(1, n)], batch_id=f"b{n}").status for n in range(1, 21)]

    platform_stub.set_faults(error_rate=0.5, seed=42)
    first = outcomes()
    platform_stub.reset()
    platform_stub.set_faults(seed=42)
    assert outcomes() == first
    assert set(first) == {200, 500}


def test_fault_settings_are_checked_and_returned_whole(platform_stub: PlatformStub) -> None:
    config = platform_stub.set_faults(error_rate=0.25, reject_record_ids=[3])
    assert config == {
        "error_rate": 0.25,
        "timeout_rate": 0.0,
        "timeout_seconds": 10.0,
        "lost_response_rate": 0.0,
        "rate_limit_rate": 0.0,
        "retry_after": 1,
        "latency_ms": 0,
        "max_body_bytes": 0,
        "down": False,
        "reject_record_ids": [3],
        "seed": None,
    }
    for bad in ({"error_rate": 1.5}, {"down": "yes"}, {"latency_ms": -1}, {"explode": True}):
        assert platform_stub.request("POST", "/_control/faults", bad).status == 400
    assert platform_stub.request("GET", "/_control/faults").json() == config


def test_control_requires_a_signature(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(1)])
    assert platform_stub.request("POST", "/_control/faults", {"down": True}, signed=False).status == 401
    assert platform_stub.request("POST", "/_control/reset", {}, signed=False).status == 401
    assert platform_stub.stats()["records"] == 1


def test_faults_can_be_set_at_start(tmp_path: Path) -> None:
    stub = PlatformStub(tmp_path / "stub.sqlite3")
    stub.start("--error-rate", "1", "--reject-record-id", "4", "--seed", "1")
    try:
        config = stub.request("GET", "/_control/faults").json()
        assert (config["error_rate"], config["reject_record_ids"], config["seed"]) == (1.0, [4], 1)
        assert stub.post_batch([make_item(1)]).status == 500
    finally:
        stub.kill()


@pytest.mark.parametrize(
    ("secret", "via"),
    [("from-the-environment", "environment"), ("dev-platform-secret", "nothing")],
)
def test_the_secret_can_come_from_the_environment_or_the_default(tmp_path: Path, secret: str, via: str) -> None:
    stub = PlatformStub(tmp_path / "stub.sqlite3", secret=secret, secret_via=via)  # type: ignore[arg-type]
    stub.start()
    try:
        assert stub.post_batch([make_item(1)]).status == 200
    finally:
        stub.kill()
    assert ("using 'dev-platform-secret'" in stub.log.read_text()) == (via == "nothing")


# -- the connection, the counters, the process


def test_two_requests_share_one_keep_alive_connection(platform_stub: PlatformStub) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", platform_stub.port, timeout=5)
    try:
        for n in (1, 2):
            body = batch_body([make_item(n)], batch_id=f"b{n}")
            connection.request("POST", "/api/v1/batches", body=body, headers=signed_headers(platform_stub.secret, body))
            response = connection.getresponse()
            assert response.status == 200
            assert response.getheader("Connection") != "close"
            assert json.loads(response.read())["results"][0]["status"] == "accepted"
            if n == 1:
                local_port = connection.sock.getsockname()[1]
        assert connection.sock.getsockname()[1] == local_port  # the same socket, not a reconnect
    finally:
        connection.close()
    assert platform_stub.stats()["records"] == 2


def test_a_refused_request_keeps_the_connection_usable(platform_stub: PlatformStub) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", platform_stub.port, timeout=5)
    try:
        connection.request("POST", "/api/v1/batches", body=b"{}", headers={"X-Platform-Timestamp": "1"})
        refused = connection.getresponse()
        assert (refused.status, json.loads(refused.read())) == (401, {"error": "bad_signature"})
        body = batch_body([make_item(1)])
        connection.request("POST", "/api/v1/batches", body=body, headers=signed_headers(platform_stub.secret, body))
        assert connection.getresponse().status == 200
    finally:
        connection.close()


def test_the_stats_count_what_arrived_and_what_became_of_it(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(1, 2), make_item(2), make_item(3, cf_jdrq="")], batch_id="b1")
    platform_stub.post_batch([make_item(1, 2), make_item(1, 1), make_item(4)], batch_id="b2")
    platform_stub.set_faults(rate_limit_rate=1)
    b3 = platform_stub.post_batch([make_item(5)], batch_id="b3")
    platform_stub.set_faults(rate_limit_rate=0, max_body_bytes=100)
    assert platform_stub.post_batch([make_item(6)], batch_id="b4").status == 413
    assert b3.status == 429
    stats = platform_stub.stats()
    assert stats.pop("largest_body") > 400  # b1, the largest batch that arrived
    assert stats == {
        "received": 4,  # 1v2, 2, 1v1 (stale), 4
        "duplicates": 1,
        "stale": 1,
        "rejected": 1,
        "records": 3,
        "objects": 0,
        "batches": 3,
        "items_posted": 7,
        "too_large": 1,  # b4
    }


def test_a_body_over_max_body_bytes_is_a_413_and_the_connection_goes_on(platform_stub: PlatformStub) -> None:
    """A proxy in front of the platform with a body limit: the body is read, 413 answered, the connection kept."""
    platform_stub.set_faults(max_body_bytes=2000)
    small = json.dumps({"batch_id": "s", "items": [make_item(1)]}, ensure_ascii=False).encode()
    large = json.dumps({"batch_id": "l", "items": [make_item(n) for n in range(2, 12)]}, ensure_ascii=False).encode()
    assert len(small) < 2000 < len(large)
    connection = http.client.HTTPConnection("127.0.0.1", platform_stub.port, timeout=5)
    try:
        answers = []
        for body in (large, small):
            headers = {"Content-Type": "application/json", **signed_headers(platform_stub.secret, body)}
            connection.request("POST", "/api/v1/batches", body=body, headers=headers)
            response = connection.getresponse()
            answers.append((response.status, json.loads(response.read())))
    finally:
        connection.close()
    assert answers[0] == (413, {"error": "body_too_large", "max_bytes": 2000})
    assert answers[1][0] == 200 and [r["status"] for r in answers[1][1]["results"]] == ["accepted"]
    assert platform_stub.stats()["too_large"] == 1 and platform_stub.stats()["received"] == 1


def test_reset_wipes_the_data_and_the_counters(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(1), make_item(1)])
    platform_stub.reset()
    assert set(platform_stub.stats().values()) == {0}
    assert statuses(platform_stub.post_batch([make_item(1)])) == ["accepted"]


def test_the_data_survives_a_kill_and_restart(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(1, 2), make_item(2)])
    port = platform_stub.port
    platform_stub.restart()  # SIGKILL first: only what was committed may survive
    assert platform_stub.port == port
    assert [(r["record_id"], r["version"]) for r in platform_stub.records()] == [(1, 2), (2, 1)]
    assert statuses(platform_stub.post_batch([make_item(1, 2), make_item(1, 1, key="k")])) == ["duplicate", "stale"]
    assert platform_stub.stats()["batches"] == 2


def test_sigterm_stops_it_cleanly(platform_stub: PlatformStub) -> None:
    platform_stub.post_batch([make_item(1)])
    assert platform_stub.stop() == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", platform_stub.port), timeout=1).close()
    platform_stub.start()
    assert platform_stub.stats()["records"] == 1
