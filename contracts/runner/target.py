"""Where a run sends its requests: the given URL, or the embedded mock; and the preflight probe."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from contracts.errors import TargetError
from contracts.runner.auth import Credentials
from contracts.runner.plan import Plan
from contracts.runner.safety import check_base_url, is_loopback
from contracts.runner.settings import RunSettings
from contracts.runner.throttle import RETRY_STATUSES, Throttle
from contracts.spec import READ_METHODS, Spec


@contextmanager
def target(spec: Spec, settings: RunSettings, creds: Credentials) -> Iterator[tuple[str, Credentials]]:
    """The URL to test and the credentials to use: the given URL, or the embedded mock.

    A loopback URL without credentials in the environment gets the local default pair that
    ``contracts mock`` requires by default (:data:`contracts.runner.auth.LOCAL_CREDENTIALS`).
    """
    if settings.base_url is not None:
        url = check_base_url(settings.base_url)
        yield url, creds.for_loopback() if is_loopback(url) else creds
        return
    own = Credentials.for_mock(creds)
    pair = (str(own.user), str(own.password))
    if spec.path is not None:
        with mock_process(str(spec.path), pair) as url:
            yield url, own
        return
    from contracts.mock import create_app, serve_in_thread

    with serve_in_thread(create_app(spec, credentials=pair)) as url:
        yield url, own


MOCK_START = 30.0
"""Seconds the mock's process may take to listen."""


@contextmanager
def mock_process(spec_path: str, pair: tuple[str, str]) -> Iterator[str]:
    """The mock of ``spec_path`` in a process of its own on a free loopback port (a core of its own).

    The pair travels in the child's environment, never on its command line; the child is stopped
    by its pid when the run ends.
    """
    from contracts.mock import free_port

    port = free_port()
    env = {**os.environ, "CONTRACTS_RUN_MOCK_PAIR": ":".join(pair)}
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a chatty child never blocks on a full pipe
        child = subprocess.Popen(
            [sys.executable, "-m", "contracts.runner._mock_process", spec_path, str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + MOCK_START
            while True:
                if child.poll() is not None:
                    log.seek(0)
                    err = log.read(65536).decode(errors="replace").strip()
                    last = err.splitlines()[-1] if err else f"exit {child.returncode}"
                    raise TargetError(f"the embedded mock did not start: {last[:200]}")
                with socket.socket() as probe:
                    probe.settimeout(0.2)
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline:
                    raise TargetError(
                        f"the embedded mock did not listen on 127.0.0.1:{port} within {MOCK_START:g} s"
                    )
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=10)


def preflight(
    spec: Spec, plan: Plan, base_url: str, headers: dict[str, str], client: httpx.Client, throttle: Throttle
) -> None:
    """One read request, so an unreachable, unavailable or refusing target is exit 2 at once."""
    probe = next((op for op in plan.operations if op.method in READ_METHODS and "{" not in op.path), None)
    probe = probe or next((op for op in spec.operations if op.method == "GET" and "{" not in op.path), None)
    url = base_url + (probe.path if probe else "/")
    label = f"GET {probe.path if probe else '/'}"
    try:
        response = throttle.call(label, lambda: client.get(url, headers=headers))
    except httpx.HTTPError as exc:
        throttle.failed(label, exc)
        raise TargetError(
            f"cannot reach {base_url}: {label} failed: {exc.__class__.__name__}: {str(exc)[:160]}",
            hint="check the URL, DNS, TLS and that the server is up",
        ) from None
    if response.status_code in RETRY_STATUSES:
        raise TargetError(
            f"{base_url} is unavailable: {label} still answered {response.status_code} after the retries"
            " (Retry-After honoured)",
            hint="try again later, or raise --max-duration to wait longer",
        )
    if response.status_code == 401:
        raise TargetError(
            f"{base_url} refused the credentials ({label} answered 401)",
            hint="set CONTRACTS_BASIC_USER/CONTRACTS_BASIC_PASSWORD or CONTRACTS_BEARER_TOKEN",
        )
