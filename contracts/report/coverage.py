"""What a run observed: operations x documented statuses x enum values x error codes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from contracts.checks._schemas import walk_components
from contracts.exchange import Exchange
from contracts.spec import Spec


@dataclass
class Coverage:
    spec: Spec
    statuses: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    enum_values: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    error_codes: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def observe(self, exchange: Exchange) -> None:
        op = self.spec.operation(exchange.operation)
        self.statuses[op.operation_id].add(exchange.status)
        if not exchange.is_json:
            return
        body = exchange.json
        schema = op.response_schema(exchange.status)
        if schema is not None:
            for _, name, value in walk_components(self.spec, schema, body):
                if name in self.spec.enums and isinstance(value, (str, int)):
                    self.enum_values[name].add(value)
        errors = body.get("errors") if isinstance(body, dict) else None
        for error in errors if isinstance(errors, list) else []:
            if isinstance(error, dict) and isinstance(error.get("code"), int):
                self.error_codes[op.operation_id].add(error["code"])

    def table(self) -> dict[str, Any]:
        operations = {}
        for op in self.spec.operations:
            documented = [int(s) for s in op.statuses if s.isdigit()]
            operations[op.operation_id] = {
                "statuses": {str(s): s in self.statuses.get(op.operation_id, set()) for s in documented},
                "error_codes": {
                    str(c): c in self.error_codes.get(op.operation_id, set()) for c in op.error_codes
                },
            }
        enums = {
            name: {str(v): v in self.enum_values.get(name, set()) for v in enum.values}
            for name, enum in self.spec.enums.items()
        }
        return {"operations": operations, "enums": enums}

    def markdown(self) -> str:
        table = self.table()
        lines = ["| operation | statuses observed | error codes observed |", "| --- | --- | --- |"]
        for name, row in table["operations"].items():
            statuses = " ".join(f"{'**' + s + '**' if seen else s}" for s, seen in row["statuses"].items())
            codes = " ".join(f"{'**' + c + '**' if seen else c}" for c, seen in row["error_codes"].items())
            lines.append(f"| {name} | {statuses} | {codes} |")
        lines += ["", "| enum | values observed (bold) |", "| --- | --- |"]
        for name, values in table["enums"].items():
            lines.append(
                f"| {name} | {' '.join('**' + v + '**' if seen else v for v, seen in values.items())} |"
            )
        return "\n".join(lines)
