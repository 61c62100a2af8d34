"""Abusive HTTP against a real ``contracts mock`` process on loopback: every case is a 4xx in the API's
envelope with a catalogued code (read from the spec), the server answers a good request afterwards,
nothing reaches its log at ERROR, and a 50 MB body neither waits for the body nor grows the process."""

from __future__ import annotations

import base64
import json
import os
import select
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.checks import iter_findings
from contracts.error_facts import FORBIDDEN, INVALID_INPUT, UNAUTHENTICATED
from contracts.errors import ConfigError
from contracts.exchange import Exchange
from contracts.mock import create_app, serve_in_thread
from contracts.mock.auth import CACHE_SIZE, Auth
from contracts.mock.guard import DEFAULT_MAX_BODY, MAX_DEPTH, JoinedWrites, parse_json
from contracts.runner.auth import LOCAL_NOACCESS_CREDENTIALS
from contracts.spec import DEFAULT_SPEC_PATH, Spec, load_spec

SPEC = load_spec(DEFAULT_SPEC_PATH)
PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"
INVALID = SPEC.error_facts.role(INVALID_INPUT)
CREDS = ("hostile", "pw-hostile")
LIMIT = 64 * 1024
"""The subprocess mock's ``--max-body`` (small, so the boundary cases stay cheap)."""
GOOD_GET = "/v3/targetGroups/18044"
CREATE = "/v3/targetGroups"
JSON = {"content-type": "application/json"}
TOO_LARGE = SPEC.error_catalogue[INVALID].status
"""An oversized body is invalid input with its catalogued status: the spec documents no 413."""


def _create_body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((PAYLOADS / "create-target-groups__request__ok__1.json").read_bytes())
    body["name"] = f"hostile-{uuid.uuid4().hex[:12]}"
    return body


@dataclass
class Mock:
    """A ``contracts mock`` subprocess: its URL, process, and the stderr it wrote since the last look."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    seen: int = 0
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, auth=CREDS, timeout=30)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        return host, int(port)

    def new_log(self) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        fresh, self.seen = text[self.seen :], len(text)
        return fresh

    def peak_rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")


def start_mock(tmp: Path, *args: str) -> Mock:
    """``contracts mock --port 0 ARGS`` in a subprocess; the URL is read from its stdout."""
    log = tmp / "mock.stderr"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACTS_")}
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "contracts",
                "mock",
                "--port",
                "0",
                "--credentials",
                ":".join(CREDS),
                *args,
            ],
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    line = proc.stdout.readline().decode().strip() if ready else ""
    if not line.startswith("http://127.0.0.1:"):
        proc.kill()
        raise AssertionError(f"the mock did not print its URL: {line!r} {log.read_text()!r}")
    return Mock(line, proc, log)


def stop(mock: Mock) -> None:
    mock.client.close()
    mock.proc.terminate()
    mock.proc.wait(timeout=30)
    if mock.proc.stdout is not None:
        mock.proc.stdout.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    mock = start_mock(tmp_path_factory.mktemp("hostile-mock"), "--max-body", str(LIMIT))
    try:
        yield mock
    finally:
        stop(mock)


@pytest.fixture
def mock(server: Mock) -> Iterator[Mock]:
    """The shared mock; after each test it still serves a good request and logged nothing at ERROR."""
    server.new_log()
    yield server
    reply = server.client.get(GOOD_GET)
    assert reply.status_code == 200, reply.text
    log = server.new_log()
    assert "Traceback" not in log and "ERROR" not in log and "Exception" not in log, log
    assert server.proc.poll() is None


def refused(reply: httpx.Response, status: int, code: int, fragment: str = "") -> None:
    """``status`` with exactly one error of catalogued ``code`` in the API's envelope."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"data", "errors", "warnings"} and body["data"] is None, body
    assert [e["code"] for e in body["errors"]] == [code], body
    assert code in SPEC.error_catalogue
    assert fragment in body["errors"][0]["message"], body


