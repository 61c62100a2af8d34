"""``Operation.params``: one reading of an operation's parameters, which the error facts, the request
checks and the mock's guard and validator extend (same name, location, schema and pointer)."""

from __future__ import annotations

import copy
import json

from contracts.mock.guard import _rules as guard_rules
from contracts.mock.requests import RequestValidator
from contracts.request_validation import PARAMETER_CHECK, judge_request, plan
from contracts.spec import Parameter, Spec, join_pointer

GROUP = "/v3/targetGroups/{targetGroupId}"


def _moved(spec: Spec) -> Spec:
    """get-target-groups-id's ``includePeriods`` behind a ``$ref``; the id a path-level ``$ref``, which
    get keeps overriding and delete inherits."""
    raw = copy.deepcopy(spec.raw)
    item = raw["paths"][GROUP]
    get = item["get"]
    raw["components"]["parameters"] = {"Inc": dict(get["parameters"][1]), "Id": dict(get["parameters"][0])}
    get["parameters"][1] = {"$ref": "#/components/parameters/Inc"}
    item["parameters"] = [{"$ref": "#/components/parameters/Id"}]
    item["delete"]["parameters"] = [p for p in item["delete"]["parameters"] if p["name"] != "targetGroupId"]
    return Spec(raw)


def _core(param: Parameter) -> str:
    return json.dumps([param.name, param.location, param.required, param.schema, param.pointer])


def test_each_parameter_points_where_its_object_is_written(spec: Spec) -> None:
    moved = _moved(spec)
    get, delete = moved.operation("get-target-groups-id"), moved.operation("delete-target-group")
    by_name = {p.name: p for p in get.params}
    assert by_name["includePeriods"].pointer == "/components/parameters/Inc"
    assert by_name["targetGroupId"].pointer == join_pointer("/paths", GROUP, "get", "parameters", 0)
    assert [p.pointer for p in delete.params] == ["/components/parameters/Id"]
    for op in (get, delete):
        assert [(p.name, p.location) for p in op.params] == [(r["name"], r["in"]) for r in op.parameters()]
        for param in op.params:
            assert moved.at(param.pointer) is param.raw


def test_the_views_of_every_operation_are_one_reading(spec: Spec) -> None:
    """Error facts, the request plan, the guard's integer rules and the mock's validator agree on every
    parameter of every operation (of the spec, and of a copy with ``$ref``'d and path-level ones)."""
    compared = 0
    for document in (spec, _moved(spec)):
        for op in document.operations:
            views = {_core(p): p for p in op.params}
            facts = document.error_facts.of(op).parameters
            assert [_core(p) for p in facts] == list(views)
            assert [_core(p) for p in plan(op).params] == [
                k for k, p in views.items() if p.location in ("path", "query", "header")
            ]
            assert [_core(p) for p in RequestValidator(document, op).params] == list(views)
            rules = guard_rules(document, op, 300004)
            assert {_core(p) for p in (*rules.path, *rules.query)} <= set(views)
            compared += len(views)
    assert compared > 100


def test_a_request_finding_on_a_referenced_parameter_points_at_its_schema(spec: Spec) -> None:
    """The finding's spec pointer resolves to the schema it failed (its component's, not the ``$ref``)."""
    moved = _moved(spec)
    findings = judge_request(moved, "GET", "/v3/targetGroups/18044?includePeriods=maybe") or []
    [finding] = [f for f in findings if f.check == PARAMETER_CHECK]
    assert finding.spec_pointer == "/components/parameters/Inc/schema"
    assert moved.at(finding.spec_pointer) == {"type": "boolean"}


def test_a_conformant_request_has_no_parameter_finding(spec: Spec) -> None:
    moved = _moved(spec)
    findings = judge_request(moved, "GET", "/v3/targetGroups/18044?includePeriods=true") or []
    assert [f for f in findings if f.check == PARAMETER_CHECK] == []
