"""Request validation: the request's headers are decoded only for an operation that has a header parameter."""

from __future__ import annotations

import base64

from starlette.testclient import TestClient

from contracts.error_facts import INVALID_INPUT
from contracts.mock import create_app
from contracts.mock.requests import RequestValidator
from contracts.spec import Spec

AUTH = {"Authorization": "Basic " + base64.b64encode(b"anyone:anything").decode()}


def test_headers_are_read_where_a_parameter_is_one(spec: Spec) -> None:
    assert RequestValidator(spec, spec.operation("get-top-ranked-users")).reads_headers
    assert not RequestValidator(spec, spec.operation("get-target-groups-id")).reads_headers
    client = TestClient(create_app(spec), headers=AUTH)
    target = client.get("/v3/targetGroups/18044").json()["data"]["targets"][0]["id"]
    reply = client.get(
        f"/v3.1/leaderboards/targetGroups/18044?targetId={target}", headers={"DATA-SCOPE": "bogus"}
    ).json()
    assert [e["code"] for e in reply["errors"]] == [spec.error_facts.role(INVALID_INPUT)]
    assert "header DATA-SCOPE" in reply["errors"][0]["message"]
