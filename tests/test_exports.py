"""The public surface is pinned: changing it is a deliberate act."""

import contracts


def test_public_api_is_pinned() -> None:
    assert contracts.__all__ == [
        "CheckContext",
        "ContractsError",
        "Exchange",
        "ExitCode",
        "Finding",
        "Operation",
        "Result",
        "Spec",
        "check",
        "iter_findings",
        "load_spec",
    ]
    for name in contracts.__all__:
        assert getattr(contracts, name) is not None
