"""coverage.json's totals, reasons and bars, from real exchanges built off the spec's own examples."""

from __future__ import annotations

import json

import pytest

from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.report.coverage import Coverage, excused_statuses, parse_bars
from contracts.spec import Spec


def _error(spec: Spec, operation: str, code: int) -> Exchange:
    entry = spec.error_catalogue[code]
    body = {"data": None, "errors": [{"code": code, "message": entry.message}], "warnings": None}
    return Exchange(
        operation, entry.status, json.dumps(body).encode(), headers={"content-type": "application/json"}
    )


def test_an_observed_code_counts_once_per_operation_and_its_status_too(spec: Spec) -> None:
    coverage = Coverage(spec)
    op = spec.operation("get-target-groups-id")
    code = next(c for c in op.error_codes if spec.error_catalogue[c].status == 404)
    before = coverage.table()["totals"]
    coverage.observe(_error(spec, op.operation_id, code))
    coverage.observe(_error(spec, op.operation_id, code))
    table = coverage.table()
    row = table["operations"][op.operation_id]
    assert row["error_codes"][str(code)] and row["error_code_counts"][str(code)] == 2
    assert row["statuses"]["404"]
    assert table["totals"]["error_codes"]["observed"] == before["error_codes"]["observed"] + 1
    assert not any(u["operation"] == op.operation_id and u["item"] == str(code) for u in table["unobserved"])


def test_never_answered_statuses_are_excused_listed_and_out_of_the_percentage(spec: Spec) -> None:
    table = Coverage(spec).table()
    statuses = table["totals"]["statuses"]
    marked = sum(len(excused_statuses(op)) for op in spec.operations)
    assert marked and statuses["excused"] == marked
    assert statuses["percent"] == 0.0 and statuses["documented"] > marked
    listed = [u for u in table["unobserved"] if u["kind"] == "status" and u["item"] == "201"]
    assert len(listed) == marked and all("200" in u["reason"] for u in listed)


def test_every_unobserved_item_has_a_reason(spec: Spec) -> None:
    table = Coverage(spec).table()
    kinds = {u["kind"] for u in table["unobserved"]}
    assert kinds == {"status", "error_code", "request_enum_value"}
    assert all(u["reason"] for u in table["unobserved"])
    codes = sum(1 for u in table["unobserved"] if u["kind"] == "error_code")
    assert codes == table["totals"]["error_codes"]["documented"]


def test_a_bar_below_is_one_line_and_above_is_none(spec: Spec) -> None:
    coverage = Coverage(spec)
    op = spec.operation("get-target-groups-id")
    for code in op.error_codes:
        coverage.observe(_error(spec, op.operation_id, code))
    share = coverage.table()["totals"]["error_codes"]["percent"]
    assert 0 < share < 100
    (line,) = coverage.below({"error_codes": share + 0.1})
    assert line.startswith("coverage of error codes is ") and "below the bar" in line
    assert coverage.below({"error_codes": share}) == []


@pytest.mark.parametrize(
    ("text", "bars"),
    [
        ("statuses=95,error-codes=95", {"statuses": 95.0, "error_codes": 95.0}),
        (" request-enum-values = 100 ", {"request_enum_values": 100.0}),
        ("", {}),
    ],
)
def test_bars_parse(text: str, bars: dict[str, float]) -> None:
    assert parse_bars(text) == bars


@pytest.mark.parametrize("text", ["statuses", "statuses=101", "statuses=-1", "codes=90", "statuses=x"])
def test_bad_bars_are_refused_with_one_line(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_bars(text)
    assert "\n" not in caught.value.message and caught.value.message.startswith("--min-coverage: ")
