"""Answer faults: what goes on the wire when a test asks the emulator for a broken or hostile
answer (seen over raw HTTP, since the SDK would hide the difference), and that the request
behind it really ran."""

from __future__ import annotations

import http.client
import json
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

LIST = "/v1/billing_portal/configurations"
KEY = "sk_test_hostile_1234"
CREATE_BODY = "features[invoice_history][enabled]=true"


def raw(
    emulator: Any,
    method: str = "GET",
    path: str = LIST,
    body: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """The status line, headers and every byte until the server closes or the length is read."""
    address = urlsplit(emulator.url)
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: {address.netloc}",
        f"Authorization: Bearer {KEY}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        "Content-Type: application/x-www-form-urlencoded",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n" + body).encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    if not data:
        return "", {}, b""
    top, _, payload = data.partition(b"\r\n\r\n")
    status, *lines = top.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines)
    return status, {k.lower(): v for k, v in fields.items()}, payload


def created(emulator: Any) -> list[Any]:
    return [r for r in emulator.request_log if r.method == "POST" and r.status == 200]


def test_truncated_sends_half_the_json_with_a_length_to_match(emulator: Any) -> None:
    emulator.faults.script([{"body": "truncated", "method": "POST"}])
    status, headers, payload = raw(emulator, "POST", body=CREATE_BODY)
    assert status.endswith("200 OK") and int(headers["content-length"]) == len(payload) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(payload)
    assert payload.startswith(b'{\n  "id": "bpc_')
    assert len(created(emulator)) == 1  # the create itself happened


def test_cut_promises_the_whole_length_and_closes_half_way(emulator: Any) -> None:
    emulator.faults.script([{"body": "cut"}])
    status, headers, payload = raw(emulator)
    assert status.endswith("200 OK")
    assert 0 < len(payload) < int(headers["content-length"])


def test_empty_and_dropped(emulator: Any) -> None:
    emulator.faults.script([{"body": "empty"}])
    status, headers, payload = raw(emulator)
    assert status.endswith("200 OK") and headers["content-length"] == "0" and payload == b""
    emulator.faults.script([{"body": "dropped", "method": "POST"}])
    assert raw(emulator, "POST", body=CREATE_BODY) == ("", {}, b"")
    assert len(created(emulator)) == 1  # the write happened; only its answer was lost


def test_a_dropped_answer_is_replayed_to_a_retry_with_the_same_key(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.faults.script([{"body": "dropped", "method": "POST"}])
    client = stripe_client(retries=1)
    made = client.v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}, {"idempotency_key": "k-1"}
    )
    assert len(client.v1.billing_portal.configurations.list().data) == 1
    assert made.id == client.v1.billing_portal.configurations.list().data[0].id


def test_list_reshaping_faults(emulator: Any, stripe_client: Any) -> None:
    stripe_client().v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )
    emulator.faults.script(
        [{"body": "no_data"}, {"body": "items_without_id"}, {"body": "items_without_metadata"}]
    )
    assert "data" not in json.loads(raw(emulator)[2])
    (item,) = json.loads(raw(emulator)[2])["data"]
    assert "id" not in item and "metadata" in item
    (item,) = json.loads(raw(emulator)[2])["data"]
    assert "id" in item and "metadata" not in item
    assert "id" in json.loads(raw(emulator)[2])["data"][0]  # each fault is used up


def test_answer_sends_any_json_with_its_status(emulator: Any) -> None:
    emulator.faults.script([{"answer": [1, "two"]}, {"answer": None, "status": 502}])
    assert json.loads(raw(emulator)[2]) == [1, "two"]
    status, _, payload = raw(emulator)
    assert status.endswith("502 Bad Gateway") and json.loads(payload) is None


def test_drip_sends_the_body_a_byte_at_a_time(emulator: Any) -> None:
    emulator.faults.script([{"drip_seconds": 0.05, "method": "GET"}])
    address = urlsplit(emulator.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
    connection.request("GET", LIST, headers={"Authorization": f"Bearer {KEY}"})
    started = time.monotonic()
    response = connection.getresponse()  # the head comes at once
    assert time.monotonic() - started < 0.5 and response.status == 200
    first = response.read(4)
    assert len(first) == 4 and time.monotonic() - started >= 0.15  # ~4 bytes x 0.05 s
    connection.close()


def test_has_more_forever_repeats_the_first_page_until_cleared(
    emulator: Any, stripe_client: Any
) -> None:
    client = stripe_client()
    first = client.v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )
    emulator.faults.script([{"has_more_forever": True, "path_prefix": LIST}])
    for _ in range(3):
        page = json.loads(raw(emulator, path=f"{LIST}?starting_after={first.id}")[2])
        assert page["has_more"] is True and [c["id"] for c in page["data"]] == [first.id]
    assert emulator.faults.pending == 1
    emulator.faults.clear()
    assert client.v1.billing_portal.configurations.list().has_more is False


def test_an_answer_fault_waits_for_a_request_no_error_fault_met(emulator: Any) -> None:
    emulator.faults.script([{"status": 503}, {"body": "empty"}])
    assert raw(emulator)[0].endswith("503 Service Unavailable")
    assert raw(emulator)[2] == b""  # the second request meets the answer fault
    assert emulator.faults.pending == 0


def test_random_failures_may_say_not_to_retry(emulator: Any) -> None:
    emulator.faults.configure({"failure_rate": 1, "failure_should_retry": False})
    status, headers, _ = raw(emulator)
    assert status.endswith("500 Internal Server Error")
    assert headers["stripe-should-retry"] == "false"


@pytest.mark.parametrize(
    "entry",
    [
        {"body": "garbled"},
        {"body": "empty", "drop": True},
        {"drip_seconds": -1},
        {"status": 200, "body": "empty"},
        {"answer": {}, "remembered": True},
    ],
    ids=["unknown-body", "with-drop", "negative-drip", "status-without-answer", "remembered"],
)
def test_answer_faults_are_checked(emulator: Any, entry: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        emulator.faults.script([entry])
