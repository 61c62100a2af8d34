"""Where a run sends its requests: the given URL, or the embedded mock; and the preflight probe."""

from __future__ import annotations

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
    from contracts.mock import create_app, serve_in_thread

    own = Credentials.for_mock(creds)
    app = create_app(spec, credentials=(str(own.user), str(own.password)))
    with serve_in_thread(app) as url:
        yield url, own


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
