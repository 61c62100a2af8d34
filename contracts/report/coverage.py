"""What a run observed against what the spec documents: operations x statuses x enum values x error codes.

:class:`Coverage` is fed every judged exchange; :meth:`Coverage.table` lists, per operation, each
documented status (with how many responses carried it), each error code of its ``x-error-codes``
and each value of every enum its responses can carry, as observed or not; ``totals`` gives observed,
documented and percent for operations, statuses, error codes and enum values, and
``never_observed`` lists what is documented but never came back, and ``unobserved`` the same with
the reason (what the targeted phase could not send, or what it sent and got instead).
``coverage.json`` is that table; ``summary.md`` shows it as Markdown tables and ``report.html`` as
heat maps.

A status the spec documents but marks as never answered (``x-elicit.statuses.<status>.unanswered``
on the operation: every POST documents 201, the API answers 200) stays in ``documented`` and is
counted as ``excused`` with its reason; ``percent`` (what a ``--min-coverage`` bar compares) is
``observed / (documented - excused)``. Request enum values are counted from what requests sent.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from contracts.checks._positions import Position, fold
from contracts.checks._schemas import walk_components
from contracts.errors import UsageError, did_you_mean
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


@functools.lru_cache(maxsize=256)
def _request_enums(op: Operation) -> tuple[str, ...]:
    """The enum components a request of ``op`` can carry (parameters and the JSON body)."""
    spec, wanted = op.spec, frozenset(op.spec.enums)
    found: set[str] = set()
    for param in op.parameters():
        schema = param.get("schema")
        if isinstance(schema, dict):
            found |= _names(fold(spec, schema, wanted)) & wanted
    body = op.request_schema()
    if isinstance(body, dict):
        found |= _names(fold(spec, body, wanted)) & wanted
    return tuple(sorted(found))


def excused_statuses(op: Operation) -> dict[str, str]:
    """Documented statuses the spec marks as never answered, with the reason (``x-elicit.statuses``)."""
    raw = op.raw.get("x-elicit")
    statuses = raw.get("statuses") if isinstance(raw, dict) else None
    out: dict[str, str] = {}
    for key, value in (statuses or {}).items():
        if isinstance(value, dict) and isinstance(value.get("unanswered"), str):
            out[str(key)] = value["unanswered"]
    return out


BAR_KINDS = {
    "statuses": "statuses",
    "error-codes": "error_codes",
    "enum-values": "enum_values",
    "request-enum-values": "request_enum_values",
    "operations": "operations",
}
"""``--min-coverage`` names → the totals they bound."""


def bars_problem(text: str) -> str | None:
    """Why ``statuses=95,error-codes=95`` is not a valid list of bars (None when it is)."""
    try:
        parse_bars(text)
    except UsageError as exc:
        return exc.message
    return None


def parse_bars(text: str | None) -> dict[str, float]:
    """``statuses=95,error-codes=90`` → totals key → minimum percent; UsageError for anything else."""
    bars: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = (x.strip() for x in part.partition("="))
        if name not in BAR_KINDS:
            hint = did_you_mean(name, BAR_KINDS)
            raise UsageError(
                f"--min-coverage: unknown kind {name!r} (known: {', '.join(BAR_KINDS)})"
                + (f"; {hint}" if hint else "")
            )
        try:
            percent = float(value) if sep else float("nan")
        except ValueError:
            percent = float("nan")
        if not 0 <= percent <= 100:
            raise UsageError(f"--min-coverage: {name} needs a percentage from 0 to 100, as in {name}=95")
        bars[BAR_KINDS[name]] = percent
    return bars


class Observation(NamedTuple):
    """What one exchange adds to the coverage (:meth:`Coverage.observation`)."""

    operation: str
    status: int
    values: list[tuple[str, Any]]
    """(enum component, value) the response carried."""
    codes: tuple[int, ...]
    sent: list[tuple[str, Any]]
    """(enum component, value) the request sent."""


@dataclass
class Coverage:
    spec: Spec
    responses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    status_counts: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    code_counts: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    enum_values: dict[tuple[str, str], set[Any]] = field(default_factory=lambda: defaultdict(set))
    error_codes: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    request_enum_values: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    """(operation, error code) → why it was not observed (from the targeted phase)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, exchange: Exchange) -> None:
        self.record(self.observation(exchange))

    def observation(self, exchange: Exchange) -> Observation:
        """What ``exchange`` adds, worked out without recording it (the costly part: walking the
        body), so a worker process can work it out and send the run's Coverage only this."""
        op = self.spec.operation(exchange.operation)
        schema = op.response_schema(exchange.status) if exchange.is_json else None
        values = []
        if schema is not None:
            values = [
                (name, value)
                for _, name, value in walk_components(self.spec, schema, exchange.json)
                if name in self.spec.enums and isinstance(value, (str, int))
            ]
        return Observation(
            op.operation_id, exchange.status, values, exchange.error_codes, self._sent_enums(op, exchange)
        )

    def record(self, seen: Observation) -> None:
        with self._lock:
            self.responses[seen.operation] += 1
            self.statuses[seen.operation].add(seen.status)
            self.status_counts[(seen.operation, seen.status)] += 1
            for name, value in seen.values:
                self.enum_values[(seen.operation, name)].add(value)
            self.error_codes[seen.operation].update(seen.codes)
            for code in seen.codes:
                self.code_counts[(seen.operation, code)] += 1
            for name, value in seen.sent:
                self.request_enum_values[name].add(value)

    def _sent_enums(self, op: Operation, exchange: Exchange) -> list[tuple[str, Any]]:
        """(enum component, value) of what the request sent, when the server judged it (not 401/403/5xx)."""
        if exchange.status in (401, 403) or exchange.status >= 500 or not _request_enums(op):
            return []
        from urllib.parse import parse_qs, urlsplit

        found: list[tuple[str, Any]] = []
        query = parse_qs(urlsplit(exchange.url).query)
        for param in op.parameters():
            schema, raw = param.get("schema"), query.get(param["name"])
            if param.get("in") == "query" and raw and isinstance(schema, dict):
                found += [
                    (n, v) for _, n, v in walk_components(self.spec, schema, raw[0]) if n in self.spec.enums
                ]
            if param.get("in") == "header" and isinstance(schema, dict):
                value = {k.lower(): v for k, v in exchange.request_headers.items()}.get(param["name"].lower())
                if value is not None:
                    found += [
                        (n, v)
                        for _, n, v in walk_components(self.spec, schema, value)
                        if n in self.spec.enums
                    ]
        body = op.request_schema()
        if exchange.request_body and isinstance(body, dict):
            try:
                sent = json.loads(exchange.request_body)
            except ValueError:
                sent = None
            found += [(n, v) for _, n, v in walk_components(self.spec, body, sent) if n in self.spec.enums]
        return [(n, v) for n, v in found if isinstance(v, (str, int))]

    def explain(self, results: list[Any]) -> None:
        """Remember why each probed code that never came back was not observed (targeted results)."""
        for result in results:
            probe = result.probe
            if probe.code is None or result.state == "elicited":
                continue
            key = (probe.operation.operation_id, str(probe.code))
            why = (
                result.reason
                if result.state != "finding"
                else (
                    f"answered {result.status} with {', '.join(map(str, result.codes)) or 'no code'} (a finding)"
                )
            )
            previous = self.reasons.get(key)
            self.reasons[key] = f"{previous}; {probe.fact}: {why}" if previous else f"{probe.fact}: {why}"

    def below(self, bars: dict[str, float]) -> list[str]:
        """One line per coverage bar the run did not reach."""
        if not bars:
            return []
        totals = self.table()["totals"]
        lines = []
        for kind, bar in bars.items():
            t = totals[kind]
            if t["percent"] < bar:
                lines.append(
                    f"coverage of {kind.replace('_', ' ')} is {t['percent']}% ({t['observed']} of "
                    f"{t['documented'] - t.get('excused', 0)}), below the bar of {bar:g}% (--min-coverage)"
                )
        return lines

    def table(self) -> dict[str, Any]:
        operations: dict[str, Any] = {}
        enums: dict[str, dict[str, bool]] = {}
        never: dict[str, Any] = {"operations": [], "statuses": {}, "error_codes": {}, "enum_values": {}}
        unobserved: list[dict[str, str]] = []
        excused: list[bool] = []
        request: dict[str, dict[str, bool]] = {}
        for op in self.spec.operations:
            for name in _request_enums(op):
                request.setdefault(
                    name,
                    {
                        str(v): v in self.request_enum_values.get(name, set())
                        for v in self.spec.enums[name].values
                    },
                )
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
            unanswered = excused_statuses(op)
            row["excused_statuses"] = {k: v for k, v in unanswered.items() if k in row["statuses"]}
            excused += [not seen and key in unanswered for key, seen in row["statuses"].items()]
            operations[oid] = row
            for key, seen in row["error_codes"].items():
                if not seen:
                    why = (
                        self.reasons.get((oid, key))
                        or "no request in the spec elicits it (no error fact, no x-elicit recipe)"
                    )
                    if not row["responses"] and (oid, key) not in self.reasons:
                        why = "the operation was not sent"
                    unobserved.append({"kind": "error_code", "operation": oid, "item": key, "reason": why})
            for key, seen in row["statuses"].items():
                if not seen:
                    codes = [str(c) for c in op.codes_for_status(int(key))]
                    why = (
                        unanswered.get(key)
                        or "; ".join(f"{c}: {self.reasons.get((oid, c), 'not elicited')}" for c in codes)
                        or "no request elicits it"
                    )
                    unobserved.append({"kind": "status", "operation": oid, "item": key, "reason": why})
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
        for name, values in sorted(request.items()):
            for value, seen in values.items():
                if not seen:
                    unobserved.append(
                        {
                            "kind": "request_enum_value",
                            "operation": "",
                            "item": f"{name}.{value}",
                            "reason": "never sent in a request the server judged",
                        }
                    )
        counted = {
            "operations": [bool(r["responses"]) for r in operations.values()],
            "statuses": [seen for r in operations.values() for seen in r["statuses"].values()],
            "error_codes": [seen for r in operations.values() for seen in r["error_codes"].values()],
            "enum_values": [seen for values in enums.values() for seen in values.values()],
            "request_enum_values": [seen for values in request.values() for seen in values.values()],
        }
        totals = {kind: _total(flags) for kind, flags in counted.items()}
        totals["statuses"] = _total(counted["statuses"], sum(excused))
        return {
            "operations": operations,
            "enums": dict(sorted(enums.items())),
            "request_enums": dict(sorted(request.items())),
            "totals": totals,
            "never_observed": never,
            "unobserved": unobserved,
        }

    def markdown(self) -> str:
        """The table as Markdown: observed statuses and codes in bold, unobserved plain."""
        table = self.table()

        def marks(values: dict[str, bool]) -> str:
            return " ".join(f"**{v}**" if seen else v for v, seen in values.items()) or "—"

        lines = [
            "| documented | observed | of | marked never answered | % |",
            "| --- | ---: | ---: | ---: | ---: |",
            *(
                f"| {kind.replace('_', ' ')} | {t['observed']} | {t['documented']} | {t['excused']} | {t['percent']} |"
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


def _total(flags: list[bool], excused: int = 0) -> dict[str, Any]:
    observed, documented = sum(flags), len(flags)
    answerable = documented - excused
    percent = round(100.0 * observed / answerable, 1) if answerable else 100.0
    return {"observed": observed, "documented": documented, "excused": excused, "percent": percent}


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
