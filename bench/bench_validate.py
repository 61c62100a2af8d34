"""Responses validated per second on the biggest real target-group payloads, in one run:

- ``openapi-core``: plain ``OpenAPI.validate_response`` (the reference), body bytes in;
- ``jsonschema-rs``: our compiled validator's ``is_valid`` after ``orjson.loads``;
- ``schema check``: the registry running ``response_schema_conformance`` alone on an Exchange;
- ``all checks``: the registry running every built-in check on an Exchange.

Each row also asserts that the four give the same verdict, on the payload and on a mutation of it
(the id as a string), before anything is timed. Each cell runs for ``SECONDS``.

Then ``contracts validate`` end to end on a generated HAR (``BENCH_ENTRIES`` entries, default
100,000, of real ~8 KB responses with their request bodies, every entry's bodies distinct: ids,
till ids and descriptions vary per entry, and one entry in ``INVALID_EVERY`` answers its id as a
string, so findings are produced and no per-body cache can serve a repeat) with ``--jobs 1`` and
all cores, beside
an openapi-core ``validate_response`` loop and beside the hardware's ceiling (:func:`ceiling_rate`:
the C work an entry needs at all, orjson and jsonschema-rs with no Python check, one process alone
and as many processes as cores at once), with the peak memory and the CPU seconds of the whole process tree, the reading
process's CPU per entry, as many separate ``--jobs 1`` runs as cores at once (how the cores scale this
work: the yardstick of ``--jobs N``), and the peak memory on a 10 MB and a 1 GB HAR (written to the temporary
directory, deleted after).

Run: ``.venv/bin/python bench/bench_validate.py`` (part of ``make bench``).
"""

from __future__ import annotations

import copy
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from openapi_core.testing import MockRequest, MockResponse

from contracts.checks import Check, iter_findings, select
from contracts.checks._schemas import MEDIA, response_validator
from contracts.exchange import Exchange
from contracts.spec import Operation, Spec, load_spec
from contracts.validate import default_jobs

PAYLOADS = Path(__file__).resolve().parent.parent / "tests" / "payloads"
SECONDS = 1.0
CASES = [
    ("create-unified-targets", "create-unified-targets__response__200__1"),
    ("create-streak", "create-streak__response__200__1"),
    ("update-target-group", "update-target-group__response__200__1"),
    ("create-target-groups", "create-target-groups__response__200__2"),
]
JSON_HEADERS = {"Content-Type": "application/json"}


def rate(fn: Callable[[], object]) -> float:
    """Calls per second of ``fn`` over about ``SECONDS``."""
    fn()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < SECONDS:
        for _ in range(20):
            fn()
        count += 20
    return count / elapsed


def _mutated(raw: bytes) -> bytes:
    """The payload with its id as a string: invalid for every judge."""
    body: Any = copy.deepcopy(orjson.loads(raw))
    body["data"]["id"] = str(body["data"]["id"])
    return orjson.dumps(body)


class Judges:
    """The four ways of judging one response of ``op`` with status 200."""

    def __init__(self, spec: Spec, op: Operation) -> None:
        self.spec, self.op = spec, op
        self.request = MockRequest("https://h", op.method.lower(), op.path.replace("{", "").replace("}", "1"))
        validator = response_validator(op, 200)
        assert validator is not None, op.operation_id
        self.validator = validator
        self.all = select()
        self.schema_only = select(["response_schema_conformance"])

    def openapi_core(self, raw: bytes) -> bool:
        try:
            self.spec.openapi.validate_response(
                self.request, MockResponse(raw, 200, content_type="application/json")
            )
        except Exception:  # noqa: BLE001 - any validation error is a "no"
            return False
        return True

    def jsonschema_rs(self, raw: bytes) -> bool:
        return bool(self.validator.is_valid(orjson.loads(raw)))

    def registry(self, raw: bytes, checks: list[Check]) -> bool:
        exchange = Exchange(self.op.operation_id, 200, raw, headers=JSON_HEADERS)
        return not any(True for _ in iter_findings(self.spec, exchange, checks))


