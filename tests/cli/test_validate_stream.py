"""`contracts validate` on streamed captures: HAR and NDJSON entry by entry, over --jobs processes."""

from __future__ import annotations

import copy
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile._support import assert_refused, run_cli

from contracts.errors import UsageError
from contracts.har_stream import BLOCK, GAP, EntryStream, Raw, load_pieces
from contracts.spec import Spec
from contracts.validate import CHUNK, judge_stream, validate_input

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
CHANNELS = json.loads((PAYLOADS / "get-target-channels__response__200__1.json").read_text())
GROUP = json.loads((PAYLOADS / "get-target-groups-id__response__200__2.json").read_text())


UNMATCHED = '{"request": {"method": "GET", "url": "https://h/v2/x"}, "response": {"status": 200}}'


def _entry(url: str, body: Any, status: int = 200, method: str = "GET") -> dict[str, Any]:
    return {
        "startedDateTime": "2026-12-01T10:00:00.000Z",
        "request": {"method": method, "url": url, "headers": [{"name": "Accept", "value": "*/*"}]},
        "response": {
            "status": status,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": json.dumps(body)},
        },
    }


def _mixed(count: int) -> list[dict[str, Any]]:
    """Good, broken and unmatched entries in a repeating pattern (violations all the way through)."""
    bad = copy.deepcopy(CHANNELS)
    bad["data"][0]["id"] = "1"
    wrong = copy.deepcopy(GROUP)
    wrong["data"][0]["trackingType"] = "Streaks"
    cycle = [
        _entry("https://h/v3/targetGroups/channels", CHANNELS),
        _entry("https://h/v3/targetGroups/channels", bad),
        _entry("https://h/v2/other", {}),
        _entry("https://h/v3/targetGroups/18044", wrong),
        _entry("https://h/v3/targetGroups/channels", {}, status=0),
        _entry(
            "https://h/v3/targetGroups/18044", {"data": None, "errors": [{"code": 1, "message": "x"}]}, 404
        ),
    ]
    return [copy.deepcopy(cycle[i % len(cycle)]) for i in range(count)]


