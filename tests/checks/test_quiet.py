"""A check's ``quiet`` facts are true: wherever one holds, calling the check finds nothing; and the
registry does not call a check whose quiet fact holds."""

from __future__ import annotations

from _entry_cases import cases, entry_of

from contracts import checks
from contracts.checks import CheckContext, body_facts, facts
from contracts.exchange import Exchange
from contracts.har import entry_item
from contracts.spec import Spec


def test_a_check_finds_nothing_where_its_quiet_facts_hold(spec: Spec) -> None:
    quiet = [c for c in checks.select() if c.quiet]
    assert {c.name for c in quiet} >= {"response_schema_conformance", "undocumented_property"}
    judged = skipped = 0
    for name, entry in cases(spec):
        try:
            item = entry_item(spec, 7, entry_of(entry))
        except Exception:  # noqa: BLE001 - broken entries are the differential test's
            continue
        if not isinstance(item, Exchange):
            continue
        ctx = CheckContext(spec, spec.operation(item.operation), item)
        held = facts(ctx) | body_facts(ctx)
        for chk in quiet:
            if chk.requires <= held and not chk.quiet.isdisjoint(held):
                skipped += 1
                assert list(chk.function(ctx)) == [], (name, chk.name)
            judged += 1
    assert skipped > 1000 and judged > skipped


def test_the_registry_skips_a_check_whose_quiet_fact_holds(spec: Spec) -> None:
    calls: list[str] = []

    def noisy(ctx: CheckContext):  # type: ignore[no-untyped-def]
        calls.append(ctx.exchange.operation)
        yield ctx.finding("always")

    chk = checks.Check("noisy", noisy, frozenset({"json"}), __name__, quiet=frozenset({"schema_valid"}))
    good = Exchange.from_json("get-target-groups-all", 200, {"data": [], "errors": []})
    bad = Exchange.from_json("get-target-groups-all", 200, {"data": "x", "errors": []})
    assert list(checks.iter_findings(spec, good, [chk])) == []
    assert calls == []
    assert [f.check for f in checks.iter_findings(spec, bad, [chk])] == ["noisy"]
    assert calls == ["get-target-groups-all"]


def test_the_registry_plans_each_sequence_of_checks_and_set_of_facts_apart(spec: Spec) -> None:
    """Which checks are called is worked out once per (sequence of checks, facts held): in order,
    ``requires`` honoured per status, and a list changed in place gets a plan of its own."""
    calls: list[str] = []

    def named(name: str):  # type: ignore[no-untyped-def]
        def run(ctx: CheckContext):  # type: ignore[no-untyped-def]
            calls.append(name)
            yield ctx.finding(name)

        return run

    first = checks.Check("first", named("first"), frozenset({"error"}), __name__)
    second = checks.Check("second", named("second"), frozenset({"json"}), __name__)
    quiet = checks.Check("quiet", named("quiet"), frozenset(), __name__, quiet=frozenset({"schema_valid"}))
    good = Exchange.from_json("get-target-groups-all", 200, {"data": [], "errors": []})
    error = Exchange.from_json("get-target-groups-all", 500, {"data": None, "errors": [{"code": 1}]})
    chosen = [first, second, quiet]
    assert [f.check for f in checks.iter_findings(spec, good, chosen)] == ["second"]
    assert [f.check for f in checks.iter_findings(spec, error, chosen)] == ["first", "second", "quiet"]
    chosen.reverse()
    assert [f.check for f in checks.iter_findings(spec, error, chosen)] == ["quiet", "second", "first"]
    chosen.pop(0)
    assert [f.check for f in checks.iter_findings(spec, good, chosen)] == ["second"]
    fixed = (quiet, first)
    assert [f.check for f in checks.iter_findings(spec, error, fixed)] == ["quiet", "first"]
    assert [f.check for f in checks.iter_findings(spec, good, fixed)] == []
    assert calls == [
        "second",
        "first",
        "second",
        "quiet",
        "quiet",
        "second",
        "first",
        "second",
        "quiet",
        "first",
    ]
