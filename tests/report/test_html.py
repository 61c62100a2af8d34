"""report.html rendered by real headless Chromium (Debian's ``chromium``; .ci/run installs it).

A real run against a deliberately broken mock writes the page; Chromium loads it from disk with the
network off and dumps the DOM, in which the verdict, the heat maps' cells, the violation groups and
the skipped operations must be what the run's report.json says. A screenshot is kept beside it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main
from contracts.mock import create_app, serve_in_thread
from contracts.spec import READ_METHODS, Spec, load_spec

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (.ci/run installs it: apt-get install chromium)"
    ),
]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


class Elements(HTMLParser):
    """Every element's tag, attributes and own text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("meta", "br", "link", "img", "input", "i"):
            self._open.append(len(self.found) - 1)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.found[self._open[-1]][2].append(data)

    def where(self, tag: str, **attrs: str) -> list[tuple[dict[str, str], str]]:
        return [
            (a, "".join(t).strip())
            for n, a, t in self.found
            if n == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def _broken(app: Any) -> Any:
    """The mock, but the channels list answers 202 (undocumented) with a bad ``warnings`` value."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/v3/targetGroups/channels":
            body = b'{"data": [], "errors": null, "warnings": "none"}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, spec: Spec) -> tuple[Path, dict[str, Any], Elements]:
    report = tmp_path_factory.mktemp("report")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONTRACTS_BASIC_USER", "html")
    mp.setenv("CONTRACTS_BASIC_PASSWORD", "pw-html-canary")
    try:
        with serve_in_thread(_broken(create_app(spec, credentials=("html", "pw-html-canary")))) as url:
            args = ["--max-examples", "3", "--phases", "examples,fuzzing", "--seed", "7", "--progress", "off"]
            code = main(["run", "--base-url", url, *args, "--report", str(report)])
    finally:
        mp.undo()
    assert code == 1
    page = report / "report.html"
    profile = tmp_path_factory.mktemp("chromium-profile")
    dom = _chromium(["--dump-dom", page.as_uri()], profile).stdout
    _chromium(
        ["--screenshot=" + str(report / "report.png"), "--window-size=1280,2400", page.as_uri()], profile
    )
    parsed = Elements()
    parsed.feed(dom)
    return report, json.loads((report / "report.json").read_text()), parsed


def test_the_verdict_is_at_the_top(rendered: tuple[Path, dict[str, Any], Elements]) -> None:
    _, data, dom = rendered
    (verdict,) = dom.where("section", id="verdict")
    assert verdict[0]["data-verdict"] == data["summary"]["verdict"] == "violations"
    assert verdict[0]["data-exit-code"] == "1"
    first = next(i for i, (tag, attrs, _) in enumerate(dom.found) if tag == "section")
    assert dom.found[first][1].get("id") == "verdict", "the verdict is the first section"


def test_heat_map_cells_match_the_coverage(rendered: tuple[Path, dict[str, Any], Elements]) -> None:
    report, _, dom = rendered
    coverage = json.loads((report / "coverage.json").read_text())
    cells = dom.where("td", data_op="get-target-groups-all")
    statuses = {a["data-statuses"]: (a["data-state"], text) for a, text in cells if "data-statuses" in a}
    row = coverage["operations"]["get-target-groups-all"]
    for status, seen in row["statuses"].items():
        state, text = statuses[status]
        assert state == ("observed" if seen else "missing")
        assert text == str(row["status_counts"][status])
    codes = {a["data-error-codes"]: a["data-state"] for a, _ in cells if "data-error-codes" in a}
    assert set(row["error_codes"]) <= set(codes)
    for code, seen in row["error_codes"].items():
        assert codes[code] == ("observed" if seen else "missing")
    # a write operation of a read-only run: its row is there, never observed
    write = {
        a["data-state"] for a, _ in dom.where("td", data_op="create-target-groups") if "data-statuses" in a
    }
    assert write <= {"missing", "na"} and "missing" in write


def test_violations_skipped_and_curl_are_shown(rendered: tuple[Path, dict[str, Any], Elements]) -> None:
    report, data, dom = rendered
    groups = dom.where("details", data_op="get-target-channels", data_check="warnings_shape")
    assert groups, "violations are grouped by operation and check"
    skipped = {a["data-op"] for a, _ in dom.where("tr") if "data-op" in a}
    assert {s["operation"] for s in data["summary"]["operations_skipped"]} <= skipped
    curls = [text for _, text in dom.where("pre", **{"class": "curl"})]
    assert curls and all(c.startswith("curl -X GET ") for c in curls)
    assert all("Authorization: [REDACTED]" in c for c in curls if "Authorization" in c)
    html = (report / "report.html").read_text()
    assert "pw-html-canary" not in html
    assert "http://" not in html.split("</style>")[0] and "<script" not in html, "nothing to fetch"
    assert (report / "report.png").stat().st_size > 10_000, "a screenshot was taken"


def test_a_run_that_could_not_judge_says_so_at_the_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contracts.mock import free_port

    monkeypatch.setenv("CONTRACTS_BASIC_USER", "html")
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", "pw-html-canary")
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["run", "--base-url", url, "--progress", "off", "--report", str(tmp_path)]) == 2
    page = tmp_path / "report.html"
    dom = Elements()
    dom.feed(_chromium(["--dump-dom", page.as_uri()], tmp_path / "profile").stdout)
    _chromium(
        ["--screenshot=" + str(tmp_path / "report.png"), "--window-size=1280,900", page.as_uri()],
        tmp_path / "profile",
    )
    (verdict,) = dom.where("section", id="verdict")
    assert verdict[0]["data-verdict"] == "could not judge" and verdict[0]["data-exit-code"] == "2"
    (reason,) = dom.where("div", id="reason")
    assert "cannot reach" in reason[1]
    data = json.loads((tmp_path / "report.json").read_text())
    unjudged = set(data["summary"]["operations_unjudged"])
    reads = [op for op in load_spec().operations if op.method in READ_METHODS]
    assert len(unjudged) == len(reads)
    rows = {a["data-op"] for a, _ in dom.where("tr") if "data-op" in a}
    assert unjudged <= rows
    red = dom.where("tr", **{"class": "unjudged"})
    assert len(red) == 2 * len(reads), "unjudged operations are marked in both heat maps"