def raw_exchange(mock: Mock, request: bytes, *, timeout: float = 30) -> bytes:
    """Send ``request`` on a fresh connection; everything the server answers until it closes or pauses."""
    with socket.create_connection(mock.address, timeout=timeout) as sock:
        sock.sendall(request)
        return _read_reply(sock, timeout)


def _read_reply(sock: socket.socket, timeout: float) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in data or len(data) < _expected_size(data):
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _expected_size(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(data)


def parsed(raw: bytes) -> tuple[int, Any]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- body size -------------------------------------------------------------------------------------


def test_a_declared_oversized_body_is_refused_before_it_is_sent(mock: Mock) -> None:
    """Content-Length alone decides: the answer comes although not one byte of the body was sent."""
    head = (
        f"POST {CREATE} HTTP/1.1\r\nHost: x\r\nAuthorization: {basic(*CREDS)}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n"
    )
    status, body = parsed(raw_exchange(mock, head.encode(), timeout=20))
    assert status == TOO_LARGE
    assert [e["code"] for e in body["errors"]] == [INVALID]
    assert str(LIMIT) in body["errors"][0]["message"]


def test_a_chunked_oversized_body_is_refused_while_it_is_still_being_sent(mock: Mock) -> None:
    """A chunked 50 MB body: the refusal arrives long before the client is done (the server stops reading)."""
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    head = (
        f"POST {CREATE} HTTP/1.1\r\nHost: x\r\nAuthorization: {basic(*CREDS)}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    sent = 0
    with socket.create_connection(mock.address, timeout=30) as sock:
        sock.sendall(head.encode())
        while sent < 50 * 1024 * 1024:
            readable, writable, _ = select.select([sock], [sock], [], 10)
            if readable:
                break
            assert writable, "the server neither reads nor answers"
            sock.sendall(chunk)
            sent += 65536
        reply = _read_reply(sock, 30)
    status, body = parsed(reply)
    assert status == TOO_LARGE and [e["code"] for e in body["errors"]] == [INVALID]
    assert sent < 40 * 1024 * 1024, f"answered only after {sent} bytes"


def test_a_body_at_the_limit_passes_one_byte_over_is_refused(mock: Mock) -> None:
    body = _create_body()
    body["padding"] = ""  # not declared by the schema: the mock ignores it
    size = len(json.dumps(body).encode())
    body["padding"] = "p" * (LIMIT - size)
    at_limit = json.dumps(body).encode()
    assert len(at_limit) == LIMIT
    reply = mock.client.post(CREATE, content=at_limit, headers=JSON)
    assert reply.status_code == 200, reply.text
    refused(mock.client.post(CREATE, content=at_limit + b" ", headers=JSON), TOO_LARGE, INVALID, str(LIMIT))


def test_the_answer_to_an_oversized_body_is_what_the_spec_documents(mock: Mock) -> None:
    """Every operation taking a body: the refusal passes every check (its code's catalogued status, a
    documented status, the error envelope); the 413 it used to be is flagged by error_code_matches_status."""
    over = b"[" + b"1," * LIMIT + b"1]"
    judged = 0
    for op in SPEC.operations:
        if op.request_schema() is None:
            continue
        path = op.path.replace("{targetGroupId}", "18044").replace("{targetId}", "1").replace("{userId}", "1")
        reply = mock.client.request(op.method, path, content=over, headers=JSON)
        refused(reply, TOO_LARGE, INVALID, str(LIMIT))
        exchange = Exchange(op.operation_id, reply.status_code, reply.content, headers=dict(reply.headers))
        assert list(iter_findings(SPEC, exchange)) == [], op.operation_id
        judged += 1
    assert judged >= 10
    as_before = Exchange(op.operation_id, 413, reply.content, headers=dict(reply.headers))
    assert "error_code_matches_status" in {f.check for f in iter_findings(SPEC, as_before)}


def test_a_50_mb_body_is_answered_fast_with_bounded_memory(tmp_path: Path) -> None:
    """With the default limit: Content-Length and chunked 50 MB bodies, the process grows < 100 MB."""
    mock = start_mock(tmp_path)
    try:
        assert mock.client.get(GOOD_GET).status_code == 200
        before = mock.peak_rss_kib()
        big = b"[" + b"1," * (25 * 1024 * 1024 - 1) + b"1]"
        refused(
            mock.client.post(CREATE, content=big, headers=JSON), TOO_LARGE, INVALID, str(DEFAULT_MAX_BODY)
        )

        def chunks() -> Iterator[bytes]:
            for _ in range(50):
                yield b" " * (1024 * 1024)

        refused(mock.client.post(CREATE, content=chunks(), headers=JSON), TOO_LARGE, INVALID)
        assert mock.client.get(GOOD_GET).status_code == 200
        grown = mock.peak_rss_kib() - before
        assert grown < 100 * 1024, f"peak RSS grew by {grown} KiB"
        log = mock.new_log()
        assert "Traceback" not in log and "ERROR" not in log, log
    finally:
        stop(mock)


# -- content type ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{"content-type": "text/plain"}, {}, {"content-type": "application/json; charset=latin-1"}]
)
def test_a_json_body_not_sent_as_json_is_refused(mock: Mock, headers: dict[str, str]) -> None:
    content = json.dumps(_create_body()).encode()
    refused(mock.client.post(CREATE, content=content, headers=headers), 400, INVALID, "application/json")


@pytest.mark.parametrize("media", ["application/json", "application/json; charset=UTF-8", "Application/JSON"])
def test_a_json_body_sent_as_json_passes(mock: Mock, media: str) -> None:
    content = json.dumps(_create_body()).encode()
    assert mock.client.post(CREATE, content=content, headers={"content-type": media}).status_code == 200


def test_an_operation_without_a_body_ignores_the_content_type(mock: Mock) -> None:
    assert mock.client.request("GET", GOOD_GET, content=b"hello", headers={}).status_code == 200


# -- JSON syntax -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("nested 5,000 deep", b'{"name": "x", "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}", "depth"),
        (
            "nested past the bound",
            b'{"extra": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
            "nested deeper",
        ),
        ("a lone surrogate", b'{"name": "\\ud800"}', "surrogate"),
        ("a lone low surrogate", b'{"name": "a\\udc00b"}', "JSON"),
        ("NaN", b'{"name": "x", "totalPeriods": NaN}', "JSON"),
        ("Infinity", b'{"name": "x", "totalPeriods": Infinity}', "JSON"),
        ("-Infinity", b'{"name": "x", "totalPeriods": -Infinity}', "JSON"),
        ("a 5,000-digit number", b'{"name": "x", "totalPeriods": ' + b"9" * 5000 + b"}", "JSON"),
        ("invalid UTF-8", b'{"name": "\xff\xfe"}', "UTF-8"),
        ("an encoded surrogate", b'{"name": "\xed\xa0\x80"}', "UTF-8"),
        ("a byte order mark", b'\xef\xbb\xbf{"name": "x"}', "JSON"),
        ("truncated", b'{"name": "x', "JSON"),
    ],
)
def test_hostile_json_is_400_invalid_input(mock: Mock, name: str, content: bytes, fragment: str) -> None:
    refused(mock.client.post(CREATE, content=content, headers=JSON), 400, INVALID, fragment)


