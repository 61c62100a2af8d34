"""A scripted session over every operation of the spec (happy and error paths), with ids and clocks masked.

Used to compare the mock's answers before and after a rewrite of its internals:
``python tests/mock/scripted_session.py before.json`` on the old code, ``… after.json`` on the new, then diff.
``test_inferred.py`` runs it in strict mode (every reply through every check).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from contracts.mock import create_app
from contracts.spec import DEFAULT_SPEC_PATH, Operation, Spec, load_spec

AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
UNKNOWN = 987_654_321
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+0000|UTC|Z)?")


def _examples(spec: Spec, op: Operation) -> list[Any]:
    body = spec.deref(op.raw.get("requestBody", {}))
    media = body.get("content", {}).get("application/json", {})
    return [spec.deref(e).get("value") for _, e in sorted(media.get("examples", {}).items())]


def _path(op: Operation, values: dict[str, Any]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: str(values.get(m.group(1), UNKNOWN)), op.path)


class Masker:
    """Generated ids become ``#1``, ``#2``… in order of appearance; timestamps ``<ts>``."""

    def __init__(self, first_generated: int) -> None:
        self.first, self.seen = first_generated, {}  # type: ignore[var-annotated]

    def __call__(self, node: Any) -> Any:
        if isinstance(node, bool):
            return node
        if isinstance(node, int) and node >= self.first and node != UNKNOWN:
            return self.seen.setdefault(node, f"#{len(self.seen) + 1}")
        if isinstance(node, str):
            return STAMP.sub("<ts>", node)
        if isinstance(node, list):
            return [self(v) for v in node]
        if isinstance(node, dict):
            return {
                self(int(k)) if k.isdigit() else k: v if k == "code" else self(v) for k, v in node.items()
            }
        return node


def run(spec: Spec, strict: bool = True) -> list[dict[str, Any]]:
    app = create_app(spec, credentials=("u", "p"), strict=strict)
    store = app.state.store
    mask = Masker(store.next_id() + 1)
    client = TestClient(app, headers=AUTH)
    log: list[dict[str, Any]] = []

    def send(op: Operation, values: dict[str, Any], body: Any = None, label: str = "", **kw: Any) -> Any:
        url = _path(op, values)
        required = {p["name"]: values.get(p["name"], UNKNOWN) for p in op.parameters() if p["in"] == "query"}
        kw["params"] = {k: v for k, v in required.items() if k in values} | kw.get("params", {})
        reply = client.request(op.method.upper(), url, json=body, **kw)
        try:
            answer = reply.json()
        except ValueError:
            answer = reply.text
        log.append(
            {"step": f"{op.operation_id} {label}".strip(), "status": reply.status_code, "body": mask(answer)}
        )
        return answer

    groups = spec.operation("create-target-groups")
    created: list[dict[str, Any]] = []
    for index, example in enumerate(_examples(spec, groups)):
        example = copy.deepcopy(example)
        example["name"] = f"session group {index}"
        answer = send(groups, {}, example, f"example {index}")
        if isinstance(answer, dict) and isinstance(answer.get("data"), dict):
            created.append(answer["data"])
    group = next(g for g in created if g.get("targets") and g.get("periods"))
    target = group["targets"][0]
    values = {"targetGroupId": group["id"], "targetId": target["id"], "targetRuleId": target["id"]}
    values["userId"] = 4242
    values["periodId"] = group["periods"][0]["id"]

    def adapt(op: Operation, body: Any) -> Any:
        """The example body aimed at the session's own group, target, period and customer."""
        kind = "periodId" if op.path.endswith("targetPeriods") else "targetId"
        if isinstance(body, dict):
            body = {k: adapt(op, v) for k, v in body.items() if k != "periodName"}
            if "id" in body:
                body["id"] = values[kind]
            if "customerId" in body:
                body["customerId"] = values["userId"]
            if "name" in body and op.method.lower() == "put":
                body["name"] = "session renamed"
        elif isinstance(body, list):
            body = [adapt(op, v) for v in body]
        return body

    ordered = sorted(
        spec.operations,
        key=lambda o: (
            {"delete": 2, "post": 0}.get(o.method.lower(), 1),
            -len(o.path) if o.method.lower() == "delete" else 0,
            o.path,
        ),
    )
    for op in ordered:
        if op.operation_id == groups.operation_id:
            continue
        examples = _examples(spec, op) or [None]
        names = {p["name"] for p in op.parameters()}
        extra = {k: "true" for k in ("includeUserCreatedTargetGroups",) if k in names}
        for index, example in enumerate(examples):
            send(op, values, adapt(op, example), f"example {index}", params=extra)
        send(op, dict.fromkeys(values, UNKNOWN), examples[0], "unknown ids")
        if op.raw.get("requestBody"):
            send(op, values, {"unexpected": [1]} if isinstance(examples[0], list) else [], "wrong body")
        send(op, values, examples[0], "no credentials", headers={"Authorization": ""})
        for param in op.parameters():
            if param["in"] == "query":
                send(op, values, examples[0], f"bad {param['name']}", params={param["name"]: "not-a-value"})
    for op in ordered:
        if op.method.lower() == "get":
            send(op, values, None, "after", params={"includeUserCreatedTargetGroups": "true"})
    return log


def main(argv: list[str]) -> int:
    spec = load_spec(DEFAULT_SPEC_PATH)
    Path(argv[1]).write_text(json.dumps(run(spec), indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
