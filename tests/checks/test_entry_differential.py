"""The per-entry fast paths change no verdict: every real payload and its mutants, judged as a HAR
entry, gives exactly the findings (same list, same order) the code before them gave (f89359f)."""

from __future__ import annotations

import json
from typing import Any

from _entry_cases import cases, entry_of, golden, verdict

from contracts.spec import Spec

KINDS = (
    "real",
    "id-string",
    "undeclared-everywhere",
    "enum-wrong",
    "missing-required",
    "code-uncatalogued",
    "ct-text",
    "status-undocumented",
    "req-id-string",
    "req-query-bad",
)


def _plain(found: Any) -> Any:
    return json.loads(json.dumps(found, default=repr, sort_keys=True))


def _differences(spec: Spec, order: list[tuple[str, Any]]) -> list[str]:
    recorded = golden()
    assert sorted(name for name, _ in order) == sorted(recorded), "the cases changed: regenerate on purpose"
    wrong = []
    for name, entry in order:
        now = _plain(verdict(spec, entry_of(entry)))
        if now != recorded[name]:
            wrong.append(f"{name}:\n  before {str(recorded[name])[:600]}\n  now    {str(now)[:600]}")
    return wrong


def test_every_case_is_judged_as_before(spec: Spec) -> None:
    wrong = _differences(spec, list(cases(spec)))
    assert not wrong, f"{len(wrong)} case(s) differ; first:\n" + "\n".join(wrong[:3])


def test_the_verdicts_do_not_depend_on_the_entry_before(spec: Spec) -> None:
    """Backwards, so every per-exchange memo meets a different predecessor than when recorded."""
    wrong = _differences(spec, list(reversed(list(cases(spec)))))
    assert not wrong, f"{len(wrong)} case(s) differ; first:\n" + "\n".join(wrong[:3])


def test_the_cases_cover_every_payload_and_mutation_kind(spec: Spec) -> None:
    names = [name for name, _ in cases(spec)]
    stems = {name.split(":")[0] for name in names}
    from _entry_cases import PAYLOADS

    assert {p.stem for p in PAYLOADS.glob("*__response__*.json")} <= stems
    for kind in KINDS:
        assert sum(name.endswith(f":{kind}") for name in names) > 30, kind


def test_the_mutants_are_found(spec: Spec) -> None:
    """The recorded verdicts are not vacuous: each mutation kind is reported by the check it breaks."""
    recorded = golden()
    expected = {
        "id-string": "response_schema_conformance",
        "undeclared-everywhere": "undocumented_property",
        "enum-wrong": "enum_value_documented",
        "code-uncatalogued": "error_code_documented",
        "ct-text": "content_type_documented",
        "status-undocumented": "status_code_documented",
        "req-id-string": "request_body_conformance",
        "req-query-bad": "request_parameter_conformance",
    }
    for kind, check in expected.items():
        hits = [
            name
            for name, found in recorded.items()
            if name.endswith(f":{kind}") and any(f["check"] == check for f in found.get("judged", []))
        ]
        assert hits, (kind, check)
    real = [found for name, found in recorded.items() if name.endswith(":real")]
    assert real and all(
        not [f for f in r["judged"] if f.get("extra", {}).get("side") != "request"] for r in real
    )
