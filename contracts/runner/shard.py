"""Phases of schemathesis in processes of their own (``--workers N`` on loopback).

One Python process is one core: generation, the HTTP client and the checks all hold the GIL, so
threads (schemathesis's own workers) barely help a run against the embedded mock, which already
has a process of its own. With ``--workers N`` against loopback at an unlimited rate the coverage
phase (then the fuzzing phase, with a third worker) runs over every operation in
``python -m contracts.runner._shard`` while this process runs the other phases; the share streams
every response back (pickled, over a pipe of its own) to be judged here by the one collector, and
at the end its outcome (schemathesis's findings, incidents, how it stopped) and its request counts.
Each process runs its phases over every operation, so what a phase learns from one operation's
answers (an id a create returned) it still uses for the others.

Only loopback: each process paces and retries on its own, so a rate limit could not hold.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import IO, Any

from contracts.exchange import Exchange
from contracts.runner.collect import Collector
from contracts.runner.plan import Plan
from contracts.runner.safety import Safety
from contracts.runner.settings import RunSettings
from contracts.runner.throttle import Throttle
from contracts.spec import Spec

UNIT_PHASES = ("examples", "coverage", "fuzzing")
SHARES: tuple[tuple[str, ...], ...] = (("coverage",), ("fuzzing",))
"""The phases given to processes of their own, in this order, one per worker beyond the first; the
run's process keeps the others. The coverage phase alone makes ~85% of a mock run's responses."""
COMMAND = (sys.executable, "-m", "contracts.runner._shard")
"""A share's process; it is given the write end of its pipe as its one argument."""


def split(phases: tuple[str, ...], workers: int) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """(the phases this process runs, the phases of each other process) for ``workers`` processes."""
    others = [share for share in SHARES if all(p in phases for p in share)][: max(0, workers - 1)]
    given = {p for share in others for p in share}
    return tuple(p for p in phases if p not in given), others


def shardable(spec: Spec, settings: RunSettings, plan: Plan, loopback: bool, rate: float) -> bool:
    """Whether some phases go to processes: several workers, loopback, no rate limit, a spec file."""
    return (
        settings.workers > 1
        and loopback
        and rate <= 0
        and spec.path is not None
        and bool(split(plan.phases, settings.workers)[1])
    )


def restricted(plan: Plan, phases: tuple[str, ...]) -> Plan:
    """``plan`` with ``phases`` only."""
    return dataclasses.replace(plan, phases=tuple(p for p in plan.phases if p in phases))


@dataclass
class Job:
    """What a share's process needs; sent on its stdin (credentials never on a command line)."""

    spec_path: str
    settings: RunSettings
    phases: tuple[str, ...]
    base_url: str
    headers: dict[str, str]
    prefix: str
    budget: float | None


@dataclass
class Done:
    """A share's last record: its outcome and what its throttle and guard counted."""

    outcome: Any
    sent: int
    lost: int
    first_loss: str
    incidents: list[Any]
    counts: dict[str, int]
    blocked: list[str]
    records: int = 0
    """Responses the share streamed before this record (the run's process checks it got them all)."""
    breaker: tuple[str, str] = ("", "")
    """The share's breaker (reason, kind); a reason when it tripped (its budget ran out, its target failed)."""


class Share:
    """One share's process; a thread judges what it streams with the run's collector."""

    def __init__(self, job: Job, collector: Collector) -> None:
        self.collector = collector
        self.done: Done | None = None
        self.error: str | None = None
        self.received = 0
        """Responses read from the share's stream."""
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by wait(), after the process ends
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*COMMAND, str(write)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                pass_fds=(write,),
            )
        finally:
            os.close(write)
        self._stream = os.fdopen(read, "rb")
        assert self.process.stdin is not None
        try:
            with self.process.stdin as stdin:
                pickle.dump(job, stdin)
        except OSError:
            pass  # it died before reading its job: wait() reports its last line
        self._reader = threading.Thread(target=self._read, name="contracts-share", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with self._stream as stream:
            while True:
                try:
                    record = pickle.load(stream)
                except EOFError:
                    return
                except Exception as exc:  # noqa: BLE001 - a broken stream is the share's failure, reported
                    self.error = f"a worker process sent an unreadable record ({exc.__class__.__name__})"
                    return
                if isinstance(record, Done):
                    self.done = record
                else:
                    exchange, curl = record
                    self.received += 1
                    self.collector.observe(exchange, curl)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()

    def wait(self) -> None:
        self.process.wait()
        self._reader.join()
        if self.done is not None and self.error is None and self.done.records != self.received:
            self.error = (
                f"a worker process's stream lost {self.done.records - self.received} of its "
                f"{self.done.records} response(s): they were not judged"
            )
        if self.done is None and self.error is None:
            self._log.seek(0)
            lines = self._log.read(65536).decode(errors="replace").strip().splitlines()
            last = lines[-1] if lines else f"exit {self.process.returncode}"
            self.error = f"a worker process stopped before its end: {last[:200]}"
        self._log.close()


def fold(outcome: Any, theirs: Any) -> None:
    """Another engine run's outcome folded into ``outcome``: findings, incidents, checks run, how it ended."""
    for key, finding in theirs.findings.items():
        outcome.findings.setdefault(key, finding)
    outcome.incidents.extend(theirs.incidents)
    for op, found in theirs.exercised.items():
        outcome.exercised.setdefault(op, set()).update(found)
    outcome.errors.extend(theirs.errors)
    outcome.cut.extend(theirs.cut)
    if outcome.stop_reason == "completed":
        outcome.stop_reason = theirs.stop_reason
    outcome.fatal = outcome.fatal or theirs.fatal


def merge(outcome: Any, done: Done, throttle: Throttle, safety: Safety) -> None:
    """Fold a share's outcome and counts into the run's."""
    fold(outcome, done.outcome)
    throttle.absorb(done.sent, done.lost, done.first_loss)
    reason, kind = done.breaker
    if reason:  # what stopped the share stops the run's verdict too, not only its own requests
        throttle.breaker.trip(reason, kind=kind)
    for incident in done.incidents:
        throttle.note(incident)
    for kind, extra in done.counts.items():
        listed = sum(i.kind == kind for i in done.incidents)
        throttle.counts[kind] += extra - listed
    safety.blocked.extend(done.blocked)


class Sink:
    """What a share's collector does with a response: send it to the run's process, and count it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.sent = stream, 0
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange, curl: str) -> None:
        data = pickle.dumps((exchange, curl), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self.stream.write(data)
            self.sent += 1