def test_json_the_guard_accepts_reaches_the_app_unchanged(mock: Mock) -> None:
    """Nesting within the bound, an escaped surrogate pair and non-ASCII text pass the guard as sent."""
    body = _create_body()
    body["name"] = f"Zürich 😀 {uuid.uuid4().hex[:6]}"
    content = json.dumps(body).encode()  # ensure_ascii: the emoji travels as an escaped surrogate pair
    assert b"\\ud83d\\ude00" in content
    content = content[:-1] + b', "extra": ' + b"[" * 10 + b"]" * 10 + b"}"
    reply = mock.client.post(CREATE, content=content, headers=JSON)
    assert reply.status_code == 200, reply.text
    assert reply.json()["data"]["name"] == body["name"]
    body["name"] += "-utf8"
    ok = mock.client.post(CREATE, content=json.dumps(body, ensure_ascii=False).encode("utf-8"), headers=JSON)
    assert ok.status_code == 200 and ok.json()["data"]["name"] == body["name"], ok.text


def test_an_integer_beyond_64_bits_reaches_the_app_exact(mock: Mock) -> None:
    """The schema judges 10**25 itself (orjson alone would hand over the float 1e+25)."""
    body = {**_create_body(), "preferredTillId": 10**25}
    reply = mock.client.post(CREATE, content=json.dumps(body).encode(), headers=JSON)
    refused(reply, 400, INVALID, f"preferredTillId: {10**25} is greater than the maximum")


