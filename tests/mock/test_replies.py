"""Enveloped replies carry the headers starlette's own Response would give them."""

from __future__ import annotations

import pytest
from starlette.responses import Response

from contracts.mock.replies import JSON, Envelope


@pytest.mark.parametrize("status", [200, 201, 400, 401, 403, 404, 500])
def test_an_envelope_has_starlette_s_headers(status: int) -> None:
    body = b'{"data":null,"errors":null,"warnings":null}'
    reply, theirs = Envelope(body, status), Response(body, status_code=status, media_type=JSON)
    assert (reply.status_code, bytes(reply.body), reply.raw_headers) == (
        theirs.status_code,
        bytes(theirs.body),
        theirs.raw_headers,
    )
    assert reply.headers["content-type"] == JSON


@pytest.mark.parametrize("status", [101, 204, 304])
def test_a_status_without_a_body_is_a_mock_bug(status: int) -> None:
    with pytest.raises(AssertionError, match="has no body"):
        Envelope(b"{}", status)