def _write_har(path: Path, entries: list[dict[str, Any]], indent: int | None = None) -> Path:
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}, indent=indent))
    return path


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_jobs_two_reports_byte_for_byte_what_jobs_one_does(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Enough entries for several chunks, so the workers really judge them; order included."""
    har = _write_har(tmp_path / "mixed.har", _mixed(3 * CHUNK + 7))
    one = run_cli(["validate", "--format", fmt, "--jobs", "1", str(har)], capsys)
    two = run_cli(["validate", "--format", fmt, "--jobs", "2", str(har)], capsys)
    assert one.code == 1
    assert one == two
    assert f"{har}#{3 * CHUNK + 3}:" in one.out or fmt == "json"  # the last chunk's findings are there


def test_workers_give_the_first_broken_entry_as_jobs_one_does(spec: Spec, tmp_path: Path) -> None:
    entries = _mixed(40)
    deep = _entry("https://h/v3/targetGroups/channels", {})
    deep["response"]["content"]["text"] = "[" * 150 + "]" * 150
    entries[23] = deep
    entries[31] = {"request": {}}
    for jobs in (1, 2):
        with pytest.raises(UsageError, match="HAR entry 23: response body is nested deeper"):
            judge_stream(spec, tmp_path, iter(entries), lambda item: [], jobs=jobs, chunk=3)
    entries[23] = entries[0]
    for jobs in (1, 2):
        with pytest.raises(UsageError, match="HAR entry 31: response must be an object"):
            judge_stream(spec, tmp_path, iter(entries), lambda item: [], jobs=jobs, chunk=3)


def test_streamed_har_layouts_give_one_report(spec: Spec, tmp_path: Path) -> None:
    """Compact, pretty-printed, entries after other members, log not first (read whole): one verdict."""
    entries = _mixed(12)
    reports = []
    for name, text in {
        "compact.har": json.dumps({"log": {"entries": entries}}, separators=(",", ":")),
        "pretty.har": json.dumps({"log": {"version": "1.2", "entries": entries}}, indent=2),
        "pages.har": json.dumps({"log": {"pages": [{"id": "p"}], "entries": entries, "comment": "x"}}),
        "late-log.har": json.dumps({"comment": "x", "log": {"entries": entries}}),
    }.items():
        file = tmp_path / name
        file.write_text(text)
        report = validate_input(spec, file, operation=None, status=None)
        reports.append(
            ([(s.split("#")[1], f.check, f.pointer) for s, f in report.located], len(report.unmatched))
        )
    assert reports[0][0] and all(r == reports[0] for r in reports)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"log": {"entries": [UNMATCHED, {"re', "malformed JSON"),
        ('{"log": {"entries": [UNMATCHED] }} trailing', "content after the document"),
        ('{"log": {"entries": [UNMATCHED 2]}}', "expected ',' or ']' after a HAR entry"),
        ('{"log": {"version": "1.2"}}', "not a HAR file (log has no entries)"),
    ],
)
def test_broken_streamed_har_is_one_line(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "broken.har"
    file.write_text(text.replace("UNMATCHED", UNMATCHED))
    assert_refused(run_cli(["validate", str(file)], capsys), message)


def test_ndjson_is_judged_as_the_har_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = _mixed(20)
    har = _write_har(tmp_path / "c.har", entries)
    lines = "\n".join(json.dumps(e) for e in entries) + "\n"
    for name in ("c.ndjson", "c.jsonl", "sniffed.log"):
        (tmp_path / name).write_text(lines)
    expected = run_cli(["validate", "--format", "json", str(har)], capsys).out
    for name in ("c.ndjson", "c.jsonl", "sniffed.log"):
        got = run_cli(["validate", "--format", "json", str(tmp_path / name)], capsys)
        assert got.code == 1
        assert got.out == expected.replace(str(har), str(tmp_path / name))
    got = run_cli(
        ["validate", "--input-format", "ndjson", "--format", "json", "-"], capsys, stdin=lines.encode()
    )
    assert got.out == expected.replace(str(har), "<stdin>")


def test_broken_ndjson_line_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "c.ndjson"
    file.write_text(json.dumps(_entry("https://h/v3/targetGroups/channels", CHANNELS)) + '\n{"request": \n')
    assert_refused(run_cli(["validate", str(file)], capsys), f"{file}:2:1: malformed JSON")
    file.write_text(
        '{"request": {"method": "GET", "url": "/x"}, "response": {"status": 99999999999999999999}}\n'
    )
    got = run_cli(["validate", str(file)], capsys)
    assert got.code == 2 and "response.status 99999999999999999999 is not an HTTP status" in got.err


def test_a_break_past_the_first_megabytes_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines dropped from the read window are counted when an error names one (file and pipe alike)."""
    entries = [_entry("https://h/v2/other", CHANNELS)] * 6000  # MBs of pretty lines, none judged
    text = json.dumps({"log": {"entries": entries}}, indent=1)
    cut = text.rindex('"startedDateTime"')
    broken = text[:cut] + "@" + text[cut:]
    line = broken[:cut].count("\n") + 1
    column = cut - broken.rindex("\n", 0, cut)
    assert len(broken) > 3 * 1024 * 1024
    file = tmp_path / "broken.har"
    file.write_text(broken)
    assert_refused(run_cli(["validate", str(file)], capsys), f"{file}:{line}:{column}: malformed JSON")
    got = run_cli(["validate", "-"], capsys, stdin=broken.encode())
    assert_refused(got, f"<stdin>:{line}:{column}: malformed JSON")


def _compact(entries: list[dict[str, Any]]) -> str:
    return json.dumps({"log": {"entries": entries}}, separators=(",", ":"))


def test_a_separator_met_inside_an_entry_is_read_again_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workers get raw pieces cut where the learned separator is; an entry that holds the separator
    (``},{"startedDateTime"`` in a custom array) is cut wrongly, and the stream reads it again."""
    entries = _mixed(3 * CHUNK + 7)
    for index in range(5, len(entries), 97):
        entries[index]["_pages"] = [{"startedDateTime": "a"}, {"startedDateTime": "b"}]
    har = tmp_path / "compact.har"
    har.write_text(_compact(entries))
    assert har.read_text().count('},{"startedDateTime"') > len(entries)  # more separators than entries
    one = run_cli(["validate", "--format", "json", "--jobs", "1", str(har)], capsys)
    two = run_cli(["validate", "--format", "json", "--jobs", "2", str(har)], capsys)
    assert one.code == 1 and one == two


@pytest.mark.parametrize("where", [40, CHUNK + 3, 3 * CHUNK + 5])
def test_a_malformed_entry_mid_stream_is_the_error_jobs_one_gives(
    where: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A piece that does not parse is read again by the reading process: same line:column, same
    entries judged before it (in the first chunk, a later one, the last)."""
    texts = [json.dumps(e, separators=(",", ":")) for e in _mixed(3 * CHUNK + 7)]
    texts[where] = texts[where].replace('"status":', '"status" 7,', 1)
    har = tmp_path / "broken.har"
    har.write_text('{"log":{"entries":[\n' + ",\n".join(texts) + "\n]}}")
    ndjson = tmp_path / "broken.ndjson"
    ndjson.write_text("\n".join(texts) + "\n")
    for file in (har, ndjson):
        one = run_cli(["validate", "--jobs", "1", str(file)], capsys)
        two = run_cli(["validate", "--jobs", "2", str(file)], capsys)
        assert one.code == 2 and "malformed JSON" in one.err and one == two, (file, one.err, two.err)


def test_integers_orjson_refuses_are_read_by_the_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry with an integer beyond 64 bits (valid JSON) is not lost by a worker's orjson."""
    entries = _mixed(2 * CHUNK + 3)
    for index in range(10, len(entries), 50):
        entries[index]["_big"] = 2**70
    har = _write_har(tmp_path / "big.har", entries)
    one = run_cli(["validate", "--format", "json", "--jobs", "1", str(har)], capsys)
    two = run_cli(["validate", "--format", "json", "--jobs", "2", str(har)], capsys)
    assert one.code == 1 and one == two


def test_a_status_orjson_reads_as_a_float_is_read_exactly_mid_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry found by the learned separator is read past it, but a status beyond 64 bits (orjson:
    a float) is still read exactly and named as it is, at any --jobs."""
    entries = _mixed(CHUNK + 9)
    entries[CHUNK + 4]["response"]["status"] = 2**70
    har = _write_har(tmp_path / "status.har", entries)
    one = run_cli(["validate", "--jobs", "1", str(har)], capsys)
    two = run_cli(["validate", "--jobs", "2", str(har)], capsys)
    assert one.code == 2 and one == two
    assert f"HAR entry {CHUNK + 4}: response.status {2**70} is not an HTTP status" in one.err


def _pieces(stream: EntryStream) -> list[Raw]:
    return [e for e in stream if isinstance(e, Raw)]


def test_from_a_regular_file_only_offsets_are_handed_over(tmp_path: Path) -> None:
    """A worker reads a piece of a regular file itself: what crosses the pipe is two offsets, and the
    bytes it reads (one pread per run of nearby pieces) are those the reading process cut."""
    entries = _mixed(30)
    entries[20]["_padding"] = "x" * (2 * GAP)  # far apart: pieces 19 and 21 are read by separate preads
    har = _write_har(tmp_path / "c.har", entries, indent=1)
    data = har.read_bytes()
    with har.open("rb") as handle:
        stream = EntryStream(handle, str(har), ndjson=False, head=handle.read(BLOCK), raw=True)
        assert stream.source is not None
        pieces = _pieces(stream)
        assert all(p.data is None for p in pieces)
        assert all(len(pickle.dumps(p)) < 64 for p in pieces)
        load_pieces(pieces, stream.source)
    assert [bytes(p.data or b"") for p in pieces] == [data[p.start : p.end] for p in pieces]
    # the first entry is read before the separator is learned, the last has none after it
    assert [json.loads(bytes(p.data or b"")) for p in pieces] == entries[1:-1]


def test_from_what_is_not_a_regular_file_the_bytes_are_handed_over() -> None:
    entries = _mixed(12)
    text = json.dumps({"log": {"entries": entries}}).encode()
    handle = io.BytesIO(text)  # no descriptor, as a pipe's bytes cannot be read twice
    stream = EntryStream(handle, "<stdin>", ndjson=False, head=handle.read(BLOCK), raw=True)
    assert stream.source is None
    pieces = _pieces(stream)
    assert pieces and [p.data for p in pieces] == [text[p.start : p.end] for p in pieces]
    assert [json.loads(bytes(p.data or b"")) for p in pieces] == entries[1:-1]


def test_a_pipe_at_jobs_two_reads_broken_pieces_again_exactly(tmp_path: Path) -> None:
    """Through a real pipe (the window keeps the pieces in flight): a separator inside an entry and a
    malformed entry in a later chunk give the report and the error of a file at --jobs 1."""
    entries = _mixed(3 * CHUNK + 7)
    for index, entry in enumerate(entries):  # megabytes: chunks in flight span several blocks
        entry["_padding"] = "x" * 8000
        if index % 97 == 5:
            entry["_pages"] = [{"startedDateTime": "a"}, {"startedDateTime": "b"}]
    good = _compact(entries)
    texts = [json.dumps(e, separators=(",", ":")) for e in entries]
    texts[2 * CHUNK + 1] = texts[2 * CHUNK + 1].replace('"status":', '"status" 7,', 1)
    broken = '{"log":{"entries":[\n' + ",\n".join(texts) + "\n]}}"
    for text in (good, broken):
        file = tmp_path / "c.har"
        file.write_text(text)
        command = [sys.executable, "-m", "contracts", "validate", "--format", "json"]
        one = subprocess.run(
            [*command, "--jobs", "1", str(file)], capture_output=True, text=True, check=False
        )
        two = subprocess.run(
            [*command, "--jobs", "2", "-"], input=text, capture_output=True, text=True, check=False
        )
        assert one.returncode in (1, 2) and "Traceback" not in one.stderr
        expected = (one.returncode, one.stdout, one.stderr)
        assert (two.returncode, two.stdout, two.stderr) == tuple(
            part.replace(str(file), "<stdin>") if isinstance(part, str) else part for part in expected
        )


def _nested(levels: int) -> Any:
    value: Any = {}
    for _ in range(levels - 1):
        value = {"k": value}
    return value


def _group_with_window(levels: int) -> dict[str, Any]:
    """The real target group with its free-form ``aggregateWindow`` nested ``levels`` deep."""
    body: dict[str, Any] = copy.deepcopy(GROUP)
    body["data"][0]["targets"][0]["extendedFieldInfo"]["aggregateWindow"] = _nested(levels)
    return body


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_free_form_value_deeper_than_the_closed_schema_bounds_is_walked(
    jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """60 levels at a free-form place (beyond the closed schema's bound, within the limit) conform;
    120 levels are refused, as before the closed schema bounded depth (chunks of both, so the
    workers judge some)."""
    url = "https://h/v3/targetGroups/18044"
    fine = _write_har(tmp_path / "fine.har", [_entry(url, _group_with_window(60))] * (CHUNK + 3))
    assert run_cli(["validate", "--jobs", jobs, str(fine)], capsys).code == 0
    deep = [_entry(url, GROUP)] * (CHUNK + 1) + [_entry(url, _group_with_window(120))]
    outcome = run_cli(["validate", "--jobs", jobs, str(_write_har(tmp_path / "deep.har", deep))], capsys)
    assert_refused(outcome, f"HAR entry {CHUNK + 1}: response body is nested deeper than 100 levels")


@pytest.mark.parametrize(("side", "walks"), [("both", 0), ("request", 1)])
def test_a_body_the_closed_schema_accepts_and_bounds_is_not_walked(
    side: str, walks: int, spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The closed validation the checks need anyway bounds the depth of a real body: no level walk.
    Where no check asks for it (the request side alone), the walk stays (one validation would cost
    more)."""
    import contracts.har as har

    calls: list[Any] = []
    walk = har._shallow

    def counted(*args: Any) -> bool:
        calls.append(args)
        return walk(*args)

    monkeypatch.setattr(har, "_shallow", counted)
    url = "https://h/v3/targetGroups/18044"
    file = _write_har(tmp_path / "group.har", [_entry(url, GROUP)])
    report = validate_input(spec, file, operation=None, status=None, side=side)
    assert report.exchanges == 1 and not report.findings
    assert len(calls) == walks


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_capture_cut_while_it_is_read_says_so(
    jobs: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file truncated mid-run (a capture rotated, a proxy restarted): exit 2, and the line says the
    file changed, not only that it is malformed where it was cut."""
    import contracts.validate as validate

    har = _write_har(tmp_path / "rotated.har", _mixed(20 * CHUNK), indent=2)
    size = har.stat().st_size
    assert size > 4 * BLOCK  # the cut lies past what has been read when it happens
    judge = validate._judge_entry

    def cutting(spec: Spec, index: int, entry: Any, side: Any) -> Any:
        if index == CHUNK + 5:
            with har.open("r+b") as handle:
                handle.truncate(size // 2)
        return judge(spec, index, entry, side)

    monkeypatch.setattr(validate, "_judge_entry", cutting)
    result = run_cli(["validate", "--jobs", str(jobs), str(har)], capsys)
    assert_refused(result, "malformed JSON")
    assert f"the file changed while it was read ({size:,} -> {size // 2:,} bytes)" in result.err


def test_a_capture_left_alone_gets_no_changed_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = tmp_path / "cut.har"
    har.write_text(json.dumps({"log": {"entries": _mixed(30)}})[:-400])
    result = run_cli(["validate", str(har)], capsys)
    assert_refused(result, "malformed JSON")
    assert "changed while it was read" not in result.err


def _scenarios() -> dict[str, list[dict[str, Any]]]:
    """Captures of several chunks, with what makes a worker's piece go back to the reading process."""
    mixed = _mixed(3 * CHUNK + 7)
    nested = copy.deepcopy(mixed)
    for index in range(5, len(nested), 37):  # the separator inside entries: pieces cut wrongly
        nested[index]["_pages"] = [{"startedDateTime": "a"}, {"startedDateTime": "b"}]
    huge = copy.deepcopy(mixed)
    huge[CHUNK + 30]["_padding"] = "x" * 300_000  # one entry larger than a chunk
    unjudged = copy.deepcopy(mixed)
    unjudged[2 * CHUNK + 11] = {"request": {}}  # a UsageError in a worker, named by its index
    floats = copy.deepcopy(mixed)
    floats[2 * CHUNK + 1]["response"]["status"] = 2**70
    return {"mixed": mixed, "nested": nested, "huge": huge, "unjudged": unjudged, "floats": floats}


@pytest.mark.parametrize("chunk_bytes", [700, 6000, 1024 * 1024])
@pytest.mark.parametrize("name", ["mixed", "nested", "huge", "unjudged", "floats"])
def test_chunks_of_any_size_report_what_jobs_one_does(
    name: str,
    chunk_bytes: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chunks of one entry, of a few, and the default: a 300 KB entry, separators inside entries, an
    entry that cannot be judged, one read exactly."""
    import contracts.validate as validate

    entries = _scenarios()[name]
    har = tmp_path / f"{name}.har"
    har.write_text(_compact(entries))
    one = run_cli(["validate", "--format", "json", "--jobs", "1", str(har)], capsys)
    monkeypatch.setattr(validate, "CHUNK_BYTES", chunk_bytes)
    two = run_cli(["validate", "--format", "json", "--jobs", "2", str(har)], capsys)
    assert one == two
    assert one.code == (2 if name in ("unjudged", "floats") else 1)
    if name == "unjudged":
        assert f"HAR entry {2 * CHUNK + 11}: response must be an object" in one.err