def measure(spec: Spec, operation: str, name: str) -> None:
    raw = (PAYLOADS / f"{name}.json").read_bytes()
    j = Judges(spec, spec.operation(operation))
    for body, expected in ((raw, True), (_mutated(raw), False)):
        verdicts = (
            j.openapi_core(body),
            j.jsonschema_rs(body),
            j.registry(body, j.schema_only),
            j.registry(body, j.all),
        )
        assert verdicts == (expected,) * 4, (name, expected, verdicts)
    slow = rate(lambda: j.openapi_core(raw))
    fast = rate(lambda: j.jsonschema_rs(raw))
    schema = rate(lambda: j.registry(raw, j.schema_only))
    full = rate(lambda: j.registry(raw, j.all))
    print(
        f"{name:42} {len(raw):>6} {slow:>9,.0f} {fast:>9,.0f} {schema:>9,.0f} {full:>9,.0f}"
        f" {schema / slow:>7.0f}x {full / slow:>7.0f}x"
    )


def main() -> None:
    spec = load_spec()
    print(f"responses/s, {SECONDS:.0f} s per cell; x = times openapi-core")
    print(
        f"{'payload (200)':42} {'bytes':>6} {'oa-core':>9} {'js-rs':>9} {'schema':>9} {'all':>9}"
        f" {'schema x':>8} {'all x':>8}"
    )
    for operation, name in CASES:
        measure(spec, operation, name)
    stream_figures(spec)


# --- contracts validate on a whole capture, as a user runs it -----------------------------------
# Profile it: .venv/bin/python -m cProfile -s tottime -m contracts validate --jobs 1 FILE.har | head -40
# (bench/README.md, section "validate").

ENTRIES = int(os.environ.get("BENCH_ENTRIES", "100000"))
"""Entries of the capture judged end to end (``BENCH_ENTRIES``; the goal is stated for 100,000)."""
BIG_BYTES = int(os.environ.get("BENCH_BIG_MB", "1024")) * 1024 * 1024
"""Size of the large capture of the memory-flatness figure (``BENCH_BIG_MB``)."""
SMALL_BYTES = 10 * 1024 * 1024
FLAT_CHECKS = "status_code_documented"
"""The memory figure is about reading, not judging: one cheap check (response side only) keeps a
1 GB run short."""
EXCHANGES = [
    ("PUT", "https://eu.api.capillarytech.com/v3/targetGroups/editTargetGroup/{id}", "update-target-group"),
    ("POST", "https://eu.api.capillarytech.com/v3/targetGroups", "create-target-groups"),
]
INVALID_EVERY = 997
"""One entry in this many answers its id as a string: one schema finding each."""
TARGETS = {"entries/s": 30_000, "x peer": 100, "peak MB": 300}
"""Issue 14's bar, printed beside each figure."""
BODIES = {
    "update-target-group": ("update-target-group__response__200__1", "update-target-group__request__ok__1"),
    "create-target-groups": (
        "create-target-groups__response__200__2",
        "create-target-groups__request__ok__2",
    ),
}


_TEMPLATES: dict[str, tuple[Any, Any]] = {}


def _bodies(index: int, operation: str) -> tuple[str, str]:
    """The real response and request of ``operation`` made distinct for entry ``index`` (still valid,
    except one in :data:`INVALID_EVERY`, whose response id is a string)."""
    if operation not in _TEMPLATES:
        names = BODIES[operation]
        _TEMPLATES[operation] = (
            orjson.loads((PAYLOADS / f"{names[0]}.json").read_bytes()),
            orjson.loads((PAYLOADS / f"{names[1]}.json").read_bytes()),
        )
    response, request = _TEMPLATES[operation]
    data = response["data"]
    data["id"] = 100_000 + index if index % INVALID_EVERY != INVALID_EVERY - 1 else str(index)
    data["preferredTillId"] = request["preferredTillId"] = 50_000_000 + index
    data["description"] = request["description"] = f"bench group {index}"
    if "id" in request:
        request["id"] = 100_000 + index
    # laid out as the payload files are (indent 4): the ~8 KB bodies the goal is stated for
    return json.dumps(response, indent=4, ensure_ascii=False), json.dumps(
        request, indent=4, ensure_ascii=False
    )


