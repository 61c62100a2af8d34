"""Strict mode: every reply goes through the check registry; a violation is a loud 500.

The registry runs strict: warnings (``undocumented_property``) count as errors, so a field the mock
invents or misspells fails its tests instead of slipping through as "additive".
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import Response

from contracts import checks
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.spec import Operation, Spec

log = logging.getLogger(__name__)


class SelfCheck:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.checks = checks.select()
        self.violations: list[Finding] = []

    def verify(self, op: Operation, request: Request, response: Response) -> Response:
        exchange = Exchange(
            op.operation_id,
            response.status_code,
            bytes(response.body),
            headers=dict(response.headers),
            method=request.method,
            url=str(request.url),
        )
        found = [
            f
            for f in checks.iter_findings(self.spec, exchange, self.checks, strict=True)
            if f.severity == "error"
        ]
        if not found:
            return response
        self.violations.extend(found)
        for finding in found:
            log.error(
                "mock reply violates the spec: %s %s %s: %s",
                op.operation_id,
                finding.check,
                finding.pointer,
                finding.message,
            )
        body = {
            "data": None,
            "errors": [
                {"code": 500, "message": f"mock reply violates the spec: {f.check} {f.pointer}: {f.message}"}
                for f in found
            ],
            "warnings": None,
        }
        return Response(json.dumps(body), status_code=500, media_type="application/json")
