"""The offline trio (iter_findings, validate, validate_exchange) and validate_file."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.findings import FindingsError
from contracts.spec import Spec
from contracts.validate import iter_findings, validate, validate_exchange, validate_file

PAYLOADS = Path(__file__).resolve().parent / "payloads"
GOOD = PAYLOADS / "update-target-group__response__200__1.json"
GROUP = json.loads(GOOD.read_text())


def test_trio_is_quiet_on_a_real_payload(spec: Spec) -> None:
    good = Exchange.from_json("update-target-group", 200, GROUP)
    assert list(iter_findings(spec, good)) == []
    assert validate_exchange(spec, good).ok
    validate(spec, good)


def test_trio_reports_every_finding_or_the_first(spec: Spec) -> None:
    bad = copy.deepcopy(GROUP)
    bad["data"]["trackingType"] = "streaks"
    bad["errors"] = [{"code": 1, "message": "x"}]
    exchange = Exchange.from_json("update-target-group", 200, bad)
    result = validate_exchange(spec, exchange)
    assert not result.ok
    assert {f.check for f in result.findings} >= {"enum_value_documented", "data_iff_success"}
    with pytest.raises(FindingsError) as info:
        validate(spec, exchange)
    assert len(info.value.findings) == 1
    with pytest.raises(FindingsError):
        result.raise_for_findings()


def test_names_select_checks(spec: Spec) -> None:
    bad = copy.deepcopy(GROUP)
    bad["data"]["trackingType"] = "streaks"
    exchange = Exchange.from_json("update-target-group", 200, bad)
    assert list(iter_findings(spec, exchange, ["envelope_shape"])) == []
    with pytest.raises(UsageError, match="unknown check 'enum_value'"):
        list(iter_findings(spec, exchange, ["enum_value"]))


def test_validate_file_body_and_slug(spec: Spec) -> None:
    report = validate_file(spec, GOOD, operation="update-target-group", status=200)
    assert (report.exchanges, report.findings, report.har) == (1, [], False)
    body = PAYLOADS / "create-streak__response__200__1.json"
    assert validate_file(spec, body, operation="create-streak", status=200).findings == []


def test_validate_file_har_names_the_entry(spec: Spec, tmp_path: Path) -> None:
    bad = copy.deepcopy(GROUP)
    bad["data"]["fromDate"] = "19/02/2024"
    entry = {
        "request": {"method": "PUT", "url": "https://h/v3/targetGroups/editTargetGroup/9"},
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": json.dumps(bad)},
        },
    }
    file = tmp_path / "capture.har"
    file.write_text(
        json.dumps(
            {
                "log": {
                    "entries": [
                        {"request": {"method": "GET", "url": "https://h/x"}, "response": {"status": 200}},
                        entry,
                    ]
                }
            }
        )
    )
    report = validate_file(spec, file, operation=None, status=None)
    assert report.har and report.exchanges == 1 and len(report.unmatched) == 1
    [(source, finding)] = report.located
    assert source == f"{file}#1"
    assert (finding.check, finding.pointer) == ("date_format", "/data/fromDate")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ('{"data": [1,\n 2,,]}', ":2:4: malformed JSON"),
        ('{"data": []}', "needs --operation and --status"),
    ],
)
def test_validate_file_input_errors(spec: Spec, tmp_path: Path, content: str | None, message: str) -> None:
    file = tmp_path / "body.json"
    if content is not None:
        file.write_text(content)
    with pytest.raises(UsageError, match=message):
        validate_file(spec, file, operation=None, status=None)


def test_directory_is_a_usage_error(spec: Spec, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        validate_file(spec, tmp_path, operation="get-targets", status=200)


def test_one_bounded_read_serves_spec_and_capture(tmp_path: Path) -> None:
    """``read_bounded``: the ladder of one-line refusals, worded for what is read."""
    from contracts.errors import SpecError
    from contracts.spec import read_bounded

    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2 * 1024 * 1024 + 1))
    with pytest.raises(SpecError, match=r"big.json: larger than 2 MB, not a spec this tool reads"):
        read_bounded(big, 2 * 1024 * 1024, SpecError, noun="spec")
    with pytest.raises(UsageError, match=r"larger than 2 MB, not a capture this tool reads"):
        read_bounded(big, 2 * 1024 * 1024, UsageError, what="capture")
    with pytest.raises(SpecError, match="no such spec file"):
        read_bounded(tmp_path / "none.json", 10, SpecError, noun="spec")
    with pytest.raises(UsageError, match="is a directory, not a file"):
        read_bounded(tmp_path, 10, UsageError)
    assert read_bounded(big, 3 * 1024 * 1024, UsageError) == big.read_bytes()


def test_a_report_records_what_each_entry_came_to(spec: Spec) -> None:
    """``FileReport.add``: an Unmatched kept, an exchange counted, its findings named by the entry."""
    from contracts.findings import Finding
    from contracts.har import Unmatched
    from contracts.validate import FileReport

    report = FileReport(Path("capture.har"), har=True)
    report.add(0, Unmatched(0, "GET", "https://h/x"))
    report.add(1, [])
    found = [Finding("a", "one"), Finding("b", "two")]
    report.add(2, found)
    assert report.unmatched == [Unmatched(0, "GET", "https://h/x")]
    assert report.exchanges == 2
    assert report.located == [("capture.har#2", found[0]), ("capture.har#2", found[1])]
