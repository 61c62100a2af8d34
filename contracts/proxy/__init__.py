"""``contracts proxy``: a validating proxy between an app and a server of the API, and ``replay``.

``app`` forwards and judges both sides of every exchange, ``ledger`` de-duplicates what it finds,
``har`` records the traffic as a committable HAR, ``server`` runs it under uvicorn and writes the
reports on SIGINT/SIGTERM, ``replay`` re-sends a recorded HAR to a server and judges the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ProxySettings"]


@dataclass(frozen=True)
class ProxySettings:
    """``[tool.contracts.proxy]``; every flag of ``contracts proxy`` has its twin here, and flags win."""

    upstream: str | None = None
    host: str = "127.0.0.1"
    port: int = 4011
    record: str | None = None
    report: str | None = None
    fallback: str | None = None
    read_only: bool = False
    strict: bool = False
    header: bool = True
    timeout: float = 30.0
    redact_keys: tuple[str, ...] = ()
    """Query parameters, headers and JSON body fields masked in the HAR and the reports."""
    max_body: int = 8 << 20
    """Bodies up to this size are buffered and judged; larger ones are streamed through unjudged."""
    verdict_cache: int = 4096
    """Distinct answers whose verdict is remembered (0: every answer is judged afresh)."""