def test_parse_json_keeps_big_integers_exact() -> None:
    assert parse_json(b"[123456789012345678901234567890, 1.5, 7]") == [123456789012345678901234567890, 1.5, 7]
    assert type(parse_json(b"[" + b"9" * 25 + b"]")[0]) is int
    assert parse_json(b'{"a": "1234567890123456789012"}') == {"a": "1234567890123456789012"}
    assert parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    with pytest.raises(ValueError, match="nested deeper"):
        parse_json(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))


# -- path and query values -------------------------------------------------------------------------


def _type_code(op_path: str, method: str, name: str) -> int:
    op = SPEC.match(method, op_path)
    assert op is not None
    param = next(p for p in op[0].parameters() if p["name"] == name)
    return int(param.get("x-constraint-codes", {}).get("type", INVALID))


@pytest.mark.parametrize(
    "path",
    [
        "/v3/targetGroups/%C2%B2",  # superscript two: str.isdigit() says yes, int() says no
        "/v3/targetGroups/\u0661\u0662\u0663",  # Arabic-Indic 123 (httpx percent-encodes it)
        "/v3/targetGroups/%EF%BC%91",  # fullwidth 1
        "/v3/targetGroups/" + "9" * 5000,
        "/v3/targetGroups/9223372036854775808",  # int64 max + 1
        "/v3/targetGroups/%FF",  # invalid UTF-8 in a percent escape
        "/v3/targetGroups/--5",
        "/v3/milestones?limit=%C2%B2",
        "/v3/milestones?limit=" + "9" * 5000,
    ],
)
def test_a_path_or_query_integer_that_is_not_one_is_400(mock: Mock, path: str) -> None:
    refused(mock.client.get(path), 400, INVALID, "range" if path[-1] == "8" else "not an integer")


def test_a_bad_user_id_answers_the_parameters_own_type_code(mock: Mock) -> None:
    """``userId`` declares ``x-constraint-codes: {"type": …}``: that code, not the generic one."""
    code = _type_code("/v3/users/1/targetGroups", "GET", "userId")
    assert code != INVALID
    refused(mock.client.get("/v3/users/%C2%B2/targetGroups"), 400, code, "not an integer")
    refused(mock.client.get("/v3/users/" + "1" * 5000 + "/targetGroups"), 400, code)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v3/targetGroups/18044", 200),
        ("/v3/targetGroups/9223372036854775807", 404),  # int64 max: a valid id that names nothing
        ("/v3/milestones?limit=5", 200),
    ],
)
def test_plain_integers_pass(mock: Mock, path: str, status: int) -> None:
    assert mock.client.get(path).status_code == status


def test_raw_non_ascii_bytes_in_the_target_are_an_envelope(mock: Mock) -> None:
    """uvicorn refuses these before any ASGI app runs; its answer is the API's envelope too."""
    request = "GET /v3/targetGroups/\u0661\u0662\u0663 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    status, body = parsed(raw_exchange(mock, request))
    assert status == 400 and [e["code"] for e in body["errors"]] == [INVALID]


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"POST /v3/targetGroups HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /v3/targetGroups HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        b"GET /v3/targetGroups/18044 HTTP/1.1\r\nHo\x00st: x\r\n\r\n",
    ],
)
def test_malformed_http_is_an_envelope(mock: Mock, request_bytes: bytes) -> None:
    status, body = parsed(raw_exchange(mock, request_bytes))
    assert status == 400 and [e["code"] for e in body["errors"]] == [INVALID]


