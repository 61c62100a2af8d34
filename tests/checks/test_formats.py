import copy

import pytest
from _helpers import real, run

from contracts.checks import iter_findings
from contracts.exchange import Exchange
from contracts.spec import Spec

GROUP = real("update-target-group__response__200__1")
EVENTS = real("get-target-events__response__200__1")


@pytest.mark.parametrize("value", ["19/02/2024", "2024-02-19T00:00:00Z", "2024-2-19"])
def test_date_in_another_format_fires(spec: Spec, value: str) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["fromDate"] = value
    [finding] = run(spec, "date_format", "update-target-group", 200, body)
    assert finding.pointer == "/data/fromDate"
    assert "2024-02-19" in finding.message


@pytest.mark.parametrize("value", ["2024-04-01T16:04:29.145+05:30", "2024-04-01T16:04:29Z", "1711967669145"])
def test_rfc3339_is_not_the_api_timestamp(spec: Spec, value: str) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["attribution"]["createdOn"] = value
    [finding] = run(spec, "timestamp_format", "update-target-group", 200, body)
    assert finding.pointer == "/data/attribution/createdOn"
    assert finding.spec_pointer == "/components/schemas/Timestamp"


def test_event_timestamp_fires(spec: Spec) -> None:
    body = copy.deepcopy(EVENTS)
    body["data"][0]["eventDate"] = "2025-01-09T12:00:12Z"
    [finding] = run(spec, "timestamp_format", "get-target-events", 200, body)
    assert finding.pointer == "/data/0/eventDate"


def test_real_formats_are_quiet(spec: Spec) -> None:
    for check in ("date_format", "timestamp_format"):
        assert run(spec, check, "update-target-group", 200, GROUP) == []
        assert run(spec, check, "get-target-events", 200, EVENTS) == []


def test_impossible_calendar_day_fires(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["periods"][0]["startDate"] = "2024-02-30"
    [finding] = run(spec, "date_format", "update-target-group", 200, body)
    assert finding.pointer == "/data/periods/0/startDate"
    assert "no such calendar day" in finding.message
    assert finding.extra == {"example": "2024-02-19"}


def test_non_string_value_fires_once(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["fromDate"] = 20240219
    findings = list(iter_findings(spec, Exchange.from_json("update-target-group", 200, body)))
    assert [(f.check, f.pointer) for f in findings] == [("date_format", "/data/fromDate")]
    assert "a number, not a string" in findings[0].message


def test_iso_timestamp_without_zone_fires(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["targetCycleStartDate"] = "2024-02-19T00:00:00.000+0530"
    [finding] = run(spec, "timestamp_format", "update-target-group", 200, body)
    assert finding.spec_pointer == "/components/schemas/IsoTimestamp"
    assert "expected the form 2025-07-23T07:18:01Z" in finding.message
