"""Replies are projections onto the response schemas; ``readOnly`` fields are the server's; no field name
in the mock's behaviours is one the spec does not declare."""

from __future__ import annotations

import ast
import base64
import copy
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from contracts.mock import create_app
from contracts.mock.shapes import Shapes
from contracts.spec import Spec

MOCK = Path(__file__).resolve().parents[2] / "contracts" / "mock"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
GROUPS = "/v3/targetGroups"
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS")
TARGET = {"name": "t", "targetType": "SALES", "targetEntity": "TRANSACTION", "expression": "true"}


def client(raw: dict[str, Any]) -> TestClient:
    return TestClient(create_app(Spec(raw), credentials=("u", "p"), strict=True), headers=AUTH)


def components(raw: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = raw["components"]["schemas"]
    return found


def rename(schema: dict[str, Any], old: str, new: str) -> None:
    props = schema["properties"]
    schema["properties"] = {new if k == old else k: v for k, v in props.items()}
    if old in schema.get("required", []):
        schema["required"] = [new if r == old else r for r in schema["required"]]


def test_projection_keeps_what_the_schema_declares(spec: Spec) -> None:
    shape = Shapes(spec).reply(spec.operation("get-targets")).item()
    value = {"id": 1, "name": "n", "nmae": "typo", "attribution": {"createdOn": None, "extra": 1}}
    projected = shape.project(value)
    assert projected == {"id": 1, "name": "n", "attribution": {"createdOn": None}}
    assert value["nmae"] == "typo"  # the store's record is left as it is
    free = Shapes(spec).reply(spec.operation("get-user-ranks-across-target-groups"))
    details = {"mobile": "1", "first_name": "A"}  # userEnrichmentDetails: additionalProperties true
    assert free.project({"userEnrichmentDetails": details})["userEnrichmentDetails"] == details


def test_a_list_is_copied_only_from_an_item_that_changes(spec: Spec) -> None:
    """Copy-on-write for arrays as for objects: clean items are answered as they are, the input unchanged."""
    shape = Shapes(spec).reply(spec.operation("get-targets"))
    clean = [{"id": n, "attribution": {"createdOn": None}} for n in range(3)]
    assert shape.project(clean) is clean
    typo = [*clean[:1], {**clean[1], "nmae": "typo"}, clean[2]]
    projected = shape.project(typo)
    assert projected == clean and projected is not typo and "nmae" in typo[1]
    assert projected[0] is clean[0] and projected[2] is clean[2]


def test_read_only_comes_from_the_spec(spec: Spec) -> None:
    shape = Shapes(spec).reply(spec.operation("get-targets")).item()
    assert {"id", "attribution", "targetGroupId"} <= shape.read_only
    assert "name" not in shape.read_only
    assert shape.prop("attribution").is_stamp() and not shape.is_stamp()


def test_a_renamed_response_property_is_renamed_in_the_reply(spec: Spec) -> None:
    """A spec change is the only change: rename ``description`` of a target in the request and the
    response schemas of a copy of the spec, and the mock's reply carries the new name, not the old."""
    raw = copy.deepcopy(spec.raw)
    rename(components(raw)["TargetRequest"], "description", "summary")
    rename(components(raw)["Target"], "description", "summary")
    reply = client(raw).post(f"{GROUPS}/18044/targets", json=[{**TARGET, "summary": "s"}])
    assert reply.status_code == 200, reply.text
    created = reply.json()["data"][0]
    assert created["summary"] == "s" and "description" not in created
    before = client(copy.deepcopy(spec.raw)).post(
        f"{GROUPS}/18044/targets", json=[{**TARGET, "description": "s"}]
    )
    assert before.json()["data"][0]["description"] == "s"


def test_a_property_dropped_from_the_response_schema_leaves_the_reply(spec: Spec) -> None:
    """The request may still send it (its schema keeps it); the reply follows the response schema."""
    raw = copy.deepcopy(spec.raw)
    del components(raw)["Target"]["properties"]["eventName"]
    reply = client(raw).post(f"{GROUPS}/18044/targets", json=[{**TARGET, "eventName": "e"}])
    assert reply.status_code == 200, reply.text  # strict: undocumented_property would make it a 500
    assert "eventName" not in reply.json()["data"][0]


def test_the_server_sets_read_only_fields(spec: Spec) -> None:
    sent = {**TARGET, "id": 5, "targetGroupId": 2911, "attribution": {"createdOn": "x"}}
    reply = client(copy.deepcopy(spec.raw)).post(f"{GROUPS}/18044/targets", json=[sent])
    created = reply.json()["data"][0]
    assert created["id"] != 5 and created["targetGroupId"] == 18044
    assert created["attribution"]["createdOn"] != "x" and "createdBy" in created["attribution"]


def test_a_field_the_spec_marks_read_only_is_not_taken_from_the_request(spec: Spec) -> None:
    """Mark ``eventName`` readOnly in a copy of the spec: the request's value is no longer stored."""
    raw = copy.deepcopy(spec.raw)
    components(raw)["Target"]["properties"]["eventName"]["readOnly"] = True
    reply = client(raw).post(f"{GROUPS}/18044/targets", json=[{**TARGET, "eventName": "e"}])
    assert "eventName" not in reply.json()["data"][0]
    plain = client(copy.deepcopy(spec.raw)).post(
        f"{GROUPS}/18044/targets", json=[{**TARGET, "eventName": "e"}]
    )
    assert plain.json()["data"][0]["eventName"] == "e"


def test_a_required_field_the_store_misspells_fails_strict_mode(spec: Spec) -> None:
    app = create_app(spec, strict=True)
    group = app.state.store.groups[18044]
    group["nmae"] = group.pop("name")
    response = TestClient(app, headers={"Authorization": AUTH["Authorization"]}).get(f"{GROUPS}/18044")
    assert response.status_code == 500 and "name" in response.text


# -- every field name the behaviours write is one the spec declares -----------------------------------
def declared_names(spec: Spec) -> set[str]:
    """Property, parameter and path-segment names of the spec, the keys of ``x-rules`` entries, its HTTP
    methods, and the spec's own keywords the seed reads (``x-…``, ``examples``, media types)."""
    found: set[str] = {"examples", "application/json", *HTTP_METHODS}
    stack: list[Any] = [spec.raw]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                found |= set(node["properties"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    for op in spec.operations:
        found |= {p["name"] for p in op.parameters()}
        found |= {s for s in op.path.split("/") if s and not s.startswith("{")}
        found |= {k for rule in op.raw.get("x-rules", []) for k in rule}
    return found


def field_literals(source: str) -> list[tuple[int, str]]:
    """String constants used as field names: dict keys, subscripts, ``.get/.pop/.setdefault`` keys,
    ``"x" in record``, and module-level UPPER_CASE constants (``NESTED = ("periods", ...)``)."""
    found: list[tuple[int, Any]] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        keys: list[Any] = []
        if isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Subscript):
            keys = [node.slice]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            keys = [node.args[0]] if node.func.attr in ("get", "pop", "setdefault") else []
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            keys = [node.left]
        elif isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            keys = list(node.iter.elts)
        found += [
            (k.lineno, k.value) for k in keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and all(
            isinstance(t, ast.Name) and t.id.isupper() for t in statement.targets
        ):
            values = statement.value.elts if isinstance(statement.value, ast.Tuple) else [statement.value]
            found += [(statement.lineno, v.value) for v in values if isinstance(v, ast.Constant)]
    return [(line, value) for line, value in found if isinstance(value, str)]


BEHAVIOUR_FILES = [
    *sorted((MOCK / "handlers").glob("*.py")),
    MOCK / "rules.py",
    MOCK / "store.py",
    MOCK / "seed.py",
]


def test_every_field_name_in_the_behaviours_is_declared_by_the_spec(spec: Spec) -> None:
    names = declared_names(spec)
    unknown = [
        f"{path.relative_to(MOCK)}:{line}: {value!r}"
        for path in BEHAVIOUR_FILES
        for line, value in field_literals(path.read_text())
        if value not in names and not value.startswith("x-") and "-" not in value and " " not in value
    ]
    assert unknown == []


def test_the_field_name_test_fires_on_a_misspelling(spec: Spec) -> None:
    names = declared_names(spec)
    source = 'def f(r):\n    return {"targetGroupNme": r["targetGroupId"], "rank": r.get("rnak")}\n'
    assert [v for _, v in field_literals(source) if v not in names] == ["targetGroupNme", "rnak"]


def _enrolled_view(raw: dict[str, Any]) -> dict[str, Any]:
    """getusertargetgroupdetails' first group after customer 7 enrols in a new group's target."""
    session = client(raw)
    body = {
        "name": "viewed",
        "totalPeriods": 1,
        "description": "seen",
        "targets": [{**TARGET, "eventName": "E"}],
    }
    created = session.post(GROUPS, json=body).json()["data"]
    enrol = f"{GROUPS}/{created['id']}/targets/{created['targets'][0]['id']}/enroll"
    assert session.post(enrol, json=[{"customerId": 7}]).status_code == 200
    reply = session.get("/v3/users/7/targetGroups")
    assert reply.status_code == 200, reply.text
    groups: list[dict[str, Any]] = reply.json()["data"]["targetGroups"]
    return groups[0]


def test_the_user_view_is_the_records_projected_onto_its_schema(spec: Spec) -> None:
    """A group entry carries what the entry schema declares of the group (its attribution, as the real
    payloads do), a target entry what it declares of the target (type, entity, event) and the enrolment's
    date; a property added to ``UserTargetGroup`` under a name the group has is answered, no code change."""
    entry = _enrolled_view(copy.deepcopy(spec.raw))
    assert set(entry["attribution"]) >= {"createdOn", "createdBy"}
    assert "description" not in entry  # not declared by UserTargetGroup
    [target] = entry["targets"]
    assert (target["targetType"], target["targetEntity"], target["eventName"]) == (
        "SALES",
        "TRANSACTION",
        "E",
    )
    assert target["targetName"] == "t" and target["targetId"] == target["targetRuleId"]
    assert target["enrolledOn"]
    raw = copy.deepcopy(spec.raw)
    components(raw)["UserTargetGroup"]["properties"]["description"] = {"type": "string"}
    assert _enrolled_view(raw)["description"] == "seen"
