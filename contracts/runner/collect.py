"""Our checks inside schemathesis: every response it gets is judged by the contracts registry.

A schemathesis custom check adapts its response to an :class:`Exchange` and hands it to
``contracts.checks.iter_findings``; findings (with a redacted curl line) are collected here rather
than raised, so each violation keeps its pointers and nothing is reported twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from contracts import checks
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.report.curl import curl
from contracts.report.redact import Redactor
from contracts.runner.safety import Safety
from contracts.spec import Spec

CHECK_NAME = "contracts_registry"


@dataclass
class Collector:
    spec: Spec
    safety: Safety
    redactor: Redactor
    selected: list[checks.Check]
    coverage: Coverage
    findings: dict[tuple[Any, ...], Finding] = field(default_factory=dict)
    responses: int = 0
    operations: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def judge(self, response: Any, case: Any) -> None:
        operation_id = case.operation.definition.raw.get("operationId")
        request = response.request
        if operation_id is None or str(request.method).upper() != case.operation.method.upper():
            return  # schemathesis's probes of undocumented methods answer for no operation
        headers = {k: ", ".join(v) if isinstance(v, list) else str(v) for k, v in response.headers.items()}
        body = request.body.encode() if isinstance(request.body, str) else request.body
        exchange = Exchange(
            operation_id,
            response.status_code,
            response.content or b"",
            headers=headers,
            method=request.method,
            url=str(request.url),
            request_headers=dict(request.headers),
            request_body=body,
        )
        line = self.redactor.text(curl(request.method, str(request.url), dict(request.headers), body))
        with self.lock:
            self.responses += 1
            self.operations.add(operation_id)
            self.coverage.observe(exchange)
            self.safety.created(
                operation_id, response.status_code, exchange.json if exchange.is_json else None
            )
            for finding in checks.iter_findings(self.spec, exchange, self.selected):
                finding = self.redactor.finding(finding)
                finding.extra["curl"] = line
                self.findings.setdefault(finding.key, finding)


@contextmanager
def installed(collector: Collector) -> Iterator[None]:
    """Register the adapter check and the write-guard hook with schemathesis for one run."""
    import schemathesis
    from schemathesis.checks import CHECKS
    from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

    def contracts_registry(ctx: Any, response: Any, case: Any) -> None:
        collector.judge(response, case)

    def before_call(context: Any, case: Any, kwargs: Any) -> None:
        case.body = collector.safety.before_request(case.operation.method, case.formatted_path, case.body)

    contracts_registry.__name__ = CHECK_NAME
    schemathesis.check(contracts_registry)
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(before_call, "before_call")
    try:
        yield
    finally:
        CHECKS.unregister(CHECK_NAME)
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)