def expected_violations(entries: int) -> int:
    """The findings a run over ``entries`` entries reports: one per invalid entry."""
    return entries // INVALID_EVERY


def har_entry(index: int) -> dict[str, Any]:
    """A Chrome-like HAR entry with a real ~8 KB 200 response and its real request body, both made
    distinct for ``index`` (:func:`_bodies`)."""
    method, url, operation = EXCHANGES[index % len(EXCHANGES)]
    url = url.replace("{id}", str(100_000 + index))
    response, request = _bodies(index, operation)
    json_header = {"name": "Content-Type", "value": "application/json"}
    return {
        "startedDateTime": "2026-12-01T10:00:00.000Z",
        "time": 12.5,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [json_header, {"name": "Accept", "value": "application/json"}],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(request),
            "postData": {"mimeType": "application/json", "text": request},
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [json_header, {"name": "Date", "value": "Tue, 01 Dec 2026 10:00:00 GMT"}],
            "cookies": [],
            "content": {"size": len(response), "mimeType": "application/json", "text": response},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(response),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 12, "receive": 0},
    }


def write_har(path: Path, *, entries: int | None = None, size: int | None = None) -> int:
    """A HAR of ``entries`` entries (or of about ``size`` bytes), written entry by entry, each distinct."""
    count = written = 0
    with path.open("wb") as out:
        out.write(b'{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "entries": [\n')
        while (entries is not None and count < entries) or (size is not None and written < size):
            chunk = orjson.dumps(har_entry(count))
            written += out.write((b",\n" if count else b"") + chunk)
            count += 1
        out.write(b"\n]}}\n")
    return count


