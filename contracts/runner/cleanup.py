"""What a run creates, it removes: created resources are read off the spec's OpenAPI links.

A successful write whose documented response links to a DELETE operation (``create-target-groups``
→ ``DeleteTargetGroup``, ``create-targets`` → ``DeactivateTarget``) created something; the link's
parameter expressions, evaluated on the exchange, say how to remove it. Nothing here names an
operation: the spec does. At the end of the run the removals are sent newest first, so children go
before their parents.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from contracts.exchange import Exchange
from contracts.runner.budget import Breaker, Budget, Stopped
from contracts.runner.throttle import Incident, Throttle
from contracts.spec import Operation, Spec, resolve_pointer

MISSING: Any = object()


@dataclass(frozen=True)
class Removal:
    """One request that undoes something the run created."""

    operation: Operation
    params: tuple[tuple[str, str], ...]

    @property
    def path(self) -> str:
        path = self.operation.path
        for name, value in self.params:
            path = path.replace("{" + name + "}", quote(value, safe=""))
        return path

    @property
    def label(self) -> str:
        return f"{self.operation.method} {self.path}"


def _expand(document: Any, pointer: str) -> Iterator[Any]:
    """Values at ``pointer``; a ``/0/`` step into an array stands for every item of it."""
    tokens = pointer.lstrip("/").split("/") if pointer.strip("/") else []
    nodes = [document]
    for token in tokens:
        nxt = []
        for node in nodes:
            if isinstance(node, list) and token == "0":
                nxt.extend(node)
            else:
                try:
                    nxt.append(resolve_pointer(node, "/" + token))
                except (KeyError, IndexError, ValueError):
                    continue
        nodes = nxt
    yield from nodes


def evaluate(spec: Spec, expression: str, exchange: Exchange) -> list[Any]:
    """The values of an OpenAPI runtime expression on one exchange (empty when it yields none)."""
    if expression.startswith("$response.body#"):
        return list(_expand(exchange.json, expression.split("#", 1)[1])) if exchange.is_json else []
    if expression.startswith("$request.path."):
        found = spec.match(exchange.method, exchange.path)
        value = None if found is None else found[1].get(expression.removeprefix("$request.path."))
        return [] if value is None else [value]
    if expression.startswith("$request.query."):
        return parse_qs(urlsplit(exchange.url).query).get(expression.removeprefix("$request.query."), [])[:1]
    return []


@dataclass
class Cleanup:
    """Removals recorded during a run, sent at its end."""

    spec: Spec
    removals: list[Removal] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, exchange: Exchange) -> None:
        """Remember how to remove what a successful write created, if its links say so."""
        op = self.spec.operation(exchange.operation)
        if not op.is_write or op.method == "DELETE" or not 200 <= exchange.status < 300:
            return
        links = (op.response(exchange.status) or {}).get("links", {})
        for link in links.values():
            target = self._target(self.spec.deref(link))
            if target is None:
                continue
            params = {
                name: evaluate(self.spec, expr, exchange)
                for name, expr in link.get("parameters", {}).items()
                if isinstance(expr, str)
            }
            for combination in zip(*params.values(), strict=False):
                if all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in combination):
                    removal = Removal(
                        target, tuple((n, str(v)) for n, v in zip(params, combination, strict=True))
                    )
                    with self._lock:
                        if removal not in self.removals:
                            self.removals.append(removal)

    def _target(self, link: dict[str, Any]) -> Operation | None:
        name = link.get("operationId")
        if not isinstance(name, str):
            return None
        op = next((o for o in self.spec.operations if o.operation_id == name), None)
        return op if op is not None and op.method == "DELETE" else None

    def run(
        self, client: httpx.Client, base_url: str, headers: dict[str, str], throttle: Throttle
    ) -> tuple[list[str], list[Incident]]:
        """Send every removal, newest first; what was removed (or already gone) and what failed."""
        done: list[str] = []
        incidents: list[Incident] = []
        for removal in reversed(self.removals):
            url = base_url + removal.path

            def send(url: str = url) -> httpx.Response:
                return client.request("DELETE", url, headers=headers)

            try:
                response = throttle.call(removal.label, send, idempotent=True)
            except (httpx.HTTPError, Stopped) as exc:
                if isinstance(exc, httpx.HTTPError):
                    throttle.failed(removal.label, exc)
                incidents.append(
                    Incident(
                        "cleanup",
                        f"{removal.label} failed: {exc.__class__.__name__}",
                        removal.operation.operation_id,
                    )
                )
                continue
            if response.status_code < 300 or response.status_code == 404:
                done.append(removal.label)
            else:
                incidents.append(
                    Incident(
                        "cleanup",
                        f"{removal.label} answered {response.status_code}",
                        removal.operation.operation_id,
                    )
                )
        return done, incidents


CLEANUP_GRACE = 60.0
"""Seconds cleanup may take after the run's budget is spent: what a run created is removed anyway."""


def clean_up(
    cleanup: Cleanup, base_url: str, headers: dict[str, str], throttle: Throttle, timeout: float
) -> list[str]:
    """Remove what the run created, even if the breaker tripped or the budget ran out (within a grace)."""
    stopped, budget = throttle.breaker, throttle.budget
    throttle.breaker = Breaker()
    throttle.budget = Budget(max(budget.remaining(), CLEANUP_GRACE))
    try:
        with httpx.Client(timeout=timeout) as client:
            cleaned, failed = cleanup.run(client, base_url, headers, throttle)
    finally:
        throttle.breaker, throttle.budget = stopped, budget
    for incident in failed:
        throttle.note(incident)
    return cleaned
