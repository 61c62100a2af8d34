"""``report.html``: the page a person looks at — one self-contained file, no network, opens from disk.

Verdict first (with the reason when the run could not judge), then what was not judged, the
coverage heat maps (operations x documented statuses, operations x error codes; a cell is observed
with its count, documented but never observed, or not documented), enum values, violations grouped
by operation and check (pointer, spec pointer, expected/actual, the redacted curl line),
infrastructure events and the run's settings. Everything from the run is escaped; the findings
were redacted before any reporter saw them. Elements carry ``id``/``data-*`` attributes so a
browser test can read the verdict and the heat-map cells from the DOM.
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from contracts.findings import Finding
from contracts.report.coverage import Coverage

SHOWN = 20
"""Findings shown per (operation, check); report.json has them all."""
TONE = {"conformant": "ok", "violations": "bad", "could not judge": "warn"}

CSS = """
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--ink:#1f2328;--mute:#59636e;--line:#d1d9e0;
--bg:#f6f8fa;--seen1:#dafbe1;--seen2:#aceebb;--seen3:#6fdd8b;--seen4:#2da44e;--miss:#ffebe9;--na:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--ink);background:#fff}main{max-width:1280px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:36px 0 10px;padding-bottom:6px;
border-bottom:1px solid var(--line)}h3{font-size:14px;margin:18px 0 6px}
.muted{color:var(--mute)}code,pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.verdict{border-radius:10px;padding:18px 22px;margin:14px 0 18px;color:#fff}
.verdict.ok{background:var(--ok)}.verdict.bad{background:var(--bad)}.verdict.warn{background:var(--warn)}
.verdict .label{font-size:28px;font-weight:700;letter-spacing:.2px;text-transform:uppercase}
.verdict .line{font-size:15px;margin-top:4px;opacity:.95}.verdict .reason{margin-top:8px;font-weight:600}
.verdict ul{margin:6px 0 0 18px;padding:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--bg)}
.card b{display:block;font-size:20px}.card span{color:var(--mute);font-size:12px}
.bar{height:6px;background:#e6e9ed;border-radius:3px;margin-top:6px;overflow:hidden}
.bar i{display:block;height:100%;background:var(--ok)}
table{border-collapse:collapse}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}.scroll{overflow-x:auto;max-width:100%}
table.heat td,table.heat th{padding:0;text-align:center;min-width:34px;height:26px;font-size:12px}
table.heat th.op{text-align:left;padding:2px 8px;white-space:nowrap;font-weight:500}
table.heat thead th{padding:4px 2px;font-variant-numeric:tabular-nums}
table.heat thead th.vert{writing-mode:vertical-rl;transform:rotate(180deg);height:auto;padding:6px 2px}
td.seen{font-weight:600}td.l1{background:var(--seen1)}td.l2{background:var(--seen2)}
td.l3{background:var(--seen3)}td.l4{background:var(--seen4);color:#fff}
td.missing{background:var(--miss);color:var(--bad)}td.na{background:var(--na);color:#c4cbd2}
td.undocumented{background:var(--bad);color:#fff;font-weight:700}
td.excused{background:repeating-linear-gradient(45deg,var(--na),var(--na) 4px,#fff 4px,#fff 8px);color:var(--mute)}
.verdict .gate{margin-top:8px;font-weight:600}
tr.unjudged th.op{color:var(--bad)}tr.skipped th.op{color:var(--mute);font-style:italic}
.legend{display:flex;gap:14px;flex-wrap:wrap;margin:8px 0;font-size:12px;color:var(--mute)}
.legend i{display:inline-block;width:14px;height:14px;border:1px solid var(--line);vertical-align:-3px;margin-right:4px}
.chip{display:inline-block;border-radius:10px;padding:0 8px;margin:2px;font-size:12px;border:1px solid var(--line)}
.chip.seen{background:var(--seen2)}.chip.missing{background:var(--miss);color:var(--bad)}
details{border:1px solid var(--line);border-radius:8px;margin:8px 0;background:#fff}
summary{cursor:pointer;padding:8px 12px;font-weight:600}summary .count{background:var(--bad);color:#fff;
border-radius:10px;padding:0 8px;margin-left:6px;font-size:12px}
.finding{border-top:1px solid var(--line);padding:8px 12px}
.finding pre{background:var(--bg);padding:6px 8px;border-radius:6px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.kv{display:grid;grid-template-columns:110px 1fr;gap:2px 10px}.kv dt{color:var(--mute)}.kv dd{margin:0}
.none{color:var(--mute);font-style:italic}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _level(count: int) -> str:
    return "l1" if count < 2 else "l2" if count < 5 else "l3" if count < 20 else "l4"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class HtmlReporter:
    def __init__(self, path: Path, coverage: Coverage) -> None:
        self.path, self.coverage = path, coverage
        self.meta: dict[str, Any] = {}
        self.groups: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        self.groups[finding.operation or "-"][finding.check].append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        self.path.write_text(self.render(summary, self.coverage.table()), encoding="utf-8")

    def render(self, summary: dict[str, Any], table: dict[str, Any]) -> str:
        body = "".join(
            [
                self._verdict(summary),
                self._cards(summary, table),
                self._not_judged(summary),
                self._heat(summary, table, "statuses"),
                self._heat(summary, table, "error_codes"),
                self._enums(table),
                self._violations(),
                self._infrastructure(summary),
                self._settings(),
            ]
        )
        title = f"Contract run: {summary.get('verdict')}"
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>"
            f"{body}</main></body></html>\n"
        )

    def _verdict(self, s: dict[str, Any]) -> str:
        verdict = str(s.get("verdict"))
        incomplete = verdict == "conformant" and not s.get("complete", True)
        line = (
            f"{s.get('violations', 0)} violation(s) · {s.get('responses', 0)} response(s) judged from "
            f"{s.get('operations_tested', 0)}/{s.get('operations_planned', 0)} selected operation(s) · "
            f"{s.get('duration_seconds', 0)} s · exit {s.get('exit_code')}"
        )
        reason = (
            f'<div class="reason" id="reason">Could not judge: {_e(s["reason"])}</div>'
            if s.get("reason")
            else ""
        )
        warnings = "".join(f"<li>{_e(w)}</li>" for w in s.get("warnings", []))
        reason += "".join(
            f'<div class="gate" data-gate="1">Coverage gate: {_e(g)}</div>'
            for g in s.get("coverage_gate", [])
        )
        return (
            f'<h1>Contract run</h1><div class="muted">{_e(self.meta.get("base_url", ""))}</div>'
            f'<section class="verdict {TONE.get(verdict, "warn")}" id="verdict" data-verdict="{_e(verdict)}"'
            f' data-exit-code="{_e(s.get("exit_code"))}">'
            f'<div class="label">{_e(verdict)}{" (incomplete, allowed)" if incomplete else ""}</div>'
            f'<div class="line">{_e(line)}</div>{reason}'
            + (f'<ul class="warnings">{warnings}</ul>' if warnings else "")
            + "</section>"
        )

    def _cards(self, s: dict[str, Any], table: dict[str, Any]) -> str:
        def card(value: Any, label: str, percent: float | None = None) -> str:
            bar = (
                f'<div class="bar"><i style="width:{percent:.0f}%"></i></div>' if percent is not None else ""
            )
            return f'<div class="card"><b>{_e(value)}</b><span>{_e(label)}</span>{bar}</div>'

        cards = [
            card(
                f"{s.get('operations_tested', 0)}/{s.get('operations_planned', 0)}",
                "selected operations judged",
            ),
            card(s.get("responses", 0), "responses judged"),
            card(s.get("violations", 0), "violations"),
            card(
                f"{s.get('checks_exercised', 0)}/{s.get('checks_possible', 0)}",
                "operation-check pairs exercised",
            ),
            card(s.get("requests", 0), f"requests sent ({s.get('requests_lost', 0)} lost)"),
        ]
        for kind, t in table.get("totals", {}).items():
            cards.append(
                card(
                    f"{t['percent']}%",
                    f"{kind.replace('_', ' ')}: {t['observed']}/{t['documented'] - t.get('excused', 0)}"
                    + (f" ({t['excused']} more marked never answered)" if t.get("excused") else ""),
                    t["percent"],
                )
            )
        return f'<div class="cards" id="totals">{"".join(cards)}</div>'

    def _not_judged(self, s: dict[str, Any]) -> str:
        skipped = s.get("operations_skipped", [])
        rows = "".join(
            f'<tr data-op="{_e(i["operation"])}"><td><code>{_e(i["operation"])}</code></td><td>{_e(i["reason"])}</td></tr>'
            for i in skipped
        )
        body = (
            f"<table><tr><th>operation</th><th>why</th></tr>{rows}</table>"
            if rows
            else '<p class="none">None: every operation was judged.</p>'
        )
        return f'<h2 id="skipped">Not judged ({len(skipped)})</h2>{body}'

    def _heat(self, s: dict[str, Any], table: dict[str, Any], kind: str) -> str:
        operations: dict[str, Any] = table.get("operations", {})
        counts_key = "status_counts" if kind == "statuses" else "error_code_counts"
        columns = sorted({c for row in operations.values() for c in row[kind]}, key=lambda c: (len(c), c))
        extra: set[str] = set()
        if kind == "statuses":
            extra = {c for row in operations.values() for c in row.get("undocumented_statuses", [])} - set(
                columns
            )
            columns = sorted([*columns, *extra], key=lambda c: (len(c), c))
        unjudged = set(s.get("operations_unjudged", []))
        item_kind = "status" if kind == "statuses" else "error_code"
        reasons = {
            (u["operation"], u["item"]): u["reason"]
            for u in table.get("unobserved", [])
            if u["kind"] == item_kind
        }
        skipped = {i["operation"] for i in s.get("operations_skipped", [])} - unjudged
        vertical = kind == "error_codes"
        head = "".join(f'<th class="{"vert" if vertical else ""}">{_e(c)}</th>' for c in columns)
        rows = []
        for op, row in operations.items():
            cells = []
            for column in columns:
                state, text, cls = "na", "", "na"
                why = ""
                if column in row[kind]:
                    count = int(row[counts_key].get(column, 0))
                    state = "observed" if row[kind][column] else "missing"
                    text = str(count) if state == "observed" else "0"
                    cls = f"seen {_level(count)}" if state == "observed" else "missing"
                    if state == "missing":
                        why = reasons.get((op, column), "")
                        if column in row.get("excused_statuses", {}):
                            cls = "missing excused"
                elif column in row.get("undocumented_statuses", []):
                    state, text, cls = "undocumented", "!", "undocumented"
                title = (
                    f"{op} {column}: "
                    + {
                        "observed": f"observed {text} time(s)",
                        "missing": "documented, never observed" + (f" ({why})" if why else ""),
                        "na": "not documented",
                        "undocumented": "observed but not documented",
                    }[state]
                )
                extra_attr = f' data-reason="{_e(why)}"' if why else ""
                cells.append(
                    f'<td class="{cls}" data-op="{_e(op)}" data-{kind.replace("_", "-")}="{_e(column)}"'
                    f' data-state="{state}"{extra_attr} title="{_e(title)}">{_e(text)}</td>'
                )
            status = "unjudged" if op in unjudged else "skipped" if op in skipped else ""
            rows.append(f'<tr class="{status}"><th class="op">{_e(op)}</th>{"".join(cells)}</tr>')
        name = "documented statuses" if kind == "statuses" else "error codes (x-error-codes)"
        legend = (
            '<div class="legend"><span><i style="background:var(--seen2)"></i>observed (count)</span>'
            '<span><i style="background:var(--miss)"></i>documented, never observed</span>'
            '<span><i style="background:var(--na)"></i>not documented</span>'
            + (
                '<span><i class="excused" style="background:repeating-linear-gradient(45deg,#eef1f4,#eef1f4 3px,#fff 3px,#fff 6px)"></i>'
                "documented, marked never answered (x-elicit)</span>"
                if kind == "statuses"
                else ""
            )
            + (
                '<span><i style="background:var(--bad)"></i>observed, not documented</span>'
                if kind == "statuses"
                else ""
            )
            + "<span><i></i><em>italic</em>: not sent · <span style='color:var(--bad)'>red</span>: not judged</span></div>"
        )
        return (
            f'<h2>Coverage: operations &times; {name}</h2>{legend}<div class="scroll">'
            f'<table class="heat" id="heat-{kind.replace("_", "-")}"><thead><tr><th class="op">operation</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    def _enums(self, table: dict[str, Any]) -> str:
        blocks = []
        for name, values in table.get("enums", {}).items():
            chips = "".join(
                f'<span class="chip {"seen" if seen else "missing"}" data-enum="{_e(name)}" data-value="{_e(v)}">{_e(v)}</span>'
                for v, seen in values.items()
            )
            blocks.append(f"<h3><code>{_e(name)}</code></h3><div>{chips}</div>")
        sent = []
        for name, values in table.get("request_enums", {}).items():
            chips = "".join(
                f'<span class="chip {"seen" if seen else "missing"}" data-request-enum="{_e(name)}" data-value="{_e(v)}">{_e(v)}</span>'
                for v, seen in values.items()
            )
            sent.append(f"<h3><code>{_e(name)}</code></h3><div>{chips}</div>")
        unobserved = table.get("unobserved", [])
        rows = "".join(
            f'<tr data-kind="{_e(u["kind"])}" data-op="{_e(u["operation"])}"><td>{_e(u["kind"].replace("_", " "))}</td>'
            f"<td><code>{_e(u['operation'])}</code></td><td>{_e(u['item'])}</td><td>{_e(u['reason'])}</td></tr>"
            for u in unobserved
        )
        listing = f'<h2 id="unobserved">Documented, not observed ({len(unobserved)}), and why</h2>' + (
            f"<table><tr><th>kind</th><th>operation</th><th>item</th><th>why</th></tr>{rows}</table>"
            if rows
            else '<p class="none">None: everything documented was observed.</p>'
        )
        return (
            "<h2>Enum values (responses)</h2>"
            + ("".join(blocks) or '<p class="none">No enum in any response.</p>')
            + "<h2>Enum values (requests sent)</h2>"
            + ("".join(sent) or '<p class="none">No enum in any request.</p>')
            + listing
        )

    def _violations(self) -> str:
        total = sum(len(f) for checks in self.groups.values() for f in checks.values())
        parts = [f'<h2 id="violations">Violations ({total})</h2>']
        if not self.groups:
            parts.append('<p class="none">None.</p>')
        for operation in sorted(self.groups):
            for check, found in sorted(self.groups[operation].items()):
                items = "".join(self._finding(f) for f in found[:SHOWN])
                more = (
                    f'<div class="finding muted">… and {len(found) - SHOWN} more in report.json</div>'
                    if len(found) > SHOWN
                    else ""
                )
                parts.append(
                    f'<details open data-op="{_e(operation)}" data-check="{_e(check)}"><summary><code>{_e(operation)}</code> — '
                    f'<code>{_e(check)}</code><span class="count">{len(found)}</span></summary>{items}{more}</details>'
                )
        return "".join(parts)

    def _finding(self, f: Finding) -> str:
        rows = [
            ("status", f"<code>{_e(f.status if f.status is not None else '-')}</code>"),
            ("pointer", f"<code>{_e(f.pointer or '/')}</code>"),
            (
                "spec",
                f"<code>{_e(f.spec_pointer)}</code>" if f.spec_pointer else '<span class="none">-</span>',
            ),
            ("message", _e(f.message)),
        ]
        if f.expected is not None:
            rows.append(("expected", f"<pre>{_e(_json(f.expected))}</pre>"))
        if f.actual is not None:
            rows.append(("actual", f"<pre>{_e(_json(f.actual))}</pre>"))
        if f.extra.get("curl"):
            rows.append(("reproduce", f'<pre class="curl">{_e(f.extra["curl"])}</pre>'))
        inner = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        return f'<div class="finding"><dl class="kv">{inner}</dl></div>'

    def _infrastructure(self, s: dict[str, Any]) -> str:
        incidents = s.get("infrastructure", [])
        rows = "".join(
            f"<tr><td>{_e(i['kind'])}</td><td><code>{_e(i.get('operation') or '')}</code></td><td>{_e(i['message'])}</td></tr>"
            for i in incidents
        )
        more = s.get("infrastructure_unlisted", 0)
        body = (
            f"<table><tr><th>kind</th><th>operation</th><th>event</th></tr>{rows}</table>"
            if rows
            else '<p class="none">None.</p>'
        )
        note = f'<p class="muted">… {more} more counted, not listed.</p>' if more else ""
        return f'<h2 id="infrastructure">Infrastructure events ({len(incidents)}): not contract violations</h2>{body}{note}'

    def _settings(self) -> str:
        m = self.meta
        rows = [
            ("target", m.get("base_url")),
            ("mode", "writes allowed" if m.get("allow_writes") else "read-only"),
            ("auth", m.get("auth")),
            ("phases", ", ".join(m.get("phases", []))),
            ("max examples", m.get("max_examples")),
            ("seed", m.get("seed") if m.get("seed") is not None else "random"),
            ("time budget", f"{m.get('max_duration')} s" if m.get("max_duration") else "none"),
            ("checks", ", ".join(m.get("checks", []))),
        ]
        inner = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
        return f'<h2>Run</h2><dl class="kv">{inner}</dl>'
