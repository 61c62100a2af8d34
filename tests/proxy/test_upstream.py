"""The proxy's upstream client against raw loopback servers: keep-alive, framing, and every way to fail."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from contracts.spec import Spec

from ._upstreams import AUTH, mock, proxied, serve

GROUP = "/v3/targetGroups/18044"
BODY = b'{"data":null,"errors":[{"code":8015,"message":"not found"}],"warnings":null}'
Handler = Callable[[socket.socket, int], None]
"""Serves one accepted connection; the int counts connections accepted so far (1 for the first)."""


@contextlib.contextmanager
def raw_server(handle: Handler) -> Iterator[tuple[str, list[int]]]:
    """A TCP server on loopback that hands each connection to ``handle`` in a thread."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    accepted: list[int] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.settimeout(10)
            threading.Thread(target=_served, args=(handle, conn, len(accepted)), daemon=True).start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def _served(handle: Handler, conn: socket.socket, n: int) -> None:
    with contextlib.suppress(OSError), conn:
        handle(conn, n)


def read_request(conn: socket.socket) -> bytes:
    """One request's head (bodies in these tests are empty)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


def answer(status: int = 404, body: bytes = BODY, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode() + body


def test_sequential_requests_share_one_kept_alive_upstream_connection(spec: Spec) -> None:
    seen: list[bytes] = []

    def keep_alive(conn: socket.socket, n: int) -> None:
        while head := read_request(conn):
            seen.append(head)
            conn.sendall(answer())

    with raw_server(keep_alive) as (upstream, accepted), proxied(spec, upstream) as running:
        statuses = [
            httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH).status_code for _ in range(20)
        ]
    assert statuses == [404] * 20
    assert len(accepted) == 1
    assert all(h.lower().count(b"\r\nhost: 127.0.0.1:") == 1 for h in seen)  # the upstream's host, once


def test_an_upstream_that_closes_after_each_answer_gets_a_new_connection_each_time(spec: Spec) -> None:
    def one_shot(conn: socket.socket, n: int) -> None:
        if read_request(conn):
            conn.sendall(answer(extra="connection: close\r\n"))

    with raw_server(one_shot) as (upstream, accepted), proxied(spec, upstream) as running:
        statuses = [httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH).status_code for _ in range(5)]
    assert statuses == [404] * 5 and len(accepted) == 5


def test_a_kept_connection_the_upstream_dropped_is_retried_once_for_a_get_only(spec: Spec) -> None:
    """The upstream answers the first request of a connection and drops the second unanswered."""

    def drops_second(conn: socket.socket, n: int) -> None:
        if read_request(conn):
            conn.sendall(answer())
        read_request(conn)  # then close without answering

    with raw_server(drops_second) as (upstream, accepted), proxied(spec, upstream) as running:
        first = httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH)
        again = httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH)
        posted = httpx.post(running.url + "/v3/targetGroups", headers=AUTH, json={"name": "x"})
    assert first.status_code == again.status_code == 404
    assert len(accepted) >= 2  # the retry went to a new connection
    assert posted.status_code == 502  # a write is never sent twice
    assert "closed the connection" in posted.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("reply", "status", "words"),
    [
        (b"SMTP ready\r\n\r\n", 502, "not HTTP/1.1"),
        (answer(body=BODY)[:-20], 502, "broke off its answer"),
        (b"", 502, "closed the connection"),
    ],
    ids=["not-http", "cut-mid-body", "closed-unanswered"],
)
def test_a_broken_upstream_answer_is_a_502_envelope(
    spec: Spec, reply: bytes, status: int, words: str
) -> None:
    def broken(conn: socket.socket, n: int) -> None:
        if read_request(conn):
            conn.sendall(reply)

    with raw_server(broken) as (upstream, _), proxied(spec, upstream) as running:
        got = httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH)
    assert got.status_code == status
    [error] = got.json()["errors"]
    assert isinstance(error["code"], int) and words in error["message"]
    assert running.outcome is not None
    assert any(words in i["message"] for i in running.outcome.summary["infrastructure"])


def test_a_silent_upstream_is_a_504_envelope_after_the_timeout(spec: Spec) -> None:
    release = threading.Event()

    def silent(conn: socket.socket, n: int) -> None:
        read_request(conn)
        release.wait(10)

    with raw_server(silent) as (upstream, _), proxied(spec, upstream, timeout=0.3) as running:
        got = httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH)
        release.set()
    assert got.status_code == 504 and "did not answer in time" in got.json()["errors"][0]["message"]


def test_chunked_and_close_delimited_answers_are_relayed_whole(spec: Spec) -> None:
    halves = BODY[:30], BODY[30:]
    chunked = b"HTTP/1.1 404 X\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    chunked += b"".join(b"%x\r\n%b\r\n" % (len(h), h) for h in halves) + b"0\r\n\r\n"
    until_close = b"HTTP/1.1 404 X\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n" + BODY

    def framed(conn: socket.socket, n: int) -> None:
        if read_request(conn):
            conn.sendall(chunked if n == 1 else until_close)

    with raw_server(framed) as (upstream, _), proxied(spec, upstream) as running:
        first = httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH)
        second = httpx.get(running.url + "/v3/targetGroups/7", headers=AUTH)
    for got in (first, second):
        assert got.status_code == 404 and got.content == BODY
        assert got.headers["content-length"] == str(len(BODY)) and "transfer-encoding" not in got.headers
    assert first.headers["contracts-violations"] == second.headers["contracts-violations"] != "unjudged"


def test_head_is_answered_without_waiting_for_a_body(spec: Spec) -> None:
    with serve(mock(spec)) as upstream, proxied(spec, upstream, timeout=5) as running:
        head = httpx.head(running.url + GROUP, headers=AUTH)
        after = httpx.get(running.url + GROUP, headers=AUTH)
    assert head.content == b"" and after.status_code == 200


def test_userinfo_and_a_path_prefix_in_the_upstream_url_are_honoured(spec: Spec) -> None:
    seen: list[bytes] = []

    def records(conn: socket.socket, n: int) -> None:
        while head := read_request(conn):
            seen.append(head)
            conn.sendall(answer())

    with raw_server(records) as (upstream, _):
        base = upstream.replace("http://", "http://svc:pa%40ss@") + "/api"
        with proxied(spec, base) as running:
            httpx.get(running.url + "/v3/targetGroups/7?x=1", headers={"Authorization": "Basic eDp5"})
    [head] = seen
    assert head.startswith(b"GET /api/v3/targetGroups/7?x=1 HTTP/1.1\r\n")
    assert b"authorization: Basic c3ZjOnBhQHNz" in head and b"eDp5" not in head  # svc:pa@ss wins
