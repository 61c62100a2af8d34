"""junit.xml: errors fail their test case, warnings are listed and do not fail it."""

from pathlib import Path
from xml.etree import ElementTree as ET

from contracts.findings import Finding
from contracts.report.junit import JunitReporter

OPERATION = "get-targets"


def _suite(tmp_path: Path, *findings: Finding) -> ET.Element:
    reporter = JunitReporter(tmp_path / "junit.xml")
    reporter.start(
        {
            "checks": ["undocumented_property", "response_schema_conformance"],
            "operations_planned": [OPERATION],
        }
    )
    for finding in findings:
        reporter.handle(finding)
    reporter.finish(
        {
            "operations_judged": {
                OPERATION: {"checks": ["undocumented_property", "response_schema_conformance"]}
            }
        }
    )
    return ET.parse(tmp_path / "junit.xml").getroot()


def _case(root: ET.Element, check: str) -> ET.Element:
    found = root.find(f".//testcase[@classname='{OPERATION}'][@name='{check}']")
    assert found is not None
    return found


WARNING = Finding(
    "undocumented_property",
    "property 'targetNmae' is not declared by the response schema (Target)",
    operation=OPERATION,
    pointer="/data/0/targetNmae",
    severity="warning",
    status=200,
)


def test_a_warning_is_listed_not_failed(tmp_path: Path) -> None:
    root = _suite(tmp_path, WARNING)
    case = _case(root, "undocumented_property")
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None
    assert "targetNmae" in (out.text or "")


def test_an_error_fails_its_case(tmp_path: Path) -> None:
    error = Finding(
        "response_schema_conformance", "5 is not of type 'string'", operation=OPERATION, status=200
    )
    root = _suite(tmp_path, error, WARNING)
    failure = _case(root, "response_schema_conformance").find("failure")
    assert failure is not None
    assert "not of type" in failure.attrib["message"]
