"""``contracts replay``: re-send the requests of a recorded HAR to a server and judge the answers.

The etiquette is ``contracts run``'s, reused: :class:`~contracts.runner.safety.Safety` guards every
request (read-only unless writes are allowed), :class:`~contracts.runner.throttle.Throttle` paces
it (2 req/s off loopback unless told) and honours ``Retry-After``; credentials come from the same
environment variables, since a committed HAR holds none.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx

from contracts import checks
from contracts.errors import ExitCode, UsageError
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.har import is_har, read_streamed
from contracts.proxy.answer import HOP_BY_HOP
from contracts.proxy.har import CREDENTIAL_HEADERS
from contracts.proxy.server import Outcome, write_reports
from contracts.report.coverage import Coverage
from contracts.report.curl import curl
from contracts.report.redact import MASK
from contracts.runner.auth import Credentials
from contracts.runner.plan import DEFAULT_REMOTE_RATE
from contracts.runner.safety import Safety, WriteBlocked, check_base_url, is_loopback
from contracts.runner.throttle import RETRY_STATUSES, Incident, Throttle, default_rate
from contracts.spec import READ_METHODS, Spec


@dataclass(frozen=True)
class ReplaySettings:
    """``[tool.contracts.replay]``; credentials only by environment variable name, as for ``run``."""

    base_url: str | None = None
    allow_writes: bool = False
    rate_limit: float | None = None
    timeout: float = 10.0
    report: str | None = None
    basic_user_env: str = "CONTRACTS_BASIC_USER"
    basic_password_env: str = "CONTRACTS_BASIC_PASSWORD"
    bearer_token_env: str = "CONTRACTS_BEARER_TOKEN"


def load_har(path: Path) -> list[dict[str, Any]]:
    """The entries of a HAR file, a streamed one cut short included; UsageError for anything else."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        streamed = read_streamed(text)
        if streamed is None:
            raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: malformed JSON ({exc.msg})") from None
        document = streamed[0]
    if not is_har(document) or not isinstance(document["log"]["entries"], list):
        raise UsageError(f"{path}: not a HAR file (no log.entries array)")
    return [e for e in document["log"]["entries"] if isinstance(e, dict)]


def _request(entry: dict[str, Any]) -> tuple[str, str, list[tuple[str, str]], bytes]:
    request = entry.get("request")
    if not isinstance(request, dict) or "method" not in request or "url" not in request:
        raise ValueError("lacks request.method or request.url")
    headers = [
        (str(h["name"]), str(h["value"]))
        for h in request.get("headers") or []
        if isinstance(h, dict) and "name" in h and "value" in h
    ]
    post = request.get("postData")
    post = post if isinstance(post, dict) else {}
    text = str(post.get("text") or "")
    try:
        body = base64.b64decode(text, validate=True) if post.get("encoding") == "base64" else text.encode()
    except (binascii.Error, ValueError):
        raise ValueError("has a body marked base64 that is not base64") from None
    return str(request["method"]).upper(), str(request["url"]), headers, body


