"""`contracts validate` on hostile HAR files, bodies and flags: one line, exit 2, nothing leaked."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ._support import CANARY, CORPUS, ROOT, assert_refused, run_cli

HAR = {
    "entries-null": "HAR log.entries must be an array, not null",
    "entries-number": "HAR log.entries must be an array, not a number",
    "entries-object": "HAR log.entries must be an array, not an object",
    "entry-null": "HAR entry 0: the entry must be an object, not null",
    "entry-string": "HAR entry 0: the entry must be an object, not a string",
    "request-missing": "HAR entry 0: request must be an object, not null",
    "content-string": "HAR entry 0: response.content must be an object, not a string",
    "content-text-number": "HAR entry 0: response.content.text must be a string, not a number",
    "content-encoding-gzip": "response.content.encoding 'gzip' is not base64",
    "content-bad-base64": "response.content.text is marked base64 but is not base64",
    "lone-surrogate": "response.content.text holds \\ud800, a lone surrogate",
    "deep-body": "HAR entry 0: response body is nested deeper than 100 levels",
    "url-ipv6": "HAR entry 0: request.url does not parse as a URL (Invalid IPv6 URL)",
    "url-number": "HAR entry 0: request.url must be a string, not a number",
    "method-number": "HAR entry 0: request.method must be a string, not a number",
    "method-spaces": "is not an HTTP method",
    "status-float": "response.status must be an integer HTTP status, not 200.5",
    "status-huge": "response.status 99999999999999999999 is not an HTTP status",
    "status-string": "response.status must be an integer HTTP status, not '200'",
    "status-bool": "response.status must be an integer HTTP status, not True",
    "status-negative": "response.status -1 is not an HTTP status",
    "headers-string": "response.headers must be an array of {name, value}, not a string",
    "header-value-null": "response.headers[0].value must be a string, not null",
    "postdata-string": "request.postData must be an object, not a string",
    "nothing-matches": "nothing was validated",
}
"""Corpus HAR file → what the one error line says."""

BODIES = {
    "empty.json": "empty file",
    "whitespace.json": "empty file",
    "nan.json": "malformed JSON (NaN is not JSON)",
    "infinity.json": "malformed JSON (Infinity is not JSON)",
    "utf16.json": "not UTF-8",
    "malformed.json": "malformed.json:2:3: malformed JSON",
    "trailing-garbage.json": "malformed JSON (Extra data)",
}


def test_the_corpus_and_the_tables_agree() -> None:
    assert {p.stem for p in (CORPUS / "har").iterdir()} == set(HAR)
    assert {p.name for p in (CORPUS / "bodies").iterdir()} == set(BODIES)


@pytest.mark.parametrize(("name", "message"), sorted(HAR.items()))
def test_hostile_har_is_one_line_exit_two(
    name: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_cli(["validate", str(CORPUS / "har" / f"{name}.har")], capsys)
    warnings = [line for line in outcome.err.splitlines() if ": warning: HAR entry " in line]
    assert len(warnings) == (1 if name == "nothing-matches" else 0)  # an unmatched entry is named first
    assert_refused(replace(outcome, err=outcome.err.split("\n", len(warnings))[-1]), message)
    assert outcome.out == ""


@pytest.mark.parametrize(("name", "message"), sorted(BODIES.items()))
def test_hostile_body_is_one_line_exit_two(
    name: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_cli(["validate", "-o", "get-targets", "-s", "200", str(CORPUS / "bodies" / name)], capsys)
    assert_refused(outcome, message)


@pytest.mark.parametrize("levels", [150, 100_000])
def test_deep_body_file(levels: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "deep.json"
    file.write_text('{"data": ' + "[" * levels + "]" * levels + ', "errors": null}')
    outcome = run_cli(["validate", "-o", "get-targets", "-s", "200", str(file)], capsys)
    assert_refused(outcome, "nested deeper than")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-s", "99"], "99"),
        (["-s", "600"], "600"),
        (["-s", "abc"], "'abc' is not a valid integer"),
        (["-s", "200.5"], "'200.5' is not a valid integer"),
        (["-o", "no-such-operation"], "unknown operation 'no-such-operation'"),
        (["--checks", "nope"], "unknown check 'nope'"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_bad_flags(flags: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    body = str(CORPUS / "bodies" / "malformed.json")
    args = {"-o": "get-targets", "-s": "200"}
    for flag, value in zip(flags[::2], flags[1::2], strict=True):
        args[flag] = value
    outcome = run_cli(["validate", *[x for kv in args.items() for x in kv], body], capsys)
    assert_refused(outcome, message)


def test_no_file_at_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(run_cli(["validate"], capsys), "Missing argument")


def test_dash_reads_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    good = (ROOT / "tests" / "payloads" / "update-target-group__response__200__1.json").read_bytes()
    outcome = run_cli(["validate", "-o", "update-target-group", "-s", "200", "-"], capsys, stdin=good)
    assert outcome.code == 0, outcome
    assert "1 response(s) conform" in outcome.out
    outcome = run_cli(["validate", "-o", "get-targets", "-s", "200", "-"], capsys, stdin=b"{}")
    assert outcome.code == 1
    assert outcome.out.startswith("<stdin>: get-targets 200 ")


def test_dash_twice_and_empty_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(
        run_cli(["validate", "-o", "get-targets", "-s", "200", "-", "-"], capsys, stdin=b"{}"), "once"
    )
    assert_refused(
        run_cli(["validate", "-o", "get-targets", "-s", "200", "-"], capsys, stdin=b""), "<stdin>: empty file"
    )


def test_one_fact_is_reported_once(capsys: pytest.CaptureFixture[str]) -> None:
    """``{}`` lacks ``data``: envelope_shape owns the missing key, so data_iff_success does not repeat it."""
    outcome = run_cli(["validate", "-o", "get-targets", "-s", "200", "-"], capsys, stdin=b"{}")
    data_lines = [line for line in outcome.out.splitlines() if " /data: " in line]
    assert len(data_lines) == 1, outcome.out
    assert "envelope_shape /data:" in data_lines[0] and "also" not in data_lines[0]
    outcome = run_cli(
        ["validate", "--format", "json", "-o", "get-targets", "-s", "200", "-"], capsys, stdin=b"{}"
    )
    rows = json.loads(outcome.out)
    [data] = [r for r in rows if r["pointer"] == "/data"]
    assert data["check"] == "envelope_shape" and not data.get("also")


def _har_with(url: str, body: Any) -> bytes:
    entry: dict[str, Any] = {
        "request": {
            "method": "GET",
            "url": url,
            "headers": [{"name": "Authorization", "value": f"Basic {CANARY}"}],
        },
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": json.dumps(body)},
        },
    }
    return json.dumps(
        {"log": {"entries": [entry, {**entry, "request": {**entry["request"], "url": url + "x/y/z"}}]}}
    ).encode()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_canary_password_in_har_urls_appears_in_no_output(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://admin:{CANARY}@api.example.com/v3/targetGroups/channels"
    outcome = run_cli(["validate", "--format", fmt, "-"], capsys, stdin=_har_with(url, {"data": "nope"}))
    assert outcome.code == 1, outcome
    assert "api.example.com" in outcome.err  # the unmatched entry is named ...
    assert CANARY not in outcome.out + outcome.err  # ... without its password


def test_control_sequences_in_har_urls_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://h/v2/\x1b]0;owned\x07/\x1b[2J"
    outcome = run_cli(["validate", "-"], capsys, stdin=_har_with(url, {}))
    assert outcome.code == 2
    assert "\x1b]" not in outcome.err and "\x1b[2J" not in outcome.err and "\x07" not in outcome.err
    assert "\\x1b]0;owned\\x07" in outcome.err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": 5}, "is not valid under any of the given schemas"),
        ({"pattern": "(["}, "is not a 'regex'"),
        ({"properties": {"id": {"$ref": "#/components/schemas/Nope"}}}, "points nowhere"),
    ],
)
def test_a_spec_whose_schemas_cannot_compile_is_the_specs_fault(
    change: dict[str, Any], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = json.loads((ROOT / "spec" / "v3.json").read_text(encoding="utf-8"))
    raw["components"]["schemas"]["Channel"].update(change)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(raw))
    body = ROOT / "tests" / "payloads" / "get-target-channels__response__200__1.json"
    outcome = run_cli(
        ["--spec", str(spec), "validate", "-o", "get-target-channels", "-s", "200", str(body)], capsys
    )
    assert_refused(outcome, message)
    assert "not valid OpenAPI" in outcome.err and "contracts lint" in outcome.err
    outcome = run_cli(["--spec", str(spec), "mock", "--port", "0"], capsys)
    assert_refused(outcome, "not valid OpenAPI")
