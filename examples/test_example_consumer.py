"""A consumer's contract tests: the generated client and the pytest plugin, nothing else.

They run against the embedded mock by default; ``pytest --contracts-base-url https://staging…``
points the very same tests at a server (read-only: the write test is skipped there unless
``--contracts-allow-writes``).
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from contracts.pytest_plugin import Contract, Target, call_and_validate, spec_cases
from generated import models
from generated.client import TargetGroupNotFoundError


def test_list_then_read_a_group(contracts_mock: Target, contract: Contract) -> None:
    with contracts_mock.client() as client:
        groups = client.get_target_groups_all()
        contract.validate(client.last_response)
        assert groups.data, "the API answered no target group"
        first = groups.data[0]
        with pytest.warns(DeprecationWarning, match="deprecated"):
            group = client.get_target_groups_id(target_group_id=first.id, include_periods=True)
        # the API answers this group as an object or as a one-element array (spec/NOTES.md)
        read = group.data[0] if isinstance(group.data, list) else group.data
        assert read.id == first.id
        contract.validate(client.last_response)


def test_unknown_group_raises_its_catalogued_error(contracts_mock: Target, contract: Contract) -> None:
    with contracts_mock.client() as client, pytest.raises(TargetGroupNotFoundError) as caught:
        client.get_targets(target_group_id=987_654_321)
    assert caught.value.code == 310017
    assert caught.value.status == 404
    contract.validate(caught.value.response)


def test_create_a_group_and_read_it_back(contracts_mock: Target, contract: Contract) -> None:
    body = models.TargetGroupCreateRequest.model_validate(
        {"name": f"example-{uuid.uuid4().hex[:8]}", "totalPeriods": 1}
    )
    with contracts_mock.client() as client:
        with pytest.warns(DeprecationWarning, match="deprecated"):
            created = client.create_target_groups(body=body)
        contract.validate(client.last_response)
        assert created.data.name == body.name
        periods = client.get_target_periods(target_group_id=created.data.id)
        contract.validate(client.last_response)
        assert isinstance(periods.data, list)


def test_async_client(contracts_mock: Target) -> None:
    async def channels() -> int:
        async with contracts_mock.async_client() as client:
            answer = await client.get_target_channels()
            return len(answer.data)

    assert asyncio.run(channels()) > 0


def test_any_httpx_response_can_be_validated(contracts_mock: Target, contract: Contract) -> None:
    with httpx.Client(transport=contracts_mock.transport(), auth=contracts_mock.auth) as http:
        response = http.get(f"{contracts_mock.url}/v3/milestones", params={"limit": 2})
    contract.validate_request(response.request)
    contract.validate(response)


schema = spec_cases(max_examples=2)


@schema.parametrize()  # type: ignore[untyped-decorator]
def test_generated_cases(case: object, contracts_mock_session: Target, contract: Contract) -> None:
    call_and_validate(case, contracts_mock_session, contract)
