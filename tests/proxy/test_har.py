"""The streamed HAR: complete after every entry, readable after a stop at any byte, masked."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import httpx
import pytest

from contracts.har import read_streamed
from contracts.proxy.har import HarRecorder, Masker, entry
from contracts.report.redact import MASK, Redactor
from contracts.spec import Spec

from ._upstreams import AUTH, mock, proxied, serve

CANARY = "canary-Zq81xv"


def _entry(masker: Masker, n: int, **kw: object) -> dict[str, object]:
    values: dict[str, object] = {
        "started": "2026-01-01T00:00:00.000Z",
        "elapsed_ms": 1.5,
        "method": "GET",
        "url": f"http://127.0.0.1:1/v3/targetGroups/{n}",
        "request_headers": [("Accept", "application/json")],
        "request_body": b"",
        "status": 200,
        "response_headers": [("content-type", "application/json")],
        "response_body": b'{"data": {"id": %d}, "errors": null}' % n,
        "extra": {"operation": "get-target-groups-id"},
    }
    values.update(kw)
    return entry(masker, **values)  # type: ignore[arg-type]


def test_file_is_a_complete_har_after_every_write(tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    recorder = HarRecorder(path)
    masker = Masker(Redactor())
    assert json.loads(path.read_text())["log"]["entries"] == []
    for n in range(1, 4):
        recorder.write(_entry(masker, n))
        entries = json.loads(path.read_text())["log"]["entries"]
        assert [json.loads(e["response"]["content"]["text"])["data"]["id"] for e in entries] == list(
            range(1, n + 1)
        )
    recorder.close()
    assert json.loads(path.read_text())["log"]["version"] == "1.2"


def test_a_stop_at_any_byte_of_the_last_entry_loses_only_that_entry(tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    recorder = HarRecorder(path)
    masker = Masker(Redactor())
    recorder.write(_entry(masker, 1))
    before = path.read_bytes()
    recorder.write(_entry(masker, 2))
    recorder.close()
    after = path.read_bytes()
    head = len(before) - len(b"\n]}}\n")
    for cut in range(head, len(after) + 1):
        text = after[:cut].decode()
        try:
            document = json.loads(text)
        except ValueError:
            found = read_streamed(text)
            assert found is not None, cut
            document, dropped = found
            assert dropped <= 1
        assert len(document["log"]["entries"]) in (1, 2), cut


def test_read_streamed_leaves_other_documents_alone() -> None:
    assert read_streamed('{"log": {"entries": []}}') is None
    assert read_streamed("not json at all") is None


def test_credentials_cookies_userinfo_and_configured_keys_are_masked() -> None:
    masker = Masker(Redactor([CANARY]), keys=["password", "apiKey", "X-Tenant-Secret"])
    item = _entry(
        masker,
        1,
        method="POST",
        url=f"http://user:{CANARY}@127.0.0.1:1/v3/targetGroups?apiKey={CANARY}&q=1",
        request_headers=[
            ("Authorization", "Basic dXNlcjpwdw=="),
            ("Cookie", f"session={CANARY}"),
            ("X-Tenant-Secret", "t-1"),
            ("Content-Type", "application/json"),
        ],
        request_body=json.dumps({"name": "x", "password": CANARY, "nested": [{"password": "p"}]}).encode(),
        response_headers=[("set-cookie", "id=1"), ("content-type", "application/json")],
        response_body=json.dumps({"data": {"note": f"token {CANARY}"}, "errors": None}).encode(),
    )
    text = json.dumps(item)
    assert CANARY not in text and "dXNlcjpwdw==" not in text and "t-1" not in text
    request = item["request"]
    assert isinstance(request, dict)
    headers = {h["name"]: h["value"] for h in request["headers"]}
    assert headers["Authorization"] == headers["Cookie"] == headers["X-Tenant-Secret"] == MASK
    body = json.loads(request["postData"]["text"])
    assert body == {"name": "x", "password": MASK, "nested": [{"password": MASK}]}
    assert request["url"].startswith(f"http://{MASK}@127.0.0.1:1/") and "q=1" in request["url"]


def test_entries_recorded_from_the_event_loop_are_on_disk_when_record_returns(tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    recorder = HarRecorder(path)
    masker = Masker(Redactor())

    async def session() -> list[int]:
        seen = []
        for n in range(1, 4):  # one at a time: each returns with the file complete and holding it
            await recorder.record(_entry(masker, n))
            seen.append(len(json.loads(path.read_text())["log"]["entries"]))
        await asyncio.gather(*(recorder.record(_entry(masker, n)) for n in range(4, 104)))
        return seen

    assert asyncio.run(session()) == [1, 2, 3]
    entries = json.loads(path.read_text())["log"]["entries"]
    ids = sorted(json.loads(e["response"]["content"]["text"])["data"]["id"] for e in entries)
    assert ids == list(range(1, 104)) and recorder.entries == 103
    recorder.close()
    assert len(json.loads(path.read_text())["log"]["entries"]) == 103


def test_a_disk_that_refuses_the_write_fails_record_and_spares_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    recorder = HarRecorder(path)
    masker = Masker(Redactor())

    async def session() -> None:
        await recorder.record(_entry(masker, 1))
        _refuse_writes(recorder._fd, path)  # the descriptor refuses writes (EBADF), as a failed disk would
        with pytest.raises(OSError, match="Bad file descriptor"):
            await recorder.record(_entry(masker, 2))

    asyncio.run(session())
    recorder.close()
    assert len(json.loads(path.read_text())["log"]["entries"]) == 1


def test_masked_bodies_are_remembered_masked_and_bounded() -> None:
    from contracts.proxy.har import MASKED_BODIES, MASKED_BODY_SIZE

    masker = Masker(Redactor([CANARY]), keys=["password"])
    raw = json.dumps({"password": "p", "note": f"token {CANARY}"}).encode()
    first = masker.body(raw, "application/json")
    again = masker.body(raw, "application/json")
    assert again is first and json.loads(first["text"]) == {"password": MASK, "note": f"token {MASK}"}
    assert masker.body(raw, "text/plain")["mimeType"] == "text/plain"  # the media type is part of the key
    for n in range(MASKED_BODIES + 10):
        masker.body(b'{"n": %d}' % n, "application/json")
    assert len(masker._bodies) == MASKED_BODIES
    big = b'{"password": "%s"}' % (b"x" * MASKED_BODY_SIZE)
    assert masker.body(big, "application/json") is not masker.body(big, "application/json")


def _refuse_writes(fd: int, path: Path) -> None:
    readonly = os.open(path, os.O_RDONLY)
    os.dup2(readonly, fd)
    os.close(readonly)


def test_a_har_the_proxy_cannot_write_is_an_incident_and_the_client_still_gets_its_answer(
    spec: Spec, tmp_path: Path
) -> None:
    har = tmp_path / "s.har"
    with serve(mock(spec)) as upstream, proxied(spec, upstream, record=str(har)) as running:
        assert httpx.get(running.url + "/v3/targetGroups/18044", headers=AUTH).status_code == 200
        assert running.proxy.recorder is not None
        _refuse_writes(running.proxy.recorder._fd, har)
        later = httpx.get(running.url + "/v3/targetGroups/18044", headers=AUTH)
    assert later.status_code == 200 and later.headers["contracts-violations"] == "0"
    assert running.outcome is not None
    assert any("HAR could not be written" in i["message"] for i in running.outcome.summary["infrastructure"])
    assert int(running.outcome.exit_code) == 2 and "written to the HAR" in running.outcome.summary["reason"]
    assert len(json.loads(har.read_text())["log"]["entries"]) == 1