def replay(spec: Spec, path: Path, settings: ReplaySettings, out: TextIO) -> Outcome:
    entries = load_har(path)
    base_url = check_base_url(settings.base_url or "")
    creds = Credentials.from_env(
        user=None,
        user_env=settings.basic_user_env,
        password_env=settings.basic_password_env,
        token_env=settings.bearer_token_env,
    )
    redactor = creds.redactor(settings.basic_password_env, settings.bearer_token_env)
    loopback = is_loopback(base_url)
    throttle = Throttle(default_rate(settings.rate_limit, loopback, DEFAULT_REMOTE_RATE))
    safety = Safety(settings.allow_writes, prefix=f"contracts-{uuid.uuid4().hex[:8]}-")
    coverage = Coverage(spec)
    selected = checks.select()
    found: dict[tuple[Any, ...], Finding] = {}
    counts = {"sent": 0, "judged": 0, "skipped": 0, "unmatched": 0, "failed": 0}
    started = time.monotonic()
    with httpx.Client(timeout=settings.timeout, trust_env=False, follow_redirects=False) as client:
        for index, item in enumerate(entries):
            try:
                method, recorded, headers, body = _request(item)
            except ValueError as exc:
                throttle.note(Incident("unreadable", f"HAR entry {index} {exc}"))
                continue
            parts = urlsplit(recorded)
            match = spec.match(method, parts.path or "/")
            if match is None:
                counts["unmatched"] += 1
                throttle.note(
                    Incident("unmatched", f"HAR entry {index}: {method} {parts.path} matches no operation")
                )
                continue
            op = match[0]
            url = base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            try:
                safety.guard(method, url)
            except WriteBlocked:
                counts["skipped"] += 1
                continue
            sent = {
                k: v
                for k, v in headers
                if k.lower() not in HOP_BY_HOP and k.lower() not in CREDENTIAL_HEADERS and MASK not in v
            }
            sent.update(creds.headers())
            counts["sent"] += 1
            try:
                response = throttle.call(
                    f"{method} {op.path}",
                    functools.partial(client.request, method, url, headers=sent, content=body or None),
                    idempotent=method in READ_METHODS,
                )
            except httpx.HTTPError as exc:
                counts["failed"] += 1
                throttle.note(
                    Incident("transport", f"{method} {op.path}: {exc.__class__.__name__}", op.operation_id)
                )
                continue
            if response.status_code in RETRY_STATUSES and op.response_key(response.status_code) is None:
                continue
            exchange = Exchange(
                operation=op.operation_id,
                status=response.status_code,
                body=response.content,
                headers=dict(response.headers.items()),
                method=method,
                url=url,
                request_headers=sent,
                request_body=body or None,
            )
            counts["judged"] += 1
            coverage.observe(exchange)
            line = curl(method, url, sent, body or None)
            for finding in checks.iter_findings(spec, exchange, selected):
                if finding.status is None:
                    finding = dataclasses.replace(finding, status=response.status_code)
                if finding.key not in found:
                    finding.extra.setdefault("curl", line)
                    finding.extra.setdefault("har_entry", index)
                    found[finding.key] = finding
    findings = [redactor.finding(f) for f in found.values()]
    if findings:
        code, reason = ExitCode.FINDINGS, ""
    elif counts["judged"] == 0:
        code = ExitCode.ERROR
        reason = (
            "every request failed at the transport"
            if counts["failed"]
            else "nothing was judged: no entry was sent (writes need --allow-writes) or matched the spec"
        )
    else:
        code, reason = ExitCode.OK, ""
    incidents = [dataclasses.replace(i, message=redactor.text(i.message)) for i in throttle.incidents]
    if counts["skipped"]:
        incidents.append(Incident("skipped", f"{counts['skipped']} write(s) not sent (use --allow-writes)"))
    summary: dict[str, Any] = {
        "verdict": {0: "conformant", 1: "violations", 2: "could not test"}[int(code)],
        "exit_code": int(code),
        "reason": reason,
        "violations": len(findings),
        "responses": counts["judged"],
        **{f"entries_{k}": v for k, v in counts.items()},
        "operations_tested": len(coverage.responses),
        "operations": sorted(coverage.responses),
        "operations_planned": len(spec.operations),
        "duration_seconds": round(time.monotonic() - started, 1),
        "infrastructure": [i.to_dict() for i in incidents],
        "cleaned_up": [],
    }
    if settings.report:
        meta = {
            "mode": "replay",
            "har": str(path),
            "base_url": redactor.text(base_url),
            "allow_writes": settings.allow_writes,
            "auth": creds.scheme,
            "phases": ["replay"],
            "max_examples": None,
            "seed": None,
            "checks": [c.name for c in selected],
            "operations_planned": [op.operation_id for op in spec.operations],
            "operations_skipped": [],
        }
        write_reports(Path(settings.report), coverage, meta, findings, summary)
    for f in findings:
        out.write(f"✗ {f.operation} {f.status or '-'} {f.check} {f.pointer or '/'}: {f.message}\n")
        if f.extra.get("curl"):
            out.write(f"    {f.extra['curl']}\n")
    for incident in incidents[:20]:
        out.write(f"! {incident.kind}: {incident.message}\n")
    out.write(
        f"{summary['verdict']}: {len(findings)} violation(s) in {counts['judged']} response(s) from "
        f"{len(entries)} HAR entr{'y' if len(entries) == 1 else 'ies'} "
        f"({counts['skipped']} write(s) skipped, {counts['unmatched']} unmatched, {counts['failed']} failed)\n"
    )
    if reason:
        out.write(f"reason: {reason}\n")
    return Outcome(code, summary, findings)
