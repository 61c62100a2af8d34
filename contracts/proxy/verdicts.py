"""The response checks' verdict per distinct answer, remembered (bounded, least recently used out).

A built-in check judges an answer from its operation, status, body and three kinds of header (the
media type, the content encoding and the headers the spec documents for that status), never from
the request or any other header; so two answers equal in those get the same findings, and running
the registry again over an answer the proxy has already judged (a client polling a resource) only
repeats work. The key is exactly that: operation, status, those headers and a 128-bit digest of
the raw body. A check from outside ``contracts.checks`` may read anything, so with one selected
nothing is remembered. Coverage still counts every answer: the counts the first observation added
are added again for each repeat (its sets cannot change on a repeat).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from contracts.checks import Check
from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.spec import Operation, Spec

MAX_REMEMBERED_FINDINGS: Final = 64
"""An answer with more findings than this is judged afresh each time (its entry would be large)."""
JUDGED_HEADERS: Final = frozenset({"content-type", "content-encoding"})

Key = tuple[str, int, bytes, tuple[tuple[str, str], ...]]
Counts = tuple[tuple[str, Any, int], ...]
"""(Coverage field, key, increment) for each counter one observation raised."""


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...]
    counts: Counts


def builtin_only(checks: Sequence[Check]) -> bool:
    return all(c.module.startswith("contracts.checks.") for c in checks)


class Verdicts:
    """Up to ``size`` remembered verdicts (0: none; every answer is judged afresh)."""

    def __init__(self, spec: Spec, checks: Sequence[Check], size: int) -> None:
        self.spec = spec
        self.size = size if builtin_only(checks) else 0
        self._seen: OrderedDict[Key, Verdict] = OrderedDict()
        self._headers: dict[tuple[str, int], frozenset[str]] = {}
        self.hits = 0

    def _judged_headers(self, op: Operation, status: int) -> frozenset[str]:
        names = self._headers.get((op.operation_id, status))
        if names is None:
            key = op.response_key(status)
            documented = (self.spec.deref(op.raw["responses"][key]).get("headers") or {}) if key else {}
            names = JUDGED_HEADERS | {str(n).lower() for n in documented}
            self._headers[(op.operation_id, status)] = names
        return names

    def key(self, op: Operation, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> Key | None:
        if self.size <= 0:
            return None
        judged = self._judged_headers(op, status)
        kept = tuple((k.lower(), v) for k, v in headers if k.lower() in judged)
        return (op.operation_id, status, hashlib.blake2b(body, digest_size=16).digest(), kept)

    def get(self, key: Key | None, coverage: Coverage) -> Verdict | None:
        """The remembered verdict, with the coverage counts of one more such answer added."""
        if key is None:
            return None
        verdict = self._seen.get(key)
        if verdict is None:
            return None
        self._seen.move_to_end(key)
        for name, item, n in verdict.counts:
            getattr(coverage, name)[item] += n
        self.hits += 1
        return verdict

    def put(self, key: Key | None, findings: Sequence[Finding], counts: Counts) -> None:
        if key is None or len(findings) > MAX_REMEMBERED_FINDINGS:
            return
        self._seen[key] = Verdict(tuple(findings), counts)
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)


def counters(coverage: Coverage) -> dict[str, dict[Any, int]]:
    """A copy of every counter of ``coverage`` (its dict fields holding integers)."""
    out: dict[str, dict[Any, int]] = {}
    for f in dataclasses.fields(coverage):
        value = getattr(coverage, f.name)
        if isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
            out[f.name] = dict(value)
    return out


def raised(before: dict[str, dict[Any, int]], coverage: Coverage) -> Counts:
    """The counters that grew since ``before`` (see :func:`counters`), and by how much."""
    grown = []
    for name, old in before.items():
        for item, n in getattr(coverage, name).items():
            if isinstance(n, int) and n != old.get(item, 0):
                grown.append((name, item, n - old.get(item, 0)))
    return tuple(grown)
