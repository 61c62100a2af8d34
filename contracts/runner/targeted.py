"""The targeted phase: every documented error the spec says how to elicit, asked for and checked.

For each selected operation the probes of :mod:`contracts.runner.elicit` are sent after
schemathesis's phases; each answer is judged by the registry like any other (through the
collector, so coverage sees it) and, in addition, against the probe's expectation: the documented
status *and* code. The right status with another code, or the right code under another status, is
a finding with both sides; a recipe answered with a success is "not elicited" (its precondition did
not hold), listed with the reason, never passed. Valid ids come from the spec's links (a create's
``$response.body#/data/id``), or, in a read-only run, from the first item of a list answering the
same schema. A read-only run sends only reads; what would need a write is "not exercised (read-only)".
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.report.curl import curl
from contracts.runner.auth import Credentials
from contracts.runner.budget import Stopped
from contracts.runner.cleanup import evaluate
from contracts.runner.collect import Collector
from contracts.runner.elicit import UNKNOWN_ID, Probe, apply_patch, catalogue, example_body, sites
from contracts.runner.safety import Safety, WriteBlocked
from contracts.runner.throttle import Throttle
from contracts.spec import READ_METHODS, Operation, Spec, resolve_pointer

log = logging.getLogger(__name__)
CHECK = "targeted.documented_error"
READ_ONLY = "not exercised (read-only): it needs a write (use --allow-writes)"
NO_NOACCESS = "not exercised: no credential without access (set CONTRACTS_NOACCESS_USER and CONTRACTS_NOACCESS_PASSWORD)"

NOT_KNOWN = "not exercised: the target answered 401 to the no-access credential (it knows no such user)"
BY_CHOICE = frozenset({READ_ONLY, NO_NOACCESS, NOT_KNOWN})
"""Skips the run's settings or the target's users decide; any other skip is planned work not done."""
STOPPED = "not exercised: the run stopped ({})"


@dataclass
class Result:
    """What became of one probe: ``elicited``, ``finding``, ``not-elicited``, ``skipped`` or ``sent``."""

    probe: Probe
    state: str
    reason: str = ""
    status: int | None = None
    codes: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        p = self.probe
        return {
            "probe": p.name,
            "operation": p.operation.operation_id,
            "fact": p.fact,
            "code": p.code,
            "expected_status": p.status,
            "spec": p.spec_pointer,
            "state": self.state,
            "reason": self.reason,
            "status": self.status,
            "codes": list(self.codes),
        }


@dataclass
class Outcome:
    results: list[Result] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def undone(self) -> str | None:
        """One line on the probes planned and not sent (skips by choice aside), None when every one was."""
        missed = Counter(r.reason for r in self.results if r.state == "skipped" and r.reason not in BY_CHOICE)
        if not missed:
            return None
        reasons = "; ".join(f"{reason} ({n})" for reason, n in missed.most_common(3))
        more = f"; … {len(missed) - 3} more reason(s)" if len(missed) > 3 else ""
        return f"the targeted phase did not send {missed.total()} of {len(self.results)} probe(s): {reasons}{more}"


class Unsent(Exception):
    """A request of a probe could not be sent or answered usably (the throttle has recorded why)."""


@dataclass
class Targeted:
    spec: Spec
    operations: tuple[Operation, ...]
    base_url: str
    creds: Credentials
    noaccess: Credentials | None
    collector: Collector
    safety: Safety
    throttle: Throttle
    client: httpx.Client
    context: dict[str, Any] = field(default_factory=dict)
    _fresh: int = 0
    _sources: dict[str, Exchange | None] = field(default_factory=dict)

    def run(self) -> Outcome:
        outcome = Outcome()
        self.discover()
        # removals last, the deepest first (a target before its group)
        ordered = sorted(self.operations, key=lambda o: (o.method == "DELETE", -o.path.count("{")))
        stopped = ""
        for op in ordered:
            for probe in catalogue(self.spec, op):
                if stopped:  # listed, so the report and the verdict count what was not done
                    outcome.results.append(Result(probe, "skipped", STOPPED.format(stopped)))
                    continue
                try:
                    result = self.execute(probe)
                except Stopped as exc:
                    stopped = str(exc) or "stopped"
                    result = Result(probe, "skipped", STOPPED.format(stopped))
                outcome.results.append(result)
                if result.state == "finding":
                    outcome.findings.append(self._finding(result))
        return outcome

    # -- valid ids, from the spec's links -------------------------------------------------------

    def discover(self) -> None:
        """Fill ``context`` (path-parameter name → a value naming an existing resource)."""
        for _ in range(4):
            before = len(self.context)
            for read_first in (True, False):
                for op in self.spec.operations:
                    if (op.method in READ_METHODS) != read_first:
                        continue
                    self._from_links(op)
            if not self.safety.allow_writes:
                self._from_lists()
            if len(self.context) == before:
                break
        facts = self.spec.error_facts
        params = [p for o in self.spec.operations for p in facts.of(o).parameters]
        by_code = {
            p.not_found.code: self.context[p.name]
            for p in params
            if p.not_found is not None and p.name in self.context
        }
        for param in params:  # the same resource under another name (targetId, targetRuleId)
            if (
                param.not_found is not None
                and param.not_found.code in by_code
                and param.name not in self.context
            ):
                self.context[param.name] = by_code[param.not_found.code]
        for param in params:  # ids no resource owns (users): any schema-valid value
            if (
                param.location == "path"
                and param.not_found is None
                and param.name not in self.context
                and param.schema.get("type") == "integer"
            ):
                self.context[param.name] = max(int(param.schema.get("minimum", 1)), 1)

    def _links(self, op: Operation) -> list[tuple[str, str]]:
        found = []
        for key in op.statuses:
            response = self.spec.deref(op.raw["responses"][key])
            for link in (response.get("links") or {}).values():
                for name, expr in (self.spec.deref(link).get("parameters") or {}).items():
                    if isinstance(expr, str) and expr.startswith("$response.body#"):
                        found.append((name, expr))
        return found

    def _from_links(self, op: Operation) -> None:
        wanted = [(n, e) for n, e in self._links(op) if n not in self.context]
        if not wanted or op.method not in (*READ_METHODS, "POST"):
            return
        if op.is_write and not self.safety.allow_writes:
            return
        if any(p["in"] == "path" and p["name"] not in self.context for p in op.parameters()):
            return
        if op.operation_id not in self._sources:
            try:
                exchange = self.send(op, body=self._body(op, None, ()))
            except Unsent:
                exchange = None
            self._sources[op.operation_id] = exchange if exchange and 200 <= exchange.status < 300 else None
        exchange = self._sources[op.operation_id]
        for name, expr in wanted:
            values = evaluate(self.spec, expr, exchange) if exchange is not None else []
            if values and isinstance(values[0], (int, str)):
                self.context.setdefault(name, values[0])

    def _from_lists(self) -> None:
        """Read-only: a value a create would have answered, taken from a list of the same schema."""
        for source in self.spec.operations:
            data = _data_schema(source)
            if data is None:
                continue
            for name, expr in self._links(source):
                if name in self.context or not expr.startswith("$response.body#/data/"):
                    continue
                for op in self.spec.operations:
                    listed = _data_schema(op)
                    if op.method != "GET" or not isinstance(listed, dict) or listed.get("items") != data:
                        continue
                    if any(p["in"] == "path" and p["name"] not in self.context for p in op.parameters()):
                        continue
                    try:
                        exchange = self.send(op)
                    except Unsent:
                        continue
                    expr0 = expr.replace("#/data/", "#/data/0/", 1)
                    values = evaluate(self.spec, expr0, exchange) if 200 <= exchange.status < 300 else []
                    if values and isinstance(values[0], (int, str)):
                        self.context[name] = values[0]
                        break

    # -- probes -----------------------------------------------------------------------------------

    def execute(self, probe: Probe) -> Result:
        op = probe.operation
        if probe.writes and not self.safety.allow_writes:
            return Result(probe, "skipped", READ_ONLY)
        if probe.auth == "noaccess" and self.noaccess is None:
            return Result(probe, "skipped", NO_NOACCESS)
        self._fresh += 1
        saved: dict[str, Any] = {}
        try:
            for step in probe.given:
                given = self.spec.operation(str(step["operation"]))
                answer = self.send(
                    given,
                    params=self._expand(step.get("params") or {}, saved),
                    body=self._body(given, None, tuple(step.get("patch") or ()), saved=saved, fresh=True),
                )
                if not 200 <= answer.status < 300:
                    return Result(
                        probe,
                        "not-elicited",
                        f"the request sent first ({given.operation_id}) answered {answer.status}",
                    )
                for name, pointer in (step.get("save") or {}).items():
                    saved[name] = resolve_pointer(answer.json, pointer)
            params = self._expand(probe.params, saved)
            missing = [
                p["name"]
                for p in op.parameters()
                if (p["in"] == "path" or p.get("required"))
                and p["name"] not in params
                and p["name"] not in self.context
            ]
            if missing:
                return Result(probe, "skipped", f"not exercised: no existing {', '.join(missing)} to use")
            body = self._body(op, probe.body, probe.patch, saved=saved, example=probe.example)
            if probe.repeat:
                first = self.send(op, params=params, body=body, headers=probe.headers, auth=probe.auth)
                if not 200 <= first.status < 300:
                    return Result(
                        probe, "not-elicited", f"the first of the two requests answered {first.status}"
                    )
            answer = self.send(op, params=params, body=body, headers=probe.headers, auth=probe.auth)
        except Unsent as exc:
            return Result(probe, "skipped", f"not exercised: {exc}")
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            return Result(
                probe,
                "skipped",
                f"not exercised: the recipe does not apply ({exc.__class__.__name__}: {exc})",
            )
        return self.judge(probe, answer)

    def judge(self, probe: Probe, answer: Exchange) -> Result:
        codes = answer.error_codes
        if probe.code is None:
            return Result(probe, "sent", status=answer.status, codes=codes)
        if probe.auth == "noaccess" and answer.status == 401:
            return Result(probe, "skipped", NOT_KNOWN, status=answer.status, codes=codes)
        expected = probe.status
        if answer.status == expected and probe.code in codes:
            return Result(probe, "elicited", status=answer.status, codes=codes)
        result = Result(probe, "finding", status=answer.status, codes=codes, reason=self._curl(answer))
        if answer.status != expected and probe.code not in codes and probe.fact == "recipe":
            result.state = "not-elicited"
            result.reason = (
                f"answered {answer.status}"
                + (f" with {', '.join(map(str, codes))}" if codes else "")
                + (": the recipe's precondition did not hold here")
            )
        return result

    def _finding(self, result: Result) -> Finding:
        probe = result.probe
        got = f"{result.status}" + (
            f" with code {', '.join(map(str, result.codes))}" if result.codes else " without a code"
        )
        if result.status == probe.status:
            what = "the documented status with another code"
        elif probe.code in result.codes:
            what = "the documented code under another status"
        else:
            what = "neither the documented status nor the code"
        return Finding(
            CHECK,
            f"{probe.why}: expected {probe.status} with code {probe.code}, got {got} ({what})",
            operation=probe.operation.operation_id,
            pointer="/errors",
            spec_pointer=probe.spec_pointer,
            expected={"status": probe.status, "code": probe.code},
            actual={"status": result.status, "codes": list(result.codes)},
            status=result.status,
            extra={"curl": result.reason, "probe": probe.name},
        )

    # -- requests ---------------------------------------------------------------------------------

    def _expand(self, params: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
        return {k: self._value(v, saved) for k, v in params.items() if not k.startswith("__")}

    def _value(self, value: Any, saved: dict[str, Any] | None = None) -> Any:
        if not isinstance(value, str):
            return value
        if value == "$unknown":
            return UNKNOWN_ID
        if value.startswith("$context."):
            return self.context[value.removeprefix("$context.")]
        if value.startswith("$saved."):
            return (saved or {})[value.removeprefix("$saved.")]
        return value

    def _body(
        self,
        op: Operation,
        whole: Any,
        patch: tuple[dict[str, Any], ...],
        *,
        saved: dict[str, Any] | None = None,
        fresh: bool = False,
        example: str | None = None,
    ) -> Any:
        if whole is not None:
            return whole
        body = example_body(op, example)
        if body is None:
            return None
        body = self.safety.prefixed(body)
        schema = op.request_schema()
        facts = self.spec.error_facts.of(op)
        number = self._fresh * 1000 + (len(self._sources) if not fresh else 500)
        for site in sites(self.spec, schema, body, where=facts.body_pointer) if schema else []:
            fact = None if site.absent else facts.body_at(site.spec_pointer)
            if fact is not None and fact.unique is not None:
                body = apply_patch(
                    body,
                    ({"op": "replace", "path": site.pointer, "value": self.safety.own(number)},),
                    self._value,
                )
        return apply_patch(body, patch, lambda v: self._value(v, saved)) if patch else body

    def send(
        self,
        op: Operation,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        auth: str = "valid",
    ) -> Exchange:
        given = params or {}
        path, query, extra = op.path, {}, dict(headers or {})
        for param in op.parameters():
            name, location = param["name"], param.get("in")
            value = given.get(
                name, self.context.get(name) if location == "path" or param.get("required") else None
            )
            if value is None:
                continue
            text = json.dumps(value) if isinstance(value, bool) else str(value)
            if location == "path":
                path = path.replace("{" + name + "}", quote(text, safe=""))
            elif location == "query":
                query[name] = text
            elif location == "header":
                extra[name] = text
        if "{" in path:
            raise Unsent(f"no value for a path parameter of {op.path}")
        request_headers = {**self._auth(auth), **extra}
        content = None
        if body is not None and op.raw.get("requestBody") is not None:
            content = json.dumps(body).encode()
            request_headers["Content-Type"] = "application/json"
        url = self.base_url + path
        label = f"{op.method} {path}"
        try:
            self.safety.guard(op.method, url)
            response = self.throttle.call(
                label,
                lambda: self.client.request(
                    op.method, url, params=query, headers=request_headers, content=content
                ),
                idempotent=op.method not in ("POST", "PATCH"),
            )
        except WriteBlocked as exc:
            raise Unsent(str(exc)) from None
        except httpx.HTTPError as exc:
            self.throttle.failed(label, exc)
            raise Unsent(f"{label} failed: {exc.__class__.__name__}") from None
        exchange = Exchange(
            op.operation_id,
            response.status_code,
            response.content,
            headers=dict(response.headers),
            method=op.method,
            url=str(response.request.url),
            request_headers=request_headers,
            request_body=content,
        )
        if response.status_code in (429, 502, 503, 504) and op.response_key(response.status_code) is None:
            raise Unsent(f"{label} answered {response.status_code}")
        self.collector.observe(exchange, self._curl(exchange))
        return exchange

    def _curl(self, exchange: Exchange) -> str:
        return curl(exchange.method, exchange.url, exchange.request_headers, exchange.request_body)

    def _auth(self, auth: str) -> dict[str, str]:
        if auth == "none":
            return {}
        if auth == "wrong":
            return Credentials("contracts-wrong-user", "contracts-wrong-password").headers()
        if auth == "noaccess" and self.noaccess is not None:
            return self.noaccess.headers()
        return self.creds.headers()


def _data_schema(op: Operation) -> Any:
    """The schema of ``data`` in the operation's documented 200 answer (None when there is none)."""
    spec = op.spec
    schema = spec.deref(op.response_schema(200) or {})
    found = None
    for part in [schema, *(spec.deref(p) for p in schema.get("allOf", []))]:
        data = (part.get("properties") or {}).get("data")
        if isinstance(data, dict) and ("$ref" in data or "type" in data or "oneOf" in data):
            found = data  # the envelope's own ``data`` says nothing; the payload part does
    return found
