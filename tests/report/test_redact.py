import base64

from contracts.findings import Finding
from contracts.report.curl import curl
from contracts.report.redact import MASK, Redactor


def test_secrets_and_their_basic_form_are_masked() -> None:
    redactor = Redactor.for_credentials("alice", "s3cret-pw", "tok-123456")
    encoded = base64.b64encode(b"alice:s3cret-pw").decode()
    text = f"pw=s3cret-pw auth={encoded} bearer tok-123456"
    masked = redactor.text(text)
    assert "s3cret-pw" not in masked
    assert encoded not in masked
    assert "tok-123456" not in masked
    assert masked.count(MASK) == 3


def test_credential_headers_are_masked_whatever_they_hold() -> None:
    line = curl(
        "GET", "https://h/v3/x", {"Authorization": "Basic Zm9vOmJhcg==", "Cookie": "a=b", "X-Trace": "1"}
    )
    masked = Redactor().text(line)
    assert "Zm9vOmJhcg==" not in masked
    assert "a=b" not in masked
    assert "X-Trace: 1" in masked


def test_findings_are_redacted_everywhere() -> None:
    redactor = Redactor(["hunter22"])
    finding = Finding(
        "c", "saw hunter22", expected={"k": "hunter22"}, actual=["hunter22"], extra={"curl": "-u x:hunter22"}
    )
    clean = redactor.finding(finding)
    assert "hunter22" not in str(clean.to_dict())


def test_curl_is_a_minimal_shell_line() -> None:
    line = curl(
        "post",
        "https://h/v3/targetGroups",
        {"Content-Type": "application/json", "Content-Length": "2"},
        b'{"name": "a b"}',
    )
    assert (
        line
        == "curl -X POST -H 'Content-Type: application/json' -d '{\"name\": \"a b\"}' https://h/v3/targetGroups"
    )