def test_malformed_http_is_answered_without_a_warning(mock: Mock) -> None:
    """uvicorn warns "Invalid HTTP request received." for such bytes; the mock answered them in the
    envelope, so its log (at the CLI's warning level) stays quiet."""
    status, _ = parsed(raw_exchange(mock, b"GET /v3/targetGroups/18044 HTTP/1.1\r\nHo\x00st: x\r\n\r\n"))
    assert status == 400
    reply = mock.client.get(GOOD_GET)  # the log has caught up with the refused request
    assert reply.status_code == 200
    assert "Invalid HTTP request" not in mock.new_log()


# -- writes ----------------------------------------------------------------------------------------


class Recorder:
    """A transport that records what is written to it and whether it was closed."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info {name}"


def test_a_reply_s_head_is_written_with_its_body() -> None:
    sink = Recorder()
    joined = JoinedWrites(sink)  # type: ignore[arg-type]
    joined.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # the client waits for it: at once
    assert sink.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    joined.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert len(sink.writes) == 1
    joined.write(b"{}")
    joined.response_done()
    assert sink.writes[1:] == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    joined.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")  # a HEAD: no body follows
    joined.response_done()
    joined.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    joined.close()
    assert sink.writes[2:] == [
        b"HTTP/1.1 405 Method Not Allowed\r\n\r\n",
        b"HTTP/1.1 400 Bad Request\r\n\r\n",
    ]
    assert sink.closed and joined.get_extra_info("peername") == "info peername"


def test_replies_on_one_connection_arrive_whole(mock: Mock) -> None:
    """Keep-alive GETs, a HEAD (no body follows its head) and a body sent after ``100 Continue``."""
    auth = f"Authorization: {basic(*CREDS)}\r\n".encode()
    get = b"GET " + GOOD_GET.encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n"
    body = json.dumps(_create_body()).encode()
    post = b"POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n" % (
        CREATE.encode(),
        auth,
        len(body),
    )
    with socket.create_connection(mock.address, timeout=30) as sock:
        for _ in range(2):
            sock.sendall(get)
            assert parsed(_read_reply(sock, 30))[1]["data"]["id"] == 18044
        sock.sendall(get.replace(b"GET", b"HEAD", 1))
        head = b""
        while not head.endswith(b"\r\n\r\n"):  # its Content-Length is the GET's: read the head alone
            head += sock.recv(1)
        assert head.startswith(b"HTTP/1.1 405 ")
        sock.sendall(post + b"Expect: 100-continue\r\n\r\n")
        assert _read_reply(sock, 30).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        status, answer = parsed(_read_reply(sock, 30))
        assert status == 200 and answer["data"]["name"] == json.loads(body)["name"]


# -- credentials -----------------------------------------------------------------------------------


def _sample_path(template: str) -> str:
    return "/".join("1" if part.startswith("{") else part for part in template.split("/"))


@pytest.mark.parametrize("op", SPEC.operations, ids=lambda op: op.operation_id)
def test_the_no_access_credential_is_403_on_every_operation(mock: Mock, op: Any) -> None:
    """The documented pair (default noaccess:noaccess) authenticates but may do nothing."""
    reply = mock.client.request(
        op.method, _sample_path(op.path), auth=LOCAL_NOACCESS_CREDENTIALS, json={"name": "x"}
    )
    refused(reply, 403, SPEC.error_facts.role(FORBIDDEN))
    assert SPEC.error_facts.role(FORBIDDEN) in op.error_codes


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Basic !!!",
        "Basic " + base64.b64encode(b"nocolon").decode(),
        basic("hostile", "wrong"),
        "Bearer t",
    ],
)
def test_missing_or_wrong_credentials_are_401(mock: Mock, authorization: str | None) -> None:
    headers = {} if authorization is None else {"authorization": authorization}
    with httpx.Client(base_url=mock.url, timeout=30) as anonymous:
        refused(anonymous.get(GOOD_GET, headers=headers), 401, SPEC.error_facts.role(UNAUTHENTICATED))


def test_credentials_are_judged_before_the_body(mock: Mock) -> None:
    """A client without access learns nothing about its body (and costs no parse)."""
    with httpx.Client(base_url=mock.url, timeout=30) as anonymous:
        reply = anonymous.post(CREATE, content=b"[" * 5000, headers={"content-type": "text/plain"})
    refused(reply, 401, SPEC.error_facts.role(UNAUTHENTICATED))


def test_the_auth_cache_stays_bounded() -> None:
    auth = Auth(CREDS, LOCAL_NOACCESS_CREDENTIALS)
    for i in range(CACHE_SIZE * 3):
        assert auth.denial(basic("someone", f"pw-{i}")) == "unauthenticated"
        assert len(auth._cache) <= CACHE_SIZE
    assert auth.denial(basic(*CREDS)) is None
    assert auth.denial(basic(*LOCAL_NOACCESS_CREDENTIALS)) == "forbidden"
    assert auth.denial("Basic " + "A" * 100_000) == "unauthenticated"
    assert all(len(key) <= 512 for key in auth._cache)


def test_no_access_can_be_moved_or_switched_off(spec: Spec) -> None:
    with serve_in_thread(create_app(spec, credentials=CREDS, no_access_credentials=("ro", "pw-ro"))) as url:
        assert httpx.get(url + GOOD_GET, auth=("ro", "pw-ro")).status_code == 403
        assert httpx.get(url + GOOD_GET, auth=LOCAL_NOACCESS_CREDENTIALS).status_code == 401
    with serve_in_thread(create_app(spec, no_access_credentials=None)) as url:  # any pair accepted
        assert httpx.get(url + GOOD_GET, auth=LOCAL_NOACCESS_CREDENTIALS).status_code == 200
    with serve_in_thread(create_app(spec)) as url:  # any pair accepted, but the documented one is 403
        assert httpx.get(url + GOOD_GET, auth=LOCAL_NOACCESS_CREDENTIALS).status_code == 403
        assert httpx.get(url + GOOD_GET, auth=("anyone", "any")).status_code == 200


def test_the_default_body_limit_is_one_mib(spec: Spec) -> None:
    with serve_in_thread(create_app(spec, credentials=CREDS)) as url:
        head = (
            f'{{"name": "limit-{uuid.uuid4().hex[:8]}", "totalPeriods": 1, "trackingType": "DEFAULT", "d": "'
        )
        filler = DEFAULT_MAX_BODY - len(head) - 2
        content = (head + "x" * filler + '"}').encode()
        assert len(content) == DEFAULT_MAX_BODY
        assert httpx.post(url + CREATE, content=content, headers=JSON, auth=CREDS).status_code == 200
        too_big = httpx.post(url + CREATE, content=content + b" ", headers=JSON, auth=CREDS)
        refused(too_big, TOO_LARGE, INVALID, str(DEFAULT_MAX_BODY))


def test_serve_in_thread_names_a_port_it_cannot_bind(spec: Spec) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(
                ConfigError, match=f"cannot serve on 127.0.0.1:{port} \\(Address already in use\\)"
            ),
            serve_in_thread(create_app(spec), port=port),
        ):
            pass  # pragma: no cover - never reached


def test_serve_in_thread_picks_a_free_port(spec: Spec) -> None:
    with serve_in_thread(create_app(spec), port=0) as url:
        assert not url.endswith(":0")
        assert httpx.get(url + GOOD_GET, auth=CREDS).status_code == 200
