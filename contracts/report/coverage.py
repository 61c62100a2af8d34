"""What a run observed against what the spec documents: operations x statuses x enum values x error codes.

:class:`Coverage` is fed every judged exchange; :meth:`Coverage.table` lists, per operation, each
documented status (with how many responses carried it), each error code of its ``x-error-codes``
and each value of every enum its responses can carry, as observed or not; ``totals`` gives observed,
documented and percent for operations, statuses, error codes and enum values, and
``never_observed`` lists what is documented but never came back. ``coverage.json`` is that table;
``summary.md`` shows it as Markdown tables and ``report.html`` as heat maps.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.checks._positions import Position, fold
from contracts.checks._schemas import walk_components
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.spec import Operation, Spec


def _names(position: Position | None) -> set[str]:
    seen: set[int] = set()
    names: set[str] = set()
    stack = [position] if position is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        names.update(node.names)
        stack.extend(node.children())
    return names


@functools.lru_cache(maxsize=256)
def _enums_of(op: Operation) -> tuple[str, ...]:
    """The enum components any documented JSON response of ``op`` can carry."""
    spec, found = op.spec, set()
    wanted = frozenset(spec.enums)
    for key in op.statuses:
        schema = (
            op.spec.deref(op.raw["responses"][key])
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        if isinstance(schema, dict):
            found |= _names(fold(spec, schema, wanted)) & wanted
    return tuple(sorted(found))


@dataclass
class Coverage:
    spec: Spec
    responses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    status_counts: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    code_counts: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    enum_values: dict[tuple[str, str], set[Any]] = field(default_factory=lambda: defaultdict(set))
    error_codes: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, exchange: Exchange) -> None:
        op = self.spec.operation(exchange.operation)
        schema = op.response_schema(exchange.status) if exchange.is_json else None
        values = []
        if schema is not None:
            values = [
                (name, value)
                for _, name, value in walk_components(self.spec, schema, exchange.json)
                if name in self.spec.enums and isinstance(value, (str, int))
            ]
        body = exchange.json if exchange.is_json else None
        errors = body.get("errors") if isinstance(body, dict) else None
        codes = [e["code"] for e in errors or [] if isinstance(e, dict) and isinstance(e.get("code"), int)]
        with self._lock:
            self.responses[op.operation_id] += 1
            self.statuses[op.operation_id].add(exchange.status)
            self.status_counts[(op.operation_id, exchange.status)] += 1
            for name, value in values:
                self.enum_values[(op.operation_id, name)].add(value)
            self.error_codes[op.operation_id].update(codes)
            for code in codes:
                self.code_counts[(op.operation_id, code)] += 1

    def table(self) -> dict[str, Any]:
        operations: dict[str, Any] = {}
        enums: dict[str, dict[str, bool]] = {}
        never: dict[str, Any] = {"operations": [], "statuses": {}, "error_codes": {}, "enum_values": {}}
        for op in self.spec.operations:
            oid = op.operation_id
            documented = [s for s in op.statuses if s.isdigit()]
            row: dict[str, Any] = {
                "responses": self.responses.get(oid, 0),
                "statuses": {s: int(s) in self.statuses.get(oid, set()) for s in documented},
                "status_counts": {s: self.status_counts.get((oid, int(s)), 0) for s in documented},
                "undocumented_statuses": sorted(
                    str(s) for s in self.statuses.get(oid, set()) if str(s) not in documented
                ),
                "error_codes": {str(c): c in self.error_codes.get(oid, set()) for c in op.error_codes},
                "error_code_counts": {str(c): self.code_counts.get((oid, c), 0) for c in op.error_codes},
                "enums": {
                    name: {
                        str(v): v in self.enum_values.get((oid, name), set())
                        for v in self.spec.enums[name].values
                    }
                    for name in _enums_of(op)
                },
            }
            operations[oid] = row
            if not row["responses"]:
                never["operations"].append(oid)
            for kind in ("statuses", "error_codes"):
                missing = [k for k, seen in row[kind].items() if not seen]
                if missing:
                    never[kind][oid] = missing
            for name, values in row["enums"].items():
                merged = enums.setdefault(name, dict.fromkeys(values, False))
                for value, seen in values.items():
                    merged[value] = merged[value] or seen
        for name, values in sorted(enums.items()):
            missing = [v for v, seen in values.items() if not seen]
            if missing:
                never["enum_values"][name] = missing
        counted = {
            "operations": [bool(r["responses"]) for r in operations.values()],
            "statuses": [seen for r in operations.values() for seen in r["statuses"].values()],
            "error_codes": [seen for r in operations.values() for seen in r["error_codes"].values()],
            "enum_values": [seen for values in enums.values() for seen in values.values()],
        }
        totals = {kind: _total(flags) for kind, flags in counted.items()}
        return {
            "operations": operations,
            "enums": dict(sorted(enums.items())),
            "totals": totals,
            "never_observed": never,
        }

    def markdown(self) -> str:
        """The table as Markdown: observed statuses and codes in bold, unobserved plain."""
        table = self.table()

        def marks(values: dict[str, bool]) -> str:
            return " ".join(f"**{v}**" if seen else v for v, seen in values.items()) or "—"

        lines = [
            "| documented | observed | of | % |",
            "| --- | ---: | ---: | ---: |",
            *(
                f"| {kind.replace('_', ' ')} | {t['observed']} | {t['documented']} | {t['percent']} |"
                for kind, t in table["totals"].items()
            ),
            "",
            "Observed in **bold**.",
            "",
            "| operation | responses | statuses | error codes |",
            "| --- | ---: | --- | --- |",
        ]
        for name, row in table["operations"].items():
            lines.append(
                f"| {name} | {row['responses']} | {marks(row['statuses'])} | {marks(row['error_codes'])} |"
            )
        lines += ["", "| enum | values |", "| --- | --- |"]
        lines += [f"| {name} | {marks(values)} |" for name, values in table["enums"].items()]
        never = table["never_observed"]
        lines += ["", "### Documented but never observed", ""]
        lines.append(f"- operations ({len(never['operations'])}): {', '.join(never['operations']) or 'none'}")
        for kind in ("statuses", "error_codes", "enum_values"):
            items = [f"{k}: {', '.join(v)}" for k, v in never[kind].items()]
            count = sum(len(v) for v in never[kind].values())
            lines.append(f"- {kind.replace('_', ' ')} ({count}): " + ("; ".join(items) or "none"))
        return "\n".join(lines)


def _total(flags: list[bool]) -> dict[str, Any]:
    observed, documented = sum(flags), len(flags)
    percent = round(100.0 * observed / documented, 1) if documented else 100.0
    return {"observed": observed, "documented": documented, "percent": percent}


class CoverageReporter:
    """Writes ``coverage.json`` when the run finishes."""

    def __init__(self, path: Path, coverage: Coverage) -> None:
        self.path, self.coverage = path, coverage

    def start(self, meta: dict[str, Any]) -> None:
        return None

    def handle(self, finding: Finding) -> None:
        return None

    def finish(self, summary: dict[str, Any]) -> None:
        self.path.write_text(json.dumps(self.coverage.table(), indent=2) + "\n", encoding="utf-8")