def _tree_memory(root: int) -> tuple[int, int]:
    """(proportional resident KB of ``root`` and all its descendants now: PSS, a page shared by
    forked workers counted once in all; the largest peak resident KB of one of them: VmHWM, which
    starts again at exec, unlike a child's ru_maxrss, which counts the bench's own pages it was
    forked with), from /proc."""
    parents: dict[int, int] = {}
    peaks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        parents[int(entry)] = int(fields.get("PPid", "0").strip() or 0)
        peaks[int(entry)] = int(fields.get("VmHWM", "0 kB").split()[0])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as handle:
                pss += sum(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except OSError:
            continue
    return pss, max((peaks.get(pid, 0) for pid in tree), default=0)


@dataclass
class Run:
    """One ``contracts validate`` process tree, measured from outside."""

    seconds: float
    tree_kb: int
    """Peak PSS of the whole tree (a page shared by forked workers counted once)."""
    largest_kb: int
    """Peak RSS of its largest process (as polled)."""
    cpu: float
    """User + system CPU seconds of the whole tree."""
    reader_cpu: float
    """CPU seconds of the reading process alone (start-up and any entries it judges included)."""
    last: str


def _cpu_of(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (/proc), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_validate(args: list[str]) -> Run:
    """``contracts validate ARGS``, its peak memory polled every 50 ms (the reading process's CPU too,
    read last just before it exits: a 50 ms tick at most is missed)."""
    command = [sys.executable, "-m", "contracts", "validate", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        peak = largest = 0
        reader = 0.0
        while proc.poll() is None:
            tree, one = _tree_memory(proc.pid)
            peak, largest = max(peak, tree), max(largest, one)
            reader = _cpu_of(proc.pid) or reader
            time.sleep(0.05)
        out = proc.stdout.read() if proc.stdout else ""
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    last = out.strip().splitlines()[-1] if out.strip() else ""
    return Run(elapsed, peak, largest, cpu, reader, last)


def independent_rate(har: Path, processes: int, expected: str) -> tuple[float, float]:
    """(seconds of the slowest, entries/s summed) of ``processes`` separate ``contracts validate --jobs 1``
    runs over ``har`` at once: how the cores scale this work with nothing shared between the processes
    (caches, memory bandwidth and the host are), the figure ``--jobs N`` is to be compared with."""
    command = [sys.executable, "-m", "contracts", "validate", "--jobs", "1", str(har)]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for _ in range(processes)
    ]
    times: dict[int, float] = {}
    while len(times) < len(procs):  # polled, so each run's own end is timed (its output fits the pipe)
        for number, proc in enumerate(procs):
            if number not in times and proc.poll() is not None:
                times[number] = time.perf_counter() - start
        time.sleep(0.01)
    for proc in procs:
        out = proc.stdout.read() if proc.stdout else ""
        proc.wait()
        assert out.strip().splitlines()[-1] == expected, out[-200:]
    return max(times.values()), sum(ENTRIES / t for t in times.values())


def openapi_core_rate(spec: Spec, count: int = 200) -> float:
    """Entries/s of the peer: openapi-core ``validate_response`` per entry, body bytes in."""
    cases = []
    for index in range(count):
        entry = har_entry(index)
        op = spec.operation(EXCHANGES[index % len(EXCHANGES)][2])
        request = MockRequest("https://h", op.method.lower(), op.path.replace("{", "").replace("}", "1"))
        cases.append((request, entry["response"]["content"]["text"].encode()))  # distinct, like the HAR's
    for request, body in cases[: len(EXCHANGES)]:  # warm: openapi-core builds its validators on first use
        spec.openapi.validate_response(request, MockResponse(body, 200, content_type="application/json"))
    start = time.perf_counter()
    for request, body in cases:
        spec.openapi.validate_response(request, MockResponse(body, 200, content_type="application/json"))
    return count / (time.perf_counter() - start)


def ceiling_rate(spec: Spec, count: int = 2000, processes: int = 1) -> float:
    """Entries/s of the C work alone that judging an entry needs: orjson parses the entry, its
    response body and its request body, and the compiled validators' ``is_valid`` run on both bodies
    (the closed response validator, which a conforming body passes in one validation, and the request
    body's) — no Python check, no matching, no reading. ``processes`` forked processes do it at once
    (summed): measured on the cores together, not one core's rate times the cores, so what the cores
    share (caches, memory, a neighbour on the host) is in it. It is what this machine can do at all."""
    validators = {}
    for _, _, operation in EXCHANGES:
        op = spec.operation(operation)
        response = (op.response(200) or {})["content"][MEDIA]["schema"]
        request = spec.deref(op.raw["requestBody"])["content"][MEDIA]["schema"]
        validators[operation] = (spec.schemas.closed_validator(response), spec.schemas.validator(request))
    cases = [
        (orjson.dumps(har_entry(i)), *validators[EXCHANGES[i % len(EXCHANGES)][2]]) for i in range(count)
    ]

    def judge_all() -> None:
        for raw, closed, body in cases:
            entry = orjson.loads(raw)
            closed.is_valid(orjson.loads(entry["response"]["content"]["text"]))
            body.is_valid(orjson.loads(entry["request"]["postData"]["text"]))

    def one() -> float:
        judge_all()  # warm
        rounds, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < SECONDS or rounds < 2:
            judge_all()
            rounds += 1
        return rounds * count / elapsed

    if processes == 1:
        return one()
    import multiprocessing

    global _CEILING
    _CEILING = one  # forked workers inherit it (a closure does not pickle)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            return sum(pool.map(_ceiling_in_worker, range(processes)))
    finally:
        _CEILING = None


_CEILING: Callable[[], float] | None = None


def _ceiling_in_worker(_: int) -> float:
    assert _CEILING is not None
    return _CEILING()


def stream_figures(spec: Spec) -> None:
    jobs = default_jobs()
    print(f"\ncontracts validate, whole process; machine: {os.cpu_count()} cores, load {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        har = Path(tmp) / "capture.har"
        write_har(har, entries=ENTRIES)
        size = har.stat().st_size / 1024 / 1024
        peer = openapi_core_rate(spec)
        core = ceiling_rate(spec)
        cores = ceiling_rate(spec, processes=jobs)
        print(
            f"{ENTRIES:,} entries, {size:,.0f} MB, all checks, both sides; peer: openapi-core loop {peer:,.0f}/s"
        )
        expected = f"{expected_violations(ENTRIES)} violation(s) in {ENTRIES} response(s)"
        print(f"every entry's bodies distinct; expected verdict: {expected}")
        print(
            f"{'run':28} {'seconds':>8} {'entries/s':>10} {'x peer':>7} {'of ceil':>7} {'tree MB':>8}"
            f" {'1 proc MB':>9} {'CPU s':>6} {'reader us/entry':>15}"
        )
        print(
            f"{'target (issue 14)':28} {'':>8} {TARGETS['entries/s']:>10,} {TARGETS['x peer']:>6}x {'':>7}"
            f" {TARGETS['peak MB']:>8} {TARGETS['peak MB']:>9}  (entries/s and x peer: all cores)"
        )
        print(
            f"{f'ceiling: C work, {jobs} processes':28} {'':>8} {cores:>10,.0f} {cores / peer:>6.0f}x"
            f" {'100%':>7}  (orjson of entry+bodies, is_valid of both, {jobs} at once; one alone: {core:,.0f}/s)"
        )
        one = Path(tmp) / "one.har"
        write_har(one, entries=1)
        startup = run_validate(["--jobs", str(jobs), str(one)]).reader_cpu  # and one entry judged
        for label, args in (
            ("--jobs 1", ["--jobs", "1"]),
            (f"--jobs {jobs} (all cores)", ["--jobs", str(jobs)]),
        ):
            run = run_validate([*args, str(har)])
            assert run.last == expected, (run.last, expected)
            rate = ENTRIES / run.seconds
            print(
                f"{label:28} {run.seconds:>8.1f} {rate:>10,.0f} {rate / peer:>6.0f}x"
                f" {rate / cores:>7.0%} {run.tree_kb / 1024:>8.0f} {run.largest_kb / 1024:>9.0f}"
                f" {run.cpu:>6.1f} {(run.reader_cpu - startup) / ENTRIES * 1e6:>15.1f}"
            )
        seconds, rate = independent_rate(har, jobs, expected)
        print(
            f"{f'{jobs} x --jobs 1 at once':28} {seconds:>8.1f} {rate:>10,.0f} {rate / peer:>6.0f}x"
            f" {rate / cores:>7.0%}  (as many separate processes as cores, each on the whole file, rates"
            " summed: what the cores give this work, the yardstick of --jobs)"
        )
        print(
            f"  (tree MB: PSS of all processes; CPU s: user+system of the tree; reader: CPU of the reading"
            f" process beyond its start-up ({startup:.2f} s), the entries it judges itself included)"
        )
        har.unlink()
        print(
            f"memory flatness (--checks {FLAT_CHECKS} --side response --jobs {jobs}: reading, not judging):"
        )
        for target in (SMALL_BYTES, BIG_BYTES):
            count = write_har(har, size=target)
            run = run_validate(["--checks", FLAT_CHECKS, "--jobs", str(jobs), str(har)])
            assert "conform" in run.last, run.last
            print(
                f"  {har.stat().st_size / 1024 / 1024:>7,.0f} MB HAR, {count:>7,} entries:"
                f" peak {run.tree_kb / 1024:>5.0f} MB (tree), {run.largest_kb / 1024:>5.0f} MB (largest process),"
                f" {count / run.seconds:>8,.0f} entries/s (target: peak <= {TARGETS['peak MB']} MB, flat)"
            )
            har.unlink()
    print(f"load after: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
