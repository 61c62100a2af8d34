from _helpers import real

from contracts.checks import iter_findings, select
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.spec import Spec

BODY = real("get-target-channels__response__200__1")


def _run(spec: Spec, content_type: str | None, body: bytes) -> list[Finding]:
    headers = {"Content-Type": content_type} if content_type else {}
    ex = Exchange("get-target-channels", 200, body, headers=headers)
    return list(iter_findings(spec, ex, select(["content_type_documented"])))


def test_wrong_content_type_fires(spec: Spec) -> None:
    assert len(_run(spec, "text/html", b"<html>")) == 1
    assert len(_run(spec, None, b"{}")) == 1


def test_json_media_type_with_a_non_json_body_fires(spec: Spec) -> None:
    [finding] = _run(spec, "application/json", b"{not json")
    assert "not valid JSON" in finding.message


def test_json_with_charset_is_quiet(spec: Spec) -> None:
    import json

    assert _run(spec, "application/json; charset=utf-8", json.dumps(BODY).encode()) == []
