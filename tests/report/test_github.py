"""GitHub Actions annotations: one workflow command per finding, escaped as the runner parses them."""

from __future__ import annotations

import io

from contracts.findings import Finding
from contracts.report.github import GithubReporter


def annotate(findings: list[Finding], **kw: object) -> list[str]:
    out = io.StringIO()
    reporter = GithubReporter(out, file="spec/v3.json", **kw)  # type: ignore[arg-type]
    reporter.start({})
    for f in findings:
        reporter.handle(f)
    reporter.finish({})
    return out.getvalue().splitlines()


def test_lint_finding_becomes_an_error_annotation_with_line_and_title() -> None:
    found = Finding(
        "enum_upper_snake",
        "TrackingType value 'Streak' is not UPPER_SNAKE",
        pointer="/components/schemas/TrackingType/enum/5",
        spec_pointer="/components/schemas/TrackingType/enum/5",
        extra={"hint": "use the API's UPPER_SNAKE values"},
    )
    assert annotate([found], line_of=lambda p: 321) == [
        "::error file=spec/v3.json,line=321,title=enum_upper_snake::"
        "/components/schemas/TrackingType/enum/5: TrackingType value 'Streak' is not UPPER_SNAKE"
        " (use the API's UPPER_SNAKE values)"
    ]


def test_severities_map_to_commands_and_contract_findings_name_the_operation() -> None:
    warning = Finding("x", "m", operation="get-targets", pointer="/data/0", severity="warning")
    info = Finding("y", "m", severity="info")
    lines = annotate([warning, info])
    assert lines == [
        "::warning file=spec/v3.json,title=x::get-targets /data/0: m",
        "::notice file=spec/v3.json,title=y::/: m",
    ]


def test_values_are_escaped() -> None:
    found = Finding("a,b:c", "100%\nsecond line", pointer="/p")
    (line,) = annotate([found])
    assert line == "::error file=spec/v3.json,title=a%2Cb%3Ac::/p: 100%25%0Asecond line"
